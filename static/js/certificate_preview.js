// Live preview of the certificate design: re-render the sample certificate shortly after the form stops changing.
// Without JavaScript the form's "Preview" button does the same through the server.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("certificate-design");
  const image = document.getElementById("certificate-preview-image");
  const status = document.getElementById("certificate-preview-status");
  if (!form || !image || !status) return;
  const fields = ["primary", "accent", "border", "paper", "signatory_name", "signatory_title"];
  let timer = null;
  let latest = 0;
  const refresh = async () => {
    const query = new URLSearchParams(fields.map((name) => [name, form.elements[name].value]));
    const request = ++latest;
    status.textContent = "Updating the preview…";
    try {
      const response = await fetch(`${form.dataset.preview}?${query}`, { headers: { Accept: "image/png, application/json" } });
      if (request !== latest) return;  // a newer change is on its way
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        status.textContent = body && body.error ? body.error.message : "The preview could not be drawn.";
        return;
      }
      // A data: URL, which the site's Content-Security-Policy allows for images (blob: it does not).
      const blob = await response.blob();
      const reader = new FileReader();
      reader.onload = () => {
        if (request !== latest) return;
        image.src = reader.result;
        status.textContent = "Preview updated.";
      };
      reader.readAsDataURL(blob);
    } catch {
      status.textContent = "The preview could not be drawn.";
    }
  };
  form.addEventListener("input", (event) => {
    if (!fields.includes(event.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
});
