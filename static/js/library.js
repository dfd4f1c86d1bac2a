// The library's filters: one "Filtra" control on phones, open beside the results on wide screens. Without
// JavaScript they stay open (above the results on phones, with a link that jumps to them).
(function () {
  "use strict";
  const filters = document.getElementById("filters");
  if (!filters) return;
  const wide = window.matchMedia("(min-width: 60rem)");
  const fit = () => {
    filters.open = wide.matches;
  };
  fit();
  wide.addEventListener("change", fit);
})();
