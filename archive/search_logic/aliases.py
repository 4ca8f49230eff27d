"""What a typed facet value or phrase names: indexed values, then the actors' and schemes' aliases."""

from __future__ import annotations

from collections.abc import Callable

from archive.facet_registry import BY_NAME
from archive.facets import FacetTables
from archive.text import language_code


def value_resolver(tables: FacetTables) -> Callable[[str, str], list[str]]:
    """resolve(facet, typed): the indexed values equal to what was typed (case, accents and
    hyphens aside); else the one it names by an alias (an actor's or a scheme's, a former region
    « Lorraine », a language's name « français »); else []."""

    def resolve(facet: str, typed: str) -> list[str]:
        found = tables.resolve(BY_NAME[facet].field, typed)
        if found:
            return found
        canonical = _named_by_alias(facet, typed)
        return [canonical] if canonical else []

    return resolve


def _named_by_alias(facet: str, typed: str) -> str | None:
    if facet == "actor":
        return actor_for_alias(typed)
    if facet == "scheme":
        from archive.schemes import scheme_for_alias

        return scheme_for_alias(typed)
    if facet == "place":
        from archive.gazetteer import place_info

        place = place_info(typed)
        return place.name if place else None
    if facet == "language":
        return language_code(typed)
    return None


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
