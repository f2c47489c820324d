"""The sharded lunr index, searched by the real lunr.js 2.3.9 in Node, against the whole index and lunr.py.

The contract: the page's sharded search gives the hits of the whole index, in the
same order, with the same scores, for queries of every kind; and the whole index
put back together from the shards is exactly what lunr.py's Builder writes.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from conftest import PROJECT, write_paper

from benchmarks.queries import KINDS, make_queries, site_texts
from generator.build.pipeline import build
from generator.search.index import load_index, read_search_files, whole_index
from generator.settings import load_settings

QUERY_JS = PROJECT / "tests" / "js" / "query.js"

# Plain lunr syntax both lunrs accept, so their answers can be compared one for one.
AGREEING_QUERIES = [
    "repetition loop", "continual learning", "reward model", "forgetting", "title:forgetting",
    "+continual -forgetting", "distil*", "forgeting~1", "NVIDIA", "sparse^10 attention", "retrieval augmented generation",
    "bandit regret", "kv cache", "code generation", "models?", "(e.g.,", "memorization", "*ing", "-reward",
    "replay", "key", "decay", "always", "deployed",  # words lunr.py and lunr.js once stemmed apart
    "Mistral", "mistral's", "Mistral’s", "model", "model’s",  # a possessive, typed with either apostrophe
]
ODD_INPUTS = ["LLaMA: open", "models?", "GPT-4", "~", "^2", "title:", "🚀", "*", "+", "-", ":", "a:b:c",
              "title:^", "\"quoted\"", "~1 ~2", "   ", "((", "\\", "foo^bar", "x~y"]


def run_node(site: Path, queries: list[str], whole: Path | None = None, check_weights: bool = False) -> dict:
    request = {"site": str(site), "whole": str(whole) if whole else None, "queries": queries,
               "checkWeights": check_weights}
    result = subprocess.run(["node", "--max-old-space-size=4096", str(QUERY_JS)], input=json.dumps(request),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def write_whole(site: Path, folder: Path) -> Path:
    path = folder / "whole-index.json"
    path.write_text(json.dumps(whole_index(read_search_files(site))), encoding="utf-8")
    return path


def python_hits(whole: Path, query: str) -> list[tuple[str, float]]:
    return [(hit["ref"], hit["score"]) for hit in load_index(json.loads(whole.read_text("utf-8"))).search(query)]


def ranked(hits) -> list[tuple[str, float]]:
    """Hits as (ref, score to 6 places), in rank order; lunr.py orders ties its own way, so ties by ref."""
    return sorted(((str(ref), round(score, 6)) for ref, score in hits), key=lambda h: (-h[1], h[0]))


def index_terms(site: Path) -> list[str]:
    return json.loads((site / "search" / "terms.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def shipped_whole(shipped_site, tmp_path_factory) -> Path:
    return write_whole(shipped_site, tmp_path_factory.mktemp("whole"))


@pytest.fixture(scope="module")
def generated(shipped_site) -> dict[str, list[str]]:
    return make_queries(site_texts(shipped_site), index_terms(shipped_site))


@pytest.fixture(scope="module")
def node_results(shipped_site, shipped_whole, generated):
    queries = AGREEING_QUERIES + ODD_INPUTS + ["c*"] + [q for kind in KINDS for q in generated[kind]]
    return run_node(shipped_site, list(dict.fromkeys(queries)), shipped_whole, check_weights=True)


# --- the shards hold the whole index --------------------------------------------------------------

def test_the_whole_index_put_back_from_the_shards_is_what_lunr_py_builds():
    from conftest import SHIPPED_CONTENT

    from generator.catalogue.reader import load_catalogue
    from generator.search.index import build_search, reference_index

    catalogue = load_catalogue(SHIPPED_CONTENT)
    assert json.dumps(whole_index(build_search(catalogue).write)) == json.dumps(reference_index(catalogue))


def test_the_whole_index_matches_lunr_py_on_unicode_empty_fields_and_a_synthetic_catalogue(tmp_path):
    from benchmarks.make_catalogue import DEFAULT_SEEDS, make_capture
    from generator.catalogue.reader import load_catalogue
    from generator.ingest.merge import ingest
    from generator.search.index import build_search, reference_index

    capture = tmp_path / "synthetic.txt"
    capture.write_text(make_capture(600, DEFAULT_SEEDS), encoding="utf-8")
    ingest([capture], tmp_path / "content")
    write_paper(tmp_path / "content", "empty-body", "Only A Title", "")
    for slug, title in UNICODE_TITLES.items():
        write_paper(tmp_path / "content", slug, title, f"{title} 😀 ℌ𝔢𝔩𝔩𝔬")
    catalogue = load_catalogue(tmp_path / "content")
    assert len(catalogue.papers) == 606
    assert json.dumps(whole_index(build_search(catalogue).write)) == json.dumps(reference_index(catalogue))


def test_every_weight_the_page_computes_equals_the_whole_index_weight(node_results):
    weights = node_results["weights"]
    assert weights["checked"] == weights["expected"] > 15_000
    assert weights["wrongCount"] == 0, weights["wrong"]


def test_stock_lunr_js_2_3_9_runs_the_search(node_results, shipped_site):
    assert node_results["lunrVersion"] == "2.3.9"
    manifest = json.loads((shipped_site / "search" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["pipeline"]) <= {"trimmer", "stemmer", "stopWordFilter"}
    assert manifest["fields"] == ["title", "abstract", "topics", "organisation"]


# --- sharded search == whole index ----------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_sharded_search_gives_the_whole_index_hits_in_order_with_the_same_scores(node_results, generated, kind):
    results = node_results["results"]
    for query in generated[kind]:
        assert "uncaught" not in results[query], results[query]
        assert results[query]["sharded"] == results[query]["whole"], query
    found = sum(bool(results[q]["whole"]) and "error" not in results[q]["whole"] for q in generated[kind])
    if kind == "absent word":
        assert found == 0
    else:
        assert found >= len(generated[kind]) // 2, f"{kind}: too few queries find anything to compare"


@pytest.mark.parametrize("query", AGREEING_QUERIES + ["*", "c*"])
def test_sharded_search_gives_the_whole_index_hits_for_hand_picked_queries(node_results, query):
    entry = node_results["results"][query]
    assert entry["sharded"] == entry["whole"] and entry["whole"]


def test_a_prohibited_only_query_lists_every_other_paper_in_build_order(node_results):
    entry = node_results["results"]["-reward"]
    refs = [int(ref) for ref, _ in entry["sharded"]]
    assert refs == sorted(refs) and 100 < len(refs) < 139
    assert entry["sharded"] == entry["whole"]


def test_a_cold_query_fetches_a_small_part_of_the_search_files(node_results, shipped_site):
    everything = sum(len(data) for data in read_search_files(shipped_site).values())
    entry = node_results["results"]["repetition loop"]
    assert entry["titles"][0].startswith("Learning to Break the Loop")
    assert 3 <= entry["files"] and entry["gzip"] < everything / 10


# --- lunr.js and lunr.py ---------------------------------------------------------------------------

def test_every_word_of_the_catalogue_is_stemmed_in_the_index_as_lunr_js_stems_it_in_a_query(shipped_site):
    """A word the index and lunr.js stem apart is never found: "replay" (17 papers) found none."""
    import re

    from generator.utils.stems import stem

    words = sorted({w for text in site_texts(shipped_site) for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2})
    script = ("global.lunr = require(process.argv[1]); const words = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "console.log(JSON.stringify(words.map(w => lunr.stemmer(new lunr.Token(w)).toString())));")
    lunr_js = shipped_site / "static" / "lunr" / "lunr.min.js"
    result = subprocess.run(["node", "-e", script, str(lunr_js)], input=json.dumps(words), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(words) > 3000 and "replay" in words
    assert [(w, stem(w)) for w, s in zip(words, json.loads(result.stdout)) if stem(w) != s] == []


@pytest.mark.parametrize("query", AGREEING_QUERIES)
def test_lunr_js_and_lunr_py_find_the_same_papers_with_the_same_scores(node_results, shipped_whole, query):
    from_js = node_results["results"][query]["sharded"]
    from_py = python_hits(shipped_whole, query)
    assert ranked(from_js) == ranked(from_py)
    assert from_py, f"{query!r} found nothing"


def test_punctuation_in_a_query_is_trimmed_on_both_sides(node_results, shipped_whole):
    with_mark = node_results["results"]["models?"]["sharded"]
    assert with_mark and ranked(with_mark) == ranked(python_hits(shipped_whole, "models"))


def test_a_possessive_is_found_by_its_word_with_either_apostrophe(node_results):
    """Stock lunr indexes "Mistral's" as "mistral'": the query "Mistral" missed DeCRIM's abstract."""
    results = node_results["results"]
    assert any(title.startswith("LLM Self-Correction with DeCRIM") for title in results["Mistral"]["titles"])
    assert results["mistral's"]["page"] == results["Mistral’s"]["page"] == results["Mistral"]["page"]
    assert results["model’s"]["page"] == results["model"]["page"] and results["model"]["page"]


