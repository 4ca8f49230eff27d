"""archive.config: one reader of the ARCHIVE_* variables, one way to read yes and no."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from archive import config
from indexer import entities

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ROOT / "app.py",
    *(p for d in ("archive", "archive_api", "archive_cli", "indexer", "ui") for p in (ROOT / d).rglob("*.py")),
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("oui", True), ("Yes", True), (" ON ", True), ("0", False), ("non", False), ("OFF", False)],
)
def test_one_reading_of_yes_and_no(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("ARCHIVE_READONLY", raw)
    monkeypatch.setenv("ARCHIVE_NER", raw)
    assert config.readonly() is expected
    assert config.ner_enabled() is expected
    assert entities.enabled() is expected  # « non » used to leave recognition on


def test_unset_or_unreadable_flags_keep_their_default(monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    monkeypatch.delenv("ARCHIVE_READONLY", raising=False)
    monkeypatch.setenv("ARCHIVE_NER", "")
    assert config.readonly() is False and config.ner_enabled() is True
    monkeypatch.setenv("ARCHIVE_READONLY", "peut-être")
    with caplog.at_level(logging.WARNING, logger="archive.config"):
        assert config.readonly() is False
        assert config.readonly() is False
    said = [r.getMessage() for r in caplog.records if r.name == "archive.config"]
    assert said == ["ARCHIVE_READONLY='peut-être' n'est ni oui ni non : valeur par défaut gardée (False)"]


def test_paths_flag_then_environment_then_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ARCHIVE_INDEX", raising=False)
    assert config.index_dir() == Path(config.DEFAULT_INDEX)
    monkeypatch.setenv("ARCHIVE_INDEX", str(tmp_path))
    assert config.index_dir() == tmp_path
    assert config.index_dir("ailleurs") == Path("ailleurs")
    monkeypatch.setenv("ARCHIVE_BASE_URL", "https://labo.example.org/archive")
    assert config.base_url() == "https://labo.example.org/archive/"


def test_numbers_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHIVE_API_TIME_BUDGET", raising=False)
    assert config.api_time_budget() == config.DEFAULT_API_TIME_BUDGET
    monkeypatch.setenv("ARCHIVE_API_MAX_BODY", "2048")
    assert config.api_max_body() == 2048
    monkeypatch.setenv("ARCHIVE_NER_CHARS", "3000")
    assert config.ner_chars() == 3000
    # ARCHIVE_NER_CHARS was read with a bare int(): « mille » raised a ValueError naming nothing.
    for name, read in (("ARCHIVE_API_TIME_BUDGET", config.api_time_budget), ("ARCHIVE_NER_CHARS", config.ner_chars)):
        for raw, said in (
            ("vite", "doit être un nombre"),
            ("-1", "doit être supérieur à 0"),
            ("0", "doit être supérieur à 0"),
        ):
            monkeypatch.setenv(name, raw)
            with pytest.raises(config.ConfigError, match=f"{name} {said}"):
                read()


def test_the_postings_cache_size_reads_megabytes_and_zero_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHIVE_POSTINGS_CACHE_MB", raising=False)
    assert config.postings_cache_bytes() == config.DEFAULT_POSTINGS_CACHE_MB * 1024 * 1024
    monkeypatch.setenv("ARCHIVE_POSTINGS_CACHE_MB", "0")
    assert config.postings_cache_bytes() == 0
    monkeypatch.setenv("ARCHIVE_POSTINGS_CACHE_MB", "1.5")
    assert config.postings_cache_bytes() == 1536 * 1024
    monkeypatch.setenv("ARCHIVE_POSTINGS_CACHE_MB", "beaucoup")
    with pytest.raises(config.ConfigError, match="ARCHIVE_POSTINGS_CACHE_MB doit être un nombre"):
        config.postings_cache_bytes()


def test_only_config_reads_the_environment() -> None:
    readers = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[\"ARCHIVE_[A-Z_]+\"\](?!\s*,|\s*=)")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in SOURCES
        if p.name != "config.py"
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if readers.search(line)
    ]
    assert offenders == []


def test_the_readme_lists_every_variable() -> None:
    used = set(re.findall(r"ARCHIVE_[A-Z_]+", (ROOT / "archive" / "config.py").read_text(encoding="utf-8")))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = {m.group(1) for m in re.finditer(r"^\| `(ARCHIVE_[A-Z_]+)` \|", readme, re.MULTILINE)}
    assert len(used) >= 15
    assert used <= table
