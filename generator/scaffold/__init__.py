"""The files `catalogue init` writes into a new catalogue (see generator/init.py)."""
