"""État de l'archive: counts, last update, unreadable files (retry), full reindex."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from archive.store import index_stats
from archive.text import number, plural
from indexer.upload import is_upload, remove_upload
from ui.access import can_modify, may_modify, readonly
from ui.jobs import IndexJob, job_panel
from ui.runtime import background_sync, corpus_path, engine, index_path, report_summary, start_indexing, watcher
from ui.state import UrlState
from ui.text import file_size, french_timestamp, language_name, md


def year_chart(by_year: dict[str, int], undated: int) -> alt.Chart:
    years = sorted(int(y) for y in by_year if y.isdigit())
    labels = [str(y) for y in range(years[0], years[-1] + 1)] if years else []
    rows = [{"année": y, "documents": by_year.get(y, 0)} for y in labels]
    if undated:
        rows.append({"année": "sans date", "documents": undated})
    frame = pd.DataFrame(rows, columns=["année", "documents"])
    return (
        alt.Chart(frame)
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X("année:O", title=None, sort=labels + ["sans date"], axis=alt.Axis(labelAngle=0, labelOverlap=True)),
            y=alt.Y("documents:Q", title="Documents", axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip("année:O", title="Année"), alt.Tooltip("documents:Q", title="Documents")],
        )
        .properties(height=220)
    )


def counts_table(counts: dict[str, int], label: str, rename=lambda v: v) -> pd.DataFrame:
    return pd.DataFrame(
        [{label: rename(k) or "?", "Documents": n} for k, n in counts.items()], columns=[label, "Documents"]
    )


def _flash(message: str, level: str = "success") -> None:
    st.session_state["status_flash"] = (level, message)


STATUS_JOB = "job_status"
VOCABULARY_CHANGED = (
    "Le vocabulaire (acteurs, thèmes, lieux, dispositifs, types de documents) a changé depuis "
    "la dernière indexation complète : les documents indexés avant ne le reflètent pas encore."
)


def retry(paths: set[str] | None) -> None:
    label = "Nouvel essai" if paths and len(paths) == 1 else "Nouvel essai des fichiers illisibles"

    def outcome(job: IndexJob) -> tuple[str, str] | None:
        if job.report is None:
            return None
        still = {f["path"] for f in job.report.failed}
        wanted = paths or still
        fixed = [p for p in wanted if p not in still]
        if fixed:
            return "success", f"{plural(len(fixed), 'fichier indexé', 'fichiers indexés')} : " + ", ".join(
                md(p) for p in fixed
            )
        return "warning", "Toujours illisible : " + ", ".join(md(p) for p in sorted(wanted))

    start_indexing(STATUS_JOB, label, after=outcome, retry_failed=True, only_paths=paths)
    st.rerun()


def remove(path: str) -> None:
    """Delete an uploaded copy that cannot be read (the researcher has the original), then index:
    it leaves the list of unreadable files, which « Réessayer » alone could never empty."""
    corpus = corpus_path()

    def outcome(job: IndexJob) -> tuple[str, str] | None:
        if job.report is None:
            return None
        if path in {f["path"] for f in job.report.failed}:
            return "warning", f"Toujours dans la liste : {md(path)}"
        return "success", f"{md(path)} : copie retirée du corpus."

    start_indexing(STATUS_JOB, "Retrait d'un fichier envoyé", after=outcome, write=lambda: remove_upload(corpus, path))
    st.rerun()


def _status_job_done(job: IndexJob) -> None:
    """A job started from this page is over: its outcome (or its error) as the page's message."""
    if job.error is not None or job.report is None:
        _flash(f"L'indexation n'a pas abouti : {md(job.error or 'raison inconnue')}", "warning")
    elif isinstance(job.result, tuple):
        _flash(job.result[1], job.result[0])
    else:
        _flash(f"{job.label} terminée : " + report_summary(job.report))


def failed_files(failed: list[dict[str, Any]], allowed: bool) -> None:
    st.subheader(f"Fichiers illisibles ({number(len(failed))})")
    if not failed:
        st.caption("Tous les fichiers du corpus ont été lus.")
        return
    st.caption("Ces fichiers sont dans le corpus mais n'ont pas pu être indexés ; le reste de l'archive l'est.")
    if allowed and st.button("Tout réessayer", key="w_retry_all", icon=":material/refresh:"):
        retry(None)
    for i, item in enumerate(failed):
        with st.container(border=True):
            left, right = st.columns([5, 1], vertical_alignment="center")
            with left:
                st.markdown(f"**{md(item['path'])}**")
                tries = item.get("tries")
                when = french_timestamp(item.get("when"))
                extra = f" · {plural(tries, 'essai', 'essais')}" if tries else ""
                st.markdown(f"{md(item.get('reason', 'raison inconnue'))}  \n:gray[dernier essai : {when}{extra}]")
            with right:
                if allowed and st.button("Réessayer", key=f"w_retry_{i}"):
                    retry({item["path"]})
                if (
                    allowed
                    and is_upload(item["path"])
                    and st.button(
                        "Retirer",
                        key=f"w_remove_{i}",
                        help="Supprime la copie envoyée par l'application (l'original reste chez vous).",
                    )
                ):
                    remove(item["path"])


