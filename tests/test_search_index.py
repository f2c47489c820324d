"""The prebuilt lunr index, loaded by the real lunr.js 2.3.9 in Node and compared with lunr.py."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT, write_paper
from generator.build import build
from generator.search_index import load_index
from generator.settings import load_settings

QUERY_JS = PROJECT / "tests" / "js" / "query.js"

# Plain lunr syntax both lunrs accept, so their answers can be compared one for one.
AGREEING_QUERIES = [
    "repetition loop", "continual learning", "reward model", "forgetting", "title:forgetting",
    "+continual -forgetting", "distil*", "forgeting~1", "NVIDIA", "sparse^10 attention", "retrieval augmented generation",
    "bandit regret", "kv cache", "code generation", "models?", "(e.g.,", "memorization", "*ing", "-reward",
]
ODD_INPUTS = ["LLaMA: open", "models?", "GPT-4", "~", "^2", "title:", "🚀", "*", "+", "-", ":", "a:b:c",
              "title:^", "\"quoted\"", "~1 ~2", "   ", "((", "\\", "foo^bar", "x~y"]


def run_node(site: Path, queries: list[str]) -> dict:
    result = subprocess.run(["node", str(QUERY_JS), str(site)], input=json.dumps(queries), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def python_hits(site: Path, query: str) -> list[tuple[str, float]]:
    index = load_index(json.loads((site / "search" / "index.json").read_text(encoding="utf-8")))
    return [(hit["ref"], hit["score"]) for hit in index.search(query)]


def ranked(hits) -> list[tuple[str, float]]:
    """Hits as (ref, score to 6 places), in rank order; equal scores by ref, as order among ties is free."""
    return sorted(((str(ref), round(score, 6)) for ref, score in hits), key=lambda h: (-h[1], h[0]))


@pytest.fixture(scope="module")
def node_results(shipped_site):
    return run_node(shipped_site, AGREEING_QUERIES + ODD_INPUTS + ["repetition loop"])


def test_stock_lunr_js_2_3_9_loads_the_index_as_it_is(node_results, shipped_site):
    assert node_results["lunrVersion"] == "2.3.9"
    index = json.loads((shipped_site / "search" / "index.json").read_text(encoding="utf-8"))
    assert index["version"] == "2.3.9"
    assert set(index["pipeline"]) <= {"trimmer", "stemmer", "stopWordFilter"}
    assert [f for f in index["fields"]] == ["title", "abstract", "topics", "organisation"]


@pytest.mark.parametrize("query", AGREEING_QUERIES)
def test_lunr_js_and_lunr_py_find_the_same_papers_with_the_same_scores(node_results, shipped_site, query):
    from_js = node_results["results"][query]["raw"]
    from_py = python_hits(shipped_site, query)
    assert ranked(from_js) == ranked(from_py)
    assert from_py or query in ("-reward",), f"{query!r} found nothing"


def test_a_title_query_ranks_the_paper_first(node_results):
    assert node_results["results"]["repetition loop"]["titles"][0].startswith("Learning to Break the Loop")


def test_punctuation_in_a_query_is_trimmed_on_both_sides(node_results, shipped_site):
    with_mark = node_results["results"]["models?"]["raw"]
    assert with_mark and ranked(with_mark) == ranked(python_hits(shipped_site, "models"))


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
    titles = node_results["results"]["LLaMA: open"]["titles"]
    assert titles and all("error" not in t for t in titles)
    assert any("open" in t.lower() for t in titles[:5])
    assert node_results["results"]["LLaMA: open"]["raw"] == {"error": "QueryParseError"}


def test_a_hyphenated_query_finds_what_the_hyphenated_text_holds(node_results):
    titles = node_results["results"]["GPT-4"]["titles"]
    assert titles  # "GPT-4" is split like the text was: "gpt" and "4"


def test_the_index_is_small_per_paper(shipped_site):
    raw = (shipped_site / "search" / "index.json").read_bytes()
    docs = (shipped_site / "search" / "papers.json").read_bytes()
    index = json.loads(raw)
    # refs are ordinals, not slugs: the ref is repeated in every posting
    assert all(ref.split("/")[1].isdigit() for ref, _ in index["fieldVectors"])
    assert len(gzip.compress(raw + docs)) / 139 < 1500


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
    terms = [t for t, _ in json.loads((unicode_site / "search" / "index.json").read_text())["invertedIndex"]]
    assert any(ord(c) > 0xFFFF for t in terms for c in t), "the test catalogue should index astral characters"
    assert terms == sorted(terms, key=lambda t: t.encode("utf-16-be"))
    assert terms != sorted(terms), "Python's order differs here, so the fix is exercised"


def test_lunr_js_loads_and_finds_non_ascii_and_emoji_titles(unicode_site):
    results = run_node(unicode_site, ["Ünïcödé", "ünïcödé", "café", "Café", "日本語", "Rocket", "a🚀b", "𝔸𝔹ℂ"])["results"]
    assert results["Ünïcödé"]["titles"][0] == UNICODE_TITLES["unicode"]
    assert results["ünïcödé"]["titles"][0] == UNICODE_TITLES["unicode"]
    assert results["café"]["titles"] == [UNICODE_TITLES["unicode"]]
    assert results["Café"]["titles"] == [UNICODE_TITLES["unicode"]]
    assert results["日本語"]["titles"] == [UNICODE_TITLES["cjk"]]
    assert results["Rocket"]["titles"] == [UNICODE_TITLES["emoji"]]
    assert results["a🚀b"]["titles"] == [UNICODE_TITLES["mixed"]]
    assert results["𝔸𝔹ℂ"]["titles"] == [UNICODE_TITLES["astral"]]
    for query in ("Ünïcödé", "café", "日本語"):
        assert ranked(results[query]["raw"]) == ranked(python_hits(unicode_site, query.lower()))


# --- our builder against lunr.py's -------------------------------------------------------------

def test_our_index_builder_writes_exactly_what_lunr_py_writes_for_the_shipped_catalogue():
    from conftest import SHIPPED_CONTENT
    from generator.catalogue import load_catalogue
    from generator.search_index import build_search, reference_index

    catalogue = load_catalogue(SHIPPED_CONTENT)
    ours = build_search(catalogue).index
    assert json.dumps(ours) == json.dumps(reference_index(catalogue))


def test_our_index_builder_matches_lunr_py_on_unicode_empty_fields_and_a_synthetic_catalogue(tmp_path, unicode_site):
    from benchmarks.make_catalogue import DEFAULT_SEEDS, make_capture
    from generator.catalogue import load_catalogue
    from generator.ingest import ingest
    from generator.search_index import build_search, reference_index

    capture = tmp_path / "synthetic.txt"
    capture.write_text(make_capture(600, DEFAULT_SEEDS), encoding="utf-8")
    ingest([capture], tmp_path / "content")
    write_paper(tmp_path / "content", "empty-body", "Only A Title", "")
    for slug, title in UNICODE_TITLES.items():
        write_paper(tmp_path / "content", slug, title, f"{title} 😀 ℌ𝔢𝔩𝔩𝔬")
    catalogue = load_catalogue(tmp_path / "content")
    assert len(catalogue.papers) == 606
    assert json.dumps(build_search(catalogue).index) == json.dumps(reference_index(catalogue))
