"""Plain words must all match, as in a web search engine; lunr's own syntax keeps its meaning.
Checked with the real lunr.js on the shipped site: the page's hits for plain words are lunr's hits
for the same words each marked required (+), stop words left out, written out here by hand."""

from __future__ import annotations

import pytest
from lunr.stop_word_filter import WORDS as STOP_WORDS
from test_search import ranked, run_node, write_whole

PLAIN = ["reinforcement learning from human feedback", "continual learning", "kv cache",
         "reward model overoptimization", "catastrophic forgetting in language models"]
NO_PAPER_HAS_ALL = "zebra giraffe forgetting"
SYNTAX = ["+continual -forgetting", "title:memory", "distil*", "forgeting~1"]


def required(query: str) -> str:
    return " ".join("+" + word for word in query.split() if word.lower() not in STOP_WORDS)


@pytest.fixture(scope="module")
def results(shipped_site, tmp_path_factory):
    whole = write_whole(shipped_site, tmp_path_factory.mktemp("every-word"))
    queries = PLAIN + [required(q) for q in PLAIN] + [NO_PAPER_HAS_ALL, "LLaMA: open", *SYNTAX]
    return run_node(shipped_site, queries, whole)["results"]


@pytest.mark.parametrize("query", PLAIN)
def test_plain_words_find_the_papers_holding_every_one_ranked_as_lunr_ranks_them(results, query):
    page, reference = results[query], results[required(query)]
    assert page["page"] and ranked(page["page"]) == ranked(reference["whole"])
    assert len(page["page"]) < len(page["whole"])  # fewer than lunr's any-word reading
    assert page["message"] == ""


def test_rlhf_no_longer_returns_most_of_the_catalogue(results):
    entry = results["reinforcement learning from human feedback"]
    assert len(entry["whole"]) > 80 and len(entry["page"]) <= 15


def test_when_no_paper_has_every_word_any_word_is_used_and_the_page_says_so(results):
    entry = results[NO_PAPER_HAS_ALL]
    assert entry["page"] and ranked(entry["page"]) == ranked(entry["whole"])
    assert "No paper has every word" in entry["message"]


def test_a_query_lunr_cannot_read_says_which_words_it_searched_for(results):
    assert "“LLaMA open”" in results["LLaMA: open"]["message"]


@pytest.mark.parametrize("query", SYNTAX)
def test_lunr_syntax_keeps_its_meaning(results, query):
    entry = results[query]
    assert ranked(entry["page"]) == ranked(entry["whole"]) and entry["message"] == ""
