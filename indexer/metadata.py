"""From extracted text (and an optional sidecar) to a document record."""

from __future__ import annotations

import datetime
import re
import time
from pathlib import Path
from typing import Any

from archive import gazetteer, offices, schemes
from archive.models import DocumentRecord
from archive.text import PERIOD, fold_name
from indexer import actor_salience, entities
from indexer.dates import document_date, events, find_dates
from indexer.doctype import detect_doc_type
from indexer.extract import Extraction
from indexer.language import detect_language
from indexer.metadata_chrome import mask_chrome
from indexer.titles import guess_title, publication_in, title_rule

EXTRACTED, SIDECAR, CORRECTED = "extrait", "fiche", "modifié"
GAZETTEER_CHARS = 1_000_000  # actors, themes and places
HEAD_CHARS = 100_000  # dates, type, title, language, named entities


def build_record(
    *,
    doc_id: str,
    paths: list[str],
    extraction: Extraction,
    sidecar: dict[str, Any],
    sha256: str,
    size: int,
) -> DocumentRecord:
    # Metadata is read from the beginning of very long texts (all of it stays searchable):
    # a 10 MB single-line file must not take minutes to describe.
    full_text = extraction.text
    text = full_text[:GAZETTEER_CHARS]
    head = text[:HEAD_CHARS]
    title = sidecar.get("title") or guess_title(head, extraction.title_hint, Path(paths[0]).stem)
    provenance = {"title": SIDECAR if "title" in sidecar else EXTRACTED}
    provenance["title_rule"] = title_rule(title, sidecar, extraction.title_hint, Path(paths[0]).stem)

    found_date = document_date(
        head,
        title=title,
        file_name=Path(paths[0]).name,
        pdf_date=extraction.pdf_date,
        sidecar=sidecar.get("date"),
        meta_source=extraction.meta_source or extraction.format or "pdf",
        conversion_days=_conversion_days(extraction),
    )
    provenance["date"] = SIDECAR if found_date.source == "sidecar" else EXTRACTED
    # Which rule gave the date: sidecar, header, publication, filename, event, the file's
    # metadata (pdf, docx, odt, html: only when the text has no date) or none.
    provenance["date_rule"] = found_date.source
    notes = list(extraction.notes)
    if len(full_text) > GAZETTEER_CHARS:
        notes.append("texte très long : métadonnées lues sur son premier million de caractères")
    if found_date.value and not found_date.in_range:
        notes.append(f"date hors de la période {PERIOD} ({found_date.value})")
    if sidecar.get("date") and found_date.source != "sidecar":
        notes.append(f"date de la fiche illisible : {sidecar['date']!r}")

    # Actors, themes, places and schemes are read without the site chrome that a web page
    # printed to PDF keeps (menus, « Les plus lus » teasers, cookie banner, footer).
    text = mask_chrome(text)
    found_actors = gazetteer.find_actors(text)
    office_mentions = offices.mentions(text, found_date.value, _date_stated)
    doc_type = sidecar.get("doc_type") or detect_doc_type(head, title, Path(paths[0]).name)
    provenance["doc_type"] = SIDECAR if "doc_type" in sidecar else EXTRACTED
    actors = _from_sidecar_or(
        sidecar, "actors", lambda: _actor_names(found_actors, office_mentions, text, title, doc_type), provenance
    )
    theme_matches = gazetteer.match_themes(
        text, title, skip=gazetteer.institution_spans(found_actors), lead_end=entities.lead_end(text)
    )
    themes = _from_sidecar_or(sidecar, "themes", lambda: [m.value for m in theme_matches], provenance)
    language = sidecar.get("language") or detect_language(head, title)
    provenance["language"] = SIDECAR if "language" in sidecar else EXTRACTED
    # Organisations and people that the gazetteer does not know: wording rules (« la société
    # X », « tribunal de commerce de X », « le PDG de X, Prénom Nom ») and spaCy's French model.
    # Those with strong evidence (title, first paragraph, or named twice) join the actors and
    # are listed in actors_detected; all are proposals (« acteurs détectés ») to confirm.
    detection = entities.detect_actors(
        text[:HEAD_CHARS],
        title=title,
        language=language,
        doc_type=doc_type,
        known_spans=[(s, e) for _, s, e in found_actors.spans if e <= HEAD_CHARS],
    )
    # Names a researcher rejected (« À vérifier ») are never proposed again.
    known = {fold_name(a) for a in actors} | gazetteer.rejected_names()
    actors_detected: list[str] = []
    if provenance["actors"] == EXTRACTED:
        actors_detected = [a for a in detection.actors if fold_name(a) not in known]
        actors = actors + actors_detected
    detected = [p for p in detection.proposals if fold_name(p["name"]) not in known]
    # A place inside a company's name (« Ford Aquitaine Industries », « la société Ardennes
    # Forge ») is not a place named.
    company_spans = found_actors.spans_of_kind("entreprises") + detection.company_spans
    places_found = gazetteer.match_places(text, skip=company_spans)
    places = _from_sidecar_or(sidecar, "places", lambda: [p.name for p in places_found], provenance)
    # The place facet also holds the department and region of every place (roll-up), so
    # « Isère » finds a document naming only Pont-de-Claix; place_details keeps what was named.
    places = gazetteer.roll_up(places, places_found)
    year = int(found_date.value[:4]) if found_date.value else None
    scheme_matches = schemes.match_schemes(text, year)
    found_schemes = _from_sidecar_or(sidecar, "schemes", lambda: [m.value for m in scheme_matches], provenance)
    # A programme is a scheme, never an actor, whoever detected it.
    programmes = {fold_name(name) for name in found_schemes}
    actors = [a for a in actors if fold_name(a) not in programmes]
    actors_detected = [a for a in actors_detected if fold_name(a) not in programmes]

    record = DocumentRecord(
        id=doc_id,
        paths=paths,
        title=title,
        date=found_date.value,
        year=int(found_date.value[:4]) if found_date.value else None,
        actors=actors,
        themes=themes,
        places=places,
        doc_type=doc_type,
        language=language,
        pages=extraction.pages,
        sha256=sha256,
        size=size,
        indexed_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        text=full_text,
        format=extraction.format,
        date_precision=found_date.precision,
        source_url=sidecar.get("source_url"),
        publication=sidecar.get("publication") or publication_in(head),
        provenance=provenance,
        theme_evidence={m.value: list(m.evidence) for m in theme_matches},
        events=_events(head, found_date.value),
        place_details=[_place_dict(p) for p in places_found],
        notes=notes,
        detected_entities=detected,
        schemes=found_schemes,
        scheme_evidence={m.value: list(m.evidence) for m in scheme_matches if m.value in found_schemes},
        actors_detected=actors_detected,
    )
    _mark_corrections(record, sidecar)
    _drop_rejected(record)
    return record


