/*
 * Suggestions under the header search box, as the visitor types: entry titles, places, themes and goals,
 * each leading to its page (library/suggestions.py). The combobox itself is static/js/combobox.js.
 *
 * Progressive enhancement: without JavaScript the box is a plain GET form to the search page.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-suggest-url]");
  var input = form && form.querySelector('input[name="q"]');
  if (!input || !window.Combobox) {
    return;
  }
  var strings = form.dataset;

  window.Combobox(input, form, {
    id: "suggestions",
    url: strings.suggestUrl,
    strings: {
      label: strings.suggestLabel,
      none: strings.suggestNone,
      one: strings.suggestOne,
      many: strings.suggestMany,
      hint: strings.suggestHint,
    },
    read: function (data) {
      return (Array.isArray(data.suggestions) ? data.suggestions : []).map(function (item) {
        return { label: item.label, detail: item.detail || item.kind_label, kind: item.kind, url: item.url };
      });
    },
    choose: function (item) {
      // Only ever leave for a page of this site, whatever the answer says.
      var target = new URL(item.url, window.location.href);
      if (target.origin === window.location.origin) {
        window.location.assign(target.href);
      }
    },
  });
})();
