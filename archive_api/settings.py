"""What `archive serve` is configured with: paths from the CLI, the rest from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
DEFAULT_TIME_BUDGET = 10.0  # seconds one request may spend searching
DEFAULT_MAX_BODY = 16 * 1024  # bytes: every route is a GET, a body has nothing to carry


class SettingsError(ValueError):
    """An environment variable that cannot be read (the message names it)."""


@dataclass(frozen=True)
class Settings:
    index: Path
    corpus: Path
    token: str | None = None
    cors_origins: tuple[str, ...] = ()
    time_budget: float = DEFAULT_TIME_BUDGET
    max_body: int = DEFAULT_MAX_BODY

    @classmethod
    def from_env(cls, index: Path, corpus: Path, env: dict[str, str] | None = None) -> Settings:
        """ARCHIVE_API_TOKEN, ARCHIVE_API_CORS (origins separated by commas or spaces),
        ARCHIVE_API_TIME_BUDGET (seconds), ARCHIVE_API_MAX_BODY (bytes)."""
        env = dict(os.environ if env is None else env)
        origins = tuple(o.strip().rstrip("/") for o in env.get("ARCHIVE_API_CORS", "").replace(",", " ").split())
        return cls(
            index=Path(index),
            corpus=Path(corpus),
            token=env.get("ARCHIVE_API_TOKEN") or None,
            cors_origins=origins,
            time_budget=_number(env, "ARCHIVE_API_TIME_BUDGET", DEFAULT_TIME_BUDGET, float),
            max_body=_number(env, "ARCHIVE_API_MAX_BODY", DEFAULT_MAX_BODY, int),
        )


def _number(env: dict[str, str], name: str, default, kind):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {raw!r}")
    return value
