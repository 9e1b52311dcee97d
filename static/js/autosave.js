// Keeps the text answers of a draft while the teacher types: a short pause after typing sends them in the background,
// with the page's revision, so a change made in another tab is never overwritten. The form works the same without
// this script ("Save draft"); nothing here ever changes what is in a text box.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-autosave]");
  const status = form && form.querySelector("[data-save-status]");
  const revision = form && form.querySelector("input[name='revision']");
  if (!form || !status || !revision || !window.fetch || !window.FormData) return;
  const PAUSE_MS = 2000;
  const areas = Array.from(form.querySelectorAll("textarea[name^='answer-']"));
  let timer = null;
  let saving = null; // the save under way, if any
  let dirty = false; // typed since the last save began
  let stopped = false; // after a conflict: keep the text on screen and leave saving to the teacher
  let waitingSubmitter = null;

  const say = (text, problem) => {
    status.textContent = text;
    status.classList.toggle("save-problem", Boolean(problem));
  };

  const send = () => {
    timer = null;
    if (stopped || saving || !dirty) return;
    dirty = false;
    const body = new FormData();
    body.append("csrf_token", form.querySelector("input[name='csrf_token']").value);
    body.append("revision", revision.value);
    for (const area of areas) body.append(area.name, area.value);
    say("Saving…", false);
    saving = fetch(form.dataset.autosave, {
      method: "POST",
      body,
      credentials: "same-origin",
      redirect: "error",
      headers: { Accept: "application/json" },
    })
      .then((response) =>
        response
          .json()
          .catch(() => null)
          .then((answer) => ({ ok: response.ok, answer })),
      )
      .then(({ ok, answer }) => {
        if (ok && answer && answer.saved) {
          revision.value = String(answer.revision);
          say(`Saved at ${answer.saved_at}`, false);
        } else if (answer && answer.message) {
          stopped = true; // changed elsewhere, or signed out: saving again would not help
          say(answer.message, true);
        } else {
          say("Not saved automatically. Your text is still here; choose “Save draft” to keep it.", true);
        }
      })
      .catch(() => {
        dirty = true; // try again after the next pause
        say("Not saved automatically: the connection failed. Your text is still here; choose “Save draft”.", true);
      })
      .finally(() => {
        saving = null;
        if (waitingSubmitter) {
          const submitter = waitingSubmitter;
          waitingSubmitter = null;
          form.requestSubmit(submitter);
        } else if (dirty && !stopped) {
          timer = window.setTimeout(send, PAUSE_MS);
        }
      });
  };

  for (const area of areas) {
    area.addEventListener("input", () => {
      dirty = true;
      if (stopped) return;
      say("Changes not saved yet", false);
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(send, PAUSE_MS);
    });
  }

  // Remember the prompt last worked on, so a save whose text was already kept still returns there.
  let lastPrompt = "";
  form.addEventListener("focusin", (event) => {
    const prompt = event.target.closest && event.target.closest(".prompt[id^='prompt-']");
    if (prompt) lastPrompt = prompt.id.slice("prompt-".length);
  });
  const returnTo = document.createElement("input");
  returnTo.type = "hidden";
  returnTo.name = "return_to";
  form.appendChild(returnTo);

  // A normal save or submit carries the text itself; if a background save is still under way, wait for its new
  // revision first, so the two do not look like a change from another tab.
  form.addEventListener("submit", (event) => {
    returnTo.value = lastPrompt;
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (saving) {
      event.preventDefault();
      waitingSubmitter = event.submitter || null;
      if (!waitingSubmitter) waitingSubmitter = form.querySelector("button[value='save']");
    }
  });
});
