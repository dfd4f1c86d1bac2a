/*
 * Suggestions under the header search box, as the visitor types.
 *
 * Progressive enhancement: without this file the box is a plain GET form to the search page. With it, the
 * input becomes a WAI-ARIA 1.2 combobox with a listbox popup ("list autocomplete with manual selection"):
 * focus stays in the input and aria-activedescendant points at the highlighted option, so screen readers
 * read the option while the visitor can keep typing. Translated strings come from data attributes that
 * Django renders, so this file holds no language.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-suggest-url]");
  var input = form && form.querySelector('input[name="q"]');
  // Old browsers keep the plain form: nothing here is needed to search.
  if (!input || !window.fetch || !window.AbortController || !window.URL) {
    return;
  }

  var DEBOUNCE_MS = 150;
  var MIN_LENGTH = 2;
  var strings = form.dataset;
  var listId = input.id + "-suggestions";

  var list = document.createElement("ul");
  list.id = listId;
  list.className = "suggest-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", strings.suggestLabel || "");
  list.hidden = true;

  // Created now, empty, so that assistive technology already watches it when the first count is written.
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.setAttribute("aria-atomic", "true");

  form.classList.add("has-suggestions");
  form.appendChild(list);
  form.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);
  // The browser's own history dropdown would cover ours.
  input.setAttribute("autocomplete", "off");

  var suggestions = [];
  var active = -1;
  var timer = null;
  var controller = null;
  var lastQuery = "";

  function isOpen() {
    return !list.hidden;
  }

  function open() {
    if (suggestions.length) {
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
    var text;
    if (count === 0) {
      text = strings.suggestNone;
    } else if (count === 1) {
      text = strings.suggestOne;
    } else {
      text = (strings.suggestMany || "{n}").replace("{n}", String(count));
    }
    if (count > 0 && strings.suggestHint) {
      text += ". " + strings.suggestHint;
    }
    status.textContent = text || "";
  }

  function render(items) {
    suggestions = items;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    list.textContent = "";
    items.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = listId + "-" + index;
      option.className = "suggest-option suggest-" + item.kind;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var label = document.createElement("span");
      label.className = "suggest-label";
      label.textContent = item.label;
      // A pause between the name and its kind when a screen reader reads the option as one string.
      var pause = document.createElement("span");
      pause.className = "visually-hidden";
      pause.textContent = ", ";
      var kind = document.createElement("span");
      kind.className = "suggest-kind";
      kind.textContent = item.detail || item.kind_label;
      option.appendChild(label);
      option.appendChild(pause);
      option.appendChild(kind);
      list.appendChild(option);
    });
    if (items.length) {
      open();
    } else {
      close();
    }
    announce(items.length);
  }

  function follow(index) {
    var item = suggestions[index];
    if (!item) {
      return;
    }
    // Only ever leave for a page of this site, whatever the answer says.
    var target = new URL(item.url, window.location.href);
    if (target.origin === window.location.origin) {
      close();
      window.location.assign(target.href);
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
    var url = new URL(form.dataset.suggestUrl, window.location.href);
    url.searchParams.set("q", query);
    fetch(url.href, { signal: controller.signal, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        // An answer to what the box no longer says is dropped (aborting covers most, not all, cases).
        if (input.value.trim() === query) {
          lastQuery = query;
          render(Array.isArray(data.suggestions) ? data.suggestions : []);
        }
      })
      .catch(function (error) {
        // Suggestions are an aid: on any failure the form still searches as before.
        if (error.name !== "AbortError") {
          suggestions = [];
          close();
        }
      });
  }

  input.addEventListener("input", function () {
    cancel();
    var query = input.value.trim();
    if (query.length < MIN_LENGTH) {
      suggestions = [];
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
    var count = suggestions.length;
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
          follow(active);
        } else {
          // Nothing highlighted: the form submits to the search page, as without JavaScript.
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
      follow(Array.prototype.indexOf.call(list.children, option));
    }
  });

  input.addEventListener("blur", function () {
    cancel();
    close();
  });
})();