# --- what the page does with odd input -------------------------------------------------------------

@pytest.mark.parametrize("query", ODD_INPUTS)
def test_odd_input_on_the_page_never_raises(node_results, query):
    entry = node_results["results"][query]
    assert "uncaught" not in entry, entry


@pytest.mark.parametrize("query,expected", [
    ("LLaMA: open", "hits"), ("models?", "hits"), ("GPT-4", "hits"), ("*", "hits"), ("^2", "hits"),
    ("~", "message"), ("+", "message"), ("-", "message"), (":", "message"), ("   ", "nothing"),
])
def test_odd_input_gives_results_or_a_friendly_message(node_results, query, expected):
    entry = node_results["results"][query]
    outcome = "hits" if entry["page"] else "message" if entry["message"] else "nothing"
    assert outcome == expected, entry


def test_a_colon_after_a_word_that_is_not_a_field_means_the_word(node_results):
    entry = node_results["results"]["LLaMA: open"]
    assert entry["sharded"] == {"error": "QueryParseError"}  # lunr alone refuses it
    assert entry["titles"] and any("open" in t.lower() for t in entry["titles"][:5])


def test_a_hyphenated_query_finds_what_the_hyphenated_text_holds(node_results):
    assert node_results["results"]["GPT-4"]["titles"]  # "GPT-4" is split like the text was: "gpt" and "4"


