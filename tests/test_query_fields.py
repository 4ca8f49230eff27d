"""The field searches the README promises (thème:, type:, année:, langue:), each on a corpus made so
that a filter doing nothing, or reading a range as its two end years, gives a different answer.

The documents go through the real indexer; sidecars fix dates, themes and types so the expected
sets are known exactly, while the language is detected from the text itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from archive_testing import indexed

from archive.engine import SearchEngine
from archive.models import SearchRequest

FRENCH = (
    "Le comité de suivi de la filière s'est réuni pour examiner la situation des usines de la région. "
    "Les représentants des salariés ont présenté leurs propositions pour maintenir la production en France, "
    "développer la formation des jeunes et soutenir les entreprises qui investissent dans leurs ateliers. "
    "La direction a rappelé que les commandes ont progressé depuis le début de l'année et que de nouveaux "
    "métiers apparaissent dans la maintenance des machines. Les élus locaux demandent que l'État accompagne "
    "les projets de modernisation et que les aides publiques soient conditionnées au maintien des emplois."
)
ENGLISH = (
    "The steering committee of the industrial sector met to review the situation of the factories in the "
    "region. Workers' representatives presented their proposals to keep production in the country, develop "
    "training for young people and support the companies that invest in their workshops. The management "
    "recalled that orders have grown since the beginning of the year and that new trades are appearing in "
    "the maintenance of machines. Local councillors ask the government to support modernisation projects."
)
GERMAN = (
    "Der Lenkungsausschuss der Industriebranche ist zusammengetreten, um die Lage der Fabriken in der Region "
    "zu prüfen. Die Vertreter der Beschäftigten haben ihre Vorschläge vorgestellt, um die Produktion im Land "
    "zu halten, die Ausbildung junger Menschen zu entwickeln und die Unternehmen zu unterstützen, die in ihre "
    "Werkstätten investieren. Die Geschäftsführung erinnerte daran, dass die Aufträge seit Jahresbeginn "
    "gestiegen sind und dass neue Berufe in der Wartung der Maschinen entstehen."
)

# Actors come from the text (no sidecar key): one document names Bpifrance in one word, another
# by its long name; neither holds the word « BPI ».
BPIFRANCE = "Un prêt de Bpifrance a été accordé à l'entreprise."
BANQUE = "La Banque publique d'investissement soutient le projet."

# name → (text, sidecar date, themes, doc_type); None date = undated.
DOCS: dict[str, tuple[str, str | None, list[str], str]] = {
    "y2010.txt": (FRENCH, "2010-12-20", ["emploi"], "rapport"),
    "y2011.txt": (FRENCH, "2011-01-05", ["énergie"], "invitation"),
    "y2015.txt": (FRENCH, "2015-06", ["emploi", "énergie"], "étude"),
    "y2018_en.txt": (ENGLISH, "2018-03-01", ["emploi"], "article"),
    "y2019.txt": (f"{BPIFRANCE}\n\n{FRENCH}", "2019-09-17", ["transition écologique"], "communiqué de presse"),
    "y2020.txt": (FRENCH, "2020", ["énergie"], "invitation"),
    "y2021.txt": (f"{BANQUE}\n\n{FRENCH}", "2021-02-11", ["emploi"], "étude"),
    "y2023_de.txt": (GERMAN, "2023-10", ["énergie"], "communiqué de presse"),
    "undated.txt": (FRENCH, None, ["emploi"], "tract"),
}


def _sidecar(date: str | None, themes: list[str], doc_type: str) -> str:
    lines = [f"themes: [{', '.join(themes)}]", f"doc_type: {doc_type}"]
    if date:
        lines.append(f"date: '{date}'")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchEngine]:
    base = tmp_path_factory.mktemp("fields")
    corpus, index = base / "corpus", base / "index"
    corpus.mkdir()
    for i, (name, (text, date, themes, doc_type)) in enumerate(DOCS.items()):
        # A distinct sentence per file: identical texts would be one document.
        (corpus / name).write_text(f"Note numéro {i} : {name}.\n\n{text}\n", encoding="utf-8")
        (corpus / f"{name}.meta.yaml").write_text(_sidecar(date, themes, doc_type), encoding="utf-8")
    with indexed(corpus, index) as eng:
        yield eng


def names(engine: SearchEngine, query: str = "", **kw) -> set[str]:
    """File names of the full matches of `query` (every version listed: the notes share one
    template, so the archive rightly takes them for versions of one text)."""
    result = engine.search(SearchRequest(query=query, limit=100, with_snippets=False, group=False, **kw))
    assert result.error is None, result.error
    return {Path(h.path).name for h in result.hits if not h.partial}


def where(predicate) -> set[str]:
    return {name for name, spec in DOCS.items() if predicate(*spec)}


def year_of(date: str | None) -> int | None:
    return int(date[:4]) if date else None


def test_the_corpus_is_what_the_tests_assume(engine) -> None:
    result = engine.search(SearchRequest(limit=100, with_snippets=False, group=False))
    assert result.total == len(DOCS)
    by_name = {Path(h.path).name: h for h in result.hits}
    for name, (_text, date, themes, doc_type) in DOCS.items():
        hit = by_name[name]
        assert hit.year == year_of(date), name
        assert sorted(hit.themes) == sorted(themes), name
        assert hit.doc_type == doc_type, name
    assert {name for name, hit in by_name.items() if "Bpifrance" in hit.actors} == {"y2019.txt", "y2021.txt"}
    languages = {name: hit.language for name, hit in by_name.items()}
    assert languages["y2018_en.txt"] == "en"
    assert languages["y2023_de.txt"] == "de"
    assert {lang for name, lang in languages.items() if name not in ("y2018_en.txt", "y2023_de.txt")} == {"fr"}


@pytest.mark.parametrize("query", ["thème:énergie", "theme:energie", "THÈME:Énergie", "thèmes:ÉNERGIE"])
def test_theme_field(engine, query: str) -> None:
    expected = where(lambda _t, _d, themes, _ty: "énergie" in themes)
    assert len(expected) == 4
    assert names(engine, query) == expected


def test_theme_with_several_words(engine) -> None:
    expected = where(lambda _t, _d, themes, _ty: "transition écologique" in themes)
    assert names(engine, 'thème:"transition écologique"') == expected == {"y2019.txt"}
    assert names(engine, 'theme:"transition ecologique"') == expected


@pytest.mark.parametrize(
    ("query", "doc_type"),
    [
        ("type:invitation", "invitation"),
        ("type:Invitation", "invitation"),
        ("type:étude", "étude"),
        ("type:etude", "étude"),
        ("type:ÉTUDE", "étude"),
        ('type:"communiqué de presse"', "communiqué de presse"),
        ('type:"communique de presse"', "communiqué de presse"),
    ],
)
def test_type_field_with_and_without_accents(engine, query: str, doc_type: str) -> None:
    expected = where(lambda _t, _d, _th, ty: ty == doc_type)
    assert len(expected) == 2
    assert names(engine, query) == expected


def test_type_field_combines_with_words_and_other_fields(engine) -> None:
    assert names(engine, "type:invitation thème:énergie année:2020") == {"y2020.txt"}
    assert names(engine, "type:invitation OR type:tract") == {"y2011.txt", "y2020.txt", "undated.txt"}
    french = set(DOCS) - {"y2018_en.txt", "y2023_de.txt"}  # « usines » is in every French text
    assert names(engine, "usines -type:invitation") == french - {"y2011.txt", "y2020.txt"}


def _years_between(lo: int, hi: int) -> set[str]:
    return where(lambda _t, date, _th, _ty: date is not None and lo <= year_of(date) <= hi)


@pytest.mark.parametrize(
    ("query", "lo", "hi"),
    [
        ("année:2011-2020", 2011, 2020),
        ("annee:2011-2020", 2011, 2020),
        ("année:2011..2020", 2011, 2020),
        ("année:2020-2018", 2018, 2020),  # typed backwards: the same period
        ("année:>2018", 2019, 2100),
        ("année:>=2018", 2018, 2100),
        ("année:<2015", 1900, 2014),
        ("année:<=2015", 1900, 2015),
        ("année:2015", 2015, 2015),
    ],
)
def test_year_field(engine, query: str, lo: int, hi: int) -> None:
    assert names(engine, query) == _years_between(lo, hi)


def test_year_range_holds_the_years_strictly_inside(engine) -> None:
    """A range read as its two end years would miss 2015, 2018 and 2019."""
    found = names(engine, "année:2011-2020")
    assert {"y2015.txt", "y2018_en.txt", "y2019.txt"} <= found
    assert not found & {"y2010.txt", "y2021.txt", "y2023_de.txt", "undated.txt"}
    assert found != names(engine, "année:2011 OR année:2020")
    assert (
        names(engine, "année:2020-2018")
        == names(engine, "année:2018-2020")
        == {
            "y2018_en.txt",
            "y2019.txt",
            "y2020.txt",
        }
    )
    assert names(engine, "année:>2018") == {"y2019.txt", "y2020.txt", "y2021.txt", "y2023_de.txt"}


def test_language_field_on_a_mixed_corpus(engine) -> None:
    french = set(DOCS) - {"y2018_en.txt", "y2023_de.txt"}
    assert names(engine, "langue:fr") == french
    assert names(engine, "langue:FR") == french
    assert names(engine, "langue:en") == {"y2018_en.txt"}
    assert names(engine, "lang:de") == {"y2023_de.txt"}
    assert names(engine, "NOT langue:fr") == {"y2018_en.txt", "y2023_de.txt"}
    # An exclusion alone lists every other document (it used to be refused as « mots trop courants »).
    assert names(engine, "-langue:fr") == {"y2018_en.txt", "y2023_de.txt"}
    assert names(engine, "-langue:fr -lang:de") == {"y2018_en.txt"}
    # The filter of the app and the CLI gives the same sets as the field.
    assert names(engine, filters={"language": ["fr"]}) == french
    assert names(engine, filters={"language": ["en", "de"]}) == {"y2018_en.txt", "y2023_de.txt"}


@pytest.mark.parametrize("query", ["BPI France", "bpi france", "BPI", '"BPI France"', "Bpifrance", "acteur:BPI"])
def test_bpi_france_finds_every_document_tagged_bpifrance(engine, query: str) -> None:
    """No document holds the word « BPI »: only the actor alias can find them."""
    assert names(engine, query) == {"y2019.txt", "y2021.txt"}