def _on_watch_toggle() -> None:
    w = watcher()
    if w is None:
        return
    if not can_modify():  # the toggle is disabled then, but the callback must not trust that alone
        st.session_state["w_watch"] = w.running
        return
    if st.session_state.get("w_watch"):
        w.start()
    else:
        w.stop()


@st.fragment(run_every=2)
def watch_status() -> None:
    w = watcher()
    if w is None or not w.running:
        return
    status = w.status
    parts = [f"État : **{md(status.state.label)}**"]
    if status.progress:
        done, total = status.progress
        parts.append(f"{number(done)}/{number(total)} fichiers")
    if status.pending:
        parts.append(plural(status.pending, "changement en attente", "changements en attente"))
    if status.last_run:
        parts.append(f"dernier passage : {french_timestamp(status.last_run)}")
    st.markdown(" · ".join(parts))
    if status.last_error:
        st.warning(f"Dernière erreur : {md(status.last_error)}")


def watch_panel(allowed: bool) -> None:
    w = watcher()
    if w is None:
        return
    st.subheader("Surveillance du dossier")
    st.caption(
        "Indexe automatiquement les fichiers déposés, modifiés ou supprimés dans le dossier du corpus, "
        "tant que l'application tourne."
    )
    st.session_state["w_watch"] = w.running
    st.toggle("Surveiller le dossier du corpus", key="w_watch", on_change=_on_watch_toggle, disabled=not allowed)
    if w.running:
        watch_status()


def maintenance() -> None:
    st.subheader("Réindexation")
    st.caption(
        "Reconstruit tout l'index depuis le dossier du corpus, à côté de l'index actuel : "
        "la recherche reste disponible pendant la reconstruction."
    )
    if not may_modify():
        return
    if st.button("Réindexer tout le corpus", key="w_rebuild", icon=":material/build:"):
        start_indexing(STATUS_JOB, "Réindexation", rebuild=True)
        st.rerun()


def sync_notice() -> None:
    if readonly():
        return
    sync = background_sync()
    if sync.running:
        st.info("Mise à jour de l'index avec le dossier du corpus en cours… La recherche reste disponible.")
    elif sync.error:
        st.warning(f"La mise à jour au démarrage n'a pas abouti : {md(sync.error)}")
    elif sync.report is not None:
        r = sync.report
        changed = r.added + r.updated + r.removed
        if changed:
            st.caption(f"Au démarrage, l'index a été mis à jour : {report_summary(r)}")


def render(state: UrlState) -> None:
    st.title("État de l'archive")
    flash = st.session_state.pop("status_flash", None)
    if flash:
        level, message = flash if isinstance(flash, tuple) else ("success", flash)
        (st.warning if level == "warning" else st.success)(message)
    job_panel(STATUS_JOB, _status_job_done)
    sync_notice()
    stats = index_stats(engine(), index_path())
    by_year = stats.by_year
    undated = stats.documents - sum(by_year.values())
    cols = st.columns(4)
    cols[0].metric("Documents", number(stats.documents))
    cols[1].metric("Fichiers illisibles", number(len(stats.failed)))
    cols[2].metric("Documents sans date", number(max(undated, 0)))
    cols[3].metric("Taille de l'index", file_size(stats.index_bytes))
    st.markdown(f"Dernière mise à jour de l'index : **{french_timestamp(stats.last_update)}**")
    if stats.vocabulary_changed:
        how = (
            "La personne qui administre l'archive peut l'appliquer (`archive index --rebuild`)."
            if readonly()
            else "« Réindexer tout le corpus », en bas de cette page, l'applique à toute l'archive."
        )
        st.warning(f"{VOCABULARY_CHANGED} {how}", icon=":material/update:")
    st.subheader("Documents par année")
    if by_year or undated:
        st.altair_chart(year_chart(by_year, max(undated, 0)), width="stretch")
    left, right = st.columns(2)
    with left:
        st.subheader("Par format")
        st.dataframe(counts_table(stats.by_format, "Format", lambda v: (v or "?").upper()), hide_index=True)
    with right:
        st.subheader("Par langue")
        st.table(counts_table(stats.by_language, "Langue", language_name).set_index("Langue"))
    failed_files(stats.failed, can_modify())
    st.caption("Les dates incertaines et les acteurs détectés à confirmer sont dans la vue « À vérifier ».")
    watch_panel(can_modify())
    maintenance()
