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
