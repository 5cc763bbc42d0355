// The top bar's quick search: "/" focuses it, the arrows walk the results, Enter opens
// the one picked (or, with none picked, the full results page), Escape closes the list.
(function () {
  "use strict";
  const input = document.getElementById("quick-search-q");
  const list = document.getElementById("quick-search-results");
  if (!input || !list) return;

  function options() { return Array.from(list.querySelectorAll("[role=option]")); }
  function current() { return list.querySelector("[aria-selected=true]"); }
  function pick(option) {
    options().forEach(function (o) { o.setAttribute("aria-selected", String(o === option)); });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function close() {
    list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    event.preventDefault();
    input.focus();
    input.select();
  });

  input.addEventListener("keydown", function (event) {
    const all = options();
    const index = all.indexOf(current());
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!all.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      pick(all[(index + step + all.length) % all.length]);
    } else if (event.key === "Enter" && index >= 0) {
      event.preventDefault();
      window.location.assign(all[index].href);
    } else if (event.key === "Escape" && list.childElementCount) {
      // The first Escape closes the list and keeps the words; a second clears the box.
      event.preventDefault();
      close();
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== list) return;
    input.setAttribute("aria-expanded", String(options().length > 0));
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".quick-search")) close();
  });
})();
