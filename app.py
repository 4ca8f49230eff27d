"""Archive de la politique industrielle française — the Streamlit app (`streamlit run app.py`).

Every view and filter lives in the URL (`?vue=recherche&q=…&acteur=CGT&de=2011&a=2020&page=2`),
so a copied link reopens the same state and the browser's back button works.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from archive.models import IndexMissing, IndexOutdated
from archive.text import PERIOD
from indexer.lock import is_locked
from ui import (
    url,
    veille,
    view_document,
    view_dossiers,
    view_review,
    view_search,
    view_status,
    view_timeline,
    view_trends,
    view_upload,
)
from ui.access import readonly
from ui.cards import CSS
from ui.jobs import job_panel
from ui.page_language import declare_french
from ui.runtime import (
    background_sync,
    corpus_path,
    index_jobs,
    index_missing,
    index_path,
    old_index_searchable,
    report_summary,
    start_indexing,
)
from ui.state import VIEWS, UrlState
from ui.text import md

# Streamlit's own English hints, hidden or replaced by French ones.
FRENCH_WIDGETS = """
<style>
[data-testid="InputInstructions"]{display:none}
[data-testid="stElementContainer"]:has(> iframe[srcdoc*="__archiveInFrench"]){display:none}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p{font-size:0}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after{
  content:"Parcourir";font-size:.875rem}
[data-testid="stFileUploaderDropzoneInstructions"] span{font-size:0}
[data-testid="stFileUploaderDropzoneInstructions"] span::after{
  content:"Glissez-déposez vos fichiers ici · 100 Mo au plus par fichier";font-size:.875rem}
</style>
"""

RENDERERS: dict[str, Callable[[UrlState], None]] = {
    "recherche": view_search.render,
    "chronologie": view_timeline.render,
    "evolution": view_trends.render,
    "dossiers": view_dossiers.render,
    "document": view_document.render,
    "ajouter": view_upload.render,
    "verifier": view_review.render,
    "etat": view_status.render,
}


def _on_view() -> None:
    chosen = url.widget("w_vue") or "recherche"
    url.go(url.current().replace(vue=chosen, page=1))


def navigation(state: UrlState) -> None:
    views = [v for v in VIEWS if not (v == "ajouter" and readonly()) and not (v == "document" and not state.doc)]
    if state.vue not in views:
        views.append(state.vue)
    with st.sidebar:
        st.markdown("### Archive de la politique industrielle")
        st.caption(f"Documents français, {PERIOD}")
        url.sync("w_vue", state.vue)
        st.radio("Vue", options=views, format_func=VIEWS.__getitem__, key="w_vue", on_change=_on_view)
        st.divider()
    veille.sidebar(state)


def wait_for_other_writer(poll: float = 2.0) -> None:
    """Another session or `archive index` is building the index: wait for it, then reload."""
    st.info(
        "L'index est en cours de construction par un autre processus (une autre session ou "
        "« archive index »). Cette page s'affichera dès qu'il sera prêt."
    )
    clock = st.empty()
    started = time.monotonic()
    while is_locked(index_path()):
        clock.caption(f"Attente depuis {int(time.monotonic() - started)} s…")
        time.sleep(poll)
    st.rerun()


def ensure_index() -> bool:
    """Build the index on first start (or after a version change), with a progress bar."""
    if not index_missing():
        if not readonly():
            background_sync()  # catch up with the folder in the background; search is available now
        return True
    if old_index_searchable() and not readonly():
        # After an upgrade: the old index answers while the new one is built beside it.
        sync = background_sync()
        if sync.running:
            st.warning(
                "Nouvelle version de l'index en construction : les résultats viennent de l'ancien index "
                "jusqu'à la fin de la reconstruction (voir « État de l'archive »)."
            )
        return True
    st.title("Archive de la politique industrielle")
    corpus = corpus_path()
    if not corpus.is_dir():
        st.error(f"Dossier du corpus introuvable : {md(corpus)}. Réglez ARCHIVE_CORPUS ou créez le dossier.")
        return False
    st.info("Première ouverture : l'index est construit à partir du dossier du corpus. Cela ne se fait qu'une fois.")
    failed = st.session_state.get("build_error")
    if failed and BUILD_JOB not in st.session_state:
        st.error(f"La construction de l'index n'a pas abouti : {md(failed)}")
        if not st.button("Réessayer", key="w_build_retry"):
            return False
        st.session_state.pop("build_error", None)
    if BUILD_JOB not in st.session_state:
        if is_locked(index_path()) and not index_jobs().busy():
            wait_for_other_writer()
            return False
        start_indexing(BUILD_JOB, "Construction de l'index")
    job_panel(BUILD_JOB, _built)
    return False


BUILD_JOB = "job_build"


def _built(job) -> None:
    if job.report is not None and job.error is None:
        st.session_state["app_toast"] = "Index construit : " + report_summary(job.report)
    else:
        st.session_state["build_error"] = job.error or "raison inconnue"


def main() -> None:
    st.set_page_config(
        page_title="Archive de la politique industrielle",
        page_icon="🏭",
        layout="wide",
        initial_sidebar_state="expanded",
    )
    st.html(CSS + FRENCH_WIDGETS)
    declare_french()
    if not ensure_index():
        return
    toast = st.session_state.pop("app_toast", None)
    if toast:
        st.toast(toast, icon=":material/check_circle:")
    state = url.current()
    if state.vue == "ajouter" and readonly():
        state = state.replace(vue="recherche")
    navigation(state)
    try:
        RENDERERS[state.vue](state)
    except (IndexMissing, IndexOutdated):
        st.error("L'index est introuvable ou d'une ancienne version : rechargez la page pour le reconstruire.")
        st.cache_resource.clear()


# Streamlit runs this file as __main__; a search process of archive/search_processes.py, started by
# spawning, imports it again as __mp_main__ and must not draw a page.
if __name__ == "__main__":
    main()
