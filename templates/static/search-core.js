/* Search over the sharded lunr index (generator/search_shards.py), in a Web Worker or in Node.
 *
 * A query is parsed with lunr's own parser and pipeline to find the terms it
 * needs; only the shards holding them are fetched; a partial lunr.Index is
 * put together from them and lunr.js itself runs the query. The hits, their
 * order and their scores are those of the whole index (tests/js/query.js
 * checks it on hundreds of queries):
 * - a shard carries frequencies and field lengths, and `weight` computes
 *   lunr's BM25 weight with lunr.py's arithmetic and its round-half-even;
 * - every term a clause can expand to is fetched: exact terms from their
 *   shard, trailing wildcards from the shards of their range, fuzzy and other
 *   wildcards by expanding against the whole vocabulary (terms.json);
 * - a query of only prohibited clauses walks every document's field vectors
 *   in build order, so those keys are all created, in that order;
 * - one word most papers hold is answered from its head (`runHead`): its best
 *   papers alone are searched, and shown only as far as they score above every
 *   other paper (tests/search checks the hits against the whole index's too).
 *
 * The trimmer is re-registered under lunr's own name with the rule the Python
 * side indexes with (generator/lunr_pipeline.py): strip characters that are
 * not Unicode letters, digits or "_" from both ends of a word, read ’ as ', and
 * drop a possessive 's.
 */
'use strict';

var LEADING = /^[^\p{L}\p{N}_]+/u;
var TRAILING = /[^\p{L}\p{N}_]+$/u;
var POSSESSIVE = /'s$/i;

/* A word as the index holds it: its ends trimmed, one kind of apostrophe, no possessive "'s". */
function trimWord(s) {
  s = s.replace(LEADING, '').replace(TRAILING, '').replace(/\u2019/g, "'");
  return s.replace(POSSESSIVE, '').replace(TRAILING, '');
}

function catalogueTrimmer(token) {
  token.update(trimWord);
  return token.toString() ? token : undefined;
}
catalogueTrimmer.label = 'trimmer';
lunr.Pipeline.registeredFunctions.trimmer = catalogueTrimmer;

var SYNTAX = /[:^~*+\-]/g;
// lunr's own syntax in a query: a + or - only where a word starts (inside one, as in "chain-of-thought"
// or "KV-cache", a hyphen splits words, each of which must then match)
var EVERY_SYNTAX = /[:^~*]|(?:^|\s)[+\-]/;
var K1 = 1.2;
var B = 0.75;
var MAX_FETCH_BYTES = 1 << 20;  // a wildcard that needs more shards than this (at the target size) is refused
// Words typed (or a pasted abstract) may need this many times as many shards: each is one the reader
// asked for. Past that (a whole paper pasted) the query is refused too.
var WORDS_FACTOR = 4;

/* lunr.py's BM25 weight: the same operations in the same order, then Python's round(x, 3). */
function weight(idf, tf, length, average, boost) {
  return round3(idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (length / average)) + tf) * boost);
}

/* Python's round(x, 3): the nearest thousandth, ties to even. toFixed rounds exactly but ties up;
 * a double is exactly halfway between two thousandths only when 16x is an odd integer. */
function round3(x) {
  var sixteenths = x * 16;
  if (Number.isInteger(sixteenths) && sixteenths % 2 !== 0) {
    var below = Math.floor(x * 1000);
    return (below % 2 === 0 ? below : below + 1) / 1000;
  }
  return Number(x.toFixed(3));
}

/* A shard's file name: two 32-bit FNV-1a hashes of where it starts (the manifest lists the starts),
 * in UTF-16 code units (generator/search/shards.py shard_name). */
function shardName(start) {
  var name = '';
  [0x811C9DC5, 0x050C5D1F].forEach(function (basis) {
    var h = basis;
    for (var i = 0; i < start.length; i++) h = Math.imul(h ^ start.charCodeAt(i), 0x01000193) >>> 0;
    name += ('0000000' + h.toString(16)).slice(-8);
  });
  return name;
}

