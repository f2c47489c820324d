"""Stage 1, `catalogue ingest`: captures -> papers -> Markdown pages under content/papers/."""
