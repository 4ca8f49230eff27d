"""Search logic that does not depend on the engine.

Each module takes what it needs from a backend through a narrow port
(`port.py`): document masks and scores for a query, the facet tables of an
index state (archive/facets.py), stored fields, highlighting. The Whoosh
backend (archive/whoosh/) implements it; a second backend would reuse these
modules unchanged.
"""
