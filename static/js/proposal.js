/*
 * Territory suggestions in the "Segnala una buona pratica" form (proposals/views.py), with the combobox of
 * static/js/combobox.js.
 *
 * Progressive enhancement: without JavaScript the visitor types a place name and the server resolves it,
 * offering a list to choose from when the name is ambiguous. With it, the options are labels the server
 * resolves to exactly one territory ("Como (CO)").
 */
(function () {
  "use strict";

  // After a failed submission the summary of errors gets the focus, so the visitor hears it first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  var form = document.querySelector("form[data-territory-url]");
  var input = form && form.querySelector('input[name="territory"]');
  if (!input || !window.Combobox) {
    return;
  }
  var strings = form.dataset;

  window.Combobox(input, input.parentNode, {
    id: "options",
    url: strings.territoryUrl,
    strings: { label: strings.territoryLabel, none: strings.territoryNone, many: strings.territoryMany },
    read: function (data) {
      return (data.territories || []).map(function (item) {
        return { label: item.label, detail: item.level };
      });
    },
    choose: function (item) {
      input.value = item.label;
      // A choice from the list replaces any candidate picked from the server's list.
      Array.prototype.forEach.call(form.querySelectorAll('input[name="territory_code"]'), function (radio) {
        radio.checked = false;
      });
    },
  });
})();
