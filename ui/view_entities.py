"""Detected actors awaiting a decision: confirm, merge into a known actor, or reject.

Names found by entity recognition that the gazetteer does not know. Each decision is kept
in the gazetteer folder (archive.decisions), so it survives every rebuild, and the
documents concerned are analysed again at once. The decision and the new analysis are one job
of the server's indexing thread (ui.jobs): a click, a rerun or a closed tab neither loses the
decision nor takes it twice.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from archive import decisions, gazetteer
from archive.text import number, plural
from ui.access import can_modify
from ui.jobs import IndexJob, job_panel, job_pending
from ui.runtime import engine, start_indexing
from ui.text import md

SHOWN = 25
KIND_OF_DETECTED = {"personne": "personnalités", "organisation": "entreprises"}
FLASH = "review_flash"
REVIEW_JOB = "job_review"


TITLE_CHARS = 60  # a document's title in the list, cut beyond


def _decide(action: Callable[[], str], doc_ids: list[str], name: str) -> None:
    """Have the server record the decision, then analyse its documents again."""
    if job_pending(REVIEW_JOB):  # a second click while the first decision is being applied
        st.session_state[FLASH] = ("info", "Une décision est déjà en cours d'application : attendez sa fin.")
        st.rerun()
    start_indexing(
        REVIEW_JOB, f"Nouvelle analyse des documents de « {md(name)} »", write=action, reextract=set(doc_ids)
    )
    st.rerun()


def _decided(job: IndexJob) -> None:
    """The decision job is over: its outcome as the view's message."""
    if not job.wrote:
        st.session_state[FLASH] = ("warning", md(job.error or "décision impossible"))
        return
    n = len(job.options.get("reextract") or ())
    if job.report is None:
        st.session_state[FLASH] = (
            "warning",
            f"{md(job.written)}, mais les documents concernés n'ont pas pu être réanalysés "
            f"({md(job.error or 'raison inconnue')}) : « Réindexer tout le corpus » (État de l'archive) "
            "les mettra à jour.",
        )
        return
    done = plural(n, "document réanalysé", "documents réanalysés")
    st.session_state[FLASH] = ("success", f"{md(job.written)} ; {done}.")


def confirm(name: str, kind: str, doc_ids: list[str]) -> None:
    def act() -> str:
        decisions.confirm(name, kind)
        return f"« {name} » ajouté aux acteurs ({kind})"

    _decide(act, doc_ids, name)


def merge(name: str, into: str, doc_ids: list[str]) -> None:
    def act() -> str:
        target = decisions.merge(name, into)
        return f"« {name} » fusionné dans « {target} »"

    _decide(act, doc_ids, name)


def reject(name: str, doc_ids: list[str]) -> None:
    def act() -> str:
        decisions.reject(name)
        return f"« {name} » rejeté : il ne sera plus proposé"

    _decide(act, doc_ids, name)


def _label(doc_id: str) -> str:
    """A document as a researcher knows it: its title (shortened), not its id."""
    record = engine().document(doc_id)
    title = (record.title if record else "") or doc_id[:8]
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def render() -> None:
    st.subheader("Acteurs détectés à confirmer")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        getattr(st, flash[0])(flash[1])
    busy = job_panel(REVIEW_JOB, _decided)
    detected = engine().detected_entities(limit=SHOWN)
    if not detected:
        st.caption(
            "Aucun acteur détecté hors gazetteer en attente (ou la reconnaissance d'entités est désactivée par "
            "ARCHIVE_NER=0, ou le modèle français de spaCy n'est pas installé)."
        )
        return
    st.caption(
        "Organisations et personnes repérées dans les textes mais absentes du gazetteer (celles qui sont "
        "nommées dans le titre, le premier paragraphe ou deux fois sont déjà dans la facette « acteurs », "
        "marquées « détecté »). Confirmer les ajoute "
        "aux acteurs ; fusionner en fait un autre nom d'un acteur connu ; rejeter les écarte définitivement. "
        "La décision est gardée dans le dossier du gazetteer et survit aux reconstructions de l'index."
    )
    allowed = can_modify()
    known = [a.name for a in gazetteer.actors()]
    for i, (name, kind, doc_ids) in enumerate(detected):
        with st.container(border=True, key=f"detected_{i}"):
            links = ", ".join(f"[{md(_label(d))}](?vue=document&doc={d})" for d in doc_ids[:5])
            more = f" et {number(len(doc_ids) - 5)} autres" if len(doc_ids) > 5 else ""
            st.markdown(f"**{md(name)}** · {md(kind)} · {plural(len(doc_ids), 'document')} : {links}{more}")
            if not allowed:
                continue
            c1, c2, c3, c4, c5 = st.columns([2, 1, 2, 1, 1], vertical_alignment="bottom")
            default = KIND_OF_DETECTED.get(kind, gazetteer.ACTOR_KINDS[0])
            chosen = c1.selectbox(
                "Catégorie", gazetteer.ACTOR_KINDS, index=gazetteer.ACTOR_KINDS.index(default), key=f"w_det_kind_{i}"
            )
            if c2.button("Confirmer", key=f"w_det_confirm_{i}", help="Ajouter au gazetteer des acteurs", disabled=busy):
                confirm(name, chosen, doc_ids)
            target = c3.selectbox(
                "Fusionner dans", known, index=None, placeholder="Acteur connu…", key=f"w_det_into_{i}"
            )
            if c4.button("Fusionner", key=f"w_det_merge_{i}", disabled=busy or target is None):
                merge(name, target or "", doc_ids)
            if c5.button("Rejeter", key=f"w_det_reject_{i}", help="Ne plus proposer ce nom", disabled=busy):
                reject(name, doc_ids)