/* `LLaMA: open` means the words, not a field called "llama": keep `field:` only for real fields. */
function prepare(query, fields, wordsToo) {
  // `+title:x`, `-abstract:x`, `Title:x` are field clauses (lunr's names are lower case); `word:` is a
  // word (unless `wordsToo` is false: only the fields' names put in lower case, which is no rewording)
  return query.replace(/(^|\s)([+\-]?)([^\s:+\-][^\s:]*):/g, function (all, space, presence, name) {
    var field = name.toLowerCase();
    return fields.indexOf(field) >= 0 ? space + presence + field + ':' : wordsToo === false ? all : space + presence + name + ' ';
  });
}

/* The last position whose value is <= key, in a sorted array of strings (JavaScript's order is lunr's). */
function floorIndex(sorted, key) {
  var lo = 0, hi = sorted.length - 1, found = 0;
  while (lo <= hi) {
    var mid = (lo + hi) >> 1;
    if (sorted[mid] <= key) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
  }
  return found;
}

/* load(path) resolves to the parsed JSON of a file under the site root. */
function ShardedSearch(load) {
  this.load = load;
  this.manifest = null;
  this.shards = Object.create(null);  // number -> promise of entries
  this.once = Object.create(null);    // 'vocabulary', 'facets' -> promise
  this.chunks = Object.create(null);
}

ShardedSearch.prototype.start = function () {
  var self = this;
  if (!this.started) {
    this.started = this.load('search/manifest.json').then(function (manifest) {
      self.manifest = manifest;
      self.pipeline = lunr.Pipeline.load(manifest.pipeline);
      self.maxShards = Math.max(64, Math.floor(MAX_FETCH_BYTES / manifest.target));
      return manifest;
    }).catch(function (error) { self.started = null; throw error; });  // the next query tries again
  }
  return this.started;
};

ShardedSearch.prototype.file = function (path) {
  return this.load(path + '?v=' + this.manifest.version);
};

/* A file kept once fetched; one that failed (a dropped connection) is fetched again when next needed:
 * kept, a failure broke every query needing that file until the page was reloaded. */
ShardedSearch.prototype.kept = function (cache, key, path, then) {
  if (!cache[key]) {
    cache[key] = this.file(path).then(then || function (data) { return data; })
      .catch(function (error) { delete cache[key]; throw error; });
  }
  return cache[key];
};

ShardedSearch.prototype.shard = function (n) {
  return this.kept(this.shards, n, 'search/shards/' + shardName(this.manifest.shards[n]) + '.json');
};

ShardedSearch.prototype.terms = function () {
  return this.kept(this.once, 'vocabulary', 'search/terms.json', function (terms) {
    return lunr.TokenSet.fromArray(terms);
  });
};

/* The shard numbers a parsed query needs, or null when a wildcard reaches too far, or its words
   need too many shards. */
ShardedSearch.prototype.needs = function (query) {
  var self = this, starts = this.manifest.shards, wanted = Object.create(null), reached = Object.create(null);
  var expansions = [];
  if (!starts.length) return Promise.resolve([]);
  query.clauses.forEach(function (clause) {
    var terms = clause.usePipeline ? self.pipeline.runString(clause.term, { fields: clause.fields }) : [clause.term];
    terms.forEach(function (term) {
      var prefix = term.replace(/\*+$/, '');
      if (!clause.editDistance && prefix.indexOf('*') < 0) {
        var lo = floorIndex(starts, prefix);
        wanted[lo] = true;
        if (prefix !== term) {  // a trailing wildcard: every shard whose range can hold the prefix
          for (var n = lo + 1; n < starts.length && starts[n].slice(0, prefix.length) === prefix; n++) {
            wanted[n] = reached[n] = true;
          }
        }
      } else {
        expansions.push(clause.editDistance ? { term: term, editDistance: clause.editDistance } : { term: term });
      }
    });
  });
  var expanded = !expansions.length ? Promise.resolve() : this.terms().then(function (vocabulary) {
    expansions.forEach(function (clause) {
      vocabulary.intersect(lunr.TokenSet.fromClause(clause)).toArray().forEach(function (term) {
        var n = floorIndex(starts, term);
        wanted[n] = reached[n] = true;
      });
    });
  });
  return expanded.then(function () {
    var numbers = Object.keys(wanted).map(Number).sort(function (a, b) { return a - b; });
    var far = Object.keys(reached).length > self.maxShards || numbers.length > WORDS_FACTOR * self.maxShards;
    return far ? null : numbers;
  });
};

