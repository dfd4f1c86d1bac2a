/*
 * Territory suggestions in the "Segnala una buona pratica" form (practices/proposals.py).
 *
 * Progressive enhancement: without this file the visitor types a place name and the server resolves it,
 * offering a list to choose from when the name is ambiguous. With it, the input becomes a WAI-ARIA 1.2
 * combobox whose options are labels the server resolves to exactly one territory ("Como (CO)"). The popup
 * reuses the look of the header suggestions (static/css/suggest.css). Strings come from data attributes.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-territory-url]");
  var input = form && form.querySelector('input[name="territory"]');
  if (!input || !window.fetch || !window.AbortController) {
    return;
  }
  var strings = form.dataset;
  var listId = input.id + "-options";
  var wrapper = input.parentNode;
  var list = document.createElement("ul");
  var status = document.createElement("div");
  var items = [];
  var active = -1;
  var timer = null;
  var controller = null;

  list.id = listId;
  list.className = "suggest-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", strings.territoryLabel || "");
  list.hidden = true;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  wrapper.classList.add("has-suggestions");
  wrapper.appendChild(list);
  wrapper.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    Array.prototype.forEach.call(list.children, function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", listId + "-" + index);
      list.children[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    if (items[index]) {
      input.value = items[index].label;
      // A choice from the list replaces any candidate picked from the server's list.
      Array.prototype.forEach.call(form.querySelectorAll('input[name="territory_code"]'), function (radio) {
        radio.checked = false;
      });
    }
    close();
  }

  function render(found) {
    items = found;
    list.textContent = "";
    found.forEach(function (item, index) {
      var option = document.createElement("li");
      var label = document.createElement("span");
      var pause = document.createElement("span");
      var kind = document.createElement("span");
      option.id = listId + "-" + index;
      option.className = "suggest-option";
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      label.className = "suggest-label";
      label.textContent = item.label;
      // A pause between the name and its level when a screen reader reads the option as one string.
      pause.className = "visually-hidden";
      pause.textContent = ", ";
      kind.className = "suggest-kind";
      kind.textContent = item.level;
      option.appendChild(label);
      option.appendChild(pause);
      option.appendChild(kind);
      // mousedown, not click: it comes before the input loses focus.
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(index);
      });
      list.appendChild(option);
    });
    list.hidden = !found.length;
    input.setAttribute("aria-expanded", found.length ? "true" : "false");
    active = -1;
    status.textContent = found.length
      ? (strings.territoryMany || "{n}").replace("{n}", String(found.length))
      : strings.territoryNone || "";
  }

  function fetchOptions() {
    var query = input.value.trim();
    if (controller) {
      controller.abort();
    }
    if (query.length < 2) {
      render([]);
      return;
    }
    controller = new AbortController();
    fetch(strings.territoryUrl + "?q=" + encodeURIComponent(query), {
      signal: controller.signal,
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : { territories: [] };
      })
      .then(function (data) {
        if (document.activeElement === input) {
          render(data.territories || []);
        }
      })
      .catch(function () {});
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchOptions, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) {
      return;
    }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);

  // After a failed submission the summary of errors gets the focus, so the visitor hears it first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
