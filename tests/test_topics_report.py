"""`catalogue topics`: what the person keeping the taxonomy reads, on the shipped catalogue and on
one whose taxonomy lost a topic (its papers then need one, and the report says which)."""

from __future__ import annotations

import shutil
import tomllib

import pytest
from conftest import SHIPPED_CONTENT, run_cli

from generator.catalogue.groups import index_catalogue
from generator.catalogue.reader import read_papers
from generator.catalogue.taxonomy import Taxonomy, _topic


@pytest.fixture(scope="module")
def without_recommenders(tmp_path_factory):
    """The shipped catalogue, its taxonomy without the recommender-systems topic."""
    content = tmp_path_factory.mktemp("report") / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    blocks = (content / "topics.toml").read_text(encoding="utf-8").split("[[topic]]")
    kept = [b for b in blocks if 'slug = "recommendation"' not in b]
    assert len(kept) == len(blocks) - 1
    (content / "topics.toml").write_text("[[topic]]".join(kept), encoding="utf-8")
    return content


def test_each_topic_has_its_count_and_how_its_papers_got_there():
    result = run_cli("topics", "--content", str(SHIPPED_CONTENT))
    assert result.returncode == 0, result.stderr
    taxonomy, papers, _ = read_papers(SHIPPED_CONTENT)
    catalogue = index_catalogue(papers, taxonomy)
    lines = result.stdout.splitlines()
    for entry in catalogue.topics:
        line = next(line for line in lines if line.startswith(entry.topic.name + "  "))
        assert f"  {len(entry.papers)}  (" in line
        ways = [int(part.split()[0]) for part in line.split("(", 1)[1].rstrip(")").split(", ")]
        assert sum(ways) == len(entry.papers)  # every paper got there one way


def test_the_papers_in_the_catch_all_are_listed_with_their_nearest_topic():
    taxonomy, papers, _ = read_papers(SHIPPED_CONTENT)
    catalogue = index_catalogue(papers, taxonomy)
    other = [p for p in catalogue.papers if p.topics == [taxonomy.catch_all]]
    result = run_cli("topics", "--content", str(SHIPPED_CONTENT)).stdout
    assert f"## {taxonomy.catch_all.name}: {len(other)} paper(s)" in result
    for paper in other:
        assert f"- {paper.title} [{paper.slug}]; nearest topic: " in result


def test_each_paper_in_the_catch_all_says_which_condition_kept_it_out_of_its_nearest_topic():
    """Too weak a vote, or a vote strong enough but split between topics (or no topic near at
    all): the line says which, with the numbers placement decided on (the shipped catalogue has
    the first two kinds)."""
    from generator.catalogue import placement

    taxonomy, papers, _ = read_papers(SHIPPED_CONTENT)
    catalogue = index_catalogue(papers, taxonomy)
    lines = run_cli("topics", "--content", str(SHIPPED_CONTENT)).stdout.splitlines()
    kinds = set()
    for i, paper in enumerate(catalogue.papers):
        if paper.topics != [taxonomy.catch_all]:
            continue
        topic, weight, share = placement.vote(i, catalogue.papers, catalogue.nearness, taxonomy)
        line = next(line for line in lines if line.startswith(f"- {paper.title} [{paper.slug}]; "))
        if topic is None:
            assert line.endswith("no close paper has a topic")
        elif weight < placement.MIN_VOTE:
            kinds.add("weak")
            shown = line.rsplit("(vote ", 1)[1]
            assert line.endswith(f", {placement.MIN_VOTE} needed)") and f"nearest topic: {topic.name} (vote " in line
            assert abs(float(shown.split(",")[0]) - weight) < 0.01
        else:
            kinds.add("split")
            assert share <= placement.MIN_SHARE
            assert f"nearest topic: {topic.name} (vote {weight:.2f}, enough, but only {share:.0%} " in line
            assert line.endswith("split between topics)")
    assert kinds == {"weak", "split"}


def test_a_vote_just_under_the_threshold_never_reads_as_reaching_it():
    """Rounded to two decimals, a vote of 0.249 read "0.25, 0.25 needed": it gets the digits it needs."""
    from generator.catalogue import placement
    from generator.topics_report import _why_unplaced

    topic = _topic({"name": "Vision", "slug": "vision", "terms": ["image"]}, SHIPPED_CONTENT / "topics.toml", "topic")
    for weight, shown in [(0.14, "0.14"), (0.249, "0.249"), (0.2499996, "0.2499996"), (0.2451, "0.245")]:
        line = _why_unplaced(topic, weight, 0.9)
        assert line == f"nearest topic: Vision (vote {shown}, {placement.MIN_VOTE} needed)"
        assert float(shown) < placement.MIN_VOTE