def _drop_rejected(record: DocumentRecord) -> None:
    """Names a researcher rejected (« À vérifier ») leave the detected actors, whatever found them."""
    rejected = gazetteer.rejected_names()
    if not rejected:
        return
    known = {a for a in record.actors if gazetteer.actor_for_alias(a)}
    record.actors = [a for a in record.actors if a in known or fold_name(a) not in rejected]
    detected = getattr(record, "actors_detected", None)
    if isinstance(detected, list):
        record.actors_detected = [a for a in detected if fold_name(a) not in rejected]
    record.detected_entities = [
        e for e in record.detected_entities if fold_name(str(e.get("name", ""))) not in rejected
    ]


def _mark_corrections(record: DocumentRecord, sidecar: dict[str, Any]) -> None:
    """Values a researcher corrected in the app (sidecar key ``corrected``) are « modifié »."""
    for key in sidecar.get("corrected") or []:
        if record.provenance.get(key) == SIDECAR:
            record.provenance[key] = CORRECTED


def _conversion_days(extraction: Extraction) -> list[datetime.date]:
    """The file's modification day and today: a metadata date near them is when the file was
    made (« Imprimer en PDF », a conversion), not when the text was written."""
    days = [datetime.date.today()]
    if extraction.mtime:
        days.append(datetime.date.fromtimestamp(extraction.mtime))
    return days


# Kinds whose names an office title can stand for (« le ministre de l'Économie » is not the
# ministry acting): such a name counts only where the text names the institution itself.
_OFFICE_KINDS = ("État et ministères",)
# Salience: the State, the executive and the ministries are named in passing by most texts
# of industrial policy (« l'aide de l'État », « le ministère a été saisi »); they are actors of
# a document when it is about them: in its title, named again and again, or acting.
STATE_MIN_MENTIONS = 4
EXECUTIVE_MIN_MENTIONS = 3
AGENCY_MIN_MENTIONS = 2
_EXECUTIVE = ("Présidence de la République", "Premier ministre")
_ACTS = actor_salience.ACTS  # it acts: « Matignon a arbitré »


_ROLE_OF = re.compile(
    r"\b(?:directeur|directrice|président|présidente|administrateur|administratrice|représentant|"
    r"représentante|délégué|déléguée|dirigeant|dirigeante)\b[^.;:\n]{0,30}$",
    re.IGNORECASE,
)


