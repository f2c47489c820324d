/* The search page: query in the URL (?q=, &topic=, &year=), results drawn as text, never as HTML.
 * The worker fetches only what a query needs; the filters' counts need every paper's
 * year and topics, so they are fetched once a filter is used or about to be. */
(function () {
  'use strict';
  var PAGE = 10;
  var form = document.getElementById('search-form');
  if (!form) return;
  var root = form.getAttribute('data-root');
  var input = document.getElementById('search-input');
  var topicFilter = document.getElementById('topic-filter');
  var yearFilter = document.getElementById('year-filter');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  var firstNew = null;  // the place of the first result a "more" click asked for
  var typed = false;    // the address holds a query being typed, not yet searched for with Enter
  var topicNames = {};
  var latest = 0;
  var count = PAGE;
  var wantCounts = false;
  var worker;

  function say(text) { status.textContent = text; }

  try {
    worker = new Worker(root + 'static/search-worker.js');
  } catch (error) {
    say('Search cannot start in this browser.');
    return;
  }
  say('Loading search…');
  worker.postMessage({ type: 'load', base: new URL(root, document.baseURI).href });

  worker.onmessage = function (event) {
    var message = event.data;
    if (message.type === 'ready') {
      topicNames = message.topics;
      fillYears(message.years);
      if (!input.value.trim()) say('Type a query to search the catalogue.');
    } else if (message.type === 'results' && message.id === latest) {
      show(message);
    } else if (message.type === 'error' && (!message.id || message.id === latest)) {
      say('Search failed: ' + message.message);
    }
  };

  function fillYears(years) {
    var wanted = yearFilter.dataset.wanted || yearFilter.value;
    while (yearFilter.options.length > 1) yearFilter.remove(1);
    years.forEach(function (year) { yearFilter.add(new Option(year || 'No known date', year || 'none')); });
    yearFilter.value = wanted;
    if (wanted && yearFilter.value !== wanted) {  // a year no paper has (a link from elsewhere): shown, not "All years"
      yearFilter.add(new Option(wanted === 'none' ? 'No known date' : wanted, wanted));
      yearFilter.value = wanted;
    }
    delete yearFilter.dataset.wanted;
  }

  function fromUrl() {
    typed = false;
    var params = new URLSearchParams(location.search);
    input.value = params.get('q') || '';
    topicFilter.value = params.get('topic') || '';
    yearFilter.value = params.get('year') || '';
    if (yearFilter.value !== (params.get('year') || '')) yearFilter.dataset.wanted = params.get('year');
    count = PAGE;
    run();
  }

  function toUrl(push) {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set('q', input.value.trim());
    if (topicFilter.value) params.set('topic', topicFilter.value);
    var year = yearFilter.value || yearFilter.dataset.wanted;
    if (year) params.set('year', year);
    var url = location.pathname + (params.toString() ? '?' + params.toString() : '');
    if (url === location.pathname + location.search) return;
    history[push ? 'pushState' : 'replaceState'](null, '', url);
  }

  function run() {
    latest += 1;
    if (!input.value.trim()) {
      list.textContent = '';
      more.hidden = true;
      relabel(null);  // no query, no counts: a menu keeps none from the last one
      say('Type a query to search the catalogue.');
      return;
    }
    if (list.children.length < count) say('Searching…');
    worker.postMessage({ type: 'search', id: latest, query: input.value, topic: topicFilter.value,
                         year: yearFilter.value || yearFilter.dataset.wanted || '', count: count, counts: wantCounts });
  }

  function relabel(counts) {
    labelCounts(yearFilter, counts && counts.years, function (y) { return y === 'none' ? 'No known date' : y; });
    labelCounts(topicFilter, counts && counts.topics, function (t) { return topicNames[t] || t; });
  }

  function labelCounts(select, counts, name) {
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return;
      var base = name(option.value);
      option.textContent = counts ? base + ' (' + (counts[option.value] || 0) + ')' : base;
    });
  }

  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function longDate(iso) {  // as the pages show it: 6 Jun 2022
    if (!iso) return 'No known date';
    var parts = iso.split('-');  // a month alone (2022-06, from an arXiv id) is shown as one
    if (parts.length === 2) return MONTHS[Number(parts[1]) - 1] + ' ' + parts[0];
    return Number(parts[2]) + ' ' + MONTHS[Number(parts[1]) - 1] + ' ' + parts[0];
  }

  function show(message) {
    var query = message.query.trim();
    var filtered = topicFilter.value || yearFilter.value;
    if (message.counts) relabel(message.counts);
    else if (wantCounts && !message.total) relabel({ years: {}, topics: {} });  // nothing matches: 0 each
    list.textContent = '';
    message.results.forEach(function (r) { list.appendChild(item(r)); });
    more.hidden = message.total <= message.results.length;
    if (firstNew !== null) {  // after "more": to the first new result (the button may be gone, and focus with it)
      var next = list.children[firstNew] && list.children[firstNew].querySelector('a');
      if (next) next.focus();
      firstNew = null;
    }
    var note = message.message ? message.message + ' ' : '';
    if (message.unsearched) say(message.message);  // why nothing was searched, not a count
    else if (!message.total) say(note + 'No papers match “' + query + '”' + (filtered ? ' with these filters.' : '.'));
    else say(note + message.total + ' paper' + (message.total === 1 ? '' : 's') + ' match “' + query + '”' +
             (message.total > message.results.length ? '; showing the best ' + message.results.length + '.' : '.'));
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
    [r.who, r.upvotes ? r.upvotes + ' upvote' + (r.upvotes === 1 ? '' : 's') : ''].forEach(function (text) {
      if (!text) return;
      var span = document.createElement('span');
      span.textContent = text;
      meta.appendChild(span);
    });
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

  function countsWanted() {
    if (wantCounts) return;
    wantCounts = true;
    if (input.value.trim()) run();
  }

  var typing;
  input.addEventListener('input', function () {
    clearTimeout(typing);
    // a new query typed after one searched for gets a history entry of its own, replaced as it
    // changes: Back then returns to the one searched for before (typing replaced it)
    typing = setTimeout(function () { count = PAGE; toUrl(!typed); typed = true; run(); }, 120);
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault(); clearTimeout(typing); count = PAGE; toUrl(!typed); typed = false; run();
  });
  [topicFilter, yearFilter].forEach(function (select) {
    select.addEventListener('focus', countsWanted);
    select.addEventListener('pointerdown', countsWanted);
    // the address follows the filters without a history entry each: arrow keys through a menu change it at every press
    select.addEventListener('change', function () { delete yearFilter.dataset.wanted; count = PAGE; toUrl(false); run(); });
  });
  more.addEventListener('click', function () { firstNew = count; count += PAGE; run(); });
  window.addEventListener('popstate', fromUrl);
  fromUrl();  // queries sent before the manifest is loaded wait for it in the worker
})();
