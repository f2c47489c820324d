"""Allow `python -m generator` as a synonym of the `catalogue` command."""

from generator.cli import run

run()
