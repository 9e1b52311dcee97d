// Live word counts beside text answers. The server counts the same way and enforces the limits; this only helps.
document.addEventListener("DOMContentLoaded", () => {
  for (const area of document.querySelectorAll("textarea[data-word-limit]")) {
    const output = document.getElementById(area.getAttribute("aria-describedby").split(" ")[0]);
    const number = output && output.querySelector("[data-word-count]");
    if (!number) continue;
    const limit = Number(area.dataset.wordLimit);
    const update = () => {
      const words = (area.value.match(/\S+/g) || []).length;
      number.textContent = String(words);
      output.classList.toggle("over-limit", words > limit);
    };
    area.addEventListener("input", update);
    update();
  }
});
