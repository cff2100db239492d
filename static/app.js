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