/* The shards with a head (search/heads/): the manifest lists them as gaps between shard numbers. */
ShardedSearch.prototype.headed = function () {
  if (!this.headSet) {
    var set = Object.create(null), at = 0;
    (this.manifest.heads || []).forEach(function (gap) { at += gap; set[at] = true; });
    this.headSet = set;
  }
  return this.headSet;
};

/* A query of one plain word (one clause over every field, unboosted, no wildcard or typo allowance,
 * one term after lunr's pipeline) whose term may have a head: {term, shard}; else null. */
ShardedSearch.prototype.oneWord = function (queryString) {
  var fields = this.manifest.fields, query = new lunr.Query(fields);
  new lunr.QueryParser(queryString, query).parse();
  if (query.clauses.length !== 1) return null;
  var clause = query.clauses[0];
  if (clause.editDistance || clause.wildcard !== lunr.Query.wildcard.NONE || clause.boost !== 1 ||
      !clause.usePipeline || clause.presence === lunr.Query.presence.PROHIBITED ||
      clause.fields.length !== fields.length) return null;
  var terms = this.pipeline.runString(clause.term, { fields: clause.fields });
  if (terms.length !== 1) return null;
  var shard = floorIndex(this.manifest.shards, terms[0]);
  return this.headed()[shard] ? { term: terms[0], shard: shard } : null;
};

/* A one-word query answered from its term's head (generator/search/shards.py `head`): the head's
 * papers that score above every other paper can (its bound points, scored with the averages of
 * this build), in the whole index's order, and how many papers hold the term; null when the head
 * is another term's or vouches for none. */
ShardedSearch.prototype.runHead = function (queryString, word) {
  var self = this, manifest = this.manifest, fields = manifest.fields;
  return this.file('search/heads/' + shardName(manifest.shards[word.shard]) + '.json').then(function (head) {
    if (head[0] !== word.term) return null;
    var idf = head[2], entry = [head[0], head[1], idf].concat(head.slice(4, 4 + fields.length));
    var bound = -Infinity;  // no other paper holds the term
    head[4 + fields.length].forEach(function (point) {
      var score = 0;
      for (var f = 0; f < fields.length; f++) {
        var tf = point[2 * f], length = point[2 * f + 1];
        if (tf) score += weight(idf, tf, length, manifest.averages[f], manifest.boosts[f]);
      }
      bound = Math.max(bound, score);
    });
    var hits = self.partialIndex([[entry]], false).search(queryString), sure = 0;
    // above the bound by more than the last bits a sum in another order can differ by
    while (sure < hits.length && hits[sure].score > bound + 1e-9) sure++;
    return sure ? { hits: hits.slice(0, sure), total: head[3] } : null;
  });
};

