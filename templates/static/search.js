/* The search page: query in the URL (?q=, &topic=, &year=), results drawn as text, never as HTML. */
(function () {
  'use strict';
  var form = document.getElementById('search-form');
  if (!form) return;
  var root = form.getAttribute('data-root');
  var input = document.getElementById('search-input');
  var topicFilter = document.getElementById('topic-filter');
  var yearFilter = document.getElementById('year-filter');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var topicNames = {};
  var latest = 0;
  var lastResults = [];
  var worker;

  function say(text) { status.textContent = text; }

  try {
    worker = new Worker(root + 'static/search-worker.js');
  } catch (error) {
    say('Search cannot start in this browser.');
    return;
  }
  say('Loading the search index…');
  worker.postMessage({ type: 'load', base: new URL(root, document.baseURI).href });

  worker.onmessage = function (event) {
    var message = event.data;
    if (message.type === 'ready') {
      topicNames = message.topics;  // always before the first results: the worker answers in order
      if (!input.value.trim()) show('', '');
    } else if (message.type === 'results' && message.id === latest) {
      lastResults = message.results;
      show(message.query, message.message);
    } else if (message.type === 'error') {
      say('Search failed to load: ' + message.message);
    }
  };

  function fromUrl() {
    var params = new URLSearchParams(location.search);
    input.value = params.get('q') || '';
    topicFilter.value = params.get('topic') || '';
    yearFilter.dataset.wanted = params.get('year') || '';
    run();
  }

  function toUrl(push) {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set('q', input.value.trim());
    if (topicFilter.value) params.set('topic', topicFilter.value);
    if (yearFilter.value) params.set('year', yearFilter.value);
    var url = location.pathname + (params.toString() ? '?' + params.toString() : '');
    if (url === location.pathname + location.search) return;
    history[push ? 'pushState' : 'replaceState'](null, '', url);
  }

  function run() {
    latest += 1;
    if (!input.value.trim()) { lastResults = []; show('', ''); return; }
    say('Searching…');
    worker.postMessage({ type: 'search', id: latest, query: input.value });
  }

  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function longDate(iso) {  // as the pages show it: 6 Jun 2022
    if (!iso) return 'No known date';
    var parts = iso.split('-');
    return Number(parts[2]) + ' ' + MONTHS[Number(parts[1]) - 1] + ' ' + parts[0];
  }

  function yearOf(result) { return result.date ? result.date.slice(0, 4) : ''; }

  function fillYears(results) {
    var wanted = yearFilter.dataset.wanted || yearFilter.value;
    var counts = {};
    results.forEach(function (r) { var y = yearOf(r) || 'none'; counts[y] = (counts[y] || 0) + 1; });
    while (yearFilter.options.length > 1) yearFilter.remove(1);
    Object.keys(counts).sort(function (a, b) {
      return (a === 'none') - (b === 'none') || (a < b ? 1 : a > b ? -1 : 0);  // newest first, undated last
    }).forEach(function (year) {
      var label = (year === 'none' ? 'No known date' : year) + ' (' + counts[year] + ')';
      yearFilter.add(new Option(label, year));
    });
    if (wanted && !counts[wanted]) yearFilter.add(new Option(wanted + ' (0)', wanted));
    yearFilter.value = wanted;
    delete yearFilter.dataset.wanted;
  }

  function show(query, message) {
    var topic = topicFilter.value;
    var byTopic = lastResults.filter(function (r) { return !topic || r.topics.indexOf(topic) >= 0; });
    fillYears(byTopic);
    var year = yearFilter.value;
    var shown = byTopic.filter(function (r) { return !year || (yearOf(r) || 'none') === year; });
    list.textContent = '';
    shown.slice(0, 100).forEach(function (r) { list.appendChild(item(r)); });
    if (message) say(message);
    else if (!query.trim()) say('Type a query to search the catalogue.');
    else if (!shown.length) say('No papers match “' + query.trim() + '”' + (topic || year ? ' with these filters.' : '.'));
    else say(shown.length + ' paper' + (shown.length === 1 ? '' : 's') + ' match “' + query.trim() + '”' + (shown.length > 100 ? '; showing the best 100.' : '.'));
  }

  function marked(parent, text, ranges) {
    var at = 0;
    ranges.forEach(function (range) {
      parent.appendChild(document.createTextNode(text.slice(at, range[0])));
      var mark = document.createElement('mark');
      mark.textContent = text.substr(range[0], range[1]);
      parent.appendChild(mark);
      at = range[0] + range[1];
    });
    parent.appendChild(document.createTextNode(text.slice(at)));
  }

  function item(r) {
    var li = document.createElement('li');
    li.className = 'paper-item';
    var h = document.createElement('h2');
    h.className = 'paper-title';
    var a = document.createElement('a');
    a.href = root + r.url;
    marked(a, r.title, r.titleMarks);
    h.appendChild(a);
    li.appendChild(h);
    var meta = document.createElement('p');
    meta.className = 'meta';
    var when = document.createElement(r.date ? 'time' : 'span');
    if (r.date) when.setAttribute('datetime', r.date);
    when.textContent = longDate(r.date);
    meta.appendChild(when);
    li.appendChild(meta);
    var p = document.createElement('p');
    p.className = 'summary';
    marked(p, r.snippet, r.snippetMarks);
    li.appendChild(p);
    var tags = document.createElement('ul');
    tags.className = 'tags';
    r.topics.forEach(function (slug) {
      var t = document.createElement('li');
      var link = document.createElement('a');
      link.href = root + 'topics/' + slug + '/';
      link.textContent = topicNames[slug] || slug;
      t.appendChild(link);
      tags.appendChild(t);
    });
    li.appendChild(tags);
    return li;
  }

  var typing;
  input.addEventListener('input', function () {
    clearTimeout(typing);
    typing = setTimeout(function () { toUrl(false); run(); }, 120);
  });
  form.addEventListener('submit', function (event) { event.preventDefault(); toUrl(true); run(); });
  topicFilter.addEventListener('change', function () { toUrl(true); show(input.value, ''); });
  yearFilter.addEventListener('change', function () { toUrl(true); show(input.value, ''); });
  window.addEventListener('popstate', fromUrl);
  fromUrl();  // queries sent before the index is loaded wait for it in the worker
})();
