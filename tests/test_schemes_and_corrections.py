"""Schemes (« dispositifs »), the actor facet's roll-up of federations, corrections written to
sidecars, and decisions on detected actors — all through the real indexer and a real index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from archive import decisions, gazetteer, schemes
from archive.engine import open_engine
from archive.models import SearchRequest
from archive.review import DATE_NONE, DATE_YEAR, DETECTED
from indexer.corrections import CorrectionError, correct_document, write_correction
from indexer.pipeline import index_corpus
from indexer.sidecar import read_sidecar, sidecar_path
from ui.actor_groups import group_actors

VOCAB = Path(__file__).resolve().parent.parent / "archive" / "vocab"

DOCS = {
    "relance.txt": (
        "Communiqué de presse\n\nParis, le 3 septembre 2020\n\n"
        "Le plan de relance consacre 35 milliards d'euros à l'industrie. Les lauréats du PIA 4 et "
        "de Territoires d'industrie sont soutenus par Bpifrance.\n"
    ),
    "ftm.txt": (
        "Tract\n\nMontbéliard, le 12 mai 2019\n\n"
        "La Fédération des travailleurs de la métallurgie appelle les salariés de l'équipementier à la grève.\n"
    ),
    "alliance.txt": (
        "Compte rendu\n\nLyon, le 4 avril 2016\n\n"
        "L'Alliance Industrie du futur a réuni ses membres. Le plan de relance de 2009 est loin.\n"
    ),
    "sans-date.txt": "Note sur la filière chimie\n\nLa plateforme de Roussillon attend des investissements.\n",
}


def _build(tmp_path: Path) -> tuple[Path, Path]:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    report = index_corpus(corpus, index)
    assert report.failed == []
    return corpus, index


@pytest.fixture
def indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("ARCHIVE_NER", "0")
    return _build(tmp_path)


def _record(index: Path, name: str):
    engine = open_engine(index)
    try:
        hits = engine.search(SearchRequest(limit=50, with_snippets=False)).hits
        doc_id = next(h.id for h in hits if h.path == name)
        return engine.document(doc_id)
    finally:
        engine.close()


def _paths(index: Path, **filters: list[str]) -> set[str]:
    engine = open_engine(index)
    try:
        return {h.path for h in engine.search(SearchRequest(filters=filters, limit=50, with_snippets=False)).hits}
    finally:
        engine.close()


def _query(index: Path, query: str) -> set[str]:
    engine = open_engine(index)
    try:
        result = engine.search(SearchRequest(query=query, limit=50, with_snippets=False))
        assert result.error is None, result.error
        return {h.path for h in result.hits if not h.partial}
    finally:
        engine.close()


# -- schemes -------------------------------------------------------------------------------


def test_schemes_vocabulary_has_years_and_no_actor_twin() -> None:
    names = {s.name: s for s in schemes.schemes()}
    for name in (
        "France 2030",
        "France Relance",
        "Programme d'investissements d'avenir",
        "Nouvelle France industrielle",
        "Territoires d'industrie",
        "Industrie du futur",
    ):
        assert names[name].start is not None, name
        assert gazetteer.actor_for_alias(name) is None, f"{name} is still an actor"
    assert names["France Relance"].years == "2020–2022"
    assert names["France 2030"].years == "2021–"


def test_generic_phrase_names_a_scheme_only_in_its_years() -> None:
    text = "Le plan de relance soutient l'industrie."
    assert [m.value for m in schemes.match_schemes(text, 2021)] == ["France Relance"]
    assert schemes.match_schemes(text, 2012) == []
    assert schemes.match_schemes(text, None) == []
    assert schemes.match_schemes("Le plan de relance européen est adopté.", 2021) == []
    # another plan of the same years (a new user's correction of seed 003's date to 2021)
    assert schemes.match_schemes("Le plan de relance des compétences forme les salariés.", 2021) == []
    # the association named after a scheme is an actor, not the scheme
    assert schemes.match_schemes("L'Alliance Industrie du futur se réunit.", 2016) == []
    assert [m.value for m in schemes.match_schemes("Le programme Industrie du futur.", 2016)] == ["Industrie du futur"]
    assert schemes.match_schemes("la pia de la plage", 2020) == []  # PIA only in capitals


def test_schemes_facet_through_the_indexer(indexed: tuple[Path, Path]) -> None:
    _, index = indexed
    record = _record(index, "relance.txt")
    assert record.schemes == ["France Relance", "Programme d'investissements d'avenir", "Territoires d'industrie"]
    assert record.provenance["schemes"] == "extrait"
    assert "PIA 4" in record.scheme_evidence["Programme d'investissements d'avenir"]
    assert not set(record.schemes) & set(record.actors)
    assert _record(index, "alliance.txt").schemes == []  # 2016: « plan de relance » is not France Relance
    engine = open_engine(index)
    try:
        result = engine.search(SearchRequest(limit=50))
        assert result.facets["scheme"] == {
            "France Relance": 1,
            "Programme d'investissements d'avenir": 1,
            "Territoires d'industrie": 1,
        }
        hit = next(h for h in result.hits if h.path == "relance.txt")
        assert hit.schemes == record.schemes and "schemes" in hit.to_dict()
    finally:
        engine.close()
    assert _paths(index, scheme=["PIA"]) == {"relance.txt"}
    for query in ("dispositif:PIA", 'dispositifs:"France Relance"', 'scheme:"territoires d\'industrie"'):
        assert _query(index, query) == {"relance.txt"}, query
    assert _query(index, 'dispositif:"France 2030"') == set()
    # a scheme's alias typed as words also finds the documents tagged with it
    assert _query(index, "investissements d'avenir") == {"relance.txt"}


# -- actors rolled up into their confederation ------------------------------------------------


def test_confederation_finds_its_federations(indexed: tuple[Path, Path]) -> None:
    _, index = indexed
    record = _record(index, "ftm.txt")
    assert record.actors == ["FTM-CGT"]  # what the text names; the page shows this
    assert gazetteer.actor_parents("FTM-CGT") == ["CGT"]
    assert _paths(index, actor=["CGT"]) == {"ftm.txt"}
    assert _query(index, "acteur:CGT") == {"ftm.txt"}
    engine = open_engine(index)
    try:
        assert engine.search(SearchRequest(limit=50)).facets["actor"]["CGT"] == 1
    finally:
        engine.close()


def test_member_of_must_name_a_known_actor() -> None:
    items = [{"name": "UD CGT Nord", "kind": "syndicats", "member_of": "CGTT"}]
    with pytest.raises(ValueError, match="unknown actor"):
        gazetteer._build_actor_gazetteer(items)
    loop = [
        {"name": "A", "kind": "syndicats", "member_of": "B"},
        {"name": "B", "kind": "syndicats", "member_of": "A"},
    ]
    with pytest.raises(ValueError, match="itself"):
        gazetteer._build_actor_gazetteer(loop)


def test_actor_groups_by_kind_with_members_under_parents() -> None:
    groups = dict(group_actors({"CGT": 5, "Renault": 4, "FILPAC CGT": 2, "Emmanuel Macron": 3, "Soberflex": 1}))
    assert list(groups) == ["Syndicats", "Entreprises", "Élus et personnalités", "Autres acteurs"]
    assert groups["Syndicats"] == [("CGT", 5, 0), ("FILPAC CGT", 2, 1)]
    assert groups["Autres acteurs"] == [("Soberflex", 1, 0)]


# -- corrections ----------------------------------------------------------------------------


def test_correction_goes_to_the_sidecar_and_is_indexed_at_once(indexed: tuple[Path, Path]) -> None:
    corpus, index = indexed
    original = (corpus / "sans-date.txt").read_bytes()
    before = _record(index, "sans-date.txt")
    assert before.date is None and before.provenance["date_rule"] == "none"
    assert "sans-date.txt" in _paths(index, review=[DATE_NONE])

    report = correct_document(
        corpus,
        index,
        "sans-date.txt",
        {"date": "2019-06", "actors": ["France Chimie", "cgt"], "schemes": ["France 2030"], "doc_type": "rapport"},
    )
    assert report.updated == 1
    assert (corpus / "sans-date.txt").read_bytes() == original  # the original is never touched
    side = read_sidecar(corpus / "sans-date.txt")
    assert side["date"] == "2019-06" and side["actors"] == ["France Chimie", "CGT"]
    assert sorted(side["corrected"]) == ["actors", "date", "doc_type", "schemes"]

    after = _record(index, "sans-date.txt")
    assert (after.date, after.year, after.doc_type) == ("2019-06", 2019, "rapport")
    assert after.actors == ["France Chimie", "CGT"] and after.schemes == ["France 2030"]
    for key in ("date", "actors", "schemes", "doc_type"):
        assert after.provenance[key] == "modifié", key
    assert after.provenance["themes"] == "extrait" and after.provenance["places"] == "extrait"
    assert "sans-date.txt" not in _paths(index, review=[DATE_NONE])
    assert _paths(index, scheme=["France 2030"]) == {"sans-date.txt"}

    # withdrawing a correction gives the extracted value back
    correct_document(corpus, index, "sans-date.txt", {"date": None})
    again = _record(index, "sans-date.txt")
    assert again.date is None and again.provenance["date"] == "extrait"
    assert again.schemes == ["France 2030"]


def test_year_only_date_is_listed_for_review(indexed: tuple[Path, Path]) -> None:
    corpus, index = indexed
    (corpus / "annee.txt").write_text("Rapport annuel\n\n2015\n\nLes usines ont recruté.\n", encoding="utf-8")
    index_corpus(corpus, index)
    assert (_record(index, "annee.txt").date, _record(index, "annee.txt").date_precision) == ("2015", "year")
    assert _paths(index, review=[DATE_YEAR]) == {"annee.txt"}
    correct_document(corpus, index, "annee.txt", {"date": "2015-03-02"})
    assert _paths(index, review=[DATE_YEAR]) == set()  # a corrected date is never weak


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "le jour d'après"}, "Date illisible"),
        ({"title": "   "}, "titre"),
        ({"doc_type": "roman"}, "Type inconnu"),
        ({"themes": ["astrologie"]}, "Thème inconnu"),
        ({"schemes": ["Plan Marshall"]}, "Dispositif inconnu"),
        ({"text": "effacé"}, "non modifiable"),
    ],
)
def test_bad_correction_is_refused_and_writes_nothing(tmp_path: Path, changes, message: str) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("Texte\n", encoding="utf-8")
    with pytest.raises(CorrectionError, match=message):
        write_correction(doc, changes)
    assert not sidecar_path(doc).exists()


def test_a_sidecar_that_cannot_be_written_is_said_in_french(tmp_path: Path) -> None:
    """A read-only corpus folder: the page showed « [Errno 13] … ». (The tests run as root, who may
    write anywhere: the temporary file's place is taken by a folder.)"""
    import os

    doc = tmp_path / "a.txt"
    doc.write_text("Texte\n", encoding="utf-8")
    (tmp_path / f".{sidecar_path(doc).name}.{os.getpid()}.tmp").mkdir()
    with pytest.raises(CorrectionError, match="n'a pas pu être écrite .* Rien n'a été modifié"):
        write_correction(doc, {"places": ["pont de claix"]})
    assert not sidecar_path(doc).exists()


def test_correction_keeps_the_other_keys_of_an_existing_sidecar(tmp_path: Path) -> None:
    doc = tmp_path / "a.txt"
    doc.write_text("Texte\n", encoding="utf-8")
    sidecar_path(doc).write_text("source_url: https://example.org/a\nlanguage: fr\n", encoding="utf-8")
    write_correction(doc, {"places": ["pont de claix"]})
    data = yaml.safe_load(sidecar_path(doc).read_text(encoding="utf-8"))
    assert data == {
        "places": ["Pont-de-Claix"],
        "language": "fr",
        "source_url": "https://example.org/a",
        "corrected": ["places"],
    }


# -- decisions on detected actors ---------------------------------------------------------------


@pytest.fixture
def vocab_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "vocab"
    shutil.copytree(VOCAB, folder)
    monkeypatch.setenv("ARCHIVE_VOCAB_DIR", str(folder))
    gazetteer.clear_caches()
    schemes.clear_cache()
    yield folder
    gazetteer.clear_caches()
    schemes.clear_cache()


DETECTED_TEXT = (
    "Lyon, le 4 mars 2024.\n\nLa société Soberflex, sous-traitant de Stellantis, annonce la fermeture de son "
    "usine. Le délégué syndical Jean-Marc Pellerin dénonce la décision. Soberflex emploie 120 salariés. "
    "Les Établissements Marcadier rachètent une partie du site ; Marcadier reprendra 40 salariés.\n"
)


def _candidates(index: Path) -> dict[str, list[str]]:
    engine = open_engine(index)
    try:
        return {name: ids for name, _, ids in engine.detected_entities()}
    finally:
        engine.close()


def test_decisions_on_detected_actors_survive_a_rebuild(tmp_path: Path, vocab_copy: Path) -> None:
    from indexer import entities

    if not entities.available():
        pytest.skip("spaCy's French model is not installed")
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "soberflex.txt").write_text(DETECTED_TEXT, encoding="utf-8")
    index_corpus(corpus, index)
    found = _candidates(index)
    assert "Soberflex" in found and "Jean-Marc Pellerin" in found, found
    assert "soberflex.txt" in _paths(index, review=[DETECTED])
    doc_ids = set(found["Soberflex"])

    decisions.reject("Jean-Marc Pellerin")
    decisions.merge("Soberflex", "Stellantis")
    assert _candidates(index).keys().isdisjoint({"Soberflex", "Jean-Marc Pellerin"})  # at once, before reindexing
    index_corpus(corpus, index, reextract=doc_ids)
    record = _record(index, "soberflex.txt")
    assert "Stellantis" in record.actors
    assert all(e["name"] not in ("Jean-Marc Pellerin", "Soberflex") for e in record.detected_entities)

    saved = yaml.safe_load((vocab_copy / gazetteer.DECISIONS_FILE).read_text(encoding="utf-8"))
    assert {(d["name"], d["decision"]) for d in saved} == {("Jean-Marc Pellerin", "rejected"), ("Soberflex", "merged")}
    index_corpus(corpus, index, rebuild=True)
    rebuilt = _record(index, "soberflex.txt")
    assert rebuilt.actors == record.actors
    assert _candidates(index).keys().isdisjoint({"Soberflex", "Jean-Marc Pellerin"})