/* A lunr.Index holding exactly the given shards' terms, with their weights and postings. */
ShardedSearch.prototype.partialIndex = function (entriesByShard, negated) {
  var manifest = this.manifest, fields = manifest.fields;
  var invertedIndex = Object.create(null), elements = new Map(), builder = new lunr.TokenSet.Builder();
  var fieldVectors = {};
  if (negated) {  // lunr walks every field vector, in build order, for a query of only prohibited clauses
    var empty = new lunr.Vector([]);  // scores are 0 there: one shared empty vector will do
    for (var ref = 0; ref < manifest.documents; ref++) {
      for (var f = 0; f < fields.length; f++) fieldVectors[fields[f] + '/' + ref] = empty;
    }
  }
  entriesByShard.forEach(function (entries) {
    entries.forEach(function (entry) {
      var term = entry[0], index = entry[1], idf = entry[2], posting = { _index: index };
      builder.insert(term);
      for (var f = 0; f < fields.length; f++) {
        var flat = entry[3 + f], docs = {}, ref = 0, prefix = fields[f] + '/';
        var average = manifest.averages[f], boost = manifest.boosts[f];
        for (var i = 0; i < flat.length; i += 3) {
          ref += flat[i];
          docs[ref] = {};
          var key = prefix + ref, pairs = elements.get(key);
          if (pairs === undefined) elements.set(key, pairs = []);
          pairs.push(index, weight(idf, flat[i + 1], flat[i + 2], average, boost));  // [index, weight, ...]
        }
        posting[fields[f]] = docs;
      }
      invertedIndex[term] = posting;
    });
  });
  builder.finish();
  var vectors = new Map();
  elements.forEach(function (flat, key) { vectors.set(key, new lunr.Vector(byIndex(flat))); });
  if (negated) {
    vectors.forEach(function (vector, key) { fieldVectors[key] = vector; });  // keys already there keep their place
  } else {  // lunr only looks up the field vectors of the postings it met: a Map is quicker to fill
    fieldVectors = new Proxy({}, { get: function (_, key) { return vectors.get(key); } });
  }
  return new lunr.Index({ invertedIndex: invertedIndex, fieldVectors: fieldVectors, tokenSet: builder.root,
                          fields: fields, pipeline: this.pipeline });
};

/* Flat [index, weight, ...] pairs in index order, as lunr.Vector keeps them. */
function byIndex(flat) {
  var sorted = true;
  for (var i = 2; i < flat.length; i += 2) if (flat[i] < flat[i - 2]) { sorted = false; break; }
  if (sorted) return flat;
  var pairs = [];
  for (var j = 0; j < flat.length; j += 2) pairs.push([flat[j], flat[j + 1]]);
  pairs.sort(function (a, b) { return a[0] - b[0]; });
  var out = [];
  pairs.forEach(function (pair) { out.push(pair[0], pair[1]); });
  return out;
}

/* lunr's hits for one query string, as the whole index would give them; throws lunr.QueryParseError. */
ShardedSearch.prototype.run = function (queryString) {
  var self = this;
  var query = new lunr.Query(this.manifest.fields);
  new lunr.QueryParser(queryString, query).parse();
  return this.needs(query).then(function (numbers) {
    if (numbers === null) return null;
    return Promise.all(numbers.map(function (n) { return self.shard(n); })).then(function (entriesByShard) {
      return self.partialIndex(entriesByShard, query.isNegated()).search(queryString);
    });
  });
};

/* Does lunr's parser read this query? */
ShardedSearch.prototype.parses = function (queryString) {
  try {
    new lunr.QueryParser(queryString, new lunr.Query(this.manifest.fields)).parse();
    return true;
  } catch (error) {
    if (error instanceof lunr.QueryParseError) return false;
    throw error;
  }
};

/* Plain words (no lunr syntax) as lunr's "every word": each word that is not a stop word marked
 * required (+), as a web search engine reads them; null for one word, or for lunr syntax. */
function everyWord(query) {
  if (query.search(EVERY_SYNTAX) >= 0) return null;  // search(), unlike test(), ignores the g flag's lastIndex
  var words = query.split(lunr.tokenizer.separator).map(trimWord).filter(function (w) { return w && lunr.stopWordFilter(new lunr.Token(w.toLowerCase())) !== undefined; });
  return words.length > 1 ? words.map(function (w) { return '+' + w; }).join(' ') : null;
}

/* The page's search. The query as typed; if lunr cannot read it, its plain words (and it says so).
 * Plain words must all match; when no paper holds every one, papers with any (and it says so).
 * lunr's own syntax (+, -, field:, *, ~) keeps its meaning, and the ranking is lunr's. One word with
 * a head gives only its best hits, `partial`, with the `total` that match; `options.whole`: all. */
