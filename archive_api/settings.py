"""What `archive serve` is configured with: paths from the CLI, the rest from the environment
(read by archive.config)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive import config
from archive.config import ConfigError as SettingsError

MAX_LIMIT = 1000
MAX_OFFSET = 10_000_000
DEFAULT_TIME_BUDGET = config.DEFAULT_API_TIME_BUDGET
DEFAULT_MAX_BODY = config.DEFAULT_API_MAX_BODY

__all__ = ["MAX_LIMIT", "MAX_OFFSET", "Settings", "SettingsError"]


@dataclass(frozen=True)
class Settings:
    index: Path
    corpus: Path
    token: str | None = None
    cors_origins: tuple[str, ...] = ()
    time_budget: float = DEFAULT_TIME_BUDGET
    max_body: int = DEFAULT_MAX_BODY

    @classmethod
    def from_env(cls, index: Path, corpus: Path) -> Settings:
        """ARCHIVE_API_TOKEN, ARCHIVE_API_CORS, ARCHIVE_API_TIME_BUDGET, ARCHIVE_API_MAX_BODY;
        SettingsError names a variable that cannot be read."""
        return cls(
            index=Path(index),
            corpus=Path(corpus),
            token=config.api_token(),
            cors_origins=config.api_cors_origins(),
            time_budget=config.api_time_budget(),
            max_body=config.api_max_body(),
        )
