"""The actor facet as researchers read it: grouped by kind, members under their confederation.

Pure code (no Streamlit): `group_actors` turns facet counts into headed groups.
"""

from __future__ import annotations

from archive import gazetteer

# Kind of actors.yaml → heading, in the order the sidebar shows them.
GROUP_LABELS: dict[str, str] = {
    "syndicats": "Syndicats",
    "entreprises": "Entreprises",
    "État et ministères": "État et ministères",
    "agences et opérateurs": "Agences et opérateurs",
    "collectivités": "Collectivités",
    "organisations patronales": "Organisations patronales",
    "personnalités": "Élus et personnalités",
}
OTHER = "Autres acteurs"  # detected names, unknown to the gazetteer


def group_actors(counts: dict[str, int]) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """[(heading, [(actor, documents, depth)])]: groups in GROUP_LABELS order, actors by
    decreasing count, and a member (FILPAC CGT) right under its parent (CGT) at depth 1
    when both are listed."""
    kinds = {a.name: a.kind for a in gazetteer.actors()}
    by_kind: dict[str, list[tuple[str, int]]] = {}
    for name, n in counts.items():
        kind = kinds.get(name)
        by_kind.setdefault(kind if kind in GROUP_LABELS else OTHER, []).append((name, n))
    out = []
    for kind in [*GROUP_LABELS, OTHER]:
        values = by_kind.get(kind)
        if values:
            out.append((GROUP_LABELS.get(kind, OTHER), _nest(values)))
    return out


def _nest(values: list[tuple[str, int]]) -> list[tuple[str, int, int]]:
    listed = {name for name, _ in values}
    table = gazetteer.member_of_table()
    parent_of = {}
    for name, _ in values:
        parents = [p for p in gazetteer.actor_parents(name, table) if p in listed]
        if parents:
            parent_of[name] = parents[0]
    children: dict[str, list[tuple[str, int]]] = {}
    for name, n in values:
        if name in parent_of:
            children.setdefault(parent_of[name], []).append((name, n))
    out: list[tuple[str, int, int]] = []

    def add(name: str, n: int, depth: int) -> None:
        out.append((name, n, depth))
        for child, m in children.get(name, []):
            add(child, m, min(depth + 1, 2))

    for name, n in values:
        if name not in parent_of:
            add(name, n, 0)
    return out
