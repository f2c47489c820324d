// Load a built search index with the real lunr.js 2.3.9 and the page's own search code,
// run queries read as JSON from stdin, and print the hits as JSON.
//   node query.js SITE_DIR < queries.json
'use strict';
const fs = require('fs');
const path = require('path');

const site = process.argv[2];
global.lunr = require(path.join(site, 'static', 'lunr', 'lunr.min.js'));
const core = require(path.join(site, 'static', 'search-core.js'));

const started = process.hrtime.bigint();
const index = lunr.Index.load(JSON.parse(fs.readFileSync(path.join(site, 'search', 'index.json'), 'utf8')));
const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
const docs = JSON.parse(fs.readFileSync(path.join(site, 'search', 'papers.json'), 'utf8')).docs;

const queries = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = { loadMs, lunrVersion: lunr.version, results: {} };
for (const q of queries) {
  let entry;
  try {
    // `raw`: lunr.js's own index.search, as lunr.py would run it; `page`: what the search page does.
    const raw = (() => { try { return index.search(q).map(h => [h.ref, h.score]); } catch (e) { return { error: e.name }; } })();
    const page = core.searchIndex(index, q);
    entry = { raw, page: page.hits.map(h => [h.ref, h.score]), titles: page.hits.map(h => docs[Number(h.ref)].t), message: page.message };
  } catch (e) {
    entry = { uncaught: String(e) };
  }
  out.results[q] = entry;
}
process.stdout.write(JSON.stringify(out));
