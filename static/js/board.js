// The project board: drag cards between columns with SortableJS, keep focus after a
// keyboard move, and reload the columns from the server whenever a move fails, so the
// board never shows a move that did not happen. Without JavaScript the arrow buttons
// on each card are plain forms.
(function () {
  "use strict";

  let lastMove = null; // {task, direction} of the arrow button pressed last
  let lastAdd = null; // the column key of the add-card form sent last

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function say(text) {
    const status = document.getElementById("board-status");
    if (status) status.textContent = text;
  }

  // Put fresh columns (HTML from the server) in place of the current ones.
  function replaceColumns(html) {
    const current = document.getElementById("board-columns");
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const fresh = template.content.querySelector("#board-columns");
    if (!current || !fresh) return null;
    current.replaceWith(fresh);
    htmx.process(fresh); // Wires hx-post on the new forms.
    setUp(fresh);
    return fresh;
  }

  function reloadColumns(board) {
    say(board.dataset.errorText || "");
    return fetch(board.dataset.boardUrl, {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response);
      })
      .then(replaceColumns)
      .catch(function () {
        window.location.reload();
      });
  }

  function dropped(event) {
    const card = event.item;
    if (event.from === event.to && event.oldIndex === event.newIndex) return;
    const board = document.getElementById("board-columns");
    const next = card.nextElementSibling;
    const body = new FormData();
    body.append("section", event.to.dataset.section === "none" ? "" : event.to.dataset.section);
    // Below the last card shown of a column that holds more: before the first hidden one.
    const before = next && next.dataset.task ? next.dataset.task : event.to.dataset.beforeHidden;
    body.append("before", before || "");
    body.append("cards", board.dataset.cards || "");
    board.setAttribute("aria-busy", "true");
    fetch(card.dataset.moveUrl, {
      method: "POST",
      body: body,
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    })
      .then(function (response) {
        // 200: the moved board; 400/409: the board as saved, with the reason on top.
        if (response.ok || response.status === 400 || response.status === 409) {
          return response.text().then(function (html) {
            say("");
            if (!replaceColumns(html)) return reloadColumns(board);
          });
        }
        return reloadColumns(board);
      })
      .catch(function () {
        return reloadColumns(board);
      });
  }

  function setUp(root) {
    if (typeof Sortable === "undefined") return;
    const lists = root.matches && root.matches(".board-cards")
      ? [root]
      : Array.from(root.querySelectorAll ? root.querySelectorAll(".board-cards") : []);
    lists.forEach(function (list) {
      if (Sortable.get(list)) return;
      Sortable.create(list, {
        group: "board",
        animation: 120,
        // Pointer events rather than HTML5 drag and drop: works the same with a mouse,
        // a touch screen and a headless browser.
        forceFallback: true,
        fallbackTolerance: 4,
        // On a touch screen a swipe scrolls the columns; a press-and-hold picks a card up.
        delay: 250,
        delayOnTouchOnly: true,
        // Buttons, links and inputs inside a card keep their own clicks.
        filter: "button, input, select, textarea",
        preventOnFilter: false,
        draggable: ".board-card",
        ghostClass: "is-ghost",
        chosenClass: "is-chosen",
        dragClass: "is-dragged",
        onEnd: dropped,
      });
    });
  }

  // Remember which arrow (or add-card form) sent the request, to put focus back after.
  document.addEventListener("click", function (event) {
    const button = event.target.closest(".card-move button[name=direction]");
    if (!button) return;
    const card = button.closest(".board-card");
    lastMove = { task: card.dataset.task, direction: button.value };
  });
  document.addEventListener("submit", function (event) {
    const form = event.target.closest(".board-add");
    if (form) lastAdd = form.dataset.section;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "board-columns") return;
    const status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      // The server sent the board as saved, with the reason on top: show it.
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (status >= 400) {
      event.detail.shouldSwap = false;
      reloadColumns(event.detail.target);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    const swapped = event.detail.target;
    if (swapped && swapped.id === "task-panel") {
      // The detail opens below the board: bring it into view.
      swapped.scrollIntoView({ block: "start", behavior: "smooth" });
      return;
    }
    if (!swapped || swapped.id !== "board-columns") return;
    if (lastMove) {
      const move = lastMove;
      lastMove = null;
      const card = document.getElementById("card-" + move.task);
      if (!card) return;
      // Keep focus on the same arrow; at an edge, on the way back; else on any arrow.
      const opposite = { left: "right", right: "left", up: "down", down: "up" }[move.direction];
      const target = [move.direction, opposite]
        .map(function (direction) {
          return card.querySelector(".card-move button[value='" + direction + "']:not([disabled])");
        })
        .concat([card.querySelector(".card-move button:not([disabled])"), card])
        .find(Boolean);
      target.focus();
      card.scrollIntoView({ block: "nearest", inline: "nearest" });
    } else if (lastAdd) {
      const input = document.getElementById("add-card-" + lastAdd);
      lastAdd = null;
      if (input) input.focus();
    }
  });

  htmx.onLoad(setUp);
  setUp(document);
})();
