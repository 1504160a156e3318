// The minutes editor. Every form here also works without JavaScript: its button posts it.
// For the forms marked data-autosave (the opening of the minutes and each item's notes),
// this adds:
// - saving by itself through htmx, a few seconds after typing pauses (and at least every
//   MAX_WAIT while it goes on) and when a field is left; the server answers with a small
//   status partial (X-Minutes-Status: saved, conflict, invalid or locked) that takes the
//   place of the form's status line, never of what is being typed;
// - a draft of each unsaved field in this browser (localStorage), named after the person,
//   the meeting, the form and the field, with the version it was based on. After a reload
//   or a lost connection it is put back when the server still has that version (or the
//   same text), and offered beside the newer text otherwise: never silently over it;
// - retries while the connection is lost, and a warning before leaving unsaved text;
// - the choices offered when someone else saved the same text meanwhile.
(() => {
  const DEBOUNCE = 2500; // ms without typing before a save
  const QUICK = 400; // ms after a choice in a list, a box or a time
  const MAX_WAIT = 10000; // ms of typing on end before a save all the same
  const RETRY_FIRST = 2000;
  const RETRY_MAX = 15000;
  const DRAFT_DAYS = 30;
  const DRAFTS = "concertation:minutes:";

  // Settling copies the old element's style attribute onto the new one, which the strict
  // CSP refuses (some browsers add an empty one to form fields); nothing here needs it.
  if (window.htmx) {
    window.htmx.config.attributesToSettle = ["class", "width", "height"];
  }

  const units = new Map(); // form → its state
  let root = null; // #minutes-autosave: the messages, and the prefix of the drafts

  const msg = (name) => (root && root.dataset[`msg${name[0].toUpperCase()}${name.slice(1)}`]) || "";
  const plain = (value) => (value || "").replace(/\r\n?/g, "\n").trim();

  // Drafts -----------------------------------------------------------------------------
  const store = (() => {
    try {
      const storage = window.localStorage;
      storage.setItem(`${DRAFTS}probe`, "1");
      storage.removeItem(`${DRAFTS}probe`);
      return storage;
    } catch (error) {
      return null; // private browsing, storage refused: the editor still saves
    }
  })();
  const readDraft = (key) => {
    if (!store) return null;
    try {
      const draft = JSON.parse(store.getItem(key));
      return draft && typeof draft.value === "string" ? draft : null;
    } catch (error) {
      return null;
    }
  };
  const writeDraft = (key, draft) => {
    if (!store) return;
    try {
      store.setItem(key, JSON.stringify(draft));
    } catch (error) {
      // Storage full: the text is still in the editor, and the warning before leaving.
    }
  };
  const dropDraft = (key) => store && store.removeItem(key);
  const purgeOldDrafts = () => {
    if (!store) return;
    const limit = Date.now() - DRAFT_DAYS * 86400000;
    for (let i = store.length - 1; i >= 0; i -= 1) {
      const key = store.key(i);
      if (key && key.startsWith(DRAFTS)) {
        const draft = readDraft(key);
        if (!draft || !(draft.at > limit)) store.removeItem(key);
      }
    }
  };

  // Fields -------------------------------------------------------------------------------
  const fieldsOf = (form) =>
    Array.from(form.elements).filter(
      (el) => el.name && el.name !== "csrfmiddlewaretoken" && !["hidden", "submit", "button", "reset"].includes(el.type),
    );
  const valueOf = (field) => (field.type === "checkbox" ? (field.checked ? "on" : "") : field.value);
  const setValue = (field, value) => {
    if (field.type === "checkbox") field.checked = value === "on";
    else field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const shown = (field, value) => {
    if (field.type === "checkbox") return value === "on" ? msg("checked") : msg("unchecked");
    if (field.tagName === "SELECT") {
      const option = Array.from(field.options).find((o) => o.value === value);
      return option ? option.textContent : value;
    }
    return value || "—";
  };
  const labelOf = (field) => {
    const label = field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
    return label ? label.textContent.trim() : "";
  };
  const isText = (field) => field.tagName === "TEXTAREA" || field.type === "text";

  // One editor ---------------------------------------------------------------------------
  const versionOf = (unit) => {
    const input = unit.form.querySelector("input[name='version']");
    return input ? input.value : "";
  };
  const conflictBox = (unit) => unit.status && unit.status.querySelector("[data-conflict]");
  // The version the text in the editor was written on: during a conflict, the one before.
  const basedOn = (unit) => {
    const box = conflictBox(unit);
    return box ? box.dataset.conflictFrom : versionOf(unit);
  };
  const draftKey = (unit, field) => `${root.dataset.draftPrefix}:${unit.name}:${field.name}`;
  const isDirty = (unit) => unit.fields.some((f) => valueOf(f) !== unit.base.get(f.name));
  const snapshot = (unit) => new Map(unit.fields.map((f) => [f.name, valueOf(f)]));

  const keepDraft = (unit, field) => {
    if (!root || !store) return;
    const value = valueOf(field);
    const base = unit.base.get(field.name);
    if (value === base) dropDraft(draftKey(unit, field));
    else writeDraft(draftKey(unit, field), { v: basedOn(unit), base, value, at: Date.now() });
  };

  const announce = (text) => {
    const announcer = document.getElementById("minutes-announcer");
    if (announcer && text) announcer.textContent = text;
  };
  // A line of the status; a conflict stays in view until the person chose.
  const say = (unit, text, problem = false) => {
    if (!unit.status || conflictBox(unit)) return;
    if (!text) {
      unit.status.replaceChildren();
      return;
    }
    const line = document.createElement("p");
    line.className = problem ? "flash flash-warning" : "muted";
    line.textContent = text;
    unit.status.replaceChildren(line);
  };

  const schedule = (unit, delay = DEBOUNCE) => {
    if (unit.locked) return;
    const now = Date.now();
    if (!unit.firstChange) unit.firstChange = now;
    clearTimeout(unit.timer);
    unit.timer = setTimeout(() => save(unit), Math.max(0, Math.min(delay, unit.firstChange + MAX_WAIT - now)));
  };
  const save = (unit) => {
    clearTimeout(unit.timer);
    unit.timer = null;
    if (unit.locked || conflictBox(unit) || !document.contains(unit.form)) return;
    if (!isDirty(unit)) {
      unit.firstChange = 0;
      return;
    }
    if (unit.inFlight) {
      unit.again = true;
      return;
    }
    window.htmx.trigger(unit.form, "minutes:save");
  };
  const retryLater = (unit) => {
    clearTimeout(unit.retry);
    unit.retryDelay = unit.retryDelay ? Math.min(RETRY_MAX, unit.retryDelay * 2) : RETRY_FIRST;
    unit.retry = setTimeout(() => {
      unit.retry = null;
      save(unit);
    }, unit.retryDelay);
  };

  const onChange = (unit, field) => {
    keepDraft(unit, field);
    if (unit.locked) return;
    if (!unit.problem && !unit.inFlight) say(unit, msg("unsaved"));
    schedule(unit, field.tagName === "SELECT" || field.type === "checkbox" ? QUICK : DEBOUNCE);
  };

  // Their values in a conflict box: [{field, value, initial, initialField}].
  const theirValues = (box) =>
    Array.from(box.querySelectorAll("[data-their-value]"))
      .map((el) => ({
        field: document.getElementById(el.dataset.field),
        value: el.dataset.value || "",
        initial: el.dataset.initial,
        initialField: el.dataset.initialField ? document.getElementById(el.dataset.initialField) : null,
      }))
      .filter((theirs) => theirs.field);

  // The person chose in a conflict: their values become the base the next save starts
  // from (the form's version already is theirs); `how` puts theirs, or both texts, in.
  const settle = (unit, how, mergeId) => {
    const box = conflictBox(unit);
    if (!box) return;
    theirValues(box).forEach((theirs) => {
      const { field, value } = theirs;
      unit.base.set(field.name, value);
      if (theirs.initialField && theirs.initial !== undefined) theirs.initialField.value = theirs.initial;
      if (how === "theirs") setValue(field, value);
      if (how === "both" && field.id === mergeId) {
        const mine = valueOf(field);
        setValue(field, plain(mine) === plain(value) ? mine : [value, mine].filter(plain).join("\n\n"));
      }
    });
    box.remove();
    unit.fields.forEach((field) => keepDraft(unit, field));
    say(unit, isDirty(unit) ? msg("unsaved") : "");
    save(unit);
  };

  // A save whose answer was lost may have gone through: "someone" saving exactly what
  // this browser sent then is no conflict.
  const ownEcho = (unit, box) => {
    const theirs = theirValues(box);
    return (
      theirs.length > 0 &&
      unit.unacked.some((sent) => theirs.every((t) => plain(sent.get(t.field.name)) === plain(t.value)))
    );
  };

  const lockAll = () => {
    units.forEach((unit) => {
      unit.locked = true;
      clearTimeout(unit.timer);
      clearTimeout(unit.retry);
      unit.fields.forEach((field) => {
        if (isText(field) || field.type === "time") field.readOnly = true;
        else field.disabled = true;
      });
      unit.form.querySelectorAll("button").forEach((button) => {
        button.disabled = true;
      });
    });
  };

  const answered = (unit, state, explicit) => {
    const hadProblem = Boolean(unit.problem);
    unit.problem = null;
    unit.retryDelay = 0;
    clearTimeout(unit.retry);
    unit.fields.forEach((field) => field.removeAttribute("aria-invalid"));
    if (state === "saved") {
      const sent = unit.sent || snapshot(unit);
      unit.fields.forEach((field) => {
        if (sent.has(field.name)) unit.base.set(field.name, sent.get(field.name));
        keepDraft(unit, field);
      });
      unit.unacked = [];
      if (!isDirty(unit)) unit.firstChange = 0;
      const line = unit.status.querySelector("[data-announce]");
      if (line && (explicit || hadProblem)) announce(line.dataset.announce);
    } else if (state === "conflict") {
      const box = conflictBox(unit);
      if (box && ownEcho(unit, box)) {
        unit.unacked = [];
        settle(unit, "mine");
        return;
      }
      unit.fields.forEach((field) => keepDraft(unit, field));
    } else if (state === "invalid") {
      const box = unit.status.querySelector("[data-invalid]");
      (box ? box.dataset.invalid.split(/\s+/) : []).forEach((id) => {
        const field = id && document.getElementById(id);
        if (field) field.setAttribute("aria-invalid", "true");
      });
    } else if (state === "locked") {
      lockAll();
    }
  };

  const lost = (unit) => {
    if (unit.sent) unit.unacked = [...unit.unacked.slice(-4), unit.sent];
    if (unit.problem !== "offline") announce(msg("offline"));
    unit.problem = "offline";
    say(unit, `${msg("offline")} ${msg("retry")}`, true);
    retryLater(unit);
  };

  const refused = (unit, xhr) => {
    // A login page or an error page: never put into the editor.
    let redirected = false;
    try {
      redirected = Boolean(xhr.responseURL) && new URL(xhr.responseURL).pathname !== new URL(unit.form.action).pathname;
    } catch (error) {
      redirected = false;
    }
    if (redirected || xhr.status === 401) unit.problem = "session";
    else if (xhr.status === 403 || xhr.status === 404) unit.problem = "forbidden";
    else unit.problem = "server";
    const text = msg(unit.problem);
    say(unit, text, true);
    announce(text);
    if (unit.problem === "server" && xhr.status >= 500) retryLater(unit);
  };

  // Drafts kept from an earlier visit: put back when the server still has what they
  // were written on, offered beside the newer text otherwise.
  const offer = (unit, field, key, draft) => {
    const template = document.getElementById("minutes-draft-offer");
    if (!template || !unit.offers) return;
    // Kept apart until the person chooses, so that typing meanwhile does not replace it.
    const kept = key.endsWith(":kept") ? key : `${key}:kept`;
    if (kept !== key) {
      writeDraft(kept, draft);
      dropDraft(key);
    }
    const box = template.content.firstElementChild.cloneNode(true);
    box.querySelector("[data-offer-label]").textContent = labelOf(field);
    box.querySelector("[data-offer-text]").textContent = shown(field, draft.value);
    const both = box.querySelector("[data-offer-both]");
    if (!isText(field)) both.remove();
    const done = () => {
      dropDraft(kept);
      box.remove();
    };
    box.querySelector("[data-offer-use]").addEventListener("click", () => {
      done();
      setValue(field, draft.value);
      field.focus();
    });
    if (isText(field)) {
      both.addEventListener("click", () => {
        done();
        setValue(field, [valueOf(field), draft.value].filter(plain).join("\n\n"));
        field.focus();
      });
    }
    box.querySelector("[data-offer-discard]").addEventListener("click", done);
    unit.offers.append(box);
    announce(msg("offered"));
  };

  const restore = (unit) => {
    if (!root || !store) return;
    let restored = false;
    unit.fields.forEach((field) => {
      const key = draftKey(unit, field);
      const kept = readDraft(`${key}:kept`);
      const current = valueOf(field);
      if (kept && plain(kept.value) !== plain(current)) offer(unit, field, `${key}:kept`, kept);
      else if (kept) dropDraft(`${key}:kept`);
      const draft = readDraft(key);
      if (!draft) return;
      if (plain(draft.value) === plain(current)) {
        dropDraft(key);
      } else if (!conflictBox(unit) && (String(draft.v) === versionOf(unit) || draft.base === current)) {
        if (field.type === "checkbox") field.checked = draft.value === "on";
        else field.value = draft.value;
        keepDraft(unit, field);
        restored = true;
      } else {
        offer(unit, field, key, draft);
      }
    });
    if (restored) {
      say(unit, msg("restored"));
      announce(msg("restored"));
      schedule(unit, QUICK);
    }
  };

  const bind = (form) => {
    if (units.has(form)) return;
    const unit = {
      form,
      name: form.dataset.autosave,
      fields: fieldsOf(form),
      base: new Map(),
      status: form.querySelector("[data-save-status]"),
      offers: form.querySelector("[data-draft-offers]"),
      timer: null,
      firstChange: 0,
      retry: null,
      retryDelay: 0,
      inFlight: false,
      again: false,
      explicit: false,
      sent: null,
      unacked: [],
      problem: null,
      locked: false,
    };
    unit.fields.forEach((field) => unit.base.set(field.name, valueOf(field)));
    units.set(form, unit);
    const fieldOf = (event) => unit.fields.find((f) => f === event.target);
    form.addEventListener("input", (event) => {
      const field = fieldOf(event);
      if (field) onChange(unit, field);
    });
    form.addEventListener("change", (event) => {
      const field = fieldOf(event);
      if (field) keepDraft(unit, field);
    });
    // Leaving a field saves it.
    form.addEventListener("focusout", (event) => {
      if (fieldOf(event) && isDirty(unit)) save(unit);
    });
    // Saving with the button (or Ctrl+Enter) is a save asked for: it is announced, and
    // after a conflict it replaces the other version, as the conflict box says.
    form.addEventListener("submit", () => {
      unit.explicit = true;
    });
    form.querySelectorAll("textarea").forEach((area) => {
      area.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    });
    restore(unit);
  };

  const unitOf = (elt) => (elt && elt.closest ? units.get(elt.closest("form[data-autosave]")) : undefined);

  document.addEventListener("htmx:beforeRequest", (event) => {
    const unit = unitOf(event.detail.elt);
    if (!unit) return;
    unit.inFlight = true;
    unit.again = false;
    unit.sent = snapshot(unit);
    clearTimeout(unit.timer);
    unit.timer = null;
    if (!unit.problem) say(unit, msg("saving"));
  });
  document.addEventListener("htmx:beforeSwap", (event) => {
    const unit = unitOf(event.detail.elt);
    if (!unit) return;
    if (event.detail.xhr.getResponseHeader("X-Minutes-Status")) {
      // A refusal (409, 422) is a status to show like a save.
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const unit = unitOf(event.detail.elt);
    if (!unit) return;
    unit.inFlight = false;
    const explicit = unit.explicit;
    unit.explicit = false;
    const { xhr } = event.detail;
    if (!xhr || !xhr.status) {
      lost(unit);
    } else {
      const state = xhr.getResponseHeader("X-Minutes-Status");
      if (state) answered(unit, state, explicit);
      else refused(unit, xhr);
    }
    unit.sent = null;
    showChoices(unit.form);
    if (unit.again) save(unit);
    else if (!unit.problem && isDirty(unit)) schedule(unit);
  });

  const retryAll = () => {
    units.forEach((unit) => {
      if (unit.problem && !unit.inFlight) {
        unit.retryDelay = 0;
        save(unit);
      }
    });
  };
  window.addEventListener("online", retryAll);
  window.addEventListener("focus", retryAll);

  window.addEventListener("beforeunload", (event) => {
    for (const unit of units.values()) {
      if (!unit.locked && document.contains(unit.form) && (unit.inFlight || isDirty(unit))) {
        event.preventDefault();
        event.returnValue = "";
        return;
      }
    }
  });

  // The choices of a conflict box need this script: shown only with it.
  const showChoices = (scope) => {
    scope.querySelectorAll("[data-js-only][hidden]").forEach((el) => {
      el.hidden = false;
    });
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-use-theirs], [data-merge-text], [data-keep-mine]");
    if (!button) return;
    const unit = unitOf(button);
    if (!unit) return;
    if (button.hasAttribute("data-use-theirs")) settle(unit, "theirs");
    else if (button.hasAttribute("data-merge-text")) settle(unit, "both", button.dataset.mergeText);
    else settle(unit, "mine");
    const target = document.getElementById(button.dataset.mergeText || "") || unit.fields.find((f) => !f.disabled);
    if (target) target.focus();
  });

  const setUp = (scope) => {
    root = document.getElementById("minutes-autosave");
    if (window.htmx) document.querySelectorAll("form[data-autosave]").forEach(bind);
    showChoices(scope);
    // Votes matter only when the decision is taken by a vote.
    scope.querySelectorAll("form[data-resolution-form]").forEach((form) => {
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

  document.addEventListener("DOMContentLoaded", () => {
    purgeOldDrafts();
    setUp(document);
  });
  // An editor swapped in whole (an older page's htmx) is bound like the others.
  document.addEventListener("htmx:afterSettle", () => setUp(document));
})();
