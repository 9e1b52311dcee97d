// The catalog editor, made a little quicker; every part works without this script.
// 1. The address (slug) follows the title as it is typed, until the admin edits the address themselves. The server
//    makes the same address from the title when the field is left empty, and keeps it unique.
// 2. After a row button (add, move, remove), the page comes back at that row's #fragment: move the focus there too,
//    so keyboard and screen-reader users continue where they were.
document.addEventListener("DOMContentLoaded", () => {
  const title = document.querySelector("[data-slug-source]");
  const slug = document.querySelector("[data-slug-target]");
  if (title && slug) {
    const slugify = (text) =>
      text
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 60)
        .replace(/-+$/, "");
    // Follow the title while the address is empty or still the one made from it.
    let following = slug.value === "" || slug.value === slugify(title.value);
    title.addEventListener("input", () => {
      if (following) slug.value = slugify(title.value);
    });
    slug.addEventListener("input", () => {
      following = slug.value === "";
    });
  }

  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    return;
  }
  // The browser focuses the row itself when it scrolls to the fragment, after this script has run: once the page
  // has loaded, move on to the row's first field, ready for typing.
  window.addEventListener("load", () => {
    if (window.location.hash.length < 2) return;
    const target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (!target || target.getAttribute("tabindex") !== "-1") return;
    const field = target.querySelector("input:not([type=hidden]), textarea, select");
    setTimeout(() => (field || target).focus({ preventScroll: true }), 0);
  });
});
