"""Document: metadata with provenance, highlighted full text, download, similar documents."""

from __future__ import annotations

import mimetypes
from pathlib import Path

import streamlit as st

from archive import gazetteer, schemes
from archive.models import DocumentRecord
from archive.text import number
from ui import correct
from ui.cards import badge, compact_row, search_link, version_items, versions_label
from ui.rules import rule
from ui.runtime import corpus_path, engine
from ui.state import UrlState
from ui.text import esc, file_size, french_date, french_timestamp, language_name, md, safe_url
from ui.view_dossiers import add_to_dossier

PROVENANCE = {
    "extrait": ("extrait", "prov", "Trouvé automatiquement dans le document"),
    "fiche": ("fiche", "prov fiche", "Donné par la fiche de métadonnées (.meta.yaml)"),
    "modifié": ("modifié", "prov modifie", "Corrigé à la main"),
}


def original_file(record: DocumentRecord) -> Path | None:
    """The first path of the document under the corpus, if it is still there (and inside it)."""
    root = corpus_path()
    for rel in record.paths:
        path = (root / rel).resolve()
        if (root in path.parents) and path.is_file():
            return path
    return None


def _prov(record: DocumentRecord, field: str) -> str:
    """The provenance badge of a value and the rule that produced it."""
    origin = record.provenance.get(field)
    if not origin:
        return ""
    label, cls, tip = PROVENANCE.get(origin, (origin, "prov", origin))
    return " " + badge(label, cls, title=tip) + f'<span class="arc-rule">{esc(rule(record, field))}</span>'


def _links(kind: str, values: list[str], detected: frozenset[str] = frozenset()) -> str:
    if not values:
        return '<span class="arc-muted">aucun</span>'
    out = []
    for v in values:
        if v in detected:
            out.append(badge(f"{v} · détecté", f"{kind} detected", search_link(kind, v), title=DETECTED_TIP))
        else:
            out.append(badge(v, kind, search_link(kind, v), title=_actor_tip(v) if kind == "actor" else _tip(v)))
    return " ".join(out)


DETECTED_TIP = "Trouvé par la reconnaissance d'entités, hors gazetteer : à confirmer dans « À vérifier »"


def _tip(value: str) -> str:
    return f"Rechercher tous les documents : « {value} »"


def _actor_tip(name: str) -> str:
    parents = gazetteer.actor_parents(name)
    member = f" (membre de : {', '.join(parents)})" if parents else ""
    return _tip(name) + member


def _schemes(record: DocumentRecord) -> str:
    if not record.schemes:
        return '<span class="arc-muted">aucun</span>'
    out = []
    for name in record.schemes:
        found = schemes.scheme(name)
        tip = f"{name}, {found.years}" + (f" — {found.note}" if found and found.note else "") if found else name
        out.append(badge(name, "scheme", search_link("scheme", name), title=tip))
    return " ".join(out)


def _places(record: DocumentRecord) -> str:
    if not record.places:
        return '<span class="arc-muted">aucun</span>'
    details = {d.get("name"): d for d in record.place_details if isinstance(d, dict)}
    out = []
    for name in record.places:
        d = details.get(name, {})
        where = ", ".join(str(x) for x in (d.get("department"), d.get("region")) if x and x != name)
        out.append(badge(name, "place", search_link("place", name), title=where or None))
    return " ".join(out)


def _detected(record: DocumentRecord) -> frozenset[str]:
    return frozenset(getattr(record, "actors_detected", None) or [])


