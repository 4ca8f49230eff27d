"""A search hit's JSON (Hit.to_dict) is dataclasses.asdict's, built without its deep copy."""

from __future__ import annotations

from dataclasses import asdict, fields

from archive.models import Hit


def test_hit_to_dict_equals_asdict_and_copies_lists() -> None:
    hit = Hit(
        id="a1",
        title="Plan de relance",
        date="2021-03-04",
        year=2021,
        actors=["CGT", "Bpifrance"],
        themes=["emploi"],
        places=["Grenoble"],
        doc_type="rapport",
        language="fr",
        path="a/b.pdf",
        score=1.25,
        snippet="<mark>plan</mark>",
        partial=True,
        schemes=["France 2030"],
        actors_detected=["Bpifrance"],
        versions=["b2"],
    )
    data = hit.to_dict()
    assert data == asdict(hit)
    assert list(data) == [f.name for f in fields(Hit)]
    data["actors"].append("changed")
    assert hit.actors == ["CGT", "Bpifrance"]
