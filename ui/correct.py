"""« Corriger les métadonnées » on the document page.

Corrections go to the document's sidecar (never to the original) through indexer.corrections,
then the document is indexed again at once; only allowed when the archive may be changed
(read-only mode and the administrator password, see ui.access). Both the write and the indexing
are one job of the server's indexing thread (ui.jobs): a click, a rerun or a closed tab neither
loses the correction nor makes it twice.
"""

from __future__ import annotations

import streamlit as st

from archive import gazetteer, schemes
from archive.models import DocumentRecord
from archive.text import fold_name
from indexer.corrections import CorrectionError, document_file, validate, write_correction
from indexer.doctype import DOC_TYPES
from ui.access import may_modify, readonly
from ui.controls import lazy_expander
from ui.jobs import IndexJob, job_panel, job_pending
from ui.runtime import corpus_path, index_jobs, start_indexing
from ui.text import md

FLASH = "doc_flash"
CORRECT_JOB = "job_correct"


def named_places(record: DocumentRecord) -> list[str]:
    """The places the text names (the facet also holds their departments and regions)."""
    named = [d.get("name") for d in record.place_details if isinstance(d, dict) and d.get("name")]
    return list(dict.fromkeys(named)) if named or not record.places else list(record.places)


def changed_values(record: DocumentRecord, typed: dict[str, object]) -> dict[str, object]:
    """Only what the researcher changed, so every other value keeps its own rule."""
    current: dict[str, object] = {
        "title": record.title,
        "date": record.date or "",
        "doc_type": record.doc_type,
        "actors": list(record.actors),
        "themes": list(record.themes),
        "places": named_places(record),
        "schemes": list(record.schemes),
    }
    return {k: v for k, v in typed.items() if v != current.get(k)}


def _save(record: DocumentRecord, changes: dict[str, object], label: str) -> None:
    if job_pending(CORRECT_JOB):  # a second click while the first correction is being indexed
        st.session_state[FLASH] = ("info", "Une correction est déjà en cours d'enregistrement : attendez sa fin.")
        st.rerun()
    try:  # checked here for an immediate message; the worker checks again when it writes
        validate({k: v for k, v in changes.items() if v is not None})
    except CorrectionError as exc:
        st.session_state[FLASH] = ("error", md(exc))
        st.rerun()
    corpus, rel = corpus_path(), record.path

    def write() -> None:
        write_correction(document_file(corpus, rel), changes)

    start_indexing(CORRECT_JOB, f"{label} « {md(record.title)} »", write=write)
    st.rerun()


def _corrected(job: IndexJob) -> None:
    """The correction job is over: its outcome as the page's message."""
    if not job.wrote:
        st.session_state[FLASH] = ("error", f"Correction non enregistrée : {md(job.error or 'raison inconnue')}")
    elif job.report is None:
        st.session_state[FLASH] = (
            "warning",
            "Corrections enregistrées dans la fiche du document, mais la réindexation n'a pas abouti "
            f"({md(job.error or 'raison inconnue')}) : elles seront prises en compte à la prochaine indexation.",
        )
    else:
        st.session_state[FLASH] = ("success", "Corrections enregistrées dans la fiche du document et réindexées.")


def form(record: DocumentRecord) -> None:
    if readonly():
        return
    flash = st.session_state.pop(FLASH, None)
    if flash:
        getattr(st, flash[0])(flash[1])
    busy = job_panel(CORRECT_JOB, _corrected)
    # Built only while open: its multiselects hold every known actor and place, which the browser
    # would otherwise receive and lay out, hidden, with each document opened.
    box = lazy_expander("Corriger les métadonnées", "exp_correct")
    if not box.open:
        return
    with box:
        if not may_modify("correct"):
            return
        index_jobs().prepare()  # the indexing process starts while the researcher types
        st.caption(
            "Les corrections sont écrites dans la fiche du document (fichier .meta.yaml à côté de l'original, "
            "qui n'est jamais modifié), puis le document est réindexé."
        )
        key = f"{record.id}_{record.indexed_at}"
        actors = sorted({a.name for a in gazetteer.actors()} | set(record.actors), key=fold_name)
        places = sorted(set(gazetteer.place_names()) | set(named_places(record)), key=fold_name)
        type_index = DOC_TYPES.index(record.doc_type) if record.doc_type in DOC_TYPES else 0
        with st.form(f"w_correct_{key}"):
            typed = {
                "title": st.text_input("Titre", value=record.title, key=f"w_c_title_{key}"),
                "date": st.text_input(
                    "Date (2020, 2020-09 ou 2020-09-17)", value=record.date or "", key=f"w_c_date_{key}"
                ),
                "doc_type": st.selectbox("Type", DOC_TYPES, index=type_index, key=f"w_c_type_{key}"),
                "actors": st.multiselect(
                    "Acteurs",
                    actors,
                    default=record.actors,
                    accept_new_options=True,
                    placeholder="Choisissez ou tapez un nom",
                    key=f"w_c_actors_{key}",
                ),
                "schemes": st.multiselect(
                    "Dispositifs",
                    [s.name for s in schemes.schemes()],
                    default=[s for s in record.schemes if schemes.scheme(s)],
                    placeholder="Choisissez des dispositifs",
                    key=f"w_c_schemes_{key}",
                ),
                "themes": st.multiselect(
                    "Thèmes",
                    gazetteer.theme_labels(),
                    default=record.themes,
                    placeholder="Choisissez des thèmes",
                    key=f"w_c_themes_{key}",
                ),
                "places": st.multiselect(
                    "Lieux",
                    places,
                    default=named_places(record),
                    accept_new_options=True,
                    placeholder="Choisissez ou tapez un lieu",
                    key=f"w_c_places_{key}",
                ),
            }
            submitted = st.form_submit_button("Enregistrer les corrections", type="primary", disabled=busy)
        if submitted:
            changes = changed_values(record, typed)
            if not changes:
                st.info("Aucune valeur n'a changé.")
            else:
                _save(record, changes, "Réindexation du document corrigé")
        corrected = [f for f, origin in record.provenance.items() if origin == "modifié"]
        if corrected and st.button(
            "Revenir aux valeurs trouvées automatiquement",
            key=f"w_c_reset_{key}",
            disabled=busy,
            help="Retire les corrections faites dans l'application : " + md(", ".join(corrected)),
        ):
            _save(record, dict.fromkeys(corrected), "Réindexation du document")
