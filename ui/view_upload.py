"""Ajouter des documents: upload, duplicate check, optional metadata sheet, immediate indexing."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import streamlit as st

from indexer.formats import SUPPORTED_SUFFIXES
from indexer.sidecar import write_sidecar
from indexer.upload import UPLOAD_SUBDIR, UploadOutcome, content_id, outcomes_after_indexing, save_upload
from ui.access import may_modify
from ui.jobs import IndexJob, job_panel, job_pending
from ui.runtime import corpus_path, engine, report_summary, start_indexing
from ui.state import UrlState
from ui.text import md

MAX_OPTIONS = 300


def _known(facet: str, fallback: list[str]) -> list[str]:
    values = list(engine().facet_values(facet))[:MAX_OPTIONS]
    return values + [v for v in fallback if v not in values]


def _vocabulary() -> tuple[list[str], list[str]]:
    try:
        from archive import gazetteer

        return [a.name for a in gazetteer.actors()], list(gazetteer.theme_labels())
    except Exception:  # the vocabulary is a convenience for the form, never required
        return [], []


def metadata_form() -> dict[str, Any]:
    actors, themes = _vocabulary()
    with st.expander("Métadonnées (facultatif) : elles remplacent celles trouvées automatiquement"):
        st.caption("Elles s'appliquent à chacun des fichiers envoyés et sont enregistrées dans une fiche `.meta.yaml`.")
        title = st.text_input("Titre", key="w_meta_title")
        date = st.text_input("Date", key="w_meta_date", placeholder="2020-09-17, 2026-03 ou 2011")
        chosen_actors = st.multiselect(
            "Acteurs",
            options=_known("actor", actors),
            key="w_meta_actors",
            accept_new_options=True,
            placeholder="Choisissez ou tapez un nom",
        )
        chosen_themes = st.multiselect(
            "Thèmes", options=_known("theme", themes), key="w_meta_themes", placeholder="Choisissez des thèmes"
        )
        source = st.text_input("Adresse d'origine (URL)", key="w_meta_source", placeholder="https://…")
    return {
        "title": title.strip(),
        "date": date.strip(),
        "actors": chosen_actors,
        "themes": chosen_themes,
        "source_url": source.strip(),
    }


UPLOAD_JOB = "job_upload"


def process(files: list[tuple[str, bytes]], meta: dict[str, Any]) -> None:
    """Save the new files (duplicates are not saved) and have the server index them; what became
    of each is stored in the session when the indexing is over (see `_uploaded`)."""
    eng = engine()
    corpus = corpus_path()
    outcomes: list[UploadOutcome] = []
    saved: list[tuple[str, Path, str]] = []
    batch: dict[str, str] = {}
    for name, data in files:
        doc_id = content_id(data)
        existing = eng.document(doc_id)
        if existing is not None:
            outcomes.append(UploadOutcome(name, "doublon", doc_id, existing.path))
            continue
        if doc_id in batch:
            outcomes.append(UploadOutcome(name, "doublon", doc_id, batch[doc_id]))
            continue
        try:
            path = save_upload(corpus, name, data, subdir=UPLOAD_SUBDIR)
            if any(meta.values()):
                write_sidecar(path, meta)
        except (OSError, ValueError) as exc:
            outcomes.append(UploadOutcome(name, "échec", reason=f"enregistrement impossible ({exc})"))
            continue
        batch[doc_id] = path.relative_to(corpus).as_posix()
        saved.append((name, path, doc_id))
    order = {name: i for i, (name, _) in enumerate(files)}

    def outcome(job: IndexJob) -> dict[str, Any]:
        """Run by the server's indexing thread once the new files are indexed."""
        found = list(outcomes)
        if job.report is None:
            found += [
                UploadOutcome(n, "échec", None, batch[i], "l'indexation n'a pas abouti ; réessayez depuis « État »")
                for n, _, i in saved
            ]
        else:
            known = {i for _, _, i in saved if eng.document(i) is not None}
            found += outcomes_after_indexing(corpus, saved, job.report, known)
        found.sort(key=lambda o: order.get(o.name, 0))
        summary = report_summary(job.report) if job.report is not None else None
        return {"outcomes": [asdict(o) for o in found], "summary": summary}

    if saved:
        start_indexing(UPLOAD_JOB, "Indexation des nouveaux fichiers", after=outcome)
    else:
        st.session_state["upload_outcomes"] = [asdict(o) for o in sorted(outcomes, key=lambda o: order.get(o.name, 0))]


def _uploaded(job: IndexJob) -> None:
    result = job.result or {"outcomes": [], "summary": None}
    st.session_state["upload_outcomes"] = result["outcomes"]
    st.session_state["upload_summary"] = result["summary"]


def show_outcomes(outcomes: list[dict[str, Any]]) -> None:
    st.subheader("Résultat de l'envoi")
    for o in outcomes:
        name = md(o["name"])
        link = f" — [ouvrir le document](?vue=document&doc={o['doc_id']})" if o.get("doc_id") else ""
        if o["status"] == "indexé":
            renamed = o.get("path") and Path(o["path"]).name != o["name"]
            saved = f" (enregistré sous {md(o['path'])})" if renamed else ""
            st.success(f"**{name}** : indexé{saved}{link}", icon=":material/check_circle:")
        elif o["status"] == "doublon":
            where = f" ({md(o['path'])})" if o.get("path") else ""
            st.info(f"**{name}** : doublon d'un document existant{where}{link}", icon=":material/content_copy:")
        else:
            st.error(f"**{name}** : échec — {md(o.get('reason') or 'raison inconnue')}", icon=":material/error:")
    summary = st.session_state.get("upload_summary")
    if summary:
        st.caption(summary)


def render(state: UrlState) -> None:
    st.title("Ajouter des documents")
    if not may_modify():
        return
    formats = ", ".join(s.lstrip(".").upper() for s in SUPPORTED_SUFFIXES)
    st.markdown(
        f"Les fichiers sont copiés dans le dossier `{UPLOAD_SUBDIR}/` du corpus, puis indexés aussitôt. "
        f"Formats acceptés : {formats}. Un fichier déjà présent dans l'archive n'est pas copié une seconde fois."
    )
    round_ = st.session_state.setdefault("upload_round", 0)
    # While this session's last upload is being indexed, a second click (or a click Streamlit
    # replays after an interrupted rerun) must not save the same files again.
    pending = job_pending(UPLOAD_JOB)
    with st.form(f"upload_form_{round_}", border=True):
        files = st.file_uploader(
            "Fichiers à ajouter",
            type=[s.lstrip(".") for s in SUPPORTED_SUFFIXES],
            accept_multiple_files=True,
            key=f"w_files_{round_}",
        )
        meta = metadata_form()
        submitted = st.form_submit_button(
            "Ajouter à l'archive", type="primary", icon=":material/upload:", disabled=pending
        )
    if submitted:
        if pending:
            st.info("L'envoi précédent est en cours d'indexation ; attendez qu'il se termine.")
        elif not files:
            st.warning("Choisissez d'abord un ou plusieurs fichiers.")
        else:
            st.session_state.pop("upload_summary", None)
            st.session_state.pop("upload_outcomes", None)
            process([(f.name, f.getvalue()) for f in files], meta)
            st.session_state["upload_round"] = round_ + 1
            for key in ("w_meta_title", "w_meta_date", "w_meta_actors", "w_meta_themes", "w_meta_source"):
                st.session_state.pop(key, None)
            st.rerun()
    job_panel(UPLOAD_JOB, _uploaded)
    if st.session_state.get("upload_outcomes"):
        show_outcomes(st.session_state["upload_outcomes"])
