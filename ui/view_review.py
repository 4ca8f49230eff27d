"""« À vérifier »: documents whose date is weak, and detected actors awaiting a decision."""

from __future__ import annotations

import streamlit as st

from archive.models import SearchRequest
from archive.review import DATE_NONE, DATE_PDF, DATE_YEAR
from archive.text import number
from ui import view_entities
from ui.cards import compact_row
from ui.runtime import engine
from ui.state import UrlState
from ui.text import md

SHOWN = 30
DATE_SECTIONS = {
    DATE_PDF: "Date lue dans les métadonnées du fichier (date de création d'un PDF, propriétés d'un DOCX…)",
    DATE_YEAR: "Une année seule, sans mois ni jour",
    DATE_NONE: "Aucune date trouvée",
}


def render(state: UrlState) -> None:
    st.title("À vérifier")
    st.caption(
        "Ce que l'extraction automatique a trouvé de moins sûr. Ouvrez un document pour corriger sa date "
        "(« Corriger les métadonnées ») : la correction est écrite dans sa fiche et il quitte cette liste."
    )
    eng = engine()
    counts = eng.facet_values("review")
    st.subheader("Dates à vérifier")
    if not any(counts.get(label) for label in DATE_SECTIONS):
        st.caption("Toutes les dates viennent du texte ou d'une fiche.")
    for label, explanation in DATE_SECTIONS.items():
        n = counts.get(label, 0)
        if not n:
            continue
        with st.expander(f"{md(explanation)} ({number(n)})", expanded=True):
            result = eng.search(
                SearchRequest(filters={"review": [label]}, limit=SHOWN, with_facets=False, with_snippets=False)
            )
            for hit in result.hits:
                st.html(compact_row(hit, state, badges=0))
            if result.total > SHOWN:
                st.caption(f"… et {number(result.total - SHOWN)} autres.")
    view_entities.render()
