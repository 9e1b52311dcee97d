// "Copy link" beside a credential's link on the teacher's dashboard. Without this script the button stays hidden and
// the link is still there to select and copy by hand.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy-link]")) {
    const field = document.getElementById(button.dataset.copyLink);
    const status = document.getElementById(button.dataset.copyStatus);
    if (!field) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      const done = (text) => {
        if (status) status.textContent = text;
      };
      const fallback = () => {
        field.focus();
        field.select();
        done(document.execCommand && document.execCommand("copy") ? "Link copied." : "Press Ctrl+C (or ⌘+C) to copy the selected link.");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(() => done("Link copied."), fallback);
      } else {
        fallback();
      }
    });
  }
});
