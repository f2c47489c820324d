"""An edit redoes only what it can change, and gives the very arrays a whole build gives: checked
on the shipped catalogue and a synthetic one of 1,000 papers, for edits of words, titles and
several papers at once, the reference being Nearness.build on the edited papers."""

from __future__ import annotations

import copy
import random
import subprocess
import sys

import numpy as np
import pytest
from conftest import PROJECT, SHIPPED_CONTENT, run_cli

from generator.catalogue import nearness as nearness_module
from generator.catalogue.nearness import Nearness
from generator.catalogue.reader import read_papers


@pytest.fixture(scope="module")
def shipped():
    return read_papers(SHIPPED_CONTENT)[1]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nearness")
    capture = folder / "capture.txt"
    subprocess.run([sys.executable, str(PROJECT / "benchmarks" / "make_catalogue.py"), "1000", str(capture)],
                   check=True, capture_output=True)
    assert run_cli("ingest", "--content", str(folder / "content"), "--quiet", str(capture)).returncode == 0
    return read_papers(folder / "content")[1]


def reworded(paper, text: str, title: str | None = None):
    """The paper read again after a person changed its words."""
    new = copy.copy(paper)
    new.__dict__["derived"] = {}
    new.text, new.title = text, title if title is not None else paper.title
    return new


def assert_same(a: Nearness, b: Nearness) -> None:
    assert a.slugs == b.slugs
    assert np.array_equal(a.near, b.near) and np.array_equal(a.score, b.score)  # exact, not close
    for x, y in zip((*a.bags, *a.df, *a.vectors), (*b.bags, *b.df, *b.vectors)):
        assert np.array_equal(x, y)


