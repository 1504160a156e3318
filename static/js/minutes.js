// The minutes editor: progressive enhancements only; every form also works without it.
(() => {
  // Settling copies the old element's style attribute onto the new one, which the strict
  // CSP refuses (some browsers add an empty one to form fields); the editors need no
  // style settling.
  if (window.htmx) {
    window.htmx.config.attributesToSettle = ["class", "width", "height"];
  }
  const dirty = new Set();

  const noteForms = () => document.querySelectorAll("form[data-note-form]");

  const watch = (form) => {
    if (form.dataset.watched) return;
    form.dataset.watched = "1";
    const state = form.querySelector("[data-note-state]");
    form.addEventListener("input", () => {
      dirty.add(form.action);
      if (state && state.dataset.unsavedText) state.textContent = state.dataset.unsavedText;
    });
    form.querySelectorAll("textarea").forEach((area) => {
      // Ctrl+Enter (or ⌘+Enter) saves without leaving the keyboard.
      area.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    });
  };

  const setUp = (root) => {
    noteForms().forEach(watch);
    // After a conflict: copy the other person's version into the editor, to merge there.
    root.querySelectorAll("[data-use-text]").forEach((button) => {
      if (button.dataset.bound) return;
      button.dataset.bound = "1";
      button.addEventListener("click", () => {
        const area = document.getElementById(button.dataset.useText);
        if (area) {
          area.value = button.dataset.text;
          area.dispatchEvent(new Event("input", { bubbles: true }));
          area.focus();
        }
      });
    });
    // Votes matter only when the decision is taken by a vote.
    root.querySelectorAll("form[data-resolution-form]").forEach((form) => {
      if (form.dataset.bound) return;
      form.dataset.bound = "1";
      const votes = form.querySelector("[data-votes]");
      const sync = () => {
        const mode = form.querySelector("input[name='mode']:checked");
        if (votes) votes.hidden = Boolean(mode) && mode.value !== "vote";
      };
      form.querySelectorAll("input[name='mode']").forEach((radio) => radio.addEventListener("change", sync));
      sync();
    });
  };

  document.addEventListener("DOMContentLoaded", () => setUp(document));
  // A swapped-in editor is either saved, or refused with the person's text still in it.
  document.addEventListener("htmx:afterSettle", () => {
    noteForms().forEach((form) => {
      if (form.dataset.watched) return;
      if (form.hasAttribute("data-unsaved")) dirty.add(form.action);
      else dirty.delete(form.action);
    });
    setUp(document);
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
