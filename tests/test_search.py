"""Search over the indexed seeds: French analysis, syntax, facets, filters, sorts."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from archive.engine import open_engine
from archive.models import SearchRequest
from conftest import seed_id
from indexer.pipeline import index_corpus


def ids(engine, query: str, **kw) -> list[str]:
    result = engine.search(SearchRequest(query=query, limit=100, **kw))
    assert result.error is None, result.error
    return sorted(h.id for h in result.hits if not h.partial)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("reindustrialisation", "réindustrialisation"),
        ("ETAT", "État"),
        ("l’État", "État"),
        ("l'Etat", "état"),
        ("d'emplois", "emplois"),
        ("salariées", "salariés"),
        ("industriel", "industrielle"),
        ("militant·es", "militants"),
        ("salarié.e.s", "salariés"),
        ("107 562", "107562"),
        ("107\u00a0562", "107 562"),
        ("qu’elle propose", "propose"),
        ("jusqu’aux territoires", "territoires"),
        ("REINDUSTRIALISATION", "Réindustrialisation"),
    ],
)
def test_spellings_are_equivalent(seed_engine, a: str, b: str) -> None:
    found = ids(seed_engine, a)
    assert found, f"{a!r} found nothing"
    assert found == ids(seed_engine, b)


def test_reindustrialisation_finds_the_right_documents(seed_engine) -> None:
    found = set(ids(seed_engine, "réindustrialisation"))
    expected = {seed_id(seed_engine, f) for f in ("000_02ff9b493d201e94.txt", "001_a69f9742cd6947c7.txt")}
    expected.add(seed_id(seed_engine, "003_cd4a00d7b808f3bd.txt"))
    assert found == expected


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f", "\u2009"])
def test_number_with_spaces_found(seed_engine, space: str) -> None:
    # The query groups digits with the spaces the index's tokenizer groups them with.
    assert ids(seed_engine, f"107{space}562") == [seed_id(seed_engine, "001_a69f9742cd6947c7.txt")]


def test_words_are_all_required(seed_engine) -> None:
    both = set(ids(seed_engine, "Alès Vencorex"))
    assert both == set()
    assert set(ids(seed_engine, "Alès")) and set(ids(seed_engine, "Vencorex"))


def test_or_not_prefix_and_phrase(seed_engine) -> None:
    ales, vencorex = set(ids(seed_engine, "Alès")), set(ids(seed_engine, "Vencorex"))
    assert set(ids(seed_engine, "Alès OR Vencorex")) == ales | vencorex
    industrie = set(ids(seed_engine, "industrie"))
    assert set(ids(seed_engine, "industrie NOT Vencorex")) == industrie - vencorex
    assert set(ids(seed_engine, "industrie -Vencorex")) == industrie - vencorex
    assert set(ids(seed_engine, "Vencor*")) == vencorex
    phrase = ids(seed_engine, '"semaine de l\'industrie"')
    assert phrase == [seed_id(seed_engine, "002_c7b655d0d8bf7451.txt")]
    # The same words not side by side do not match the phrase.
    assert ids(seed_engine, '"Besson semaine"') == [] and ids(seed_engine, "Besson semaine")


def test_title_field(seed_engine) -> None:
    record = seed_engine.document(seed_id(seed_engine, "004_6319599e635f7534.txt"))
    word = "Basset"
    assert word.lower() in record.title.lower()
    assert ids(seed_engine, f"titre:{word}") == [record.id]


def test_empty_query_lists_every_document(seed_engine) -> None:
    result = seed_engine.search(SearchRequest(query="", limit=100))
    assert result.total == 5 and len(result.hits) == 5


def test_malformed_query_gives_a_readable_message(seed_engine) -> None:
    for query in ("année:deux-mille", "le la les"):
        result = seed_engine.search(SearchRequest(query=query))
        assert result.error and "Traceback" not in result.error
        assert result.total == 0


@pytest.mark.parametrize(
    ("query", "same_as"),
    [
        ('"réindustrialisation', "réindustrialisation"),
        ('réindustrialisation"', "réindustrialisation"),
        ("(industrie OR", "industrie"),
        ("(industrie", "industrie"),
        ("industrie)", "industrie"),
        ("industrie AND", "industrie"),
        ("AND industrie", "industrie"),
        ("industrie NOT", "industrie"),
        ("(Alès OR Vencorex", "Alès OR Vencorex"),
        # an open phrase runs to the end (it read the words one by one: « Made in France ! »)
        ('"France Relance', '"France Relance"'),
        ('industrie "plan de relance', 'industrie "plan de relance"'),
        ('industrie "', "industrie"),
        ("*", ""),
        (":::", ""),
    ],
)
def test_unbalanced_syntax_reads_as_meant(seed_engine, query: str, same_as: str) -> None:
    """A dangling quote, bracket or operator is read as if it were not there (it used to require
    the word « and » or « or », and find nothing)."""
    expected = ids(seed_engine, same_as)
    assert expected
    assert ids(seed_engine, query) == expected


def test_an_open_phrase_says_where_it_ends(seed_engine) -> None:
    from archive.whoosh.query import UNCLOSED_QUOTE_NOTICE

    assert UNCLOSED_QUOTE_NOTICE in seed_engine.search(SearchRequest(query='"France Relance')).notices
    assert UNCLOSED_QUOTE_NOTICE not in seed_engine.search(SearchRequest(query='industrie "')).notices


def test_snippets_are_escaped_and_marked(seed_engine) -> None:
    result = seed_engine.search(SearchRequest(query="réindustrialisation", limit=10))
    assert result.hits
    for hit in result.hits:
        assert "<mark>" in hit.snippet
        stripped = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped


def test_actor_alias_finds_tagged_documents(seed_engine) -> None:
    bpi = set(ids(seed_engine, "Bpifrance"))
    assert bpi, "no document tagged Bpifrance"
    assert set(ids(seed_engine, "BPI")) == bpi
    assert set(ids(seed_engine, '"BPI France"')) == bpi
    assert set(ids(seed_engine, "BPI France")) == bpi
    assert set(ids(seed_engine, "bpi france")) == bpi
    assert set(ids(seed_engine, "banque publique d'investissement")) == bpi


def test_facet_fields_in_query(seed_engine) -> None:
    cgt = set(ids(seed_engine, "acteur:CGT"))
    assert cgt and cgt == set(ids(seed_engine, "acteur:cgt"))
    assert set(ids(seed_engine, "année:2020")) == {seed_id(seed_engine, "004_6319599e635f7534.txt")}
    assert set(ids(seed_engine, "annee:2011-2020")) == set(ids(seed_engine, "année:2011 OR année:2020"))
    assert set(ids(seed_engine, "langue:fr")) == set(ids(seed_engine, ""))
    # Case, accents and the hyphens of a place name do not matter.
    pont = set(ids(seed_engine, "lieu:Pont-de-Claix"))
    assert pont and pont == set(ids(seed_engine, 'lieu:"pont de claix"')) == set(ids(seed_engine, "lieu:ISERE"))


def brute_force_facets(engine, query: str) -> dict[str, Counter]:
    result = engine.search(SearchRequest(query=query, limit=1000))
    counts: dict[str, Counter] = {f: Counter() for f in ("year", "actor", "theme", "place", "doc_type", "language")}
    for h in result.hits:
        if h.partial:
            continue
        if h.year:
            counts["year"][str(h.year)] += 1
        counts["actor"].update(h.actors)
        counts["theme"].update(h.themes)
        counts["place"].update(h.places)
        counts["doc_type"][h.doc_type] += 1
        counts["language"][h.language] += 1
    return counts


@pytest.mark.parametrize("query", ["", "industrie", "réindustrialisation", "emploi territoires"])
def test_facet_counts_match_brute_force(seed_engine, query: str) -> None:
    result = seed_engine.search(SearchRequest(query=query, limit=1000))
    expected = brute_force_facets(seed_engine, query)
    for facet, counts in expected.items():
        assert {k: v for k, v in result.facets[facet].items() if v} == dict(counts), facet


def test_filters_or_within_and_across(seed_engine) -> None:
    everything = seed_engine.search(SearchRequest(limit=100))
    actors = [a for a, n in everything.facets["actor"].items() if n][:2]
    assert len(actors) == 2
    one = set(ids(seed_engine, "", filters={"actor": [actors[0]]}))
    two = set(ids(seed_engine, "", filters={"actor": [actors[1]]}))
    assert set(ids(seed_engine, "", filters={"actor": actors})) == one | two
    year = next(iter(everything.facets["year"]))
    by_year = set(ids(seed_engine, "", year_from=int(year), year_to=int(year)))
    assert set(ids(seed_engine, "", filters={"actor": [actors[0]]}, year_from=int(year), year_to=int(year))) == (
        one & by_year
    )


def test_facet_ignores_its_own_selection_and_keeps_selected_values(seed_engine) -> None:
    everything = seed_engine.search(SearchRequest(limit=100))
    actor = next(a for a, n in everything.facets["actor"].items() if n)
    filtered = seed_engine.search(SearchRequest(filters={"actor": [actor]}, limit=100))
    # The actor facet still shows the counts over the whole (unfiltered) result set.
    assert filtered.facets["actor"] == everything.facets["actor"]
    # Other facets count only the filtered documents.
    assert sum(filtered.facets["language"].values()) == filtered.total
    # A selected value stays listed even at count 0.
    none = seed_engine.search(SearchRequest(query="Vencorex", filters={"place": ["Alès"]}, limit=100))
    assert none.total == 0 and none.facets["place"].get("Alès") is not None


def test_sort_by_date(seed_engine) -> None:
    asc = seed_engine.search(SearchRequest(sort="date", limit=100)).hits
    desc = seed_engine.search(SearchRequest(sort="-date", limit=100)).hits
    dated_asc = [h.date for h in asc if h.date]
    assert dated_asc == sorted(dated_asc)
    dated_desc = [h.date for h in desc if h.date]
    assert dated_desc == sorted(dated_desc, reverse=True)
    # Undated documents come last both ways.
    assert asc[-1].date is None and desc[-1].date is None


def test_pagination(seed_engine) -> None:
    all_hits = [h.id for h in seed_engine.search(SearchRequest(sort="date", limit=100)).hits]
    page = [h.id for h in seed_engine.search(SearchRequest(sort="date", limit=2, offset=2)).hits]
    assert page == all_hits[2:4]


def test_partial_matches_follow_full_matches(seed_engine) -> None:
    result = seed_engine.search(SearchRequest(query="réindustrialisation Alès Vencorex", limit=10))
    assert result.total == 0
    assert result.hits and all(h.partial for h in result.hits)
    assert sum(result.facets["language"].values()) == 0  # partial hits are outside the counts
    plain = seed_engine.search(SearchRequest(query="quels sont les projets de la CGT pour l'industrie", limit=10))
    assert plain.hits, "a plain French question must not come back empty-handed"


def test_suggestion_for_misspelling(seed_engine) -> None:
    literal = seed_engine.search(SearchRequest(query='"reindustrialisaton"'))
    assert literal.total == 0 and literal.corrected is None
    assert literal.suggestion and "industrialisation" in literal.suggestion


def test_a_misspelling_that_finds_nothing_shows_the_correction_s_results(seed_engine) -> None:
    result = seed_engine.search(SearchRequest(query="reindustrialisaton"))
    corrected = seed_engine.search(SearchRequest(query=result.corrected or ""))
    assert result.corrected == result.suggestion and "industrialisation" in result.corrected
    assert result.total == corrected.total > 0
    assert [h.id for h in result.hits] == [h.id for h in corrected.hits]
    assert result.query == "reindustrialisaton"
    assert result.notices[0].startswith("Aucun document pour « reindustrialisaton » : résultats pour")
    # A word that exists is never corrected, even when a filter leaves nothing.
    assert seed_engine.search(SearchRequest(query="Vencorex", year_from=2011, year_to=2011)).corrected is None


def test_similar_documents(seed_engine) -> None:
    doc = seed_id(seed_engine, "000_02ff9b493d201e94.txt")
    similar = [h.id for h in seed_engine.similar(doc, limit=3)]
    assert doc not in similar
    assert seed_id(seed_engine, "001_a69f9742cd6947c7.txt") in similar


def test_timeline_has_empty_years(seed_engine) -> None:
    timeline = seed_engine.timeline(SearchRequest(), granularity="year")
    periods = timeline.periods
    assert periods[0] == "2011" and periods[-1] == "2026"
    assert len(periods) == 16
    counts = dict(zip(periods, timeline.series["documents"], strict=True))
    assert counts["2015"] == 0 and counts["2020"] == 1
    assert timeline.undated == 1


def test_no_suggestion_that_leads_nowhere(workspace) -> None:
    """A word whose only document was deleted stays in the spelling lexicon for a while: it
    must not be offered as « vouliez-vous dire »."""
    corpus, index = workspace
    (corpus / "a.txt").write_text("Note sur la fonderie Vencorexique et ses salariés.", encoding="utf-8")
    (corpus / "b.txt").write_text("Compte rendu sur la fonderie de Bretagne et la sidérurgie.", encoding="utf-8")
    index_corpus(corpus, index)
    engine = open_engine(index)
    assert engine.search(SearchRequest(query="vencorexiqe")).suggestion == "vencorexique"
    assert engine.search(SearchRequest(query="fonderei")).suggestion == "fonderie"
    (corpus / "a.txt").unlink()
    index_corpus(corpus, index)
    assert engine.search(SearchRequest(query="vencorexiqe")).suggestion is None
    assert engine.search(SearchRequest(query="vencorexiqe")).total == 0
    assert engine.search(SearchRequest(query="fonderei")).suggestion == "fonderie"
    engine.close()


def test_short_words_and_acronyms_are_not_corrected_into_other_words(workspace) -> None:
    """« PSE » gave the results of « pmi », « mail » those of « mis »: a short word has many
    neighbours two edits away. Short words and acronyms stay as typed; a swap of two letters
    is one edit (« usnie » → « usine »), and a word of five to seven letters gets one edit."""
    corpus, index = workspace
    (corpus / "a.txt").write_text(
        "Les PMI du bassin ont mis leur usine en vente ; le mois dernier, la fonderie a fermé.", encoding="utf-8"
    )
    index_corpus(corpus, index)
    engine = open_engine(index)
    try:
        for typed in ("PSE", "mail", "Fos"):
            result = engine.search(SearchRequest(query=typed))
            assert result.total == 0 and result.corrected is None and result.suggestion is None, typed
        assert engine.search(SearchRequest(query="usnie")).corrected == "usine"
        assert engine.search(SearchRequest(query="usinx")).corrected == "usine"
        assert engine.search(SearchRequest(query="mosse")).suggestion is None  # two edits from « mois »
        assert engine.search(SearchRequest(query="fondaries")).corrected == "fonderie"  # nine letters: two edits
    finally:
        engine.close()


@pytest.mark.parametrize(
    ("typed", "indexed"),
    [
        ("lieu:Rhône-Alpes", "lieu:Auvergne-Rhône-Alpes"),  # a region before 2016
        ("lieu:rhone-alpes", "lieu:Auvergne-Rhône-Alpes"),
        ("langue:français", "langue:fr"),
        ("langue:French", "langue:fr"),
    ],
)
def test_former_regions_and_language_names_select_like_the_indexed_values(
    seed_engine, typed: str, indexed: str
) -> None:
    """« lieu:Lorraine », « langue:français » answered « aucune valeur de ce nom » in an archive that
    shows « français » everywhere and covers the years before the 2016 regions."""
    expected = ids(seed_engine, indexed)
    assert expected and ids(seed_engine, typed) == expected
    facet, value = typed.split(":")
    name = {"lieu": "place", "langue": "language"}[facet]
    assert ids(seed_engine, "", filters={name: [value]}) == expected  # the CLI's --place, --lang


def test_french_operators_in_capitals_work_like_the_english_ones(seed_engine) -> None:
    """« industrie SAUF emploi » searched the word « sauf » (and was « corrected » into « sous »)."""
    either = ids(seed_engine, "Vencorex OR Basset")
    assert ids(seed_engine, "Vencorex OU Basset") == either and set(either) > set(ids(seed_engine, "Vencorex"))
    without = ids(seed_engine, "industrie NOT Vencorex")
    assert ids(seed_engine, "industrie SAUF Vencorex") == without and set(without) < set(ids(seed_engine, "industrie"))
    assert ids(seed_engine, "industrie ET Vencorex") == ids(seed_engine, "industrie Vencorex")
    # In lower case or inside quotes they are words.
    assert ids(seed_engine, "Vencorex ou Basset") == ids(seed_engine, "Vencorex Basset")


def test_hyphenated_place_finds_the_seed_that_names_it(seed_engine) -> None:
    """`Pont-de-Claix` typed as is: a hyphen inside a word joins it, never excludes."""
    found = set(ids(seed_engine, "Pont-de-Claix"))
    assert seed_id(seed_engine, "000_02ff9b493d201e94.txt") in found
    assert found == set(ids(seed_engine, '"Pont de Claix"'))


@pytest.mark.parametrize(
    ("typo", "word"),
    [("Vencorx~", "Vencorex"), ("Vencoreks~", "Vencorex"), ("Gardane~", "Gardanne"), ("Baset~", "Basset")],
)
def test_fuzzy_term_finds_a_misspelled_name(seed_engine, typo: str, word: str) -> None:
    """`mot~` finds the documents of the word meant; the misspelling as typed finds nothing."""
    expected = ids(seed_engine, word)
    assert expected
    assert ids(seed_engine, f'"{typo.rstrip("~")}"') == []
    ranked = [h.id for h in seed_engine.search(SearchRequest(query=typo, limit=100)).hits]
    assert sorted(ranked[: len(expected)]) == expected  # near words (« base » for Baset~) come after


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("indsutrie~", "industrie"),
        ("industrei~", "industrie"),
        ("usnie~", "usines"),
        ("titre:indsutrie~", "titre:industrie"),
    ],
)
def test_fuzzy_word_is_compared_as_written_then_stemmed(seed_engine, typo: str, word: str) -> None:
    """A misspelt word seldom stems like the word meant (« indsutr » / « industr »): the fuzzy
    word is compared with the words as written, a swap of two letters counting as one edit."""
    expected = set(ids(seed_engine, word))
    assert expected
    field, _, word_typed = typo.rpartition(":")
    literal = f'{field + ":" if field else ""}"{word_typed.rstrip("~")}"'  # quotes: no auto-correction
    assert ids(seed_engine, literal) == []
    assert set(ids(seed_engine, typo)) == expected


def test_snippets_are_capped_and_compound_marks_are_not_doubled(workspace) -> None:
    """A 200 000-character word beside a match came back whole in the snippet; « Bpifrance »
    (a compound that also splits into « bpi » + « france ») was marked twice in the full text."""
    corpus, index = workspace
    giant = "x" * 200_000
    (corpus / "a.txt").write_text(
        f"Titre\n\nLa banque Bpifrance soutient l'industrie {giant} usine fin.", encoding="utf-8"
    )
    index_corpus(corpus, index)
    engine = open_engine(index)
    try:
        (hit,) = engine.search(SearchRequest(query="industrie")).hits
        assert "<mark>industrie</mark>" in hit.snippet
        assert len(hit.snippet) < 1000
        full = engine.highlighted_text(hit.id, "Bpifrance")
        assert "<mark>Bpifrance</mark> soutient" in full
        assert "</mark><mark>" not in full and full.count("<mark>") == 1
    finally:
        engine.close()


def test_records_for_export_come_one_at_a_time_in_list_order_without_text(seed_engine) -> None:
    """Exports loaded the full text of every hit at once (100 000 records for a large result)."""
    import inspect

    from archive.csv_export import to_csv

    for request in (
        SearchRequest(query="industrie", limit=1000),
        SearchRequest(query="", sort="date", limit=1000),
        SearchRequest(query="emploi", filters={"language": ["fr"]}, sort="-date", limit=1000),
    ):
        listed = [h.id for h in seed_engine.search(request).hits if not h.partial]
        stream = seed_engine.records(request)
        assert inspect.isgenerator(stream)
        records = list(stream)
        assert [r.id for r in records] == listed and listed
        assert all(r.text == "" for r in records)
    with_text = list(seed_engine.records(SearchRequest(query="industrie"), with_text=True))
    assert all(r.text for r in with_text)
    assert to_csv(with_text).decode("utf-8-sig").count("\r\n") == len(with_text) + 1
    # For a French Excel: the same table, columns separated by semicolons.
    excel = to_csv(records, separator=";").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(excel), delimiter=";"))
    assert rows == list(csv.reader(io.StringIO(to_csv(records).decode("utf-8-sig"))))
    assert len(rows) == len(records) + 1 and len(rows[0]) > 3 and excel.count(";") >= len(rows) * (len(rows[0]) - 1)


def test_ticked_values_combine_with_or_unless_all_are_asked(seed_engine) -> None:
    def ids(filters: dict[str, list[str]], all_of: list[str] | None = None) -> set[str]:
        request = SearchRequest(filters=filters, all_of=all_of or [], limit=10)
        return {h.id for h in seed_engine.search(request).hits}

    cgt, philippe = ids({"actor": ["CGT"]}), ids({"actor": ["Édouard Philippe"]})
    assert cgt and philippe and not cgt & philippe
    assert ids({"actor": ["CGT", "Édouard Philippe"]}) == cgt | philippe  # OR: one or the other
    assert ids({"actor": ["CGT", "Édouard Philippe"]}, ["actor"]) == set()  # AND: none names both
    bpi = ids({"actor": ["Bpifrance"]})
    assert ids({"actor": ["cgt", "Bpifrance"]}, ["actor"]) == cgt & bpi  # typed spellings still resolve
    themes = {"theme": ["emploi", "relocalisation"]}
    assert ids(themes, ["theme"]) == ids({"theme": ["emploi"]}) & ids({"theme": ["relocalisation"]})
    # With AND, the facet's counts are those of the documents kept (what one more tick leaves).
    result = seed_engine.search(SearchRequest(filters={"actor": ["CGT", "Bpifrance"]}, all_of=["actor"]))
    assert result.facets["actor"]["CGT"] == result.total == len(cgt & bpi)
    assert "Édouard Philippe" not in result.facets["actor"]
