"""What a typed facet value or phrase names: indexed values, then the actors' and schemes' aliases."""

from __future__ import annotations

from collections.abc import Callable

from archive.facet_registry import BY_NAME
from archive.facets import FacetTables


def value_resolver(tables: FacetTables) -> Callable[[str, str], list[str]]:
    """resolve(facet, typed): the indexed values equal to what was typed (case, accents and
    hyphens aside); else, for actors and schemes, the one whose alias it is; else []."""

    def resolve(facet: str, typed: str) -> list[str]:
        found = tables.resolve(BY_NAME[facet].field, typed)
        if not found and facet == "actor":
            canonical = actor_for_alias(typed)
            found = [canonical] if canonical else []
        if not found and facet == "scheme":
            from archive.schemes import scheme_for_alias

            canonical = scheme_for_alias(typed)
            found = [canonical] if canonical else []
        return found

    return resolve


def actor_for_alias(phrase: str) -> str | None:
    from archive.gazetteer import actor_for_alias as lookup

    return lookup(phrase)


def value_for_alias(phrase: str) -> tuple[str, str] | None:
    """The actor, else the scheme, that a typed phrase names by one of its aliases, as
    (index field, value)."""
    from archive.schemes import scheme_for_alias

    actor = actor_for_alias(phrase)
    if actor:
        return ("actors", actor)
    scheme = scheme_for_alias(phrase)
    return ("schemes", scheme) if scheme else None