def metadata_table(record: DocumentRecord) -> str:
    date = esc(french_date(record.date))
    rows = [
        ("Titre", esc(record.title) + _prov(record, "title")),
        ("Date", (date if record.date else '<span class="arc-muted">sans date</span>') + _prov(record, "date")),
        ("Type", esc(record.doc_type or "inconnu") + _prov(record, "doc_type")),
        ("Langue", esc(language_name(record.language)) + _prov(record, "language")),
        ("Acteurs", _links("actor", record.actors, _detected(record)) + _prov(record, "actors")),
        ("Dispositifs", _schemes(record) + _prov(record, "schemes")),
        ("Thèmes", _links("theme", record.themes) + _prov(record, "themes")),
        ("Lieux", _places(record) + _prov(record, "places")),
        ("Format", esc((record.format or "?").upper()) + f" · {esc(plural_pages(record.pages))}"),
        ("Taille", esc(file_size(record.size))),
        ("Fichier" if len(record.paths) == 1 else "Fichiers", "<br>".join(esc(p) for p in record.paths)),
    ]
    url = safe_url(record.source_url)
    if url:
        rows.append(("Source", f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(url)}</a>'))
    elif record.source_url:
        rows.append(("Source", esc(record.source_url)))
    rows += [
        ("Identifiant", f"<code>{esc(record.id)}</code>"),
        ("SHA-256", f'<code style="font-size:.75rem">{esc(record.sha256)}</code>'),
        ("Indexé le", esc(french_timestamp(record.indexed_at))),
    ]
    body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    return f'<table class="arc-meta-table">{body}</table>'


def plural_pages(n: int) -> str:
    return f"{number(n)} page" if n <= 1 else f"{number(n)} pages"


def theme_evidence(record: DocumentRecord) -> str:
    items = []
    for theme in record.themes:
        terms = record.theme_evidence.get(theme, [])
        shown = ", ".join(f"« {esc(t)} »" for t in terms) if terms else "indiqué par la fiche"
        items.append(f"<li><b>{esc(theme)}</b> : {shown}</li>")
    return f'<ul class="arc-list">{"".join(items)}</ul>' if items else ""


def events_table(record: DocumentRecord) -> str:
    rows = "".join(
        f"<tr><th>{esc(french_date(e.get('date')))}</th><td>{esc(e.get('context', ''))}</td></tr>"
        for e in record.events
        if isinstance(e, dict)
    )
    return f'<table class="arc-meta-table">{rows}</table>' if rows else ""


def download(record: DocumentRecord) -> None:
    path = original_file(record)
    if path is None:
        st.warning("Le fichier original n'est plus dans le corpus.")
        return
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    st.download_button(
        "Télécharger l'original",
        data=path.read_bytes,
        file_name=path.name,
        mime=mime,
        icon=":material/download:",
        on_click="ignore",
        type="primary",
        key="w_download",
    )


def render(state: UrlState) -> None:
    eng = engine()
    back = state.replace(vue="recherche", doc=None)
    st.html(f'<a href="{esc(back.link())}" target="_self">← Retour à la recherche</a>')
    if not state.doc:
        st.title("Document")
        st.info("Ouvrez un document depuis les résultats de recherche ou la chronologie.")
        return
    record = eng.document(state.doc)
    if record is None:
        st.title("Document")
        st.error("Ce document n'est pas (ou plus) dans l'archive.")
        return
    st.title(md(record.title or record.path))
    st.caption(f"{md(french_date(record.date))} · {md(record.doc_type)} · {md(language_name(record.language))}")
    main, side = st.columns([2.2, 1], gap="large")
    with side:
        download(record)
        add_to_dossier(record)
        versions = eng.versions(record.id)
        if versions:
            st.subheader("Autres versions de ce texte")
            st.caption(f"{versions_label(len(versions))} : le même texte, à quelques différences près.")
            st.html(f'<ul class="arc-list arc-version-list">{version_items(versions, state)}</ul>')
        st.subheader("Documents similaires")
        same_text = {v.id for v in versions}
        similar = [h for h in eng.similar(record.id, limit=5 + len(same_text)) if h.id not in same_text][:5]
        if not similar:
            st.caption("Aucun document proche.")
        for hit in similar:
            st.html(compact_row(hit, state, badges=0))
    with main:
        st.subheader("Métadonnées")
        st.html(metadata_table(record))
        evidence = theme_evidence(record)
        if evidence:
            with st.expander("Pourquoi ces thèmes ?", expanded=False):
                st.html(evidence)
        events = events_table(record)
        if events:
            with st.expander(f"Événements datés ({len(record.events)})", expanded=False):
                st.html(events)
        correct.form(record)
        if record.notes:
            with st.expander(f"Remarques ({len(record.notes)})", expanded=True):
                for note in record.notes:
                    st.markdown(f"- {md(note)}")
        st.subheader("Texte intégral")
        if state.q:
            st.caption(f"Les termes de la recherche « {md(state.q)} » sont surlignés.")
        text = eng.highlighted_text(record.id, state.q)  # escaped by the library, with <mark>
        if text and text.strip():
            st.html(f'<div class="arc-fulltext">{text}</div>')
        else:
            st.caption("Aucun texte n'a pu être extrait de ce document.")
