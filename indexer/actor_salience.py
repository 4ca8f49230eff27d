"""Whether a name that a document contains is one of its actors: evidence and salience by position.

A document's actors are its central ones: those it is about or who act in it, not every name it
mentions. ``indexer.metadata`` (gazetteer actors) and ``indexer.entities`` (actors found by wording
rules or the model) ask the same question here, so one rule gives one answer whatever found the name.

The tail of a text (its last eighth) is where press articles, releases and tracts put background,
perspectives, lists of signatories and « à propos » blocks: an organisation named once, only
there, is peripheral (« Sur le terrain, la CGT et la CFDT restent méfiantes », « l'intersyndicale
(CGT, CFDT, FO) »). People are not judged by position: a person the text names is quoted or
acts (« a déclaré X », « le ministre, X, a salué »).

A name found outside the gazetteer needs evidence (``evidence``), recorded with it: named in the
title, the first paragraph or twice, a stated role, a person's full name, or wording that says it
is a company. Measured on the dev half (benchmarks/RESULTS.md, fourth round): the subject of a
verb, a quotation or a list did not tell central names from peripheral ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "ACTS",
    "MIN_MENTIONS",
    "TAIL_SHARE",
    "acts_at",
    "as_example",
    "as_landmark",
    "in_passing",
    "names_a_work_or_author",
    "evidence",
    "in_signature",
    "only_in_tail",
    "tail_start",
]

TAIL_SHARE = 1 / 8  # the last eighth of the text
TAIL_MIN_CHARS = 800  # a text shorter than this has no tail: all of it is its first paragraph or so


def tail_start(text: str) -> int:
    """Offset where the tail begins (trailing blanks, e.g. a masked footer, aside); the text's
    length when it is too short to have one."""
    end = len(text.rstrip())
    if end < TAIL_MIN_CHARS:
        return len(text)
    return int(end * (1 - TAIL_SHARE))


# Documents in an organisation's own voice end with their call and their organisers (« Les
# militant·es de la CGT Isère sont invités… »): their last lines are no background.
OWN_VOICE_TYPES = ("tract", "invitation")


def only_in_tail(starts: Iterable[int], text: str, doc_type: str = "") -> bool:
    """Named once, and that once in the tail of ``text``, not in a signature (the author of a
    tract or a release signs it: « Syndicat CGT Ford Aquitaine Industries » alone on its line),
    in a document that is not in its author's own voice (``OWN_VOICE_TYPES``)."""
    starts = list(starts)
    if len(starts) != 1 or doc_type in OWN_VOICE_TYPES:
        return False
    return starts[0] >= tail_start(text) and not in_signature(text, starts[0])


SIGNATURE_MAX_WORDS = 6