# the page's reading of a query -> the same query in lunr's syntax, as lunr.js finds it in the whole index
READ_AS = {
    "chain-of-thought": "+chain +thought",          # found papers with either word: 9, not 7
    "mixture-of-experts": "+mixture +experts",
    "KV-cache compression": "+kv +cache +compression",
    "+title:memory": "+title:memory",               # found nothing: "+title" was not seen as a field
    "-title:memory reward": "-title:memory reward",
    "-abstract:reward +rlhf": "-abstract:reward +rlhf",
    "Title:memory": "title:memory",                 # searched as the words "Title memory"
}


def test_hyphenated_words_must_all_match_and_field_clauses_keep_their_presence_and_any_case(shipped_site,
                                                                                          shipped_whole):
    found = run_node(shipped_site, list(READ_AS) + list(READ_AS.values()), shipped_whole)["results"]
    for typed, meant in READ_AS.items():
        assert found[meant]["whole"], meant  # each finds something, so the comparison says something
        assert ranked(found[typed]["page"]) == ranked(found[meant]["whole"]), typed
        assert "cannot read" not in (found[typed]["message"] or ""), typed


# --- Unicode traps (lunr.py #144, #151, trimmer disagreement) -------------------------------------

UNICODE_TITLES = {
    "unicode": "Ünïcödé Models for Naïve Café Reasoning",
    "emoji": "🚀 Rocket Science with 🤖 Robots",
    "astral": "Math 𝔸𝔹ℂ and Ｆｕｌｌｗｉｄｔｈ 𝒳-Transformers",
    "cjk": "日本語 タイトル の 研究",
    "mixed": "a🚀b Interleaved Emoji",
}