def test_decisions_refuse_bad_input(vocab_copy: Path) -> None:
    with pytest.raises(ValueError, match="Acteur inconnu"):
        decisions.merge("Soberflex", "Acteur qui n'existe pas")
    with pytest.raises(ValueError, match="gazetteer"):
        decisions.reject("CGT")
    with pytest.raises(ValueError):
        decisions.confirm("", "entreprises")
    assert not (vocab_copy / gazetteer.DECISIONS_FILE).exists()
    decisions.confirm("Soberflex", "entreprises")
    assert gazetteer.actor_kind("Soberflex") == "entreprises"
    assert [d["decision"] for d in decisions.decisions()] == ["confirmed"]


def test_a_vocabulary_folder_the_app_cannot_write_is_said_in_french(vocab_copy: Path) -> None:
    """An installed package or a read-only mount: « [Errno 13] Permission denied » reached the page.
    (The tests run as root, who may write anywhere: the lock file's place is taken by a folder.)"""
    (vocab_copy / ".actors.lock").mkdir()
    before = (vocab_copy / "actors.yaml").read_bytes()
    for decide in (lambda: decisions.reject("Jean-Marc Pellerin"), lambda: decisions.merge("Soberflex", "CGT")):
        with pytest.raises(ValueError, match="n'accepte pas d'écriture .* ARCHIVE_VOCAB_DIR"):
            decide()
    with pytest.raises(ValueError, match="rien n'a été enregistré"):
        decisions.confirm("Soberflex", "entreprises")
    assert not (vocab_copy / gazetteer.DECISIONS_FILE).exists()
    assert gazetteer.actor_for_alias("Soberflex") is None
    assert (vocab_copy / "actors.yaml").read_bytes() == before
