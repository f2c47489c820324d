// Run queries with the real lunr.js 2.3.9 and print the answers as JSON:
// - `whole`: lunr.Index.load of the whole index put back together (a file given by the caller);
// - `sharded`: the search page's own code (search-core.js), fetching shards from the built site;
// - `page`: what the page shows (`search`): plain words all required, a common word from its head.
// Each query starts cold, so the files it fetches, and their gzip size, are its own.
//   node query.js < {"site": SITE_DIR, "whole": WHOLE_INDEX_JSON or null, "queries": [...]}
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const site = input.site;
global.lunr = require(path.join(site, 'static', 'lunr', 'lunr.min.js'));
const core = require(path.join(site, 'static', 'search-core.js'));
const whole = input.whole ? lunr.Index.load(JSON.parse(fs.readFileSync(input.whole, 'utf8'))) : null;

function loader(fetched) {
  return (url) => new Promise((resolve, reject) => {
    const file = path.join(site, url.split('?')[0]);
    if (!path.resolve(file).startsWith(path.resolve(site))) return reject(new Error('outside the site: ' + url));
    const data = fs.readFileSync(file);
    fetched[url] = zlib.gzipSync(data).length;
    resolve(JSON.parse(data.toString('utf8')));
  });
}

function pairs(hits) { return hits.map(h => [h.ref, h.score]); }

async function one(query) {
  const entry = {};
  if (whole) {
    try { entry.whole = pairs(whole.search(query)); } catch (e) { entry.whole = { error: e.name }; }
  }
  const fetched = {};
  const search = new core.ShardedSearch(loader(fetched));
  await search.start();
  try {
    const hits = await search.run(query);
    entry.sharded = hits === null ? null : pairs(hits);
  } catch (e) {
    if (!(e instanceof lunr.QueryParseError)) throw e;
    entry.sharded = { error: e.name };
  }
  entry.runGzip = Object.values(fetched).reduce((a, b) => a + b, 0);
  const cold = {};
  const page = new core.ShardedSearch(loader(cold));
  await page.start();
  const outcome = await page.search(query);
  const shown = await page.documents(outcome.hits.slice(0, 10).map(h => Number(h.ref)));
  entry.page = pairs(outcome.hits);
  entry.partial = Boolean(outcome.partial);  // a common word's best hits, from its head
  entry.total = outcome.partial ? outcome.total : outcome.hits.length;
  entry.message = outcome.message;
  entry.titles = shown.map(d => d[0]);
  entry.files = Object.keys(cold).length;
  entry.fetched = Object.keys(cold).map((url) => url.split('?')[0]);
  entry.gzip = Object.values(cold).reduce((a, b) => a + b, 0);
  return entry;
}

// Every weight the page computes from the shards, against the whole index's field vectors.
function checkWeights(wholeIndex) {
  const manifest = JSON.parse(fs.readFileSync(path.join(site, 'search', 'manifest.json'), 'utf8'));
  const expected = new Map();
  for (const [key, flat] of wholeIndex.fieldVectors) {
    for (let i = 0; i < flat.length; i += 2) expected.set(key + ' ' + flat[i], flat[i + 1]);
  }
  const ranks = new Map(wholeIndex.invertedIndex.map(([term, posting]) => [term, posting._index]));
  const shards = manifest.shards.map((first) =>
    JSON.parse(fs.readFileSync(path.join(site, 'search', 'shards', core.shardName(first) + '.json'), 'utf8')));
  // a shard's key gives a term's place in lunr's _index order: its rank must be the whole index's _index
  const rankOf = new Map(shards.flat().map((e) => [e[0], e[1]]).sort((a, b) => a[1] - b[1]).map(([t], i) => [t, i]));
  let checked = 0;
  const wrong = [];
  for (const entries of shards) {
    for (const [term, , idf, ...fields] of entries) {
      const index = rankOf.get(term);
      if (ranks.get(term) !== index) wrong.push({ term, index });
      fields.forEach((flat, f) => {
        for (let i = 0, ref = 0; i < flat.length; i += 3) {
          ref += flat[i];
          const w = core.weight(idf, flat[i + 1], flat[i + 2], manifest.averages[f], manifest.boosts[f]);
          const key = manifest.fields[f] + '/' + ref + ' ' + index;
          checked += 1;
          if (expected.get(key) !== w) wrong.push({ key, computed: w, whole: expected.get(key) });
        }
      });
    }
  }
  return { checked, expected: expected.size, wrong: wrong.slice(0, 20), wrongCount: wrong.length };
}

(async () => {
  const out = { lunrVersion: lunr.version, results: {} };
  if (input.checkWeights) out.weights = checkWeights(JSON.parse(fs.readFileSync(input.whole, 'utf8')));
  for (const q of input.queries) {
    try { out.results[q] = await one(q); } catch (e) { out.results[q] = { uncaught: String(e && e.stack || e) }; }
  }
  process.stdout.write(JSON.stringify(out));
})();
