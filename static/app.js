// Small enhancements on top of working HTML. No inline scripts anywhere: the CSP forbids them.
document.documentElement.classList.add("js");

// After htmx swaps in a page region, move focus to its heading so screen readers follow.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail && event.detail.target;
  if (!target || target.tagName !== "BODY") return;
  const heading = document.querySelector("main h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
});

// Buttons that need JavaScript are sent hidden and shown here.
function enhance(root) {
  for (const button of root.querySelectorAll("button[data-copy], button[data-print]")) {
    button.hidden = false;
  }
}
document.addEventListener("DOMContentLoaded", () => enhance(document));
document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy], button[data-print]");
  if (!button) return;
  if (button.hasAttribute("data-print")) {
    globalThis.print();
    return;
  }
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  const text = source.textContent.replace(/\s+/g, "");
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Skopiowano";
  } catch {
    // No clipboard access (an old browser, an insecure origin): select the text instead.
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = globalThis.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    button.textContent = "Zaznaczono — skopiuj Ctrl+C";
  }
  setTimeout(() => (button.textContent = label), 2500);
});

// A form sent the ordinary way (not by htmx, which marks its form with .htmx-request): its
// button shows that the server is working until the next page comes.
document.addEventListener("submit", (event) => {
  const form = event.target;
  // Logging out leaves no snapshot of a signed-in page in this tab's storage.
  if (form.getAttribute && /\/wyloguj$/.test(form.getAttribute("action") || "")) {
    try {
      sessionStorage.removeItem("htmx-history-cache");
    } catch {
      // Storage may be off; nothing was stored then.
    }
  }
  if (event.defaultPrevented) return;
  const button = event.submitter;
  if (button && button.tagName === "BUTTON") button.classList.add("is-busy");
});
// Back to a page kept whole by the browser: its buttons are no longer busy.
globalThis.addEventListener("pageshow", () => {
  for (const b of document.querySelectorAll("button.is-busy")) b.classList.remove("is-busy");
});

// The new-matter form: the emergency number shows while "awaria" is the chosen category.
function showEmergency(select) {
  const box = select.form && select.form.parentElement.querySelector("[data-emergency]");
  if (box) box.hidden = select.value !== "awaria";
}
// On a full load and on a page htmx swapped in (a boosted link): no category yet, no number.
function initEmergency(root) {
  const select = root.querySelector &&
    root.querySelector("form[data-matter-form] select[name=category]");
  if (select) showEmergency(select);
}
document.addEventListener("DOMContentLoaded", () => initEmergency(document));
document.addEventListener("htmx:load", (event) => initEmergency(event.detail.elt));
document.addEventListener("change", (event) => {
  const select = event.target;
  if (select.matches && select.matches("form[data-matter-form] select[name=category]")) {
    showEmergency(select);
  }
});

// Upload progress of a form with files, sent by htmx (hx-boost sends multipart forms as such).
// htmx reports the upload and then the response download under one event name: the bar only
// moves forward, so the response's own progress cannot pull it back.
document.addEventListener("htmx:beforeSend", (event) => {
  const form = event.target.closest && event.target.closest("form[data-upload-progress]");
  const status = form && form.querySelector("[data-upload-status]");
  if (!status) return;
  const input = form.querySelector("input[type=file]");
  status.hidden = !(input && input.files && input.files.length);
  status.querySelector("progress").value = 0;
  status.querySelector("[data-upload-percent]").textContent = "";
});
document.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target.closest && event.target.closest("form[data-upload-progress]");
  const status = form && form.querySelector("[data-upload-status]");
  const d = event.detail;
  if (!status || status.hidden || !d.lengthComputable || !d.total) return;
  const bar = status.querySelector("progress");
  const percent = Math.max(bar.value, Math.floor((d.loaded * 100) / d.total));
  if (percent === bar.value && percent !== 0) return;
  bar.value = percent;
  bar.textContent = `${percent}%`;
  status.querySelector("[data-upload-percent]").textContent = percent >= 100
    ? "Wysłano, trwa zapisywanie…"
    : `${percent}\u00a0%`;
});
