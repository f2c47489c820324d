"""Topics that hold on papers nobody wrote a term for: a paper no term places takes the topic its
closest papers share, if they are close enough (catalogue.placement), on the shipped catalogue."""

from __future__ import annotations

import random
import shutil

import pytest
from conftest import SHIPPED_CONTENT, write_paper

from generator.catalogue import placement
from generator.catalogue.groups import index_catalogue
from generator.catalogue.nearness import Nearness
from generator.catalogue.reader import read_papers


@pytest.fixture(scope="module")
def catalogue():
    taxonomy, papers, _ = read_papers(SHIPPED_CONTENT)
    return index_catalogue(papers, taxonomy)


def test_neighbours_give_a_paper_placed_by_terms_one_of_its_own_topics_nine_times_in_ten(catalogue):
    """Each paper the terms placed, taken out of the taxonomy's view: the topic its neighbours vote
    for (when they are close enough to vote) is one its terms gave it. The reference is the terms."""
    papers, taxonomy = catalogue.papers, catalogue.taxonomy
    nearness = Nearness.build(papers)
    given, right = 0, 0
    by_terms = [i for i, p in enumerate(papers) if p.topics_by == "terms"]
    for i in by_terms:
        topic, weight, share = placement.vote(i, papers, nearness, taxonomy)
        if topic is not None and weight >= placement.MIN_VOTE and share > placement.MIN_SHARE:
            given += 1
            right += topic.slug in {t.slug for t in papers[i].topics}
    assert len(by_terms) > 100
    assert right / given >= 0.9
    assert given / len(by_terms) >= 0.6, "most papers are close enough to a topic to be placed"


def test_a_paper_no_term_places_is_placed_by_its_neighbours_and_says_how(catalogue):
    placed = [p for p in catalogue.papers if p.topics_by == "none" and p.slug in catalogue.placed]
    assert placed
    for paper in placed:
        assert paper.topics == catalogue.placed[paper.slug] and paper.topics[0] is not catalogue.taxonomy.catch_all
        listed = next(e for e in catalogue.topics if e.topic.slug == paper.topics[0].slug).papers
        assert paper in listed


def test_a_paper_far_from_every_topic_stays_in_the_catch_all(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    write_paper(content, "far-away", "Sourdough Hydration Ratios", "Crumb structure of rye loaves baked at altitude.")
    taxonomy, papers, _ = read_papers(content)
    catalogue = index_catalogue(papers, taxonomy)
    far = next(p for p in catalogue.papers if p.slug == "far-away")
    assert far.topics == [taxonomy.catch_all]
    assert far in catalogue.topics[-1].papers and catalogue.topics[-1].topic == taxonomy.catch_all


def test_a_persons_topics_win_over_the_neighbours(tmp_path, catalogue):
    slug = sorted(catalogue.placed)[0]
    content = tmp_path / "content"
    shutil.copytree(SHIPPED_CONTENT, content)
    page = content / "papers" / f"{slug}.md"
    page.write_text(page.read_text(encoding="utf-8").replace("title: ", "topics: [Other]\ntitle: ", 1), encoding="utf-8")
    taxonomy, papers, _ = read_papers(content)
    again = index_catalogue(papers, taxonomy)
    paper = next(p for p in again.papers if p.slug == slug)
    assert paper.topics_by == "hand" and [t.slug for t in paper.topics] == ["other"] and slug not in again.placed


def test_placement_does_not_depend_on_the_order_papers_are_read(catalogue):
    taxonomy, papers, _ = read_papers(SHIPPED_CONTENT)
    random.Random(5).shuffle(papers)
    shuffled = index_catalogue(papers, taxonomy)
    assert {p.slug: [t.slug for t in p.topics] for p in shuffled.papers} == \
        {p.slug: [t.slug for t in p.topics] for p in catalogue.papers}


def test_papers_placed_by_neighbours_do_not_vote(catalogue):
    """Else a placement could feed the next one, and voting again would change the result: every
    vote is the same whether the papers placed by neighbours hold their topics or not yet."""
    papers, taxonomy = catalogue.papers, catalogue.taxonomy
    nearness = Nearness.build(papers)
    placed = [p for p in papers if p.slug in catalogue.placed]
    voted_on = [i for i in range(len(papers)) if {j for j, _ in nearness.closest(i, placement.VOTERS)}
                & {papers.index(p) for p in placed}]
    assert voted_on, "some paper has a placed paper among its closest"
    after = [placement.vote(i, papers, nearness, taxonomy) for i in voted_on]
    for paper in placed:
        paper.topics = [taxonomy.catch_all]
    try:
        before = [placement.vote(i, papers, nearness, taxonomy) for i in voted_on]
    finally:
        for paper in placed:
            paper.topics = catalogue.placed[paper.slug]
    assert after == before