def in_signature(text: str, start: int) -> bool:
    """The mention at ``start`` is on a short line that is no sentence: a signature or a sign-off."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    return len(line.split()) <= SIGNATURE_MAX_WORDS and not line.endswith((".", ";", ":", ",", "»", "!", "?"))


MIN_MENTIONS = 2  # named this often, a detected name is an actor wherever it stands

# A verb right after a name: the organisation acts (« Matignon a arbitré », « le tribunal de
# commerce de Poitiers prolonge », « la préfecture du Rhône indique »).
ACTS = re.compile(
    r"[ \t\u00a0]*\n?[ \t\u00a0]*(?<=\s)(?:a|ont|avait|va|annonce|arbitre|arbitré|publie|tranche|confirme|indique|précise|"
    r"propose|estime|juge|demande|refuse|valide|décide|annoncé|publié|tranché|confirmé|indiqué|précisé|"
    r"proposé|estimé|jugé|demandé|refusé|validé|décidé|écarte|écarté|signe|signé|accorde|accordé|"
    r"confie|retient|prolonge|place|ordonne|prononce|autorise|rejette|statue|statuera|examinera|devra|doit|"
    r"détient|prend|prendra|investit|investira|financera|apportera|accompagnera|versera|"
    r"salue|souligne|rappelle|appelle|invite|réunit|réunira|réuni|se félicite|s'est félicité|a salué)\b"
)


def acts_at(text: str, name: str) -> bool:
    """Somewhere in ``text``, ``name`` (any case, any blanks between its words) is followed by a
    verb of ``ACTS``."""
    names = [name]
    if name.startswith("Préfecture "):  # « le préfet de la Manche salue »: the prefecture acts
        names += [name.replace("Préfecture", title, 1) for title in ("préfet", "préfète")]
    for variant in names:
        words = [re.escape(w) for w in variant.split()]
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)
        if any(ACTS.match(text, m.end()) for m in pattern.finditer(text)):
            return True
    return False


# Wording that states who an actor is counts as evidence on its own: « le délégué CGT Nacim
# Bardi ». A court or a prefecture (« le tribunal de commerce de Lille », « la préfecture du
# Rhône ») is also named as a place (« l'audience du 6 mars au tribunal de commerce de Lyon »,
# « une réunion à la préfecture »): its name counts only where it acts.
STATED_ROLES = {("fonction", "personne"): "fonction"}
ACTING_INSTITUTIONS = {
    ("tribunal", "organisation"): "tribunal",
    ("préfecture", "organisation"): "préfecture",
    ("port", "organisation"): "port",
}


def evidence(*, in_title: bool, in_lead: bool, mentions: int, rule: str, kind: str, acting: bool = False) -> str | None:
    """Why a name found outside the gazetteer (``rule``: the wording rule or ``ner``) is an actor
    of the document, as the label recorded with it; None when nothing says it is. ``acting``:
    the text has it act somewhere (``acts_at``)."""
    if in_title:
        return "titre"
    if in_lead:
        return "premier paragraphe"
    if mentions >= MIN_MENTIONS:
        return f"nommé {mentions} fois"
    if (rule, kind) in STATED_ROLES:
        return STATED_ROLES[rule, kind]
    if (rule, kind) in ACTING_INSTITUTIONS:
        return ACTING_INSTITUTIONS[rule, kind] if acting else None
    if kind == "personne":  # a full name: people named in such texts act or speak in them
        return "personne nommée"
    if rule == "société":  # the wording says it is a company (« la société X », « le japonais X »)
        return "société nommée"
    return None


# A name given as an example (« des clients comme la SNCF », not « comme celle de X » nor « comme prévu »), « notamment Engie »,
# « les grandes maisons, dont Chanel, LVMH ou L'Oréal », « wie SNCF und
# RATP », « konkurrierende Interessenten wie … den italienischen Hersteller Beltrame ») or in
# brackets: named once so, the text is not about it.
_EXAMPLE_MARK = re.compile(
    r"(?:\b(?:comme(?![ \u00a0]+(?:celle|celui|ceux|celles|lui|elle|prévu|annoncé|attendu|convenu|souvent|toujours)\b)|notamment|tels? que|telles? que|parmi lesquel(?:le)?s|à l'instar d[eu]|à commencer par|"
    r"such as|including|like|wie|darunter|etwa)\b|\(|,[ \u00a0]+dont(?=[ \u00a0]+(?-i:[A-ZÀ-Ý])|[ \u00a0]*$))"
    # within 60 characters, or further along the same enumeration (« notamment A, l'équipementier
    # B, l'américain C, D et le groupe E »)
    r"(?:[^.;:!?()\n]{0,60}|(?:[^.;:!?()\n,]{1,45},){2,6}[^.;:!?()\n,]{0,45}\b(?:et|and|und)\b[^.;:!?()\n,]{0,30})$",
    re.IGNORECASE,
)


def as_example(text: str, start: int) -> bool:
    """The mention at ``start`` follows « comme », « notamment », « tels que »… in its sentence, or a bracket."""
    return _marked_before(_EXAMPLE_MARK, text, start, 320)


# A company that only says where something is (« une parcelle située au sud de l'aciérie
# Ascometal », « à proximité de l'usine Arkema », « next to the Exxon refinery »): a landmark.
_LANDMARK = re.compile(
    r"(?:\b(?:au|à l')[ \u00a0](?:sud|nord|est|ouest|nord-est|nord-ouest|sud-est|sud-ouest)|\bprès|\bà proximité"
    r"|\bà côté|\ben face|\ble long|\baux abords|\bnext to|\bnear|\bneben|\bnahe)"
    r"[ \u00a0]+(?:d[eu]s?[ \u00a0]+|d'[ \u00a0]*)?(?:l'[ \u00a0]*|la[ \u00a0]+|le[ \u00a0]+|the[ \u00a0]+)?"
    r"(?:(?:usine|aciérie|site|raffinerie|plateforme|plant|site|Werk|Werks)[ \u00a0]+(?:d[eu][ \u00a0]+|d'[ \u00a0]*)?)?$",
    re.IGNORECASE,
)


def as_landmark(text: str, start: int) -> bool:
    """The mention at ``start`` only locates something (« au sud de l'aciérie X », « près de l'usine X »)."""
    return _marked_before(_LANDMARK, text, start, 60)


# A former name (« fondée en 1957 sous le nom de Forges de Torcy », « anciennement Sollac »).
_FORMER_NAME = re.compile(
    r"(?:\bsous le nom d[e']|\banciennement|\bex-|\bformerly|\bformerly known as|\behemals|\bvormals)[ \u00a0]*$",
    re.IGNORECASE,
)


# Alternatives are examples: « les grands laboratoires, Sanofi, Pfizer ou Novo Nordisk », « nos
# concurrents, Schott, Gerresheimer ou Stevanato », « Airbus, Boeing or Embraer ».
_ITEM = r"(?:[A-ZÀ-Ý][\w&'’.-]*)(?:[ \u00a0](?:[A-ZÀ-Ý][\w&'’.-]*))*"
_OR_LIST = re.compile(rf"(?<![\w'’]){_ITEM}(?:,[ \u00a0]+{_ITEM})+,?[ \u00a0]+(?:ou|or|oder)[ \u00a0]+{_ITEM}")


def in_or_list(text: str, start: int) -> bool:
    """The mention at ``start`` is one of a list of names ending in « ou » (« A, B ou C »)."""
    low = max(0, start - 200)
    window = text[low : start + 200].replace("\n", " ")  # same length: a wrapped list read whole
    offset = start - low
    return any(m.start() <= offset < m.end() for m in _OR_LIST.finditer(window))


def in_passing(text: str, start: int) -> bool:
    """The mention at ``start`` is an example, a landmark or a former name: the text names it in passing."""
    return (
        as_example(text, start)
        or in_or_list(text, start)
        or as_landmark(text, start)
        or _marked_before(_FORMER_NAME, text, start, 40)
    )


def _marked_before(mark: re.Pattern[str], text: str, start: int, reach: int) -> bool:
    """`mark` ends right before ``start``, within ``reach`` characters (apostrophes made straight,
    a line wrapped inside a sentence joined: « comme\nFramatome ou Industeel » in a PDF)."""
    if not text:
        return False
    window = _WRAP.sub(" ", text[max(0, start - reach) : start].replace("’", "'"))
    return mark.search(window) is not None


_WRAP = re.compile(r"(?<=\S)[ \t]*\n(?=[ \t]*[^\s])")


# A byline names the journalist (« Par Clémence Aubry · Publié le … », « By Jane Doe »,
# « Propos recueillis par … »), and a report, law or plan named after a person names a work
# (« le rapport Gallois », « la loi Florange », « le plan Juppé »): neither is an actor.
_BYLINE = re.compile(
    r"(?:^|\n)[ \t*_]*(?:par|by|von|propos recueillis par|auteur\s*:|autrice\s*:)[ \t\u00a0]+$", re.IGNORECASE
)
_NAMED_WORK = re.compile(
    r"\b(?:rapport|rapports|loi|lois|plan|amendement|réforme|ordonnances|méthode|report|Bericht)[ \t\u00a0]+$",
    re.IGNORECASE,
)


def names_a_work_or_author(text: str, start: int) -> bool:
    """The mention at ``start`` signs the piece (a byline) or names a work after a person."""
    before = text[max(0, start - 40) : start]
    return _BYLINE.search(before) is not None or _NAMED_WORK.search(before) is not None
