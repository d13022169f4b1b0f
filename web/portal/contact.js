/* global document */
// The contact form, progressively enhanced: with scripts, only the chosen department's answer time
// is shown. A file, not an inline script, so the portal's CSP can refuse every inline script.
(function () {
  var select = document.getElementById('department'), list = document.getElementById('expected');
  if (!select || !list) return;
  function update() { list.querySelectorAll('li').forEach(function (li) { li.hidden = li.getAttribute('data-department') !== select.value; }); }
  select.addEventListener('change', update); update();
})();