@pytest.fixture(scope="module")
def unicode_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("unicode")
    for slug, title in UNICODE_TITLES.items():
        write_paper(root / "content", slug, title, f"{title}. Ünïcödé text with emoji 😀 and ℌ𝔢𝔩𝔩𝔬 inside.")
    build(load_settings(None, root / "content"), root / "site")
    return root / "site"


def test_terms_outside_the_basic_plane_are_in_the_order_lunr_js_needs(unicode_site):
    terms = json.loads((unicode_site / "search" / "terms.json").read_text())
    assert any(ord(c) > 0xFFFF for t in terms for c in t), "the test catalogue should index astral characters"
    assert terms == sorted(terms, key=lambda t: t.encode("utf-16-be"))
    assert terms != sorted(terms), "Python's order differs here, so the fix is exercised"


def test_lunr_js_finds_non_ascii_and_emoji_titles(unicode_site, tmp_path):
    whole = write_whole(unicode_site, tmp_path)
    queries = ["Ünïcödé", "ünïcödé", "café", "Café", "日本語", "Rocket", "a🚀b", "𝔸𝔹ℂ", "𝔸*", "ℌ𝔢𝔩𝔩𝔬~1"]
    results = run_node(unicode_site, queries, whole)["results"]
    assert results["Ünïcödé"]["titles"][0] == UNICODE_TITLES["unicode"]
    assert results["ünïcödé"]["titles"][0] == UNICODE_TITLES["unicode"]
    assert results["café"]["titles"] == [UNICODE_TITLES["unicode"]]
    assert results["Café"]["titles"] == [UNICODE_TITLES["unicode"]]
    assert results["日本語"]["titles"] == [UNICODE_TITLES["cjk"]]
    assert results["Rocket"]["titles"] == [UNICODE_TITLES["emoji"]]
    assert results["a🚀b"]["titles"] == [UNICODE_TITLES["mixed"]]
    assert results["𝔸𝔹ℂ"]["titles"] == [UNICODE_TITLES["astral"]]
    for query in queries:
        assert results[query]["sharded"] == results[query]["whole"], query
    for query in ("Ünïcödé", "café", "日本語"):
        assert ranked(results[query]["sharded"]) == ranked(python_hits(whole, query.lower()))


# --- one word from its term's head -----------------------------------------------------------------

def head_terms(site: Path) -> list[str]:
    """The terms the site's heads are for (search/heads/)."""
    return [json.loads(path.read_bytes())[0] for path in sorted((site / "search" / "heads").glob("*.json"))]


def headed_results(folder: Path, skew: float = 1.0):
    """The shipped catalogue built with a head of 12 papers for every shard (HEAD_BYTES 0), each
    head's papers chosen with field averages `skew` times off (as far off as edits could move the
    catalogue's from those a head was chosen with), and the answers to one-word queries for every
    term a head is for, and of the generated kinds."""
    from generator.search import shards

    real = shards._bm25
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shards, "HEAD_BYTES", 0)
        patch.setattr(shards, "HEAD", 12)
        patch.setattr(shards, "_bm25", lambda idf, tf, length, averages, boosts: real(
            idf, tf, length, [a * skew ** (1 if f % 2 else -1) for f, a in enumerate(averages)], boosts))
        build(load_settings(None, PROJECT / "content"), folder / "site")
    site = folder / "site"
    whole = write_whole(site, folder)
    words = head_terms(site) + make_queries(site_texts(site), index_terms(site))["one word"]
    return words, run_node(site, list(dict.fromkeys(words)), whole)["results"]


