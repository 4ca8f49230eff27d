"""Whoosh internals: the local fixes refuse a Whoosh release they were not written for."""

from __future__ import annotations

import importlib.metadata

import pytest

from archive.whoosh import fixes


def test_the_installed_whoosh_is_the_one_the_fixes_were_written_for() -> None:
    assert importlib.metadata.version("whoosh-reloaded") == fixes.WRITTEN_FOR
    fixes.check_version()  # what importing the module did


@pytest.mark.parametrize("other", ["2.7.4", "2.7.6", "3.0.0"])
def test_another_whoosh_version_is_refused_with_both_versions_named(other: str) -> None:
    with pytest.raises(fixes.WhooshVersionError) as raised:
        fixes.check_version(other)
    message = str(raised.value)
    assert f"whoosh-reloaded {fixes.WRITTEN_FOR}" in message and other in message
