// The review page's score panel, kept current as levels are chosen: each criterion's level, the running total and
// where the rubric's rule stands. The server counts the same way (domain/review/tally.py) and renders the panel as
// it was saved; without this script the form and the panel's links work just the same.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("review-form");
  const panel = document.getElementById("score-panel");
  if (!form || !panel) return;
  const total = panel.querySelector("[data-total]");
  const status = panel.querySelector("[data-status]");
  const barTotal = document.querySelector("[data-bar-total]");
  const barStatus = document.querySelector("[data-bar-status]");
  const ruleKind = panel.dataset.ruleKind;
  const minPoints = Number(panel.dataset.minPoints || 0);

  const number = (value) => String(Math.round(value * 100) / 100);
  const points = (value) => `${number(value)} point${value === 1 ? "" : "s"}`;

  const update = () => {
    let sum = 0;
    let scored = 0;
    let toScore = 0;
    let allMet = true;
    const below = [];
    for (const item of panel.querySelectorAll(".score-panel-list li")) {
      if ("carriedPoints" in item.dataset) {
        sum += Number(item.dataset.carriedPoints);
        if (item.dataset.carriedMeets !== "1") {
          allMet = false;
          below.push(item.dataset.carriedName);
        }
        continue;
      }
      toScore += 1;
      const key = item.dataset.criterion;
      const chosen = form.querySelector(`input[type="radio"][name="level-${CSS.escape(key)}"]:checked`);
      const label = item.querySelector("[data-level]");
      if (!chosen) {
        allMet = false;
        label.textContent = "Not chosen yet";
        continue;
      }
      scored += 1;
      const worth = Number(chosen.dataset.points);
      const meets = chosen.dataset.meets === "1";
      sum += worth;
      let text = `${chosen.dataset.levelName} · ${points(worth)}`;
      if (!meets) {
        allMet = false;
        below.push(item.querySelector("a").textContent.trim());
        text += " · below the required level";
      }
      label.textContent = text;
    }
    const enoughPoints = ruleKind === "every_criterion_or_points" && sum >= minPoints;
    const complete = scored === toScore;
    const earned = allMet || enoughPoints;
    let head;
    let detail;
    if (complete) {
      head = earned ? "Rule met" : "Rule not met";
      detail = `: your review's outcome is ${earned ? "Earned" : "Not yet"}.`;
    } else if (below.length === 0 || enoughPoints) {
      head = "Met so far";
      detail = `: ${scored} of ${toScore} ${toScore === 1 ? "criterion" : "criteria"} scored.`;
    } else {
      head = "Not met so far";
      detail = `: “${below.join("”, “")}” ${below.length === 1 ? "is" : "are"} below the required level.`;
    }
    total.textContent = number(sum);
    const strong = document.createElement("strong");
    strong.textContent = head;
    status.replaceChildren(strong, document.createTextNode(detail));
    if (barTotal) barTotal.textContent = number(sum);
    if (barStatus) barStatus.textContent = `${head} · ${scored} of ${toScore} scored`;
  };

  form.addEventListener("change", (event) => {
    if (event.target.matches('input[type="radio"]')) update();
  });
  update();
});
