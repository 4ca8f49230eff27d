"""The `archive` command line: JSON contract, exit codes, defaults from the environment."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEEDS

HIT_KEYS = {
    "id",
    "path",
    "title",
    "date",
    "year",
    "actors",
    "actors_detected",
    "themes",
    "places",
    "doc_type",
    "language",
    "score",
    "snippet",
    "partial",
    "schemes",
    "versions",
}


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "archive_cli", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like a fresh clone: corpus/ with the seeds plus one bad file."""
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(SEEDS, root / "corpus")
    (root / "corpus" / "notes.xyz").write_text("?", encoding="utf-8")
    done = run("index", "--json", "--jobs", "2", cwd=root)
    assert done.returncode == 0, done.stderr
    return root


def test_index_json_shape(project: Path) -> None:
    done = run("index", "--json", cwd=project)
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert set(data) == {"added", "updated", "removed", "unchanged", "failed", "documents", "seconds"}
    assert (data["added"], data["unchanged"], data["documents"]) == (0, 5, 5)
    assert data["failed"] == [{"path": "notes.xyz", "reason": "format non pris en charge (.xyz)"}]


def test_search_json_shape(project: Path) -> None:
    done = run("search", "réindustrialisation", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"query", "total", "took_ms", "hits", "facets"} <= set(data)
    assert data["total"] == 3 and data["query"] == "réindustrialisation"
    assert all(set(h) == HIT_KEYS for h in data["hits"])
    assert set(data["facets"]) == {"year", "actor", "theme", "place", "scheme", "doc_type", "language"}
    assert any("<mark>" in h["snippet"] for h in data["hits"])


def test_search_filters_and_sort(project: Path) -> None:
    done = run("search", "", "--actor", "CGT", "--sort", "-date", "--limit", "1", "--json", cwd=project)
    data = json.loads(done.stdout)
    assert data["total"] >= 2 and len(data["hits"]) == 1
    assert "CGT" in data["hits"][0]["actors"]
    done = run("search", "industrie", "--year-from", "2011", "--year-to", "2011", "--json", cwd=project)
    assert {h["year"] for h in json.loads(done.stdout)["hits"] if not h["partial"]} == {2011}


def test_an_excluded_word_alone_is_a_query_not_an_option(project: Path) -> None:
    """`archive search -hydrogène` was refused (« unrecognized arguments »; `-h…` even read as -h)."""
    alone = run("search", "-hydrogène", "--json", cwd=project)
    assert alone.returncode == 0, alone.stderr
    spelled = run("search", "NOT hydrogène", "--json", cwd=project)
    assert json.loads(alone.stdout)["total"] == json.loads(spelled.stdout)["total"] == 5  # no seed names it
    done = run("search", "--json", "-réindustrialisation", "--sort", "-date", cwd=project)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"] == 5 - 3  # the three documents that hold it left out
    assert run("search", "-h", cwd=project).stdout.startswith("utilisation : archive search")


def test_show_stats_check(project: Path) -> None:
    hit = json.loads(run("search", "Alès", "--json", cwd=project).stdout)["hits"][0]
    shown = json.loads(run("show", hit["id"], "--json", cwd=project).stdout)
    assert shown["id"] == hit["id"] and "Alès" in shown["text"] and shown["paths"]
    assert set(shown["actors_detected"]) <= set(shown["actors"]) and shown["actors_detected"] == hit["actors_detected"]
    stats = json.loads(run("stats", "--json", cwd=project).stdout)
    assert set(stats) == {
        "documents",
        "failed",
        "by_year",
        "by_language",
        "by_format",
        "index_bytes",
        "vocabulary_changed",
    }
    assert stats["vocabulary_changed"] is False
    assert stats["documents"] == 5 and stats["by_format"] == {"txt": 5}
    assert [f["path"] for f in stats["failed"]] == ["notes.xyz"]
    check = run("check", "--json", cwd=project)
    assert json.loads(check.stdout) == {"ok": True, "problems": []}
    assert check.returncode == 0


