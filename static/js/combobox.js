/*
 * One WAI-ARIA 1.2 combobox with a listbox popup ("list autocomplete with manual selection"), shared by the
 * header search suggestions (suggest.js) and the proposal form's territory field (proposal.js).
 *
 * Focus stays in the input and aria-activedescendant points at the highlighted option, so screen readers
 * read the option while the visitor keeps typing; a polite status region says how many options there are.
 * Each widget gives where to fetch options, how to read the answer and what choosing an option does; the
 * words come from data attributes Django renders, so this file holds no language.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var MIN_LENGTH = 2;

  /*
   * input: the text input; container: where the popup and the status go (positioned by suggest.css);
   * config: {id, url, param, read(data) → [{label, detail}], choose(item), strings: {label, none, one, many,
   * hint}}. Returns nothing: the widget lives as long as the page.
   */
  function Combobox(input, container, config) {
    var strings = config.strings || {};
    var listId = input.id + "-" + (config.id || "options");
    var list = document.createElement("ul");
    var status = document.createElement("div");
    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var lastQuery = "";

    list.id = listId;
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", strings.label || "");
    list.hidden = true;
    // Created now, empty, so that assistive technology already watches it when the first count is written.
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.setAttribute("aria-atomic", "true");
    container.classList.add("has-suggestions");
    container.appendChild(list);
    container.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    // The browser's own history dropdown would cover ours.
    input.setAttribute("autocomplete", "off");

    function isOpen() {
      return !list.hidden;
    }

    function open() {
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      highlight(-1);
    }

    function highlight(index) {
      var options = list.children;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (index >= 0 && options[index]) {
        options[index].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function announce(count) {
      var text = count === 0 ? strings.none : count === 1 ? strings.one || strings.many : strings.many;
      text = (text || "").replace("{n}", String(count));
      if (count > 0 && strings.hint) {
        text += ". " + strings.hint;
      }
      status.textContent = text;
    }

    function render(found) {
      items = found;
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.textContent = "";
      found.forEach(function (item, index) {
        var option = document.createElement("li");
        var label = document.createElement("span");
        var pause = document.createElement("span");
        var detail = document.createElement("span");
        option.id = listId + "-" + index;
        option.className = "suggest-option" + (item.kind ? " suggest-" + item.kind : "");
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        label.className = "suggest-label";
        label.textContent = item.label;
        // A pause between the name and its kind when a screen reader reads the option as one string.
        pause.className = "visually-hidden";
        pause.textContent = ", ";
        detail.className = "suggest-kind";
        detail.textContent = item.detail || "";
        option.appendChild(label);
        option.appendChild(pause);
        option.appendChild(detail);
        list.appendChild(option);
      });
      if (found.length) {
        open();
      } else {
        close();
      }
      announce(found.length);
    }

    function choose(index) {
      if (items[index]) {
        close();
        config.choose(items[index], input);
      }
    }

    function cancel() {
      window.clearTimeout(timer);
      if (controller) {
        controller.abort();
        controller = null;
      }
    }

    function load(query) {
      controller = new AbortController();
      var url = new URL(config.url, window.location.href);
      url.searchParams.set(config.param || "q", query);
      fetch(url.href, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          // An answer to what the box no longer says is dropped (aborting covers most, not all, cases).
          if (input.value.trim() === query && document.activeElement === input) {
            lastQuery = query;
            render(config.read(data) || []);
          }
        })
        .catch(function (error) {
          // Options are an aid: on any failure the form still works as without JavaScript.
          if (error.name !== "AbortError") {
            items = [];
            close();
          }
        });
    }

    input.addEventListener("input", function () {
      cancel();
      var query = input.value.trim();
      if (query.length < MIN_LENGTH) {
        items = [];
        lastQuery = "";
        list.textContent = "";
        close();
        return;
      }
      if (query === lastQuery) {
        open();
        return;
      }
      timer = window.setTimeout(function () {
        load(query);
      }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      // Keys pressed while an input method composes a word belong to the input method.
      if (event.isComposing) {
        return;
      }
      var count = items.length;
      switch (event.key) {
        case "ArrowDown":
          if (!count) {
            return;
          }
          event.preventDefault();
          if (event.altKey) {
            open();
          } else if (!isOpen()) {
            open();
            highlight(0);
          } else {
            highlight(active + 1 < count ? active + 1 : 0);
          }
          break;
        case "ArrowUp":
          if (!count) {
            return;
          }
          event.preventDefault();
          if (event.altKey) {
            close();
          } else if (!isOpen()) {
            open();
            highlight(count - 1);
          } else {
            highlight(active > 0 ? active - 1 : count - 1);
          }
          break;
        case "Enter":
          if (isOpen() && active >= 0) {
            event.preventDefault();
            choose(active);
          } else {
            // Nothing highlighted: the form submits, as without JavaScript.
            cancel();
            close();
          }
          break;
        case "Escape":
          if (isOpen()) {
            // Only closes: the browser's own Escape on a search field would also wipe what was typed.
            event.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    // Keeps focus (and the caret) in the input while an option is pressed, so the popup stays open.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) {
        choose(Array.prototype.indexOf.call(list.children, option));
      }
    });
    input.addEventListener("blur", function () {
      cancel();
      close();
    });
  }

  // Old browsers keep the plain forms: nothing here is needed to search or to propose.
  if (window.fetch && window.AbortController && window.URL) {
    window.Combobox = Combobox;
  }
})();
