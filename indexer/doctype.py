"""Guess the kind of a document (press release, invitation, report...) from cues."""

from __future__ import annotations

import re
import unicodedata

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

_PROMISES = (
    r"\bnous (?:ferons|creerons|lancerons|developperons|investirons"
    r"|faciliterons|mettrons en place|agirons|soutiendrons|defendrons)\b"
)

# Cues are matched on folded text: lower case, no accents, straight apostrophes.
_CUES: dict[str, tuple[tuple[str, float], ...]] = {
    "communiqué de presse": (
        (r"communique de presse", 5),
        (r"\bpress(?:e)?[- ]?(?:release|mitteilung)\b|\bpressemitteilung\b", 5),
        (r"\bref\.?\s*:?[^\n]{0,30}\bpresse\b", 5),
        (r"contacts? presse", 4),
        (r"\b(?:service|relations|attachee?s?) de presse|relations presse", 3),
        (r"\bembargo\b", 2),
        (r"\bcommunique\b", 2),
    ),
    "invitation": (
        (r"\binvitation\b", 4),
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
        (r"\bdiscours\b", 4),
        (r"\bmesdames,? (?:et )?messieurs\b", 4),
        (r"seul le prononce fait foi", 6),
        (r"\bje vous remercie\b|\bmerci de votre attention\b", 2),
        (r"\bchers? (?:amis|collegues)\b", 2),
    ),
    "tract": (
        (r"\btract\b", 4),
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

_COMPILED = {kind: tuple((re.compile(p), float(w)) for p, w in cues) for kind, cues in _CUES.items()}


def _fold(text: str) -> str:
    """Lower case, accents removed, typographic apostrophes and spaces made plain."""
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")
    nfd = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in nfd if not unicodedata.combining(c))


def _cue_score(body: str, head: str, cues: tuple[tuple[re.Pattern[str], float], ...]) -> float:
    """Weighted hits of one type's cues; the head (title + start) counts twice."""
    score = 0.0
    for pattern, weight in cues:
        in_body = len(pattern.findall(body))
        in_head = len(pattern.findall(head))
        score += weight * (min(in_body, MAX_BODY_HITS) + min(in_head, MAX_HEAD_HITS))
    return score


def type_scores(text: str, title: str = "") -> dict[str, float]:
    """Score of every document type (for debugging and tests)."""
    body = _fold(f"{title}\n{text}")
    head = _fold(f"{title}\n{text.lstrip()[:HEAD_CHARS]}")
    return {kind: _cue_score(body, head, cues) for kind, cues in _COMPILED.items()}


def detect_doc_type(text: str, title: str = "", file_name: str = "") -> str:
    """One of DOC_TYPES, from wording and layout cues; "article" by default."""
    name = re.sub(r"[_\-.]+", " ", file_name)
    scores = type_scores(text or "", f"{title} {name}".strip())
    best = max(DOC_TYPES, key=lambda kind: scores.get(kind, 0.0))
    return best if scores.get(best, 0.0) >= MIN_SCORE else DEFAULT_TYPE
