// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // The header's menu shows unfolded on wide screens through ::details-content (app.css);
  // browsers without it (Firefox before 143, Safari before 18.4) get it opened here.
  const menu = document.querySelector(".site-menu");
  if (menu && window.CSS && !CSS.supports("selector(::details-content)")) {
    const wide = window.matchMedia("(min-width: 769px)");
    const follow = () => { menu.open = wide.matches; };
    follow();
    wide.addEventListener("change", follow);
  }
  // A table wider than its box scrolls inside it (a phone): let the keyboard reach the box,
  // whose arrow keys then scroll it, and name it after its table (WCAG 2.1.1 Keyboard).
  let scrollingTables = 0;
  const reachScrollingTables = () => {
    document.querySelectorAll(".table-wrap").forEach((box) => {
      if (box.scrollWidth <= box.clientWidth + 1 || box.hasAttribute("role")) {
        return;
      }
      const caption = box.querySelector("table > caption");
      const section = box.closest("[aria-labelledby]");
      if (caption) {
        scrollingTables += 1;
        caption.id = caption.id || `scrolling-table-${scrollingTables}`;
      }
      const name = caption ? caption.id : section && section.getAttribute("aria-labelledby");
      if (name) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-labelledby", name);
      }
      box.tabIndex = 0;
    });
  };
  reachScrollingTables();
  window.addEventListener("resize", reachScrollingTables);
  document.body.addEventListener("htmx:afterSettle", reachScrollingTables);
  // Submit filter forms as the visitor changes a select (htmx swaps the results).
  document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
  // Ask before destructive actions marked with data-confirm.
  document.addEventListener("submit", (event) => {
    const message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
});
