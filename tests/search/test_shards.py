"""The sharded index after edits: what an edit build writes is what a whole build writes."""

from __future__ import annotations

import random

from generator.search.shards import ShardedIndex

FIELDS, PIPELINE = [("title", 10), ("abstract", 1)], ["stemmer"]


def test_after_each_edit_the_shards_their_starts_and_the_manifest_are_those_of_the_index_built_again():
    """Words over a two-letter alphabet share long beginnings. A few are in every document, so
    their entries are larger than a shard and each starts its own: where such a shard starts
    depends on the term just before it, which the edits change (an edit build reuses the starts and
    names of the shards it did not move). Random edits, then edits that add a term just before a
    large one sharing all but its last letter, each checked against the documents indexed afresh."""
    rng = random.Random(7)
    words = sorted({"".join(rng.choice("ab") for _ in range(rng.randint(3, 12))) for _ in range(4000)})
    common = rng.sample(words, 8)
    rare = [w for w in words if w not in common]

    def document(*extra: str):
        chosen = rng.sample(rare, 10)
        return [({w: 1 for w in common[:4] + chosen[:3]}, 7), ({w: 1 for w in [*common, *chosen[3:], *extra]}, 15)]

    documents = [document() for _ in range(200)]
    index = ShardedIndex.build(documents, FIELDS, PIPELINE)
    index.shard_files(None)
    large = [terms[0] for terms in index.shards.values() if terms[0] in common]
    # a word sorting between a large term and the term before it, sharing a longer beginning with it
    before = [term[:-1] for term in large if term[:-1] > index.terms[index.terms.index(term) - 1]]
    assert len(large) >= 3 and before
    starts_moved = 0
    for extra in [None] * 40 + before:
        ref = rng.randrange(len(documents))
        old, documents[ref] = documents[ref], (document() if extra is None else document(extra))
        starts = {index.shards[name][0]: start for name, start in index.starts.items()}
        files = index.shard_files(index.update([(ref, old, documents[ref])], documents.__getitem__))
        again = ShardedIndex.build(documents, FIELDS, PIPELINE)
        every_file = again.shard_files(None)
        assert index.shards == again.shards
        assert index.manifest() == again.manifest()
        assert all(every_file[path] == data for path, data in files.items())
        starts_moved += any(starts.get(index.shards[name][0], start) != start for name, start in index.starts.items())
    assert starts_moved >= len(before)  # the case the reuse could get wrong was met
