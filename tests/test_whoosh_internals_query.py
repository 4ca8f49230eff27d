"""Whoosh internals of the query parser: how typed text is rewritten for Whoosh's syntax.

Whoosh reads any `-` as an exclusion, so the parser joins hyphenated words into phrases
first; what researchers then find is tested through the engine in test_hyphens.py.
"""

from __future__ import annotations

import pytest

from archive.whoosh.query import join_hyphenated


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("Pont-de-Claix", '"Pont de Claix"'),
        ("-usine", "-usine"),
        ("a -b-c", 'a -"b c"'),
        ("titre:Saint-Nazaire", 'titre:"Saint Nazaire"'),
        ('"déjà-vu" Île-de-France', '"déjà-vu" "Île de France"'),
        ("(x OR y-z)", '(x OR "y z")'),
        ("sous-trait*", "(sous trait*)"),
        ("x - y", "x - y"),
    ],
)
def test_join_hyphenated_rewrites_only_inner_hyphens(typed: str, parsed: str) -> None:
    assert join_hyphenated(typed) == parsed
