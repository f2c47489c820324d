"""Helpers every stage may use and none owns: work on every core, packed values, background work."""
