/* The search worker: loads lunr, the index and the result data once, then answers queries. */
'use strict';
importScripts('lunr/lunr.min.js', 'search-core.js');

var ready = null;

function load(base) {
  return Promise.all([
    fetch(base + 'search/index.json').then(function (r) { if (!r.ok) throw new Error('index ' + r.status); return r.json(); }),
    fetch(base + 'search/papers.json').then(function (r) { if (!r.ok) throw new Error('papers ' + r.status); return r.json(); })
  ]).then(function (parts) {
    return { index: lunr.Index.load(parts[0]), data: parts[1] };
  });
}

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === 'load') { ready = load(message.base); }
  ready.then(function (loaded) {
    if (message.type === 'load') { self.postMessage({ type: 'ready', topics: loaded.data.topics }); return; }
    var outcome = searchIndex(loaded.index, message.query);
    var results = outcome.hits.map(function (hit) {
      var doc = loaded.data.docs[Number(hit.ref)];
      var terms = hit.matchData.metadata;
      return {
        ref: hit.ref, score: hit.score, title: doc.t, url: doc.u, date: doc.d, topics: doc.k, snippet: doc.s,
        titleMarks: marks(doc.t, terms), snippetMarks: marks(doc.s, terms)
      };
    });
    self.postMessage({ type: 'results', id: message.id, query: message.query, results: results, message: outcome.message });
  }).catch(function (error) {
    self.postMessage({ type: 'error', id: message.id, message: String(error && error.message || error) });
  });
};
