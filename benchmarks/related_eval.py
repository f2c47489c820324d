"""nDCG@5 of "related papers" against hand-made relevance judgements (benchmarks/relevance/).

    .venv/bin/python benchmarks/related_eval.py [--judgements FILE] [--content DIR]

Prints, per method and per split (tune: what the choices were tuned on; heldout: never looked at
while tuning), the mean nDCG@5 with graded gains (2 = same narrow problem, 1 = same sub-area).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from generator.catalogue import nearness, related  # noqa: E402
from generator.catalogue.groups import index_catalogue  # noqa: E402
from generator.catalogue.reader import read_papers  # noqa: E402


def ndcg(ranked: list[str], gains: dict[str, int], k: int = 5) -> float:
    dcg = sum(gains.get(slug, 0) / math.log2(i + 2) for i, slug in enumerate(ranked[:k]))
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(gains.values(), reverse=True)[:k]))
    return dcg / ideal if ideal else 0.0


@contextmanager
def settings(**values):
    """Set the module constants named (in catalogue.related or catalogue.nearness) for a while."""
    where = {k: related if hasattr(related, k) else nearness for k in values}
    old = {k: getattr(where[k], k) for k in values}
    for k, v in values.items():
        setattr(where[k], k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(where[k], k, v)


def fresh(papers):
    for p in papers:
        p.derived.pop(("related-terms",), None)
    return papers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judgements", type=Path, default=PROJECT / "benchmarks" / "relevance" / "judgements.json")
    parser.add_argument("--content", type=Path, default=PROJECT / "content")
    args = parser.parse_args()
    queries = json.loads(args.judgements.read_text(encoding="utf-8"))["queries"]
    taxonomy, papers, _ = read_papers(args.content)
    catalogue = index_catalogue(papers, taxonomy)
    by_slug = {p.slug: p for p in catalogue.papers}

    def topic_neighbours():
        return {p.slug: catalogue.related_by_date(p) for p in catalogue.papers}

    methods = {
        "topic neighbours in date (before)": topic_neighbours,
        "tf-idf cosine, title + abstract": lambda: _with(dict(TITLE_WEIGHT=1, MAX_DF=1.0, KEEP=10**6, BIGRAMS=False,
                                                              FEEDBACK_WEIGHT=0, TOPIC_WEIGHT=0), papers),
        "+ bigrams": lambda: _with(dict(TITLE_WEIGHT=1, MAX_DF=1.0, KEEP=10**6, FEEDBACK_WEIGHT=0, TOPIC_WEIGHT=0), papers),
        "+ title x3": lambda: _with(dict(MAX_DF=1.0, KEEP=10**6, FEEDBACK_WEIGHT=0, TOPIC_WEIGHT=0), papers),
        "+ 100 strongest terms a paper": lambda: _with(dict(FEEDBACK_WEIGHT=0, TOPIC_WEIGHT=0), papers),
        "+ neighbours' neighbours": lambda: _with(dict(TOPIC_WEIGHT=0), papers),
        "+ shared topics (shipped)": lambda: _with({}, papers),
    }
    try:
        import sklearn  # noqa: F401  (only for the arxiv-sanity-lite baseline: not a project dependency)

        methods["arxiv-sanity-lite (tf-idf 1-2 grams, exemplar SVM)"] = lambda: arxiv_sanity_lite(catalogue.papers)
    except ImportError:
        print("(arxiv-sanity-lite baseline skipped: pip install scikit-learn to run it)")
    print(f"{'method':52} {'tune':>6} {'heldout':>8} {'all':>6}")
    for name, method in methods.items():
        lists = method()
        scores = {"tune": [], "heldout": []}
        for q in queries:
            ranked = [p.slug for p in lists[q["slug"]]]
            scores[q["split"]].append(ndcg(ranked, q["relevant"]))
        mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
        print(f"{name:52} {mean(scores['tune']):6.3f} {mean(scores['heldout']):8.3f} "
              f"{mean(scores['tune'] + scores['heldout']):6.3f}")
    del by_slug


def arxiv_sanity_lite(papers, limit: int = 5):
    """arxiv-sanity-lite's own recipe (compute.py and serve.py's svm_rank, defaults as shipped):
    tf-idf over title, abstract and authors (1-2 grams, English stop words, sublinear tf, min_df 5,
    max_df 0.1, 20,000 features), then per paper a linear SVM with that paper as the only positive
    (class_weight balanced, C 0.01), the others ranked by its decision function."""
    import numpy as np
    from sklearn import svm
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(input="content", encoding="utf-8", decode_error="replace", strip_accents="unicode",
                                 lowercase=True, analyzer="word", stop_words="english",
                                 token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2),
                                 max_features=20000, norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True,
                                 max_df=0.1, min_df=5)
    x = vectorizer.fit_transform([" ".join([p.title, p.text, *p.scholarly.authors]) for p in papers])
    found = {}
    for i, paper in enumerate(papers):
        y = np.zeros(len(papers), dtype=np.float32)
        y[i] = 1.0
        clf = svm.LinearSVC(class_weight="balanced", verbose=False, max_iter=10000, tol=1e-6, C=0.01)
        clf.fit(x, y)
        order = [j for j in np.argsort(-clf.decision_function(x)) if j != i]
        found[paper.slug] = [papers[j] for j in order[:limit]]
    return found


def _with(values, papers):
    with settings(**values):
        return related.related_papers(fresh(papers))


if __name__ == "__main__":
    main()
