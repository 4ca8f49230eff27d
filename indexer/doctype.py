"""Guess the kind of a document (press release, invitation, report...) from cues."""

from __future__ import annotations

import re

from archive.text import fold_words

__all__ = ["DEFAULT_TYPE", "DOC_TYPES", "detect_doc_type", "type_scores"]

DEFAULT_TYPE = "article"
DOC_TYPES = (
    "communiqué de presse",
    "invitation",
    "compte rendu",
    "rapport",
    "programme",
    "discours",
    "tract",
    "article",
    "texte officiel",
    "étude",
)
HEAD_CHARS = 600
MAX_BODY_HITS = 3  # repeats of one cue counted at most this many times
MAX_HEAD_HITS = 2
MIN_SCORE = 3.0  # below this, the document is an ordinary article
# Words naming a type count only in the document's own voice (its title and first lines):
# an article reporting that a union « a distribué un tract » is not a tract.
HEAD_ONLY = "head"

_PROMISES = (
    r"\bnous (?:ferons|creerons|lancerons|developperons|investirons"
    r"|faciliterons|mettrons en place|agirons|soutiendrons|defendrons)\b"
)

# Cues are matched on folded text (archive.text.fold_words): lower case, no accents, straight
# apostrophes, plain spaces; hyphens and line breaks kept.
_CUES: dict[str, tuple[tuple, ...]] = {
    "communiqué de presse": (
        (r"communique de presse", 5),
        (r"\bpress(?:e)?[- ]?(?:release|mitteilung)\b|\bpressemitteilung\b", 5),
        (r"\bref\.?\s*:?[^\n]{0,30}\bpresse\b", 5),
        (r"contacts? presse", 4),
        (r"\b(?:service|relations|attachee?s?) de presse|relations presse", 3),
        (r"\bembargo\b", 2),
        (r"\bcommunique\b", 2, HEAD_ONLY),
    ),
    "invitation": (
        (r"\binvitation\b", 4, HEAD_ONLY),
        (r"\bconvocation\b|\bvous (?:etes|etes) convoque", 4),
        (r"\bvous invit(?:e|ons)\b", 3),
        (r"\bsont invite(?:e|\.e)?s\b", 2),
        (r"\binscri(?:ption|vez-vous|re)\b|\bs'inscrire\b", 2),
        (r"\brsvp\b|merci de confirmer votre (?:presence|participation)", 3),
        (r"\baccueil (?:des|a partir de) \d{1,2}h", 1),
    ),
    "compte rendu": (
        (r"\bcompte[- ]rendu\b", 5),
        (r"\bproces[- ]verbal\b|\breleve de (?:decisions|conclusions)\b", 5),
        (r"(?m)^\s*(?:presents?|etaient presents|excuses?)(?: pour [^:\n]{1,30})?\s*:", 3),
        (r"\bla prochaine reunion (?:est fixee|aura lieu|se tiendra)\b", 2),
        (r"\bs'est tenue?\b|\bse sont tenue?s\b", 3),
        (r"\bse sont rendue?s\b", 3),
        (r"\b(?:a|ont) eu lieu\b", 2),
        (r"\b(?:a|ont) (?:participe|assiste)\b", 2),
        (r"\b(?:organisait|avaient pour objectif|etait consacree?)\b", 2),
        (r"\bresume de\b|\bretour sur\b|\bbilan de (?:la|cette) journee\b", 2),
    ),
    "rapport": (
        (r"\brapport\b(?! de forces?\b)", 2),
        (r"\brecommandations?\b", 2),
        (r"\bsynthese\b", 2),
        (r"\bsommaire\b|\btable des matieres\b", 3),
        (r"\bchapitre \d|\bpartie [ivx]+\b", 2),
        (r"(?m)^\s*\d+\.\d+\.?\s+[a-z]", 1),
        (r"\bresume executif\b|\bexecutive summary\b", 3),
    ),
    "programme": (
        (r"\bprogramme (?:electoral|municipal|presidentiel)\b", 4),
        (r"\bnos (?:\d+ )?ambitions\b", 4),
        (r"\bnos (?:mesures|propositions|engagements)\b", 3),
        (_PROMISES, 2),
        (r"\bnotre (?:projet|programme)\b", 2),
        (r"\bprogramme\b", 1),
    ),
    "discours": (
        (r"\bdiscours\b", 4, HEAD_ONLY),
        (r"\bmesdames,? (?:et )?messieurs\b", 4),
        (r"seul le prononce fait foi", 6),
        (r"\bje vous remercie\b|\bmerci de votre attention\b", 2),
        (r"\bchers? (?:amis|collegues)\b", 2),
    ),
    "tract": (
        (r"\btract\b", 4, HEAD_ONLY),
        (r"\bgreve\b", 2),
        (r"\bmobilisons-nous\b|\bmobilisez-vous\b|\btous et toutes\b", 3),
        (r"\btoutes et tous\b", 3),
        (r"\bappel(?:le)? a la greve\b|\btous en greve\b", 3),
        (r"\b(?:rassemblement|manifestation) (?:le|devant)\b", 2),
    ),
    "texte officiel": (
        (r"(?m)^\s*(?:loi|decret|arrete|ordonnance)\b[^\n]{0,40}\b(?:n\s*[°o]|du \d)", 5),
        (r"\bdecret\b", 1),
        (r"\barrete\s*:|\barrete (?:du|n)\b", 3),
        (r"\barticle (?:1er|premier)\b", 4),
        (r"\bjournal officiel\b|\bjorf\b", 4),
        (r"\bloi n ?[°o]", 4),
        (r"(?m)^\s*vu (?:le|la|les|l')\b", 2),
        (r"\bdecrete\s*:|\bnor\s*:", 4),
        (r"(?<!economie )\bcirculaire\b", 2),
    ),
    "article": (
        (r"\bn'(?:a|ont) pas souhaite (?:reagir|repondre|commenter)\b", 3),
        (r"\b(?:a|ont)-t-(?:il|elle|ils|elles)\b", 2),
        (
            r"»,? (?:a |ont |s'est |se sont )?(?:declare|reagi|lance|resume|ajoute|estime|explique|affirme|assure"
            r"|confie|denonce|felicite|rappelle|regrette|martele|tranche)",
            2,
        ),
        (r"\bselon (?:le|la|les|l'|un|une|nos|des|ses)\b", 1),
        (r"(?m)^\s*(?:publie|mis a jour|mise a jour)(?: le)? \d", 3),
        (r"\bla lettre de\b|\blettre d'information\b|\bnewsletter\b|\brubrique\b|\bafp\b", 3),
    ),
    "étude": (
        (r"\betudes?\b", 2),
        (r"\bmethodologie\b", 3),
        (r"\bechantillon\b", 3),
        (r"\benquetes?\b", 2),
        (r"\bquestionnaire\b|\brepondants\b|\bsondage\b", 2),
    ),
}

