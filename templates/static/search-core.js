/* Search over the prebuilt lunr index; runs in a Web Worker so the page stays responsive.
 *
 * The trimmer is re-registered under lunr's own name with the rule the Python
 * side indexes with (generator/search_index.py): strip characters that are not
 * Unicode letters, digits or "_" from both ends of a word, drop empty words.
 */
'use strict';

var LEADING = /^[^\p{L}\p{N}_]+/u;
var TRAILING = /[^\p{L}\p{N}_]+$/u;

function catalogueTrimmer(token) {
  token.update(function (s) { return s.replace(LEADING, '').replace(TRAILING, ''); });
  return token.toString() ? token : undefined;
}
catalogueTrimmer.label = 'trimmer';
lunr.Pipeline.registeredFunctions.trimmer = catalogueTrimmer;

var SYNTAX = /[:^~*+\-]/g;

/* `LLaMA: open` means the words, not a field called "llama": keep `field:` only for real fields. */
function prepare(query, fields) {
  return query.replace(/(\S+?):/g, function (all, name) {
    return fields.indexOf(name.toLowerCase()) >= 0 ? all : name + ' ';
  });
}

function searchIndex(index, query) {
  query = (query || '').normalize('NFC').trim();
  if (!query) return { hits: [], message: '' };
  var attempts = [prepare(query, index.fields), query.replace(SYNTAX, ' ').trim()];
  for (var i = 0; i < attempts.length; i++) {
    if (!attempts[i]) continue;
    try {
      return { hits: index.search(attempts[i]), message: '' };
    } catch (error) {
      if (!(error instanceof lunr.QueryParseError)) throw error;
    }
  }
  return { hits: [], message: 'That query has nothing to search for: try some words.' };
}

/* Where the matched terms stand in a text, as [start, length] pairs, for <mark>. */
function marks(text, terms) {
  var found = [];
  var word = /[^\s\-]+/g;
  var match;
  while ((match = word.exec(text)) !== null) {
    var raw = match[0];
    var lead = raw.length - raw.replace(LEADING, '').length;
    var core = raw.replace(LEADING, '').replace(TRAILING, '');
    if (!core) continue;
    var stemmed = lunr.stemmer(new lunr.Token(core.toLowerCase().normalize('NFC'))).toString();
    if (terms[stemmed]) found.push([match.index + lead, core.length]);
  }
  return found;
}

if (typeof module !== 'undefined') module.exports = { searchIndex: searchIndex, marks: marks, prepare: prepare };
