"""Stage 3b: the catalogue -> the site's pages (which pages, and each rendered by its template)."""