def _actor_names(
    found: gazetteer.ActorsFound,
    mentions: list[offices.OfficeMention],
    text: str = "",
    title: str = "",
    doc_type: str = "",
) -> list[str]:
    """Gazetteer actors, with an office named by its title (« le Premier ministre ») read as
    the person holding it on the document's date instead of the institution; the
    institution stays where the text names it (« Matignon a arbitré », « le ministère »), and
    where no holder can be told (no date, a year in which the office changed hands). The
    State, the executive and ministries, and agencies, must be salient (see above)."""
    first: dict[str, int] = {}
    starts: dict[str, set[int]] = {}
    acting: set[str] = set()
    prepared = gazetteer._prepare(text) if text else ""

    def add(name: str, offset: int) -> None:
        first[name] = min(offset, first.get(name, offset))
        starts.setdefault(name, set()).add(offset)

    titles: dict[str, int] = {}  # mentions of a local authority that only title a named person
    # mentions of an institution as where or to whom (« à l'Assemblée »), or of a local authority
    # only as a co-funder (« soutenu par l'État et par la Région Grand Est »): named, not acting
    passive: dict[str, int] = {}
    for name, start, end in found.spans:
        if prepared and _named_passively(name, prepared, start):
            passive[name] = passive.get(name, 0) + 1
        if prepared and gazetteer.actor_kind(name) == "collectivités" and _titles_a_person(prepared, start, end):
            titles[name] = titles.get(name, 0) + 1
        if prepared and actor_salience.names_a_work_or_author(prepared, start):
            continue  # « le rapport Gallois », « Par Clémence Aubry · Publié le … »
        covered = any(m.start < end and start < m.end and (m.holder or m.named) for m in mentions)
        if covered and gazetteer.actor_kind(name) in _OFFICE_KINDS:
            continue
        add(name, start)
        if prepared and (_ACTS.match(prepared, end) or _ROLE_OF.search(prepared, max(0, start - 45), start)):
            acting.add(name)  # it acts, or a person acts for it (« directrice du Réseau de la … »)
    for m in mentions:
        if m.holder:
            add(m.holder, m.start)
    in_title = {m.value for m in gazetteer.match_actors(title)} if title else set()
    lead = entities.lead_end(text) if text else 0
    letterhead = _letterhead_end(text)
    kept = [
        n
        for n in first
        if _salient(n, len(starts[n]), n in in_title or first[n] < letterhead, first[n] < lead, n in acting)
    ]
    # A company or local authority named once, as an example (« des clients comme la SNCF »,
    # « notamment Engie », « wie SNCF und RATP »), in brackets, or as a landmark (« au sud de
    # l'aciérie Ascometal »), is not what the text is about.
    kept = [
        n
        for n in kept
        if n in in_title
        or n in acting
        or len(starts[n]) > 1
        or gazetteer.actor_kind(n) not in _EXAMPLE_KINDS
        or not actor_salience.in_passing(prepared, first[n])
    ]
    # « Le président de la Région Nouvelle-Aquitaine, Alain Rousset, … »: the person acts; the
    # region is his title, not an actor, unless the text names it otherwise too.
    kept = [n for n in kept if n in in_title or titles.get(n, 0) < len(starts[n])]
    # « présentée à l'Assemblée nationale », « notifié à la Commission européenne »: the place where
    # or the body to which something happens; « soutenu … par l'État et par la Région Grand Est »: a
    # co-funder. Named only so, an institution does not act in the document.
    kept = [n for n in kept if n in in_title or n in acting or passive.get(n, 0) < len(starts[n])]
    # An organisation named once, only in the last eighth of the text, is background
    # (« Sur le terrain, la CGT et la CFDT restent méfiantes »); a person is not judged so.
    kept = [
        n
        for n in kept
        if n in in_title
        or gazetteer.actor_kind(n) in _PERSON_KINDS
        or not actor_salience.only_in_tail(starts[n], text, doc_type)
    ]
    return sorted(kept, key=lambda n: (first[n], n))


_PRESIDENT_OF = re.compile(
    r"\b(?:président|présidente|president|Präsident|Präsidentin)\s+(?:du\s+conseil\s+régional\s+|de\s+la\s+|du\s+|of\s+the\s+|der\s+)?"
    r"(?:(?:Région|région|Region|Métropole|métropole|Département|département)\s+(?:de\s+l'|de\s+la\s+|des\s+|du\s+|de\s+)?)?$",
    re.IGNORECASE,
)
_PERSON_AFTER = re.compile(r"\s*,\s*(?:M\.\s*|Mme\s*)?[A-ZÀ-Ý][\w'-]+(?:\s+(?:de\s+|d')?[A-ZÀ-Ý][\w'-]+)+")
_PERSON_BEFORE = re.compile(r"[A-ZÀ-Ý][\w'-]+(?:\s+[A-ZÀ-Ý][\w'-]+)+\s*,\s*(?:le\s+|la\s+)?$")