def test_check_detects_drift(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "p"
    shutil.copytree(project, copy)
    (copy / "corpus" / "new.txt").write_text("Nouveau texte sur Stellantis.", encoding="utf-8")
    done = run("check", "--json", cwd=copy)
    data = json.loads(done.stdout)
    assert done.returncode == 1 and not data["ok"]
    assert any("new.txt" in p for p in data["problems"])


def test_exit_codes_and_messages(project: Path, tmp_path: Path) -> None:
    assert run("search", "--limit", "zero", cwd=project).returncode == 2
    assert run("frobnicate", cwd=project).returncode == 2
    missing = run("show", "nope", cwd=project)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr == "archive: aucun document n'a l'id nope\n"
    no_index = run("search", "x", cwd=tmp_path)
    assert no_index.returncode == 1 and "archive index" in no_index.stderr
    assert no_index.stderr.startswith("archive: aucun index dans ")
    bad_query = run("search", "année:deux", cwd=project)
    assert bad_query.returncode == 2 and "Traceback" not in bad_query.stderr


def test_verbose_prints_diagnostics_on_stderr_only(project: Path) -> None:
    quiet = run("stats", "--json", cwd=project)
    loud = run("-v", "stats", "--json", cwd=project)
    assert quiet.returncode == loud.returncode == 0
    assert json.loads(loud.stdout) == json.loads(quiet.stdout)  # stdout stays machine-readable
    assert quiet.stderr == ""
    assert "archive: archive.cli: DEBUG: corpus corpus, index .archive/index" in loud.stderr


@pytest.mark.parametrize(
    "option",
    [("--timeout", "-1"), ("--timeout", "inf"), ("--timeout", "nan"), ("--max-mb", "inf"), ("--max-mb", "nan")],
)
def test_limits_that_are_not_finite_positive_numbers_are_usage_errors(tmp_path: Path, option) -> None:
    """They gave an empty index, an OverflowError or no limit at all."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    done = run(
        "index", "--corpus", str(corpus), "--index", str(tmp_path / "idx"), f"{option[0]}={option[1]}", cwd=tmp_path
    )
    assert done.returncode == 2, done.stderr
    assert option[0] in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "idx").exists()  # nothing was indexed


def test_environment_overrides_locations(project: Path, tmp_path: Path) -> None:
    env = {"ARCHIVE_CORPUS": str(project / "corpus"), "ARCHIVE_INDEX": str(tmp_path / "idx")}
    done = run("index", "--json", cwd=tmp_path, env=env)
    assert json.loads(done.stdout)["documents"] == 5
    assert (tmp_path / "idx" / "CURRENT").exists()


def test_scheme_option_and_query_syntax(project: Path) -> None:
    """Programmes are their own facet: --scheme, dispositif:/dispositifs:/scheme:, JSON « schemes »."""
    done = run("search", "--scheme", "Territoires d'industrie", "--json", cwd=project)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total"] == 1
    hit = data["hits"][0]
    assert hit["path"] == "004_6319599e635f7534.txt"
    # « plan de relance » in a 2020 document is France Relance (a dated generic phrase)
    assert hit["schemes"] == ["Territoires d'industrie", "France Relance"]
    assert "Territoires d'industrie" not in hit["actors"]
    assert data["facets"]["scheme"] == {"Territoires d'industrie": 1, "France Relance": 1}
    for query in (
        'dispositif:"territoires d\'industrie"',
        'dispositifs:"Territoires d\'industrie"',
        'scheme:"Territoire d\'industrie"',
    ):
        found = json.loads(run("search", query, "--json", cwd=project).stdout)
        assert [h["path"] for h in found["hits"]] == ["004_6319599e635f7534.txt"], query
    none = json.loads(run("search", "--scheme", "France 2030", "--json", cwd=project).stdout)
    assert none["total"] == 0


def test_all_of_asks_for_every_value_at_once(project: Path) -> None:
    """`--all-of` is the app's « Toutes à la fois (ET) »: ticked values combine with AND."""

    def ids(*args: str) -> set[str]:
        done = run("search", "", *args, "--limit", "50", "--json", cwd=project)
        assert done.returncode == 0, done.stderr
        return {h["id"] for h in json.loads(done.stdout)["hits"]}

    either = ids("--actor", "CGT", "--actor", "Renault")
    both = ids("--actor", "CGT", "--actor", "Renault", "--all-of", "actor")
    assert both == ids("--actor", "CGT") & ids("--actor", "Renault")
    assert both and both < either  # the seeds tell OR from AND
    themes = ("--theme", "territoires", "--theme", "financement")
    together = ids("--theme", "territoires") & ids("--theme", "financement")
    assert together and together < ids(*themes)
    assert ids(*themes, "--all-of", "actor,theme") == together  # a comma-separated list
    assert ids(*themes, "--all-of", "actor", "--all-of", "theme") == together  # or repeated
    for wrong in ("place", "actor,lieu", ","):
        bad = run("search", "", "--all-of", wrong, cwd=project)
        assert bad.returncode == 2 and "--all-of" in bad.stderr and "actor, theme" in bad.stderr, bad.stderr


def test_a_reader_that_stops_early_is_no_error(tmp_path: Path) -> None:
    """`archive search "" --json | head -c 10` printed « archive: unexpected error: BrokenPipeError »."""
    from indexer.pipeline import index_corpus

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for n in range(150):  # more JSON than a pipe holds (64 KiB), so that the writer meets the closed end
        text = f"Note {n} sur l'usine de Fos-sur-Mer et la sidérurgie du Nord, avec la CGT et Bpifrance. " * 8
        (corpus / f"note-{n:03d}.txt").write_text(text, encoding="utf-8")
    index_corpus(corpus, index, jobs=2)
    command = [sys.executable, "-m", "archive_cli", "search", "", "--json", "--limit", "1000", "--index", str(index)]
    env = {**os.environ, "ARCHIVE_NER": "0", "ARCHIVE_CORPUS": str(corpus)}
    reader = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    assert reader.stdout.read(10)
    reader.stdout.close()  # what `head -c 10` does
    errors = reader.stderr.read().decode()
    reader.wait(timeout=60)
    assert "erreur inattendue" not in errors and "Traceback" not in errors, errors


def test_help_and_messages_are_french(project: Path) -> None:
    """What researchers read is French; options, subcommands and JSON keys stay as scripts know them."""
    top = run("-h", cwd=project).stdout
    assert top.startswith("utilisation : archive ") and "\noptions :\n" in top and "\ncommandes :\n" in top
    assert "afficher cette aide et quitter" in top and "show this help" not in top
    assert "mettre l'index à jour d'après le corpus" in top and "    search " in top
    search_help = run("search", "-h", cwd=project).stdout
    assert "arguments positionnels :" in search_help and "--year-from ANNÉE" in search_help
    assert "--actor ACTEUR" in search_help and "Acteur (répétable" in search_help  # every filter has its help
    assert "positional arguments" not in search_help
    bad = run("search", "--limit", "zéro", cwd=project)
    assert bad.returncode == 2
    assert bad.stderr.startswith("utilisation : archive search"), bad.stderr
    assert "archive search: erreur : argument --limit : pas un nombre entier : 'zéro'" in bad.stderr
    # argparse's own messages too
    for argv, message in (
        (("search", "x", "--sort", "bidon"), "argument --sort : choix inconnu : 'bidon' (au choix : "),
        (("search", "x", "--bogus"), "erreur : arguments inconnus : --bogus"),
        (("search", "x", "--limit"), "argument --limit : une valeur est attendue"),
        (("dossier", "add"), "erreur : arguments obligatoires manquants : nom, id"),
    ):
        refused = run(*argv, cwd=project)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr
    found = run("search", "réindustrialisation", cwd=project).stdout
    assert found.startswith("3 document(s) pour « réindustrialisation » ("), found
    assert "\nacteurs : " in found and "\nlangues : " in found
    stats = run("stats", cwd=project).stdout
    assert stats.startswith("5 documents, index de ") and "\npar format : txt : 5\n" in stats
    assert re.match(r"5 documents, index de \d+,\d Mo\n", stats), stats  # a decimal comma
    assert "\npar année : " in stats and ", sans date : 1\n" in stats  # the bundled « Accueillir… » has none
    assert "illisible : notes.xyz : format non pris en charge (.xyz) (essais : 1, dernier : " in stats
    assert run("check", cwd=project).stdout == "ok : l'index et le corpus concordent\n"
    again = run("index", cwd=project).stdout
    assert again.startswith("5 documents (0 ajoutés, 0 mis à jour, 0 retirés, 5 inchangés), en "), again
    assert re.match(r"5 documents \(.*\), en \d+,\d s\n", again), again
    assert "\n  illisible : notes.xyz : format non pris en charge (.xyz)" in again