@pytest.fixture(scope="module")
def headed(tmp_path_factory):
    return headed_results(tmp_path_factory.mktemp("headed"))


def test_a_one_word_query_shows_from_its_head_the_whole_index_best_hits_in_order_with_the_same_scores(headed):
    words, results = headed
    from_heads = [w for w in words if results[w]["partial"]]
    assert len(from_heads) > len(words) / 2, len(from_heads)
    for word in from_heads:
        entry = results[word]
        assert entry["page"] and entry["page"] == entry["whole"][:len(entry["page"])], word
        assert entry["total"] == len(entry["whole"]), word
        assert not any(f.startswith("search/shards/") for f in entry["fetched"]), word


def test_a_head_whose_papers_were_chosen_with_other_averages_still_shows_only_the_whole_index_best_hits(
        tmp_path):
    """An edit moves the field averages and leaves the heads of the terms it did not touch: the
    page trusts a head's papers only above the bound its points give with the averages of now."""
    words, results = headed_results(tmp_path, skew=4.0)
    assert sum(results[w]["partial"] for w in words) > 10
    for word in words:
        entry = results[word]
        if isinstance(entry["whole"], list):
            shown = entry["whole"][:len(entry["page"])] if entry["partial"] else entry["whole"]
            assert entry["page"] == shown, word


def test_a_one_word_query_the_head_cannot_vouch_for_gives_every_hit(headed):
    """A word whose head is another term's, or vouches for no paper, is searched whole."""
    words, results = headed
    whole = [w for w in words if not results[w]["partial"] and isinstance(results[w]["whole"], list)]
    assert whole  # (a word lunr.js cannot parse as typed, such as a link, is searched for its words)
    for word in whole:
        assert results[word]["page"] == results[word]["whole"], word


# --- 10,000 papers ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def large_site(tmp_path_factory) -> Path:
    """10,000 papers; the terms whose entries pass 64 KB have a head (as entries past HEAD_BYTES
    have at 100,000 papers)."""
    from benchmarks.make_catalogue import DEFAULT_SEEDS, make_capture
    from generator.ingest.merge import ingest
    from generator.search import shards

    root = tmp_path_factory.mktemp("large")
    (root / "capture.txt").write_text(make_capture(10_000, DEFAULT_SEEDS), encoding="utf-8")
    ingest([root / "capture.txt"], root / "content")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shards, "HEAD_BYTES", 64 * 1024)
        build(load_settings(None, root / "content"), root / "site")
    return root / "site"


