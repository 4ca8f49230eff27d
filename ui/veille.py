"""Saved searches in the app: « Recherches enregistrées » in the sidebar with « N nouveaux » per
browser, « Enregistrer la recherche » beside the results, the Atom feed of each.

A browser is told apart by a random id kept in a cookie (no login): the first visit draws
one and a tiny script stores it; later visits read it back from the request.
"""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path

import streamlit as st

from archive import config, veille
from archive.lab import LabDB, LabError, SavedSearch, lab_path
from archive.text import plural
from ui import url
from ui.access import may_modify, readonly
from ui.runtime import engine, index_path
from ui.state import PARAM_OF, SORTS, UrlState
from ui.text import esc, md

log = logging.getLogger(f"archive.{__name__}")

COOKIE = "archive_lecteur"
_BROWSER_ID = re.compile(r"^[0-9a-f]{32}$")
_SORT_TO_PARAM = {sort: param for param, sort in SORTS.items()}


@st.cache_resource(show_spinner=False)
def _lab(path: str) -> LabDB:
    return LabDB(Path(path))


def lab() -> LabDB:
    return _lab(str(lab_path(None, index_path()).absolute()))


def feeds_folder() -> Path:
    return config.feeds_dir().absolute()


def browser_id() -> str:
    """This browser's random id: from its cookie, else drawn for this session (see remember_browser)."""
    try:
        kept = st.context.cookies.get(COOKIE, "")
    except Exception:  # no request context
        kept = ""
    if isinstance(kept, str) and _BROWSER_ID.match(kept):
        return kept
    return st.session_state.setdefault("browser_id", secrets.token_hex(16))


def remember_browser() -> None:
    """Store this session's id in a cookie when the browser has none yet (once per session)."""
    chosen = browser_id()
    if st.session_state.get("browser_id") != chosen or st.session_state.get("browser_cookie_set"):
        return
    st.session_state["browser_cookie_set"] = True
    st.html(
        f"<script>document.cookie='{COOKIE}={chosen}; path=/; max-age=63072000; SameSite=Lax';</script>",
        unsafe_allow_javascript=True,
    )


def url_state(search: SavedSearch) -> UrlState:
    filters = {
        PARAM_OF[facet]: tuple(values) for facet, values in search.filters.items() if facet in PARAM_OF and values
    }
    return UrlState(
        vue="recherche",
        q=search.query,
        filters=filters,
        de=search.year_from,
        a=search.year_to,
        tri=_SORT_TO_PARAM.get(search.sort, "pertinence"),
        tous=tuple(PARAM_OF[facet] for facet in search.all_of if facet in PARAM_OF),
    )


def feed_href(search: SavedSearch) -> str:
    """Relative to the page, so the link works behind any host name or proxy prefix."""
    return veille.feed_url(search, root="", folder=feeds_folder())


# -- actions ------------------------------------------------------------------------------


def _open(search_id: int) -> None:
    search = lab().search_by_id(search_id)
    if search is None:
        return
    lab().mark_opened(search.id, browser_id())
    url.go(url_state(search))


def _save(state: UrlState) -> None:
    name = url.widget("w_save_name") or ""
    request = state.request()
    try:
        search = lab().add_search(
            name, state.q, request.filters, state.de, state.a, request.sort, all_of=request.all_of
        )
    except LabError as exc:
        st.session_state["save_error"] = str(exc)
        return
    eng = engine()
    veille.refresh(lab(), eng, search, force=True)
    lab().mark_opened(search.id, browser_id())
    try:
        veille.write_feed(lab(), eng, search, feeds_folder())
    except OSError as exc:
        st.session_state["app_toast"] = f"Recherche enregistrée, mais le flux n'a pas pu être écrit : {exc}"
        return
    st.session_state.pop("save_error", None)
    st.session_state["w_save_name"] = ""
    st.session_state["app_toast"] = f"Recherche « {name.strip()} » enregistrée."


def _remove(search_id: int) -> None:
    search = lab().search_by_id(search_id)
    if search is None:
        return
    lab().remove_search(search.name)
    (feeds_folder() / veille.feed_file_name(search)).unlink(missing_ok=True)
    st.session_state["app_toast"] = f"Recherche « {search.name} » supprimée."


# -- widgets ------------------------------------------------------------------------------


def save_button(state: UrlState) -> None:
    """« Enregistrer la recherche »: a name, then the search joins everyone's list (not in read-only mode)."""
    if readonly():
        return
    with st.popover("Enregistrer la recherche", icon=":material/bookmark_add:"):
        if not may_modify("save_search"):
            return
        st.caption(
            "La recherche (mots, filtres, tri) sera listée dans la barre latérale pour tous les "
            "utilisateurs de l'archive, avec ses nouveaux documents et un flux Atom."
        )
        st.text_input("Nom de la recherche", key="w_save_name", max_chars=100, placeholder="Sidérurgie et CGT")
        st.button("Enregistrer", key="w_save", on_click=_save, args=(state,), type="primary")
        error = st.session_state.pop("save_error", None)
        if error:
            st.error(md(error))


def sidebar(state: UrlState) -> None:
    """The saved searches, each with its new documents for this browser and its feed."""
    try:
        db = lab()
        searches = db.searches()
    except LabError as exc:
        with st.sidebar:
            st.warning(f"Recherches enregistrées indisponibles : {md(exc)}")
        return
    with st.sidebar:
        remember_browser()
        st.markdown("**Recherches enregistrées**")
        if not searches:
            st.caption("Aucune pour l'instant : « Enregistrer la recherche » au-dessus des résultats en ajoute une.")
            return
        try:
            veille.bring_up_to_date(db, engine(), feeds_folder())
        except OSError as exc:  # the counts below are right; only the feed files could not be written
            log.info("feed files not written: %s", exc)
        me = browser_id()
        for search in searches:
            new = db.new_count(search.id, me)
            label = f"{search.name} · {plural(new, 'nouveau', 'nouveaux')}" if new else search.name
            left, right = st.columns([5, 1], vertical_alignment="center")
            with left:
                st.button(
                    md(label),
                    key=f"w_saved_{search.id}",
                    on_click=_open,
                    args=(search.id,),
                    help=f"{veille.describe(search)} — ouvrir la recherche",
                    type="secondary" if new == 0 else "primary",
                    width="stretch",
                )
            with right:
                st.html(
                    f'<a class="arc-feed" href="{esc(feed_href(search))}" target="_blank" '
                    f'title="Flux Atom de « {esc(search.name)} »">flux</a>'
                )
        if not readonly():
            with st.expander("Gérer les recherches enregistrées"):
                if may_modify("saved_searches"):
                    for search in searches:
                        st.button(
                            f"Supprimer « {md(search.name)} »",
                            key=f"w_saved_rm_{search.id}",
                            on_click=_remove,
                            args=(search.id,),
                            icon=":material/delete:",
                        )
        st.divider()
