"""Recherche: query box, facets, chips, results with highlighted snippets, sort, pages, exports."""

from __future__ import annotations

import math
import time

import streamlit as st

from archive.csv_export import to_csv
from archive.engine import SearchEngine
from archive.models import SearchResult
from archive.ris_export import to_ris
from archive.text import number, plural
from ui import url
from ui.cards import hit_card
from ui.controls import (
    active_filters,
    clear_filters,
    filter_removers,
    group_toggle,
    query_box,
    set_query,
    sidebar_facets,
)
from ui.runtime import engine
from ui.state import PAGE_SIZE, SORT_LABELS, UrlState
from ui.text import md
from ui.veille import save_button
from ui.view_dossiers import card_button, card_dialog


def _on_sort() -> None:
    chosen = url.widget("w_sort") or "pertinence"
    url.go(url.current().replace(tri=chosen, page=1))


def _to_page(page: int) -> None:
    url.go(url.current().replace(page=page))


def export_buttons(eng: SearchEngine, state: UrlState) -> None:
    request = state.request()
    stamp = time.strftime("%Y%m%d")
    with st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center"):
        st.download_button(
            "Exporter en CSV",
            data=lambda: to_csv(eng.records(request)),
            file_name=f"archive-{stamp}.csv",
            mime="text/csv",
            icon=":material/table:",
            on_click="ignore",
            help="Toutes les métadonnées des documents trouvés (pas seulement cette page).",
        )
        st.download_button(
            "CSV pour Excel (;)",
            data=lambda: to_csv(eng.records(request), separator=";"),
            file_name=f"archive-{stamp}-excel.csv",
            mime="text/csv",
            on_click="ignore",
            help="Le même tableau, colonnes séparées par des points-virgules : un Excel réglé en français "
            "l'ouvre en colonnes.",
        )
        st.download_button(
            "Exporter en RIS (Zotero)",
            data=lambda: to_ris(eng.records(request, with_text=True)),  # AB: the first lines
            file_name=f"archive-{stamp}.ris",
            mime="application/x-research-info-systems",
            icon=":material/menu_book:",
            on_click="ignore",
            help="Pour Zotero, EndNote ou tout gestionnaire de références.",
        )


def sort_and_count(state: UrlState, result: SearchResult) -> None:
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        if result.total:
            st.markdown(
                f"**{plural(result.total, 'document trouvé', 'documents trouvés')}** "
                f"<span class='arc-muted'>en {number(round(result.took_ms))} ms</span>",
                unsafe_allow_html=True,
            )
    with right:
        url.sync("w_sort", state.tri)
        st.segmented_control(
            "Trier par",
            options=list(SORT_LABELS),
            format_func=SORT_LABELS.__getitem__,
            key="w_sort",
            on_change=_on_sort,
            required=True,
        )


def pagination(state: UrlState, total: int) -> None:
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if pages <= 1:
        return
    with st.container(horizontal=True, horizontal_alignment="center", vertical_alignment="center"):
        st.button(
            "← Précédent",
            key="w_prev",
            disabled=state.page <= 1,
            on_click=_to_page,
            args=(state.page - 1,),
        )
        st.markdown(f"Page {number(state.page)} sur {number(pages)}")
        st.button(
            "Suivant →",
            key="w_next",
            disabled=state.page >= pages,
            on_click=_to_page,
            args=(state.page + 1,),
        )


def nothing_found(state: UrlState, result: SearchResult) -> None:
    if state.q:
        st.warning("Aucun document ne correspond à cette recherche.")
    else:
        st.warning("Aucun document ne correspond à ces filtres.")
    if result.suggestion:
        st.button(
            f"Vouliez-vous dire « {md(result.suggestion)} » ?",
            key="w_suggestion",
            on_click=set_query,
            args=(result.suggestion,),
            icon=":material/spellcheck:",
        )
    if result.alternatives:
        st.markdown("Ces recherches trouvent des documents :")
        with st.container(horizontal=True):
            for i, alt in enumerate(result.alternatives):
                st.button(
                    f"{md(alt.query)} — {plural(alt.total, 'document')} ({alt.reason})",
                    key=f"w_alternative_{i}",
                    on_click=set_query,
                    args=(alt.query,),
                )
    if state.has_filters:
        st.markdown("Élargir la recherche en retirant un filtre :")
        with st.container(horizontal=True):
            filter_removers(
                state, lambda singular, value: f"Sans {singular.lower()} « {value} »", "w_drop", "Toutes les années"
            )
            st.button("Retirer tous les filtres", key="w_drop_all", on_click=clear_filters, type="primary")


def render(state: UrlState) -> None:
    eng = engine()
    st.title("Recherche")
    query_box(state)
    result = eng.search(state.request())
    sidebar_facets(state, result)
    active_filters(state)
    if result.error:
        st.error(md(result.error), icon=":material/error:")  # the engine's message is a French sentence
        return
    save_button(state)
    for notice in result.notices:
        st.info(md(notice), icon=":material/info:")
    if result.corrected:
        st.button(
            f"Chercher « {md(state.q)} » tel quel",
            key="w_literal",
            on_click=set_query,
            args=(f'"{state.q}"',),
            icon=":material/spellcheck:",
        )
    exact = [h for h in result.hits if not h.partial]
    partial = [h for h in result.hits if h.partial]
    others = {h.id: eng.versions(h.id) for h in result.hits if h.versions}
    sort_and_count(state, result)
    group_toggle(state, result)
    if result.total == 0:
        nothing_found(state, result)
    elif not exact and state.page > 1:
        st.info("Cette page est au-delà de la fin des résultats.")
        st.button("Revenir à la première page", on_click=_to_page, args=(1,))
    for hit in exact:
        st.html(hit_card(hit, state, others.get(hit.id)))
        card_button(hit.id, hit.title or hit.path)
    if partial:
        st.subheader("Résultats approchants")
        st.caption(
            "Ces documents ne contiennent qu'une partie des mots recherchés ; ils ne sont pas comptés ci-dessus."
        )
        for hit in partial:
            st.html(hit_card(hit, state, others.get(hit.id)))
            card_button(hit.id, hit.title or hit.path)
    card_dialog()
    pagination(state, result.total)
    if result.total:
        export_buttons(eng, state)