ShardedSearch.prototype.search = function (query, options) {
  var self = this;
  query = (query || '').normalize('NFC').trim();
  if (!query) return Promise.resolve({ hits: [], message: '' });
  query = query.replace(/\s+/g, ' ');
  var read = [prepare(query, this.manifest.fields), query.replace(SYNTAX, ' ')].map(function (q) {
    return q.replace(/\s+/g, ' ').trim();
  }).filter(function (q) { return q && self.parses(q); })[0];
  // `unsearched`: the message says why nothing was searched, in place of a count of matches
  if (!read) return Promise.resolve({ hits: [], message: 'That query has nothing to search for: try some words.', unsearched: true });
  var note = read === query || read === prepare(query, this.manifest.fields, false) ? '' : 'Searched for the words “' + read + '”: lunr cannot read the query as typed.';
  var tooFar = /[*~]/.test(read) ? 'That query reaches too many words (a short wildcard or a large ~ allowance): add a few letters.'
    : 'That query has too many words to look up at once: keep the telling ones.';
  function any() {
    return self.run(read).then(function (hits) {
      return hits === null ? { hits: [], message: tooFar, unsearched: true } : { hits: hits, message: note };
    });
  }
  var every = everyWord(read);
  if (!every) {
    var word = options && options.whole ? null : this.oneWord(read);
    if (!word) return any();
    return this.runHead(read, word).then(function (outcome) {  // `total` papers match; `hits` are the best
      return outcome ? { hits: outcome.hits, message: note, total: outcome.total, partial: true } : any();
    });
  }
  return this.run(every).then(function (hits) {
    if (hits && hits.length) return { hits: hits, message: note };
    return any().then(function (outcome) {
      if (!outcome.hits.length) return outcome;
      return { hits: outcome.hits, message: (note ? note + ' ' : '') + 'No paper has every word; these have some of them.' };
    });
  });
};

/* What the results show for some document ordinals: [title, url, date, topic slugs, abstract, who,
 * upvotes] each (generator/search/index.py result_data). */
ShardedSearch.prototype.documents = function (refs) {
  var self = this, size = this.manifest.chunk;
  return Promise.all(refs.map(function (ref) {
    var n = Math.floor(ref / size);
    return self.kept(self.chunks, n, 'search/docs/' + n + '.json').then(function (chunk) { return chunk[ref % size]; });
  }));
};

/* Each document's year and topics, for the filters: {years, topics, docs: [[year, topic...]]}. */
ShardedSearch.prototype.facetData = function () {
  return this.kept(this.once, 'facets', 'search/facets.json');
};

/* About `length` characters of `text` around the first matched term (its start when none matched),
 * cut at spaces, with … where it was cut, and where the matched terms stand in it. */
function snippet(text, terms, length) {
  var found = marks(text, terms);
  var start = 0;
  if (found.length && found[0][0] > length / 3) {
    start = text.lastIndexOf(' ', found[0][0] - Math.floor(length / 4)) + 1;
  }
  var end = start + length >= text.length ? text.length : text.lastIndexOf(' ', start + length);
  if (end <= start) end = Math.min(text.length, start + length);
  var kept = text.slice(start, end);
  var cut = (start > 0 ? '…' : '') + (end < text.length ? kept.replace(/[.,;:]+$/, '') + '…' : kept);
  return { text: cut, marks: marks(cut, terms) };
}

/* Where the matched terms stand in a text, as [start, length] pairs, for <mark>. */
function marks(text, terms) {
  var found = [];
  var word = /[^\s\-]+/g;
  var match;
  while ((match = word.exec(text)) !== null) {
    var raw = match[0];
    var lead = raw.length - raw.replace(LEADING, '').length;
    var core = trimWord(raw);
    if (!core) continue;
    var stemmed = lunr.stemmer(new lunr.Token(core.toLowerCase().normalize('NFC'))).toString();
    if (terms[stemmed]) found.push([match.index + lead, core.length]);
  }
  return found;
}

if (typeof module !== 'undefined') {
  module.exports = { ShardedSearch: ShardedSearch, marks: marks, prepare: prepare, weight: weight, round3: round3,
                     shardName: shardName, everyWord: everyWord, snippet: snippet };
}
