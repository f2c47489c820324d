"""Stage 2: Markdown pages -> the catalogue (papers read, topics assigned, grouped once)."""
