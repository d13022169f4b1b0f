/* global document, window, fetch, URLSearchParams, Element */
// As-you-type suggestions for the help centre's search box. Progressive enhancement: without this
// script the box is a plain GET form to /search. Suggestions are links; arrow keys move between them.
(function () {
  'use strict';
  var input = document.querySelector('input[data-suggest]');
  if (!input || !window.fetch) return;
  var form = input.form;
  var list = document.createElement('ul');
  list.className = 'suggestions';
  list.id = 'q-suggestions';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', input.getAttribute('data-suggest-label') || '');
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.setAttribute('aria-expanded', 'false');
  var timer = 0;
  var latest = 0;

  function close() {
    list.hidden = true;
    list.textContent = '';
    input.setAttribute('aria-expanded', 'false');
  }

  function show(suggestions) {
    list.textContent = '';
    suggestions.forEach(function (s, i) {
      var item = document.createElement('li');
      var a = document.createElement('a');
      a.href = s.url;
      a.textContent = s.title;
      a.id = 'q-suggestion-' + i;
      a.setAttribute('role', 'option');
      item.appendChild(a);
      list.appendChild(item);
    });
    list.hidden = suggestions.length === 0;
    input.setAttribute('aria-expanded', String(!list.hidden));
  }

  input.addEventListener('input', function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (!q) return close();
    timer = setTimeout(function () {
      var ticket = ++latest;
      var url = input.getAttribute('data-suggest') + '?' + new URLSearchParams({ q: q.slice(0, 100), locale: input.getAttribute('data-locale') || 'en' });
      fetch(url, { headers: { accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) { if (ticket === latest) show(body.suggestions || []); })
        .catch(close);
    }, 150);
  });

  function links() { return Array.prototype.slice.call(list.querySelectorAll('a')); }
  function move(delta) {
    var all = links();
    if (!all.length) return;
    var at = all.indexOf(document.activeElement);
    var next = at + delta;
    if (next < 0) return input.focus();
    all[Math.min(next, all.length - 1)].focus();
  }
  form.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown') { e.preventDefault(); move(1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
    else if (e.key === 'Escape') { close(); input.focus(); }
  });
  document.addEventListener('click', function (e) { if (!form.contains(e.target)) close(); });
})();

// "Chat with us" opens the chat widget when it is on the page (its launcher lives in an open
// shadow root); without the widget or without scripts, the link leads to the contact form.
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var link = e.target instanceof Element ? e.target.closest('a[data-kefu-chat]') : null;
    var host = document.getElementById('kefu-chat-widget');
    var launcher = host && host.shadowRoot ? host.shadowRoot.querySelector('.launcher') : null;
    if (!link || !launcher) return;
    e.preventDefault();
    launcher.click();
  });
})();