def _titles_a_person(prepared: str, start: int, end: int) -> bool:
    """The mention is a named person's title: « [Name,] président(e) de la Région X[, Name] »."""
    before = prepared[max(0, start - 40) : start]
    role = _PRESIDENT_OF.search(before)
    if role is None:
        return False
    if _PERSON_AFTER.match(prepared, end):
        return True
    return _PERSON_BEFORE.search(prepared, max(0, start - 40 - 60), max(0, start - 40) + role.start()) is not None


def _named_passively(name: str, prepared: str, start: int) -> bool:
    """The mention at ``start`` names a venue or addressee (state bodies, agencies) or a co-funder
    (local authorities)."""
    kind = gazetteer.actor_kind(name)
    if kind in _VENUE_KINDS:
        return _AT_VENUE.search(prepared, max(0, start - 20), start) is not None
    return kind == "collectivités" and _AS_FUNDER.search(prepared, max(0, start - 60), start) is not None


_VENUE_KINDS = ("État et ministères", "agences et opérateurs")
_AS_FUNDER = re.compile(
    r"(?:\b(?:soutenu|soutenue|soutenus|soutenues|financé|financée|financés|financées|cofinancé|cofinancée|"
    r"subventionné|subventionnée|accompagné|accompagnée)\b[^.;\n]{0,40}\bpar|\bavec (?:le soutien|l'appui|l'aide) d[eu]|"
    r"\bsoutien financier d[eu]|\bet par)[ \t\u00a0]+(?:l['’][ \t\u00a0]*|la[ \t\u00a0]+|le[ \t\u00a0]+)?$",
    re.IGNORECASE,
)
_AT_VENUE = re.compile(
    r"(?:\b[àÀ]|\bau|\baux|\bdevant|\bauprès d[eu]|\bauprès des)[ \t\u00a0]+(?:l['’][ \t\u00a0]*|la[ \t\u00a0]+|le[ \t\u00a0]+)?$"
)


_EXAMPLE_KINDS = ("entreprises", "collectivités")
_PERSON_KINDS = ("personnalités",)


LETTERHEAD_LINES, LETTERHEAD_MAX_WORDS = 2, 10


def _letterhead_end(text: str) -> int:
    """End of a release's letterhead: its first lines while they are short (« COMMUNIQUÉ DE PRESSE –
    MINISTÈRE DU REDRESSEMENT PRODUCTIF »). An institution named there issues the document."""
    end = 0
    for m in list(re.finditer(r"[^\n]*\S[^\n]*", text[:600]))[:LETTERHEAD_LINES]:
        if len(m.group().split()) > LETTERHEAD_MAX_WORDS:
            break
        end = m.end()
    return end


def _salient(name: str, mentions: int, in_title: bool, in_lead: bool, acting: bool) -> bool:
    if in_title:
        return True
    if name == "État":
        return mentions >= STATE_MIN_MENTIONS
    if name in _EXECUTIVE or name.startswith("Ministère"):
        return mentions >= EXECUTIVE_MIN_MENTIONS or acting
    if gazetteer.actor_kind(name) == "agences et opérateurs":
        return in_lead or mentions >= AGENCY_MIN_MENTIONS or acting
    return True


def _events(text: str, own_date: str | None) -> list[dict[str, str]]:
    """Other dated events of the text (date, end of a range, short context), without the
    document's own date (nor the range that starts on it)."""
    out = []
    for e in events(text):
        if e.value == own_date:
            continue
        item = {"date": e.value, "context": e.context}
        if e.end_value:
            item["end"] = e.end_value
        out.append(item)
    return out


def _from_sidecar_or(sidecar: dict[str, Any], key: str, extract, provenance: dict[str, str]) -> list[str]:
    if key in sidecar:
        provenance[key] = SIDECAR
        return list(dict.fromkeys(sidecar[key]))
    provenance[key] = EXTRACTED
    return list(dict.fromkeys(extract()))


def _date_stated(sentence: str) -> str | None:
    """The one date (day or month precision) a sentence states, None if none or several."""
    found = {d.value for d in find_dates(sentence) if d.precision in ("day", "month")}
    return found.pop() if len(found) == 1 else None


def _place_dict(place: gazetteer.Place) -> dict[str, Any]:
    return {"name": place.name, "kind": place.kind, "department": place.department, "region": place.region}
