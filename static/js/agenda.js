// Drag and drop reordering of the agenda (SortableJS). The arrow buttons beside each
// item do the same without a mouse; this only saves the new order when it changes.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("agenda");
  if (!root || !root.dataset.reorderUrl || typeof Sortable === "undefined") {
    return;
  }
  const status = document.getElementById("agenda-status");
  const lists = [root, ...root.querySelectorAll("ol.agenda-children")];
  lists.forEach((list) => {
    Sortable.create(list, {
      handle: ".drag-handle",
      draggable: ":scope > li",
      animation: 150,
      onEnd: () => save(list),
    });
  });

  function save(list) {
    const items = [...list.children].map((li) => Number(li.dataset.id));
    fetch(root.dataset.reorderUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify({ items, parent: list.dataset.parent ? Number(list.dataset.parent) : null }),
    })
      .then((response) => response.json().then((data) => ({ ok: response.ok, data })))
      .then(({ ok, data }) => {
        if (status) {
          status.textContent = ok ? data.message : data.error;
        }
        if (ok) {
          renumber();
        } else {
          window.location.reload();
        }
      })
      .catch(() => window.location.reload());
  }

  function renumber() {
    [...root.children].forEach((li, index) => {
      const number = li.querySelector(":scope > .agenda-row .agenda-number");
      if (number) number.textContent = `${index + 1}.`;
      const children = li.querySelector(":scope > ol.agenda-children");
      if (children) {
        [...children.children].forEach((child, childIndex) => {
          const childNumber = child.querySelector(".agenda-number");
          if (childNumber) childNumber.textContent = `${index + 1}.${childIndex + 1}.`;
        });
      }
    });
  }
});
