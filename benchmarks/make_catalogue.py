"""Write a synthetic Daily Papers capture of N papers made from the real captures' text.

    python benchmarks/make_catalogue.py N OUT.txt [--seeds DIR] [--seed 7]

Titles are real titles with a number; abstracts mix the sentences of two or
three real abstracts; dates spread over 2019-2025 (every year shown, as on a
listing of earlier years); author counts and upvotes as the captures show
them. Deterministic for a given --seed. The catalogue is what `catalogue
ingest` reads, so a benchmark measures the whole pipeline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from pathlib import Path

from generator.ingest.capture import read_capture

CHROME = ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
          "byAK and the research community", "Dec 31"]
DEFAULT_SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def make_capture(n: int, seeds: Path, seed: int = 7) -> str:
    rng = random.Random(seed)
    entries = [e for path in sorted(seeds.glob("*.txt")) for e in read_capture(path).entries]
    titles = sorted({e.title for e in entries})
    abstracts = sorted({e.abstract for e in entries})
    sentences = [re.split(r"(?<=[.!?])\s+", a) for a in abstracts]
    counts = [e.author_count for e in entries if e.author_count] or [5]
    start, days = dt.date(2019, 1, 1), (dt.date(2025, 12, 31) - dt.date(2019, 1, 1)).days
    parts = list(CHROME)
    for i in range(1, n + 1):
        mixed = [s for group in rng.sample(sentences, rng.choice((2, 3))) for s in group]
        rng.shuffle(mixed)
        length = len(rng.choice(abstracts))
        abstract = ""
        for sentence in mixed:
            if abstract and len(abstract) + len(sentence) > length:
                break
            abstract = f"{abstract} {sentence}".strip()
        date = start + dt.timedelta(days=rng.randrange(days + 1))
        upvotes = f" {rng.randrange(1, 60)}" if rng.random() < 0.4 else ""
        parts += [f"{rng.choice(titles)} {i}", abstract,
                  f"  • {rng.choice(counts)} authors\n·\n{date:%b} {date.day}, {date.year}{upvotes}"]
    return "\n\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.out.write_text(make_capture(args.n, args.seeds, args.seed), encoding="utf-8")


if __name__ == "__main__":
    main()
