// Time what a reader's browser does with the built index: JSON.parse, lunr.Index.load, queries.
//   node benchmarks/lunr_timing.js SITE_DIR  ->  JSON on stdout
'use strict';
const fs = require('fs');
const path = require('path');
const site = process.argv[2];
global.lunr = require(path.join(site, 'static', 'lunr', 'lunr.min.js'));
const core = require(path.join(site, 'static', 'search-core.js'));
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

let t = process.hrtime.bigint();
const text = fs.readFileSync(path.join(site, 'search', 'index.json'), 'utf8');
const data = JSON.parse(text);
const parseMs = ms(t);
t = process.hrtime.bigint();
const index = lunr.Index.load(data);
const loadMs = ms(t);
const queries = ['repetition loop', 'continual learning', 'reward model', 'title:forgetting', 'distil*', 'models?'];
const queryMs = {};
for (const q of queries) {
  t = process.hrtime.bigint();
  const hits = core.searchIndex(index, q).hits.length;
  queryMs[q] = { ms: ms(t), hits };
}
process.stdout.write(JSON.stringify({ parseMs, loadMs, queryMs }));
