/* The search worker: answers the page's queries from the sharded index (search-core.js).
 * What it fetched stays in memory, so the next query reuses it; the hits of the
 * last query are kept, so filtering them or showing more costs no new search. */
'use strict';
// The manifest downloads while lunr and our search code load: the site root is this file's folder's parent.
// It is always revalidated: every other search URL carries the version it names.
var earlyManifest = fetch(new URL('../search/manifest.json', self.location.href).href, { cache: 'no-cache' }).then(function (response) {
  return response.ok ? response.json() : null;
}, function () { return null; });
importScripts('lunr/lunr.min.js', 'search-core.js');

var SNIPPET = 240;  // characters of the abstract a result shows, around the words that matched
var search = null;
var last = null;  // { query, hits, message, total, partial, unsearched }

function loader(base) {
  return function (path) {
    if (path === 'search/manifest.json' && earlyManifest) {
      var early = earlyManifest;
      earlyManifest = null;
      return early.then(function (manifest) { return manifest || loader(base)(path); });
    }
    return fetch(base + path, path.indexOf('?') < 0 ? { cache: 'no-cache' } : {}).then(function (response) {
      if (!response.ok) throw new Error(path.split('?')[0] + ': ' + response.status);
      return response.json();
    });
  };
}

function yearOf(facets, ref) { return facets.years[facets.docs[ref][0]] || 'none'; }

function topicsOf(facets, ref) {
  return facets.docs[ref].slice(1).map(function (t) { return facets.topics[t]; });
}

/* Filter the hits by topic and year; count years (within the topic) and topics (within the year). */
function filtered(hits, facets, topic, year) {
  if (!facets) return { hits: hits, counts: null };
  var counts = { years: {}, topics: {} };
  var byTopic = hits.filter(function (h) { return !topic || topicsOf(facets, h.ref).indexOf(topic) >= 0; });
  byTopic.forEach(function (h) { var y = yearOf(facets, h.ref); counts.years[y] = (counts.years[y] || 0) + 1; });
  hits.forEach(function (h) {
    if (year && yearOf(facets, h.ref) !== year) return;
    topicsOf(facets, h.ref).forEach(function (t) { counts.topics[t] = (counts.topics[t] || 0) + 1; });
  });
  return { hits: byTopic.filter(function (h) { return !year || yearOf(facets, h.ref) === year; }), counts: counts };
}

/* The hits the message needs: the last query's if they will do. A common word's best hits alone
 * (`partial`, from its head) do for its first pages, not for filters, their counts, or more. */
function hitsFor(message) {
  function keep(outcome) {
    last = { query: message.query, hits: outcome.hits, message: outcome.message, total: outcome.total,
             partial: !!outcome.partial, unsearched: !!outcome.unsearched };
    return last;
  }
  function enough(found) {
    return !found.partial || (!message.topic && !message.year && !message.counts && message.count <= found.hits.length);
  }
  var found = last && last.query === message.query ? Promise.resolve(last) : search.search(message.query).then(keep);
  return found.then(function (found) {
    return enough(found) ? found : search.search(message.query, { whole: true }).then(keep);
  });
}

function answer(message) {
  return hitsFor(message).then(function (found) {
    var wantFacets = found.hits.length && (message.topic || message.year || message.counts);
    return (wantFacets ? search.facetData() : Promise.resolve(null)).then(function (facets) {
      var chosen = filtered(found.hits, facets, message.topic, message.year);
      var shown = chosen.hits.slice(0, message.count);
      return search.documents(shown.map(function (h) { return Number(h.ref); })).then(function (docs) {
        return {
          type: 'results', id: message.id, query: message.query, message: found.message, unsearched: found.unsearched,
          total: found.partial ? found.total : chosen.hits.length, counts: chosen.counts,
          results: shown.map(function (hit, i) {
            var doc = docs[i], terms = hit.matchData.metadata, around = snippet(doc[4], terms, SNIPPET);
            return { ref: hit.ref, score: hit.score, title: doc[0], url: doc[1], date: doc[2], topics: doc[3],
                     who: doc[5], upvotes: doc[6], snippet: around.text, titleMarks: marks(doc[0], terms),
                     snippetMarks: around.marks };
          })
        };
      });
    });
  });
}

/* The search as the site now is. Its files are keyed by position, so a tab left open while the site
 * was published again would show another build's papers: each new query asks, alongside it, whether
 * the site's search version (search/version.json, a few bytes) is still ours; if not, it starts again. */
var base = null;
function current(message) {
  if (!search.manifest || (last && last.query === message.query)) return Promise.resolve(false);
  return fetch(base + 'search/version.json', { cache: 'no-cache' }).then(function (response) {
    return response.ok ? response.json() : null;
  }, function () { return null; }).then(function (version) {
    if (!version || version === search.manifest.version) return false;
    search = new ShardedSearch(loader(base));
    last = null;
    return true;
  });
}

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === 'load') {
    base = message.base;
    search = new ShardedSearch(loader(message.base));
    search.start().then(function (manifest) {
      self.postMessage({ type: 'ready', topics: manifest.topics, years: manifest.years });
    }, function (error) {
      self.postMessage({ type: 'error', message: String(error && error.message || error) });
    });
    return;
  }
  var checked = current(message);  // asked alongside the search, so an unchanged site costs it no wait
  var first = search.start().then(function () { return answer(message); }).then(function (reply) {
    return { reply: reply };
  }, function (error) { return { error: error }; });
  Promise.all([first, checked]).then(function (both) {
    if (both[1]) {  // published again: what the first answer read may be of either build
      last = null;
      return search.start().then(function () { return answer(message); });
    }
    if (both[0].error) throw both[0].error;
    return both[0].reply;
  }).then(function (reply) {
    self.postMessage(reply);
  }).catch(function (error) {
    self.postMessage({ type: 'error', id: message.id, message: String(error && error.message || error) });
  });
};