def edits(papers, seed: int):
    """1 to 3 papers reworded: sentences of another paper added, some of their own dropped, a title changed."""
    rng = random.Random(seed)
    after = list(papers)
    changed = rng.sample(range(len(papers)), rng.randint(1, 3))
    for i in changed:
        own = papers[i].text.split(". ")
        other = papers[rng.randrange(len(papers))].text.split(". ")
        text = ". ".join(own[: max(1, len(own) // 2)] + other[: rng.randint(0, 3)])
        after[i] = reworded(papers[i], text, papers[i].title + " Revisited" if rng.random() < 0.3 else None)
    return after, changed


@pytest.mark.parametrize("seed", range(8))
def test_an_edit_gives_what_building_again_gives_on_the_shipped_catalogue(shipped, monkeypatch, seed):
    monkeypatch.setattr(nearness_module, "EDIT_SHARE", 1.0)  # never fall back to building whole
    before = Nearness.build(shipped)
    after, changed = edits(shipped, seed)
    assert_same(before.edited(after, changed), Nearness.build(after))


@pytest.mark.parametrize("seed", range(4))
def test_an_edit_gives_what_building_again_gives_on_a_thousand_papers(synthetic, seed):
    before = Nearness.build(synthetic)
    after, changed = edits(synthetic, seed)
    edited = before.edited(after, changed)
    assert_same(edited, Nearness.build(after))


def test_edits_one_after_another_give_what_building_again_gives(zipf_papers, monkeypatch):
    """As a long-lived process (serve) makes them: each edit starts from the last one's nearness,
    whose new rows are not yet copied into whole arrays, and holds each paper's words as it is now."""
    monkeypatch.setattr(nearness_module, "EDIT_SHARE", 1.0)  # never fall back to building whole
    nearness, papers = Nearness.build(zipf_papers), list(zipf_papers)
    for step in range(3):
        changed = [97 * step, 97 * step + 13]
        before, papers = papers, list(papers)
        for i in changed:
            papers[i] = reworded(papers[i], f"{papers[i].text} w{5990 - step}x zq{step}x")
        nearness = nearness.edited(papers, changed)
        assert isinstance(nearness._bags, nearness_module._Patched) and nearness._bags._whole is None
        assert all(nearness.holds(i, papers[i]) for i in [*range(0, len(papers), 7), *changed])
        assert not any(nearness.holds(i, before[i]) for i in changed)
    assert_same(nearness, Nearness.build(papers))


@pytest.fixture(scope="module")
def zipf_papers():
    """800 papers of words drawn as in real text (Zipf's law over 6,000 words): most terms are
    rare, so an edit moves few of them and most rows are merged rather than worked out again."""
    from generator.catalogue.paper import Paper

    rng = random.Random(11)
    words = [f"w{r:04d}x" for r in range(6000)]
    weights = [1 / (r + 1) ** 1.1 for r in range(6000)]
    text = lambda k, common=0: " ".join(rng.choices(words[common:], weights[common:], k=k))  # noqa: E731
    return [Paper(slug=f"p{i:04d}", title=text(6, 50), date=None, body_html="", text=text(90), source=f"p{i}.md")
            for i in range(800)]


@pytest.mark.parametrize("budget", [nearness_module.MERGE_BUDGET, 2_000])
def test_an_edit_merges_most_rows_and_still_gives_what_building_again_gives(zipf_papers, monkeypatch, budget):
    """New rare title words, a few words added, most of an abstract cut: 1 to 3 papers at a time.
    Rows whose list loses an edited paper with nothing sure to replace it are worked out whole.
    With a small budget the new scores are summed a few touched papers at a time: the same arrays."""
    monkeypatch.setattr(nearness_module, "MERGE_BUDGET", budget)
    merged = []
    real = nearness_module._merge_columns
    monkeypatch.setattr(nearness_module, "_merge_columns",
                        lambda near, score, touched, *a: merged.append(len(r := real(near, score, touched, *a))) or r)
    before = Nearness.build(zipf_papers)
    for seed in range(10):
        rng = random.Random(seed)
        after, changed = list(zipf_papers), rng.sample(range(len(zipf_papers)), rng.randint(1, 3))
        for i in changed:
            paper, kind = zipf_papers[i], rng.choice(["title", "append", "cut"])
            if kind == "title":
                after[i] = reworded(paper, paper.text, " ".join(f"z{rng.randrange(10**6)}q" for _ in range(6)))
            elif kind == "append":
                after[i] = reworded(paper, paper.text + " w0300x w0700x w1200x w1900x")
            else:
                after[i] = reworded(paper, " ".join(paper.text.split()[:30]))
        assert_same(before.edited(after, changed), Nearness.build(after))
    assert len(merged) >= 5, "most edits are merged, not built again"
    assert any(merged), "some rows were unsure and worked out whole"


def test_an_edit_of_a_thousand_papers_redoes_a_part_of_them(synthetic, monkeypatch):
    """The point of it: most rows are merged, not worked out again."""
    worked = []
    real = nearness_module._rows
    monkeypatch.setattr(nearness_module, "_rows", lambda rows, *a, **k: worked.append(len(rows)) or real(rows, *a, **k))
    before = Nearness.build(synthetic)
    worked.clear()
    after = list(synthetic)
    after[500] = reworded(synthetic[500], synthetic[500].text + " A further sentence on quantised kernels.")
    assert_same(before.edited(after, [500]), Nearness.build(after))
    assert worked[0] < len(synthetic) / 4


def test_an_edit_that_moves_a_terms_idf_a_step_redoes_every_paper_holding_it(zipf_papers, monkeypatch):
    """Papers take a word one edit after another until its idf moves a step (see _idf): then every
    paper holding it has a new vector, and the edit still gives what building again gives."""
    touched = []
    real = nearness_module._merge_columns
    monkeypatch.setattr(nearness_module, "_merge_columns",
                        lambda near, score, papers, *a: touched.append(len(papers)) or real(near, score, papers, *a))
    word = "w0300x"  # in a few dozen papers: kept, unlike the commonest words (MIN_DF_CAP)
    holding = [word in p.text.split() or word in p.title.split() for p in zipf_papers]
    assert 2 <= sum(holding) < nearness_module.MIN_DF_CAP
    step = lambda df: nearness_module._idf(np.array([df]), len(zipf_papers))[0]  # noqa: E731
    before, after, holders = Nearness.build(zipf_papers), list(zipf_papers), sum(holding)
    for i in [i for i, held in enumerate(holding) if not held]:
        after[i] = reworded(after[i], after[i].text, f"{after[i].title} {word}")
        edited = before.edited(after, [i])
        if step(holders + 1) != step(holders):
            assert touched[-1] > holders  # every paper holding it, and the one edited
            assert_same(edited, Nearness.build(after))
            return
        before, holders = edited, holders + 1
    raise AssertionError("the idf never moved a step")


def test_papers_in_another_order_have_the_same_nearness(shipped):
    shuffled = list(shipped)
    random.Random(2).shuffle(shuffled)
    assert_same(Nearness.build(shipped).renumbered([p.slug for p in shuffled]), Nearness.build(shuffled))


@pytest.mark.parametrize("papers", ["synthetic", "zipf_papers"])
@pytest.mark.parametrize("seed", range(3))
def test_related_lists_redone_only_where_nearness_moved_equal_lists_redone_whole(request, papers, seed):
    """An edit redoes the related lists of the papers `depending` names; every other list must be
    the one it had (what a whole build gives for them)."""
    from generator.catalogue.related import depending, related_papers

    papers = request.getfixturevalue(papers)
    before = Nearness.build(papers)
    after, changed = edits(papers, seed)
    edited = before.edited(after, changed)
    rows = depending(before, edited)
    redone = related_papers(after, nearness=edited, rows=rows)
    kept = related_papers(papers, nearness=before)
    whole = related_papers(after, nearness=edited)
    slugs = lambda found: [p.slug for p in found]  # noqa: E731
    assert {s: slugs(redone.get(s, kept[s])) for s in whole} == {s: slugs(found) for s, found in whole.items()}


def test_a_word_no_other_paper_has_redoes_the_related_lists_of_no_other_paper(synthetic):
    """Such a word weighs nothing (a term in one paper finds no neighbour): nothing moves."""
    from generator.catalogue.related import depending

    before = Nearness.build(synthetic)
    after = list(synthetic)
    after[500] = reworded(synthetic[500], synthetic[500].text + " Zyxwvutq.")
    assert list(depending(before, before.edited(after, [500]))) == []


def test_a_list_is_redone_when_a_paper_it_borrows_neighbours_from_moved():
    """Paper 0's own neighbours stay, but its closest paper (1) has new neighbours, which 0's list
    borrows from (pseudo-relevance feedback): 0 is redone; 3, borrowing from nobody who moved, is not."""
    from generator.catalogue.related import depending

    near = np.array([[1, 2, -1], [0, 2, -1], [0, 1, -1], [2, -1, -1]])
    score = np.array([[0.9, 0.5, 0.0], [0.9, 0.4, 0.0], [0.5, 0.4, 0.0], [0.2, 0.0, 0.0]])
    before = Nearness(["a", "b", "c", "d"], near, score, None, None)
    after_near = near.copy()
    after_near[1] = [0, 3, -1]
    after = Nearness(before.slugs, after_near, score, None, None)
    assert list(depending(before, after)) == [0, 1, 2]


def test_vectors_and_rows_worked_out_on_every_core_equal_those_worked_out_in_one_process(synthetic, monkeypatch):
    from generator.utils import parallel

    monkeypatch.setattr(nearness_module, "PARALLEL_FROM", 10**9)
    alone = Nearness.build(synthetic)
    monkeypatch.setattr(nearness_module, "PARALLEL_FROM", 1)
    forked = []
    real = parallel.Chunked.results
    monkeypatch.setattr(parallel.Chunked, "results", lambda self: forked.append(self.pool is not None) or real(self))
    assert_same(Nearness.build(synthetic), alone)
    assert forked == [parallel.workers() > 1] * 2  # the vectors, then the rows


def test_vectors_worked_out_a_share_of_the_papers_at_a_time_equal_vectors_worked_out_at_once(shipped, monkeypatch):
    monkeypatch.setattr(nearness_module, "VECTOR_CHUNK", 10**9)
    at_once = Nearness.build(shipped)
    monkeypatch.setattr(nearness_module, "VECTOR_CHUNK", 7)  # 139 papers: 19 whole shares and a short one
    assert_same(Nearness.build(shipped), at_once)


@pytest.mark.parametrize("papers", ["shipped", "synthetic"])
def test_each_papers_nearest_are_the_best_dot_products_of_its_query_terms_with_the_others_vectors(request, papers):
    """The reference is plain arithmetic: dense vectors over the terms, a matrix product, a sort.
    (It also catches a build that changes its own vectors while scoring them.)"""
    papers = request.getfixturevalue(papers)[:400]
    built = Nearness.build(papers)
    start, key, weight = built.vectors
    terms = {k: i for i, k in enumerate(np.unique(key).tolist())}
    held = np.zeros((len(papers), len(terms)))
    for i in range(len(papers)):
        for k, w in zip(key[start[i]:start[i + 1]].tolist(), weight[start[i]:start[i + 1]].tolist()):
            held[i, terms[k]] = w
    asks = np.zeros_like(held)
    for i in range(len(papers)):
        strongest = key[start[i]:start[i + 1]][:nearness_module.QUERY]
        for k, w in zip(strongest.tolist(), weight[start[i]:start[i] + len(strongest)].tolist()):
            asks[i, terms[k]] = w
    scores = asks @ held.T
    np.fill_diagonal(scores, 0.0)
    rank = nearness_module.slug_rank([p.slug for p in papers])
    for i in range(len(papers)):
        order = [j for j in np.lexsort((rank, -np.round(scores[i], 12))) if scores[i, j] > 1e-12][:nearness_module.NEAR]
        assert built.near[i, :len(order)].tolist() == order
        assert np.allclose(built.score[i, :len(order)], scores[i, order], rtol=0, atol=1e-12)


def test_a_nearness_holds_a_paper_read_again_with_the_same_words_and_not_one_reworded(shipped):
    """holds() says whether an edit left a paper's terms (so its related lists) as they were."""
    built = Nearness.build(shipped)
    same = reworded(shipped[3], shipped[3].text)
    changed = reworded(shipped[3], shipped[3].text + " Quantum annealing of sparse tensors.")
    assert built.holds(3, same) and not built.holds(3, changed) and not built.holds(4, same)


def test_a_nearness_set_aside_in_a_file_keeps_the_same_arrays_and_edits_alike(shipped, tmp_path):
    """set_aside moves the arrays an edit needs into a file, mapped: equal, and an edit after it
    gives what an edit of the nearness in memory gives."""
    in_memory, aside = Nearness.build(shipped), Nearness.build(shipped)
    aside.set_aside(tmp_path)
    assert_same(aside, in_memory)
    assert not aside.bags[1].flags.writeable  # mapped from the file, not copied back
    assert list(tmp_path.iterdir()) == []  # the file has no name: nothing is left behind
    after = list(shipped)
    after[7] = reworded(shipped[7], "Retrieval augmented generation with sparse attention for long documents.")
    assert_same(aside.edited(after, [7]), in_memory.edited(after, [7]))


@pytest.mark.parametrize("kind", ["whole counts", "a count that is not whole", "papers past 16 bits"])
def test_each_papers_terms_ordered_by_rank_of_weight_are_in_lexsorts_order(kind):
    """Ties keep the order given (a paper's keys come sorted); a count that is not whole, or more
    papers than 16 bits number, take lexsort itself."""
    rng = np.random.default_rng(11)
    papers = 70_000 if kind == "papers past 16 bits" else 300
    doc = np.sort(rng.integers(0, papers, 40_000))
    tfs = rng.choice([1.0, 2.0, 3.0, 4.0, 6.0, 9.0, 12.0], len(doc))
    if kind == "a count that is not whole":
        tfs[5] = 2.5
    idf = np.round((np.log((1001) / (rng.integers(2, 100, len(doc)) + 1)) + 1) / nearness_module.IDF_STEP) \
        * nearness_module.IDF_STEP
    weight = (1 + np.log(tfs)) * idf
    assert len(np.unique(weight)) < len(weight) / 50, "ties: most entries share their weight with others"
    order = nearness_module._strongest_first(doc, papers, tfs, idf, weight)
    assert np.array_equal(order, np.lexsort((-weight, doc)))


def test_term_places_found_by_hashing_are_those_a_binary_search_finds():
    """Keys colliding in the table's low bits included; a key not among them is found nowhere."""
    rng = np.random.default_rng(3)
    known = np.unique(np.concatenate([rng.integers(-2**62, 2**62, 5000), np.arange(40) * 2**20 + 7]))
    table = nearness_module._key_table(known)
    keys = rng.choice(known, 20000)
    assert np.array_equal(nearness_module._key_places(known, keys, table), np.searchsorted(known, keys))
    absent = np.setdiff1d(np.concatenate([rng.integers(-2**62, 2**62, 5000), np.arange(40, 80) * 2**20 + 7]), known)
    assert (nearness_module._key_places(known, absent, table) == -1).all()


@pytest.mark.parametrize("chunk", [7, 1 << 17])
@pytest.mark.parametrize("sought", [40, 6000], ids=["a 16-bit table", "a larger table"])
def test_the_keys_found_among_some_terms_are_those_np_isin_finds(chunk, sought):
    """Looked up a share at a time, keys colliding in the table's low bits included; few known
    keys (a table of 16 bits, read from a view of the keys) and many (a table of more)."""
    rng = np.random.default_rng(4)
    keys = np.concatenate([rng.integers(-2**62, 2**62, 9000), np.arange(60) * 2**20 + 5])
    known = np.unique(np.concatenate([rng.choice(keys, sought, replace=False), np.arange(0, 60, 3) * 2**20 + 5]))
    found = nearness_module._among(known, keys, chunk=chunk)
    assert found.tolist() == np.flatnonzero(np.isin(keys, known)).tolist() and len(found) >= 60


@pytest.mark.parametrize("key_type, known_type", [(np.int32, np.int32), (np.int16, np.int16), (np.int8, np.int8),
                                                   (np.int64, np.int32), (np.uint64, np.uint64)])
def test_keys_of_any_integer_type_are_found_among_some_terms_as_np_isin_finds(key_type, known_type):
    """Term keys are int64 today; keys of another width, or of two types, are still found exactly
    (a 16-bit lane of one type is not the same bits as that of another)."""
    rng = np.random.default_rng(5)
    info = np.iinfo(known_type)
    keys = rng.integers(max(info.min, np.iinfo(key_type).min), min(info.max, np.iinfo(key_type).max), 3000,
                        dtype=key_type, endpoint=True)
    known = np.unique(rng.choice(keys, 50).astype(known_type))
    found = nearness_module._among(known, keys)
    assert found.tolist() == np.flatnonzero(np.isin(keys, known)).tolist() and len(found) >= len(known) > 20