def test_a_lost_topic_comes_back_as_a_suggestion_that_pastes_into_topics_toml(without_recommenders):
    """The recommender papers no term places any more are grouped, and the suggested terms,
    pasted into topics.toml, claim them (by the taxonomy's own matching)."""
    result = run_cli("topics", "--content", str(without_recommenders))
    assert result.returncode == 0, result.stderr
    suggestions = result.stdout.split("## Suggested topics:", 1)[1]
    pasted = tomllib.loads("\n".join(line for line in suggestions.splitlines()[1:] if not line.startswith("#")))
    assert pasted["topic"], suggestions
    taxonomy, papers, _ = read_papers(without_recommenders)
    catalogue = index_catalogue(papers, taxonomy)
    loose = [p for p in catalogue.papers if p.topics_by == "none" and "recommend" in p.title.lower()]
    assert len(loose) >= 3
    suggested = Taxonomy([_topic(raw, without_recommenders / "topics.toml", "suggestion") for raw in pasted["topic"]],
                         taxonomy.catch_all, taxonomy.min_abstract_hits)
    claimed = [p for p in loose if suggested.classify(p.title, p.text)]
    assert len(claimed) >= len(loose) - 1


def _reported_with_topic(source, tmp_path, slug: str, name: str, term: str):
    """A copy of `source` whose taxonomy has one more topic, and `catalogue topics` on it."""
    content = tmp_path / "content"
    shutil.copytree(source, content)
    taxonomy = content / "topics.toml"
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8") + f'\n[[topic]]\nslug = "{slug}"\nname = "{name}"\n'
                        f'terms = ["{term}"]\n', encoding="utf-8")
    return content, run_cli("topics", "--content", str(content)).stdout


def test_a_suggestion_never_takes_a_slug_or_name_a_topic_has_so_it_pastes_and_loads(tmp_path, without_recommenders):
    """A topic already called "recommend" (its terms on another subject): the suggestion for the
    recommender papers was `slug = "recommend"` too, and once pasted every command failed."""
    from generator.catalogue.taxonomy import load_taxonomy

    content, report = _reported_with_topic(without_recommenders, tmp_path, "recommend", "Recommend", "zyzzyva")
    taxonomy = content / "topics.toml"
    suggestions = report.split("## Suggested topics:", 1)[1]
    pasted = "\n".join(line for line in suggestions.splitlines()[1:] if not line.startswith("#"))
    assert 'slug = "recommend-2"' in pasted and 'name = "Recommend 2"' in pasted
    taxonomy.write_text(taxonomy.read_text(encoding="utf-8") + "\n" + pasted + "\n", encoding="utf-8")
    assert "recommend-2" in load_taxonomy(content).by_slug
    assert run_cli("build", "--content", str(content), "--out", str(tmp_path / "site")).returncode == 0


def test_the_report_writes_nothing(without_recommenders):
    before = {p: p.stat().st_mtime_ns for p in without_recommenders.rglob("*")}
    run_cli("topics", "--content", str(without_recommenders))
    assert {p: p.stat().st_mtime_ns for p in without_recommenders.rglob("*")} == before


@pytest.mark.parametrize("written", ['"zyzzyva"', "'zyzzyva'"], ids=["a basic string", "a literal string"])
def test_a_term_that_matches_no_paper_is_named_with_its_line(tmp_path, written):
    """A misspelt term places nothing: the report names it (check does not: a taxonomy written for
    a growing catalogue has terms waiting for papers on purpose). Written as TOML's literal string
    (`'zyzzyva'`), it was named at line None."""
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    taxonomy = content / "topics.toml"
    text = taxonomy.read_text(encoding="utf-8").replace('"hyperfitting",', f'"hyperfitting", {written},')
    taxonomy.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.split("\n"), 1) if "zyzzyva" in row)
    report = run_cli("topics", "--content", str(content)).stdout
    named = next(row for row in report.splitlines() if "'zyzzyva'" in row)
    assert named.startswith(f"{taxonomy}:{line}: Repetition in generation: ")
    assert "'hyperfitting'" not in named  # it places a paper
    assert run_cli("check", "--content", str(content), "--strict").returncode == 0


def test_a_topic_no_paper_has_yet_is_in_the_table_with_none(tmp_path):
    """A topic just added, before any paper has its words, was left out of the table."""
    _, report = _reported_with_topic(SHIPPED_CONTENT, tmp_path, "graphs", "Graph learning", "zyzzyva graph")
    table = report.split("\n\n## ", 1)[0].splitlines()
    assert any(row.startswith("Graph learning") and row.split()[-1] == "0" for row in table), table
