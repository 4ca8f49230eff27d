"""Dossiers in the app: « Ajouter au dossier » on a document's page, and the « Dossiers » view
(description, a note per document, reorder, remove, CSV / RIS / ZIP exports)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from archive import dossiers
from archive.lab import LabError
from archive.models import DocumentRecord
from archive.ris_export import to_ris
from archive.text import plural
from ui import url
from ui.access import may_modify, readonly
from ui.cards import document_href
from ui.runtime import corpus_path, engine
from ui.state import UrlState
from ui.text import esc, french_date, md
from ui.veille import lab

NEW = "+ Nouveau dossier…"  # an ASCII plus: the full-width one has no glyph in Debian's default fonts


def _add(doc_id: str, title: str) -> bool:
    chosen = url.widget("w_dossier_pick") or NEW
    name = (url.widget("w_dossier_new") or "") if chosen == NEW else chosen
    try:
        added = dossiers.add(lab(), name, doc_id, title, (url.widget("w_dossier_note") or "").strip())
    except LabError as exc:
        st.session_state["dossier_error"] = str(exc)
        return False
    st.session_state.pop("dossier_error", None)
    st.session_state["w_dossier_note"] = ""
    st.session_state["app_toast"] = (
        f"Ajouté au dossier « {name.strip()} »." if added else f"Déjà dans le dossier « {name.strip()} »."
    )
    return True


def dossier_form(doc_id: str, title: str, on_add: Callable[[str, str], object] = _add) -> None:
    """Which dossier (an existing one or a new one), a note, « Ajouter »."""
    existing = [n for n, _ in dossiers.names(lab())]
    choice = st.selectbox("Dossier", existing + [NEW], key="w_dossier_pick")
    if choice == NEW:
        st.text_input("Nom du nouveau dossier", key="w_dossier_new", max_chars=100)
    st.text_area("Note sur ce document (facultatif)", key="w_dossier_note", height=80)
    st.button("Ajouter", key="w_dossier_add", on_click=on_add, args=(doc_id, title), type="primary")
    error = st.session_state.pop("dossier_error", None)
    if error:
        st.error(md(error))


def add_to_dossier(record: DocumentRecord) -> None:
    """The « Ajouter au dossier » popover of a document page (not in read-only mode)."""
    if readonly():
        return
    with st.popover("Ajouter au dossier", icon=":material/folder_open:"):
        if not may_modify("add_to_dossier"):
            return
        dossier_form(record.id, record.title or record.path)


# -- from a result card: a small button that opens the same form in a dialog -----------------

DIALOG_FOR = "dossier_dialog_for"
DIALOG_DONE = "dossier_dialog_done"


def _add_from_dialog(doc_id: str, title: str) -> None:
    if _add(doc_id, title):
        st.session_state[DIALOG_DONE] = True


def _open_dialog(doc_id: str, title: str) -> None:
    st.session_state[DIALOG_FOR] = (doc_id, title)
    st.session_state.pop(DIALOG_DONE, None)


@st.dialog("Ajouter au dossier")
def _dialog(doc_id: str, title: str) -> None:
    if st.session_state.pop(DIALOG_DONE, False):
        st.rerun()  # added: the whole page reruns (its toast shows) and the dialog is not drawn again
    st.markdown(f"**{md(title)}**")
    if not may_modify("card_dossier"):
        return
    dossier_form(doc_id, title, on_add=_add_from_dialog)


def card_button(doc_id: str, title: str) -> None:
    """« Ajouter au dossier » under a result card (not in read-only mode)."""
    if readonly():
        return
    st.button(
        "Ajouter au dossier",
        key=f"w_card_dossier_{doc_id}",
        on_click=_open_dialog,
        args=(doc_id, title),
        icon=":material/create_new_folder:",
        type="tertiary",
    )


def card_dialog() -> None:
    """Draw the dialog a card's button asked for (once: closing it does not open it again)."""
    chosen = st.session_state.pop(DIALOG_FOR, None)
    if chosen and not readonly():
        _dialog(*chosen)