@pytest.fixture(scope="module")
def large_results(large_site, tmp_path_factory):
    queries = make_queries(site_texts(large_site), index_terms(large_site), per_kind=14, seed=5)
    queries["common word"] = head_terms(large_site)
    words = [t for t in index_terms(large_site) if re.fullmatch("[a-z]+", t)]
    # a pasted abstract or three (300 words) and a pasted paper (1,000), from across the vocabulary
    queries["many words"] = [" ".join(words[::len(words) // n][:n]) for n in (300, 1000)]
    whole = write_whole(large_site, tmp_path_factory.mktemp("large-whole"))
    flat = [q for kind in [*KINDS, "common word", "many words"] for q in queries[kind]] + ["*", "learn*"]
    return queries, run_node(large_site, flat, whole, check_weights=True)


def test_on_10000_papers_every_weight_the_page_computes_equals_the_whole_index_weight(large_results):
    weights = large_results[1]["weights"]
    assert weights["checked"] == weights["expected"] > 500_000
    assert weights["wrongCount"] == 0, weights["wrong"]


EXPANDING = ("trailing *", "leading *", "inner *", "fuzzy ~1", "fuzzy ~2")


@pytest.mark.parametrize("kind", KINDS)
def test_on_10000_papers_sharded_search_gives_the_whole_index_hits_in_order(large_results, kind):
    queries, node = large_results
    refused = []
    for query in queries[kind]:
        entry = node["results"][query]
        assert "uncaught" not in entry, entry
        if entry["sharded"] is None:  # a wildcard or typo reaching too many words: the page says so
            refused.append(query)
            assert "too many words" in entry["message"]
        else:
            assert entry["sharded"] == entry["whole"], query
    assert len(refused) <= (2 if kind in EXPANDING else 0), refused
    if kind != "absent word":
        assert any(node["results"][q]["whole"] for q in queries[kind])


def test_on_10000_papers_a_wildcard_matching_everything_is_refused_with_a_message(large_results):
    entry = large_results[1]["results"]["*"]
    assert entry["sharded"] is None and entry["page"] == [] and "too many words" in entry["message"]
    assert entry["files"] <= 2  # the manifest and the vocabulary, no shard


def test_on_10000_papers_a_pasted_abstract_is_searched_and_a_pasted_paper_refused_with_a_message(large_results):
    """Words typed counted against the wildcards' limit (128 shards here): a query of about 130
    words was refused as "a short wildcard or a large ~ allowance"."""
    queries, node = large_results
    abstract, paper = (node["results"][q] for q in queries["many words"])
    assert abstract["sharded"] == abstract["whole"] and abstract["whole"] and abstract["page"]
    assert paper["sharded"] is None and paper["page"] == [] and paper["files"] <= 1  # the manifest alone
    assert paper["message"] == "That query has too many words to look up at once: keep the telling ones."


def test_on_10000_papers_a_one_word_query_fetches_a_sliver_of_the_index(large_results, large_site):
    queries, node = large_results
    everything = sum(len(data) for data in read_search_files(large_site).values())
    for query in queries["one word"]:
        assert node["results"][query]["gzip"] < everything / 50, query


def test_on_10000_papers_a_word_most_papers_hold_shows_its_best_hits_from_its_head_not_its_entry(large_results):
    queries, node = large_results
    assert len(queries["common word"]) >= 3
    for word in queries["common word"]:
        entry = node["results"][word]
        assert entry["partial"] and len(entry["page"]) >= 10, word
        assert entry["page"] == entry["whole"][:len(entry["page"])] and entry["total"] == len(entry["whole"]), word
        assert not any(f.startswith("search/shards/") for f in entry["fetched"]), word
        assert entry["gzip"] < entry["runGzip"], word  # ten results' files and the head, against the entry


def test_on_10000_papers_an_entry_larger_than_a_shard_is_first_in_its_shard(large_site):
    """So that a rare term sorting just before a common one never fetches the common one's postings."""
    from generator.search.shards import _json, shard_name

    manifest = json.loads((large_site / "search" / "manifest.json").read_text("utf-8"))
    large, followed = 0, 0
    for start in manifest["shards"]:
        entries = json.loads((large_site / "search" / "shards" / f"{shard_name(start)}.json").read_bytes())
        sizes = [len(_json(entry)) for entry in entries]
        large += sum(size > manifest["target"] for size in sizes)
        followed += sum(size > manifest["target"] for size in sizes[1:])
    assert large > 10 and followed == 0


def test_on_10000_papers_the_manifest_lists_the_shortest_start_of_each_shard(large_site):
    """A shard's start sorts after every term of the shard before it and at or before its own first
    term (so each term is found in its shard), and no shorter beginning would do."""
    from generator.search.shards import shard_name, utf16_order

    starts = json.loads((large_site / "search" / "manifest.json").read_text("utf-8"))["shards"]
    shards = [json.loads((large_site / "search" / "shards" / f"{shard_name(s)}.json").read_bytes()) for s in starts]
    for start, shard, before in zip(starts[1:], shards[1:], shards):
        first, previous = shard[0][0], utf16_order(before[-1][0])
        assert first.startswith(start) and utf16_order(start) > previous >= utf16_order(start[:-1])
    assert sum(map(len, starts)) < 0.9 * sum(len(shard[0][0]) for shard in shards)