_COMPILED = {
    kind: tuple((re.compile(c[0]), float(c[1]), len(c) > 2 and c[2] == HEAD_ONLY) for c in cues)
    for kind, cues in _CUES.items()
}
# A header line that states the type: « Communiqué de presse n° 12 – 5 mars 2014 », « TRACT ».
_HEADER_LABELS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), kind)
    for p, kind in (
        (
            r"^(?:communique(?: de presse)?|press(?:e)?[- ]?(?:release|mitteilung)|pressemitteilung)\b",
            "communiqué de presse",
        ),
        (r"^(?:invitation|convocation)\b", "invitation"),
        (r"^(?:compte[- ]rendu|proces[- ]verbal|releve de (?:decisions|conclusions))\b", "compte rendu"),
        (r"^tract\b", "tract"),
        (r"^discours\b", "discours"),
    )
)
HEADER_LINES = 3


def _cue_score(
    body: str, head: str, cues: tuple[tuple[re.Pattern[str], float, bool], ...], voice: str | None = None
) -> float:
    """Weighted hits of one type's cues; the head (title + start) counts twice; HEAD_ONLY
    cues count only in ``voice`` (title, header lines, closing lines)."""
    score = 0.0
    for pattern, weight, head_only in cues:
        if head_only and voice is not None:
            score += weight * (min(len(pattern.findall(voice)), MAX_HEAD_HITS) * 2)
            continue
        in_body = len(pattern.findall(body))
        in_head = len(pattern.findall(head))
        score += weight * (min(in_body, MAX_BODY_HITS) + min(in_head, MAX_HEAD_HITS))
    return score


def type_scores(text: str, title: str = "") -> dict[str, float]:
    """Score of every document type (for debugging and tests)."""
    body = fold_words(f"{title}\n{text}")
    head = fold_words(f"{title}\n{text.lstrip()[:HEAD_CHARS]}")
    voice = fold_words(f"{title}\n{_own_voice(text)}")
    return {kind: _cue_score(body, head, cues, voice) for kind, cues in _COMPILED.items()}


VOICE_LINE_MAX = 100


def _own_voice(text: str) -> str:
    """Where a document speaks of itself: its opening words, its first short header lines
    and its last lines (signature, « Contact presse »)."""
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    top = [text.lstrip()[:VOICE_LINE_MAX]]
    for line in lines[:HEADER_LINES]:
        if len(line) > VOICE_LINE_MAX:
            break
        top.append(line)
    bottom = [x for x in lines[-2:] if len(x) <= VOICE_LINE_MAX] if len(lines) > HEADER_LINES else []
    return "\n".join(top + bottom)


def header_type(text: str) -> str | None:
    """The type a header line states (« Communiqué de presse », « Compte rendu »), if any."""
    lines = [line.strip(" \t*#-–—•|") for line in (text or "").lstrip().splitlines()[:12]]
    for line in [x for x in lines if x][:HEADER_LINES]:
        folded = fold_words(line)
        for pattern, kind in _HEADER_LABELS:
            if pattern.match(folded):
                return kind
    return None


def detect_doc_type(text: str, title: str = "", file_name: str = "") -> str:
    """One of DOC_TYPES: the type a header line states, else wording and layout cues;
    "article" by default."""
    stated = header_type(text)
    if stated:
        return stated
    name = re.sub(r"[_\-.]+", " ", file_name)
    scores = type_scores(text or "", f"{title} {name}".strip())
    best = max(DOC_TYPES, key=lambda kind: scores.get(kind, 0.0))
    return best if scores.get(best, 0.0) >= MIN_SCORE else DEFAULT_TYPE
