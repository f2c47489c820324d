"""Stage 3a: the catalogue -> a lunr index, cut into shards the search page fetches."""
