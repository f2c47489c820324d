// Bytes and time of cold queries with the page's own search code (search-core.js) on a built site.
//   node benchmarks/search_cold.js < {"site": SITE_DIR, "queries": {kind: [query, ...]}}  ->  JSON on stdout
// Each query starts with nothing in memory, fetches what it needs (manifest, shards, the vocabulary
// for fuzzy and inner wildcards, the result data of the first 10 hits) and is measured alone.
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const site = input.site;
global.lunr = require(path.join(site, 'static', 'lunr', 'lunr.min.js'));
const core = require(path.join(site, 'static', 'search-core.js'));
const gz = (file) => zlib.gzipSync(fs.readFileSync(path.join(site, file))).length;
// What the search page itself loads before any data: the page script, the worker, lunr and our search code.
const scripts = ['static/search.js', 'static/search-worker.js', 'static/lunr/lunr.min.js', 'static/search-core.js']
  .reduce((sum, file) => sum + gz(file), 0);

async function cold(query) {
  const files = {};
  const search = new core.ShardedSearch((url) => {
    const data = fs.readFileSync(path.join(site, url.split('?')[0]));
    files[url] = zlib.gzipSync(data).length;
    return Promise.resolve(JSON.parse(data.toString('utf8')));
  });
  const started = process.hrtime.bigint();
  await search.start();
  const outcome = await search.search(query);
  await search.documents(outcome.hits.slice(0, 10).map((h) => Number(h.ref)));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const bytes = Object.values(files).reduce((a, b) => a + b, 0);
  return { query, hits: outcome.hits.length, refused: !outcome.hits.length && Boolean(outcome.message), files: Object.keys(files).length,
           dataGzip: bytes, totalGzip: bytes + scripts, ms, perFile: files };
}

(async () => {
  const out = { scriptsGzip: scripts, kinds: {} };
  for (const [kind, queries] of Object.entries(input.queries)) {
    out.kinds[kind] = [];
    for (const q of queries) out.kinds[kind].push(await cold(q));
  }
  process.stdout.write(JSON.stringify(out));
})();
