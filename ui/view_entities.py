"""« Acteurs détectés »: names found by entity recognition that the gazetteer does not know.

They are kept out of the trusted actor facet; a researcher can add one to the
gazetteer in a click, and its documents are then analysed again so the new
actor shows up in the facet at once.
"""

from __future__ import annotations

import streamlit as st

from archive import gazetteer
from ui.access import can_modify
from ui.runtime import engine, run_indexing
from ui.state import UrlState
from ui.text import md, number, plural

SHOWN = 25
KIND_OF_DETECTED = {"personne": "personnalités", "organisation": "entreprises"}


def add_to_gazetteer(name: str, kind: str, doc_ids: list[str]) -> None:
    try:
        gazetteer.add_actor(name, kind)
    except ValueError as exc:
        st.session_state["status_flash"] = ("warning", str(exc))
        return
    report = run_indexing(f"Nouvelle analyse des documents de « {name} »", reextract=set(doc_ids))
    if report is not None:
        st.session_state["status_flash"] = (
            "success",
            f"« {name} » ajouté au gazetteer ; {plural(len(doc_ids), 'document réanalysé', 'documents réanalysés')}.",
        )
    st.rerun()


def render(state: UrlState) -> None:
    st.subheader("Acteurs détectés")
    detected = engine().detected_entities(limit=SHOWN)
    if not detected:
        st.caption(
            "Aucun acteur hors gazetteer détecté (la reconnaissance d'entités est désactivée par "
            "ARCHIVE_NER=0, ou le modèle français de spaCy n'est pas installé)."
        )
        return
    st.caption(
        "Organisations et personnes repérées dans les textes mais absentes du gazetteer. Celles qui sont "
        "nommées dans le titre, le premier paragraphe, deux fois ou avec leur fonction entrent dans la "
        "facette « acteurs », marquées « détecté », jusqu'à leur ajout au gazetteer."
    )
    allowed = can_modify()
    for i, (name, kind, doc_ids) in enumerate(detected):
        with st.container(border=True):
            left, middle, right = st.columns([4, 2, 1], vertical_alignment="center")
            links = ", ".join(f"[{md(d)}](?vue=document&doc={d})" for d in doc_ids[:5])
            more = f" et {number(len(doc_ids) - 5)} autres" if len(doc_ids) > 5 else ""
            left.markdown(f"**{md(name)}** · {md(kind)} · {plural(len(doc_ids), 'document')} : {links}{more}")
            if not allowed:
                continue
            default = KIND_OF_DETECTED.get(kind, gazetteer.ACTOR_KINDS[0])
            chosen = middle.selectbox(
                "Catégorie",
                gazetteer.ACTOR_KINDS,
                index=gazetteer.ACTOR_KINDS.index(default),
                key=f"w_entity_kind_{i}",
                label_visibility="collapsed",
            )
            if right.button("Ajouter", key=f"w_entity_add_{i}", help="Ajouter au gazetteer des acteurs"):
                add_to_gazetteer(name, chosen, doc_ids)
