// @mention autocomplete for every textarea[data-mention] inside an element with
// data-mention-url (the address of the options, for the task or project at hand).
//
// Typing "@" and part of a name or e-mail handle asks the server (an htmx-style fragment:
// <li role="option"> items) for the people who may be mentioned, and shows them in a
// listbox under the box. ArrowDown/ArrowUp move through it, Enter or Tab inserts the
// chosen person's canonical token (@**Name|id**), Escape closes it. The textarea is an
// ARIA combobox; without JavaScript people type @name and the server resolves it.
(function () {
  "use strict";
  const MAX_QUERY = 40;
  let counter = 0;

  // The "@…" being typed just before the caret: {start, query}, or null.
  function typedMention(box) {
    const caret = box.selectionStart;
    if (caret !== box.selectionEnd) return null;
    const before = box.value.slice(0, caret);
    const at = before.lastIndexOf("@");
    if (at === -1 || caret - at > MAX_QUERY + 1) return null;
    const previous = at > 0 ? before.charAt(at - 1) : "";
    if (previous && /[\p{L}\p{N}_.+-]/u.test(previous)) return null;
    const query = before.slice(at + 1);
    // A finished token, a new line or two spaces end the mention being typed.
    if (/\n|\s\s|\*\*|^\s/.test(query)) return null;
    return { start: at, query: query };
  }

  function setup(box, url) {
    const id = "mention-list-" + ++counter;
    const list = document.createElement("ul");
    list.id = id;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", box.dataset.mentionLabel || "People");
    list.hidden = true;
    box.insertAdjacentElement("afterend", list);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", id);
    box.setAttribute("aria-expanded", "false");
    let typed = null;
    let asked = 0;

    function options() {
      return Array.from(list.querySelectorAll('[role="option"]'));
    }

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      typed = null;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
    }

    function activate(index) {
      const items = options();
      if (!items.length) return;
      const next = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", String(i === next));
      });
      box.setAttribute("aria-activedescendant", items[next].id);
      items[next].scrollIntoView({ block: "nearest" });
    }

    function activeIndex() {
      return options().findIndex(function (item) {
        return item.getAttribute("aria-selected") === "true";
      });
    }

    function choose(item) {
      if (!typed || !item) return;
      const token = item.dataset.insert + " ";
      const end = typed.start + 1 + typed.query.length;
      box.value = box.value.slice(0, typed.start) + token + box.value.slice(end);
      const caret = typed.start + token.length;
      box.setSelectionRange(caret, caret);
      close();
      box.focus();
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function ask() {
      const found = typedMention(box);
      if (!found) {
        close();
        return;
      }
      typed = found;
      const ticket = ++asked;
      const address = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(found.query);
      fetch(address, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          // Only the answer to the latest question counts.
          if (ticket !== asked || !typed) return;
          list.innerHTML = html;
          list.hidden = !html.trim();
          box.setAttribute("aria-expanded", String(!list.hidden));
          if (options().length) activate(0);
        });
    }

    box.addEventListener("input", function (event) {
      if (event.isTrusted !== false) ask();
    });
    box.addEventListener("click", ask);
    box.addEventListener("blur", function () {
      // Let a click on an option land first.
      window.setTimeout(close, 150);
    });
    box.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      const items = options();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!items.length) return;
        event.preventDefault();
        activate(activeIndex() + (event.key === "ArrowDown" ? 1 : -1));
      } else if ((event.key === "Enter" || event.key === "Tab") && items.length) {
        event.preventDefault();
        choose(items[Math.max(activeIndex(), 0)]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    list.addEventListener("mousedown", function (event) {
      const item = event.target.closest('[role="option"]');
      if (!item) return;
      event.preventDefault();
      choose(item);
    });
  }

  function init(root) {
    root.querySelectorAll("[data-mention-url] textarea[data-mention]").forEach(function (box) {
      if (box.dataset.mentionReady) return;
      box.dataset.mentionReady = "1";
      setup(box, box.closest("[data-mention-url]").dataset.mentionUrl);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  // Boxes that htmx swaps in later (a task opened in the side panel, a reply form).
  document.addEventListener("htmx:afterSettle", function (event) {
    init(event.target);
  });
})();