def _move(name: str, doc_id: str, to: int) -> None:
    dossiers.move(lab(), name, doc_id, to)


def _remove(name: str, doc_id: str) -> None:
    dossiers.remove(lab(), name, doc_id)


def _save_note(name: str, doc_id: str, key: str) -> None:
    dossiers.set_note(lab(), name, doc_id, (url.widget(key) or "").strip())


def _save_description(name: str, key: str) -> None:
    dossiers.set_description(lab(), name, url.widget(key) or "")


def _on_pick() -> None:
    st.session_state["dossier_open"] = url.widget("w_dossiers_open")


def render(state: UrlState) -> None:
    st.title("Dossiers")
    listed = dossiers.names(lab())
    if not listed:
        st.info("Aucun dossier pour l'instant : ouvrez un document et choisissez « Ajouter au dossier ».")
        return
    names = [n for n, _ in listed]
    counts = dict(listed)
    current = st.session_state.get("dossier_open")
    url.sync("w_dossiers_open", current if current in names else names[0])
    name = st.selectbox(
        "Dossier",
        names,
        key="w_dossiers_open",
        on_change=_on_pick,
        format_func=lambda n: f"{n} ({plural(counts[n], 'document')})",
    )
    dossier = dossiers.get(lab(), name)
    if dossier is None:
        return
    rows = dossiers.resolved(dossier, engine())
    editable = not readonly() and may_modify("dossiers")
    key = f"w_dossier_description_{dossier.id}"
    url.sync(key, dossier.description)
    st.text_area(
        "Description du dossier",
        key=key,
        height=68,
        disabled=not editable,
        on_change=_save_description,
        args=(name, key),
        placeholder="Ce que réunit ce dossier (un chapitre, une question, une enquête…)",
    )
    notes = {item.doc_id: item.note for item, _ in rows}
    with st.container(horizontal=True):
        st.download_button("Inventaire CSV", dossiers.inventory_csv(rows), f"{name}.csv", "text/csv", on_click="ignore")
        st.download_button(
            "Références RIS",
            to_ris([r for _, r in rows if r is not None], notes),
            f"{name}.ris",
            "application/x-research-info-systems",
            on_click="ignore",
        )
        st.download_button(
            "ZIP (originaux et inventaire)",
            lambda: dossiers.to_zip(dossier, rows, corpus_path(), lambda records: to_ris(records, notes)),
            f"{name}.zip",
            "application/zip",
            on_click="ignore",
        )
    for item, record in rows:
        with st.container(border=True, key=f"dossier_item_{item.doc_id}"):
            if record is None:
                st.markdown(f"**{item.position}. {md(item.title or item.doc_id)}** — *retiré de l'archive*")
            else:
                href = document_href(state.replace(q=""), record.id)
                st.html(
                    f'<div class="arc-title">{item.position}. <a href="{esc(href)}" target="_self">'
                    f"{esc(record.title or record.path)}</a></div>"
                    f'<div class="arc-meta">{esc(french_date(record.date))} · {esc(", ".join(record.actors[:4]))}</div>'
                )
            key = f"w_note_{dossier.id}_{item.doc_id}"
            url.sync(key, item.note)
            st.text_area(
                "Note",
                key=key,
                height=68,
                disabled=not editable,
                on_change=_save_note,
                args=(name, item.doc_id, key),
            )
            if editable:
                with st.container(horizontal=True):
                    st.button(
                        "↑",
                        key=f"w_up_{item.doc_id}",
                        on_click=_move,
                        args=(name, item.doc_id, item.position - 1),
                        disabled=item.position == 1,
                        help="Monter",
                    )
                    st.button(
                        "↓",
                        key=f"w_down_{item.doc_id}",
                        on_click=_move,
                        args=(name, item.doc_id, item.position + 1),
                        disabled=item.position == len(rows),
                        help="Descendre",
                    )
                    st.button(
                        "Retirer du dossier", key=f"w_rm_{item.doc_id}", on_click=_remove, args=(name, item.doc_id)
                    )
