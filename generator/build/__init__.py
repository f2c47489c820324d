"""`catalogue build`: the stages run in order into site/, and what lets the next build do less."""
