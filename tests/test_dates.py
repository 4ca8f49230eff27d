"""Tests for the French date reader (indexer.dates)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.dates import (
    DateMention,
    document_date,
    events,
    find_dates,
    parse_date,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
NBSP, NNBSP = "\u00a0", "\u202f"


def _seed(prefix: str) -> str:
    """Text of the corpus seed whose file name starts with prefix."""
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _values(text: str) -> list[tuple[str, str, str | None]]:
    """(value, precision, end_value) of every mention."""
    return [(m.value, m.precision, m.end_value) for m in find_dates(text)]


# --- forms -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "precision", "end_value"),
    [
        ("17 septembre 2020", "2020-09-17", "day", None),
        ("Jeudi 17 septembre 2020", "2020-09-17", "day", None),
        ("jeudi 26 mars 2026", "2026-03-26", "day", None),
        ("1er avril 2011", "2011-04-01", "day", None),
        ("1 er avril 2011", "2011-04-01", "day", None),
        ("17/09/2020", "2020-09-17", "day", None),
        ("17.09.20", "2020-09-17", "day", None),
        ("17-09-2020", "2020-09-17", "day", None),
        ("2020-09-17", "2020-09-17", "day", None),
        ("du 4 au 11 avril 2011", "2011-04-04", "day", "2011-04-11"),
        ("du 30 mars au 2 avril 2021", "2021-03-30", "day", "2021-04-02"),
        ("mars 2026", "2026-03", "month", None),
        ("en mars 2026", "2026-03", "month", None),
        ("le 22 novembre 2018", "2018-11-22", "day", None),
        ("en 2011", "2011", "year", None),
        ("26 MARS 2026", "2026-03-26", "day", None),
        (f"17{NBSP}septembre{NBSP}2020", "2020-09-17", "day", None),
        (f"17{NNBSP}septembre{NNBSP}2020", "2020-09-17", "day", None),
        (f"Jeudi{NBSP}17{NNBSP}septembre 2020", "2020-09-17", "day", None),
        # Every space of archive.text.SPACES (the date reader used to know four of them).
        ("17\u2002septembre\u2003 2020", "2020-09-17", "day", None),
        ("Jeudi\u3000 17\u205fseptembre 2020", "2020-09-17", "day", None),
        ("JEUDI 17 SEPTEMBRE 2020", "2020-09-17", "day", None),
        ("3 janv. 2020", "2020-01-03", "day", None),
        ("12 févr. 2021", "2021-02-12", "day", None),
        ("5 sept. 2019", "2019-09-05", "day", None),
        ("1er déc. 2015", "2015-12-01", "day", None),
        ("14 fevrier 2013", "2013-02-14", "day", None),
        ("15 aout 2014", "2014-08-15", "day", None),
        ("3 decembre 2012", "2012-12-03", "day", None),
        ("3 DÉCEMBRE 2012", "2012-12-03", "day", None),
        ("15 AOÛT 2014", "2014-08-15", "day", None),
        ("sept. 2020", "2020-09", "month", None),
        ("depuis 2023", "2023", "year", None),
        ("d'ici 2028", "2028", "year", None),
        ("d’ici 2028", "2028", "year", None),
        ("pour l'année 2024", "2024", "year", None),
        ("(2019)", "2019", "year", None),
        ("mi-2024", "2024", "year", None),
        ("Rapport annuel 2019", "2019", "year", None),
        ("1.2.2020", "2020-02-01", "day", None),
        ("2011-2026", "2011", "year", "2026"),
        ("2011–2026", "2011", "year", "2026"),
        ("de 2011 à 2026", "2011", "year", "2026"),
        ("les 4 et 5 avril 2011", "2011-04-04", "day", "2011-04-05"),
        ("4-11 avril 2011", "2011-04-04", "day", "2011-04-11"),
        ("du 17/09/2020 au 20/09/2020", "2020-09-17", "day", "2020-09-20"),
        ("du 28 décembre au 3 janvier 2021", "2020-12-28", "day", "2021-01-03"),
        ("17 septembre\n2020", "2020-09-17", "day", None),
        ("29 février 2024", "2024-02-29", "day", None),
        ("17.09.75", "1975-09-17", "day", None),
    ],
)
def test_find_dates_forms(text: str, value: str, precision: str, end_value: str | None) -> None:
    assert _values(text) == [(value, precision, end_value)]


@pytest.mark.parametrize(
    ("text", "covered"),
    [
        ("Le salon du jeudi 17 septembre 2020 à Lyon", "jeudi 17 septembre 2020"),
        ("la réunion du 17/09/2020.", "17/09/2020"),
        ("rendez-vous en mars 2026 !", "mars 2026"),
        ("se tiendra du 4 au 11 avril 2011.", "du 4 au 11 avril 2011"),
    ],
)
def test_mention_offsets_cover_the_date(text: str, covered: str) -> None:
    (m,) = find_dates(text)
    assert text[m.start : m.end] == covered


# --- pitfalls ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "soit 107 562 emplois menacés",
        "l'impact serait de 200 à 300 000 emplois",
        "des 148 territoires identifiés",
        "Réf. : 71.20 - PRESSE",
        "Accueil dès 8h30",
        "fin prévue pour 16h30",
        "Tél. : 04 66 56 10 00",
        "Tél. : 04.66.56.10.00",
        "Tél. : +33 4 66 56 10 00",
        "le 2e pôle productif",
        "31 février 2020",
        "31/02/2020",
        "30 février",
        "2020 salariés",
        "une prime de 2000 euros",
        "2 000 euros",
        "1 2020 000",
        "2024 habitants",
        "version 1.2.3",
        "voir la section 1.2.20",
        "Semaine de l'industrie 2011",
        "France 2030",
        "le plan 2030",
        "n° 2019-1234",
        "il y a 1789 raisons",
        "en 1850",
        "3 mai",
        "le 5 sep",
    ],
)
def test_not_a_date(text: str) -> None:
    assert find_dates(text) == []


def test_only_the_year_of_a_number_heavy_sentence() -> None:
    text = (
        "483 plans, soit 107 562 emplois, de 200 à 300 000 emplois "
        "depuis septembre 2023, 600 plans pour l'année 2024 et 545 en 2026."
    )
    assert _values(text) == [
        ("2023-09", "month", None),
        ("2024", "year", None),
        ("2026", "year", None),
    ]


def test_invalid_day_is_not_read_as_a_month() -> None:
    assert find_dates("le 31 février 2020") == []


def test_dash_with_spaces_is_not_a_range() -> None:
    assert _values("Table ronde 1 – 11 avril 2011") == [("2011-04-11", "day", None)]


# --- day-month without year ------------------------------------------------------


def test_day_month_takes_year_of_nearest_full_date() -> None:
    text = "Visite le lundi 21 septembre 2020.\n\nRendez-vous Lundi 21 septembre à 12h15."
    assert [m.value for m in find_dates(text)] == ["2020-09-21", "2020-09-21"]


def test_weekday_picks_the_matching_year() -> None:
    # 21 septembre was a Monday in 2020, not in 2021.
    text = "Réunion lundi 21 septembre. Bilan publié le 5 janvier 2021."
    assert find_dates(text)[0].value == "2020-09-21"


def test_dernier_means_previous_occurrence() -> None:
    text = "le 14 décembre dernier, le ministre a annoncé la semaine du 4 au 11 avril 2011"
    assert find_dates(text)[0].value == "2010-12-14"


def test_prochain_means_next_occurrence() -> None:
    text = "Paris, le 3 décembre 2021\nRéunion le 5 janvier prochain."
    assert [m.value for m in find_dates(text)] == ["2021-12-03", "2022-01-05"]


def test_day_month_without_any_year_is_dropped() -> None:
    assert find_dates("Rendez-vous le 21 septembre à Alès.") == []


# --- context ----------------------------------------------------------------------


def test_context_is_collapsed_and_short() -> None:
    text = "Le\u00a0programme   annonce\n\nque la semaine se tiendra du 4 au 11 avril 2011 partout."
    (m,) = find_dates(text)
    assert "du 4 au 11 avril 2011" in m.context
    assert "  " not in m.context and "\n" not in m.context
    assert len(m.context) <= 80 + (m.end - m.start)


def test_mention_is_frozen() -> None:
    (m,) = find_dates("17 septembre 2020")
    with pytest.raises(AttributeError):
        m.value = "x"  # type: ignore[misc]


# --- parse_date -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "precision"),
    [
        ("2020-09-17", "2020-09-17", "day"),
        ("2020-09", "2020-09", "month"),
        ("2020", "2020", "year"),
        ("20200917", "2020-09-17", "day"),
        ("2020-09-17T10:00:00Z", "2020-09-17", "day"),
        ("Jeudi 17 septembre 2020", "2020-09-17", "day"),
        ("le 22 novembre 2018", "2018-11-22", "day"),
        ("  26 MARS 2026 ", "2026-03-26", "day"),
        ("17/09/2020 14:30", "2020-09-17", "day"),
        ("mars 2026", "2026-03", "month"),
        ("en 2011", "2011", "year"),
        ("17.09.20", "2020-09-17", "day"),
    ],
)
def test_parse_date(text: str, value: str, precision: str) -> None:
    m = parse_date(text)
    assert m is not None
    assert (m.value, m.precision) == (value, precision)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "bonjour",
        "31 février 2020",
        "2020-13-01",
        "2020-02-30",
        "17 septembre 2020 et 18 septembre 2020",
        "la semaine du 17 septembre 2020 à Lyon",
        "107 562",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


# --- document date ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "value", "precision", "source"),
    [
        ("000", "2026-03-26", "day", "event"),
        ("001", "2026-03-26", "day", "event"),
        ("002", "2011-04-04", "day", "event"),
        ("003", None, None, "none"),
        ("004", "2020-09-17", "day", "header"),
    ],
)
def test_seed_document_dates(prefix: str, value: str | None, precision: str | None, source: str) -> None:
    found = document_date(_seed(prefix))
    assert (found.value, found.precision, found.source) == (value, precision, source)
    assert found.in_range is (value is not None)


def test_seed_002_mentions_previous_december() -> None:
    assert "2010-12-14" in [m.value for m in find_dates(_seed("002"))]


def test_sidecar_wins() -> None:
    found = document_date("Paris, le 3 mars 2021", sidecar="2020-09", file_name="2019-01-02_cp.pdf")
    assert (found.value, found.precision, found.source) == ("2020-09", "month", "sidecar")


def test_unparsable_sidecar_is_ignored() -> None:
    found = document_date("Paris, le 3 mars 2021\nTexte.", sidecar="inconnue")
    assert (found.value, found.source) == ("2021-03-03", "header")


@pytest.mark.parametrize(
    "text",
    [
        "Jeudi 17 septembre 2020\nRéf. : 71.20\nLe salon aura lieu le 3 octobre 2020.",
        "Paris, le 17 septembre 2020\n\nLe salon aura lieu le 3 octobre 2020.",
        "Alès, le jeudi 17 septembre 2020 — Le salon aura lieu le 3 octobre 2020.",
        "COMMUNIQUÉ\n17/09/2020\nLe salon aura lieu le 3 octobre 2020.",
    ],
)
def test_header_date(text: str) -> None:
    found = document_date(text, pdf_date="D:20190101120000")
    assert (found.value, found.source) == ("2020-09-17", "header")


def test_date_inside_a_header_sentence_is_not_a_header() -> None:
    found = document_date("Le salon aura lieu le jeudi 3 octobre 2020 à Lyon.")
    assert found.source == "event"


@pytest.mark.parametrize(
    "text",
    [
        "Un texte.\n" + "x " * 300 + "\nPublié le 17/09/2020",
        "Un texte.\n" + "x " * 300 + "\nMis à jour le 17 septembre 2020",
        "Un texte.\n" + "x " * 300 + "\nCommuniqué du 17 septembre 2020",
        "Un texte.\n" + "x " * 300 + "\nParis, le 17 septembre 2020",
    ],
)
def test_publication_date(text: str) -> None:
    found = document_date(text + "\nLe salon aura lieu le 3 octobre 2020.")
    assert (found.value, found.source) == ("2020-09-17", "publication")


def test_date_du_is_not_a_publication_cue() -> None:
    text = "Un texte.\n" + "x " * 300 + "\nValable jusqu'à la date du 3 mars 2020."
    assert document_date(text).source == "event"


def test_place_needs_line_start() -> None:
    text = "Lancé lors du Conseil national de l'industrie, le 22 novembre 2018, le plan."
    assert document_date(text).source == "event"


@pytest.mark.parametrize(
    ("pdf_date", "expected"),
    [
        ("D:20200917103000+02'00'", "2020-09-17"),
        ("2020-09-17T10:30:00", "2020-09-17"),
        ("D:20000101000000", None),  # scanner default
        ("D:20190101000000Z", None),  # new year at midnight: default
        ("D:19800101", None),
        ("D:20500917103000", None),  # implausible future
        ("garbage", None),
    ],
)
def test_pdf_date(pdf_date: str, expected: str | None) -> None:
    found = document_date("Texte sans date.", pdf_date=pdf_date)
    if expected is None:
        assert found.source == "none"
    else:
        assert (found.value, found.source) == (expected, "pdf")


@pytest.mark.parametrize(
    ("file_name", "value", "precision"),
    [
        ("2020-09-17_cp.pdf", "2020-09-17", "day"),
        ("cp_20200917.pdf", "2020-09-17", "day"),
        ("/data/in/17-09-2020-invitation.pdf", "2020-09-17", "day"),
        ("2011_rapport.txt", "2011", "year"),
        ("bilan_2020-09.pdf", "2020-09", "month"),
        ("cp-17-septembre-2020.pdf", "2020-09-17", "day"),
    ],
)
def test_file_name_date(file_name: str, value: str, precision: str) -> None:
    found = document_date("Texte sans date.", file_name=file_name)
    assert (found.value, found.precision, found.source) == (value, precision, "filename")


@pytest.mark.parametrize("file_name", ["000_02ff9b493d201e94.txt", "note_1234567.pdf", "rapport.pdf"])
def test_file_name_without_date(file_name: str) -> None:
    assert document_date("Texte sans date.", file_name=file_name).source == "none"


def test_text_and_file_name_before_file_metadata() -> None:
    """Issue 12: a PDF « imprimé » from a web page carries the day it was made; the text's
    own dates (even a mere event) and the file name come first."""
    text = "Le salon aura lieu le 3 octobre 2020."
    assert document_date(text, pdf_date="D:20200101120000").source == "event"
    assert document_date(text, file_name="cp_20200917.pdf", pdf_date="D:20200101120000").source == "filename"
    assert document_date(text).value == "2020-10-03"
    found = document_date("Texte sans date.", pdf_date="D:20200101120000")
    assert (found.value, found.source) == ("2020-01-01", "pdf")


def test_metadata_date_near_the_file_or_indexing_day_is_a_conversion_date() -> None:
    from datetime import date

    undated = "Texte sans date."
    made = "D:20261201093000+01'00'"
    assert document_date(undated, pdf_date=made, conversion_days=[date(2026, 12, 3)]).source == "none"
    assert document_date(undated, pdf_date=made, conversion_days=[date(2026, 11, 29)]).source == "none"
    kept = document_date(undated, pdf_date=made, conversion_days=[date(2026, 12, 10)])
    assert (kept.value, kept.source) == ("2026-12-01", "pdf")


@pytest.mark.parametrize("source", ["docx", "html", "odt"])
def test_other_metadata_dates_are_recorded_as_such(source: str) -> None:
    found = document_date("Texte sans date.", pdf_date="2019-05-06T10:00:00Z", meta_source=source)
    assert (found.value, found.source) == ("2019-05-06", source)


def test_event_prefers_repeated_weekday_date() -> None:
    text = (
        "Lancé le 22 novembre 2018, le programme continue.\n"
        "Les Assises se tiendront le jeudi 26 mars 2026 à Pont de Claix.\n"
        + "Programme détaillé. " * 30
        + "\n26 MARS 2026"
    )
    found = document_date(text)
    assert (found.value, found.source) == ("2026-03-26", "event")


def test_event_falls_back_to_month_then_year() -> None:
    assert document_date("Le plan démarre en mars 2026, puis en 2027.").value == "2026-03"
    assert document_date("Rien, sauf en 2011 et encore en 2011, puis en 2015.").value == "2011"


def test_title_date_counts() -> None:
    found = document_date("Texte sans date.", title="Communiqué du 17 septembre 2020")
    assert (found.value, found.source) == ("2020-09-17", "publication")


@pytest.mark.parametrize(
    ("text", "in_range"),
    [
        ("Paris, le 3 mars 2009", False),
        ("Paris, le 3 mars 2011", True),
        ("Paris, le 31 décembre 2026", True),
        ("Paris, le 3 janvier 2027", False),
    ],
)
def test_in_range_flag_keeps_value(text: str, in_range: bool) -> None:
    found = document_date(text)
    assert found.value is not None
    assert found.in_range is in_range


def test_no_date() -> None:
    found = document_date("Un texte sans aucune date.")
    assert (found.value, found.precision, found.source, found.in_range) == (
        None,
        None,
        "none",
        False,
    )


# --- events -----------------------------------------------------------------------------


def test_events_dedup_and_precision_first() -> None:
    found = events(_seed("004"))
    values = [m.value for m in found]
    assert values == ["2020-09-17", "2020-09-21", "2018-11-22", "2019-12-09"]
    assert all(isinstance(m, DateMention) for m in found)


def test_events_limit_prefers_day_and_month() -> None:
    text = "en 2015, le 3 mars 2020, en 2016, en avril 2021, en 2017"
    found = events(text, limit=2)
    assert [m.value for m in found] == ["2020-03-03", "2021-04"]
    assert [m.value for m in events(text)] == ["2015", "2020-03-03", "2016", "2021-04", "2017"]


# --- forms met in the annotated set ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "precision", "end_value"),
    [
        (f"le 22{NBSP}novembre{NBSP}2018", "2018-11-22", "day", None),
        (f"Mardi{NBSP}12{NBSP}octobre{NBSP}2021", "2021-10-12", "day", None),
        ("LUNDI 1ER AVRIL 2019", "2019-04-01", "day", None),
        ("des 20 et 27 juin 2021", "2021-06-20", "day", "2021-06-27"),
        ("May 12, 2023", "2023-05-12", "day", None),
        ("Brussels / Paris, Feb. 6, 2019", "2019-02-06", "day", None),  # an abbreviated English month
        ("Sept 12, 2020", "2020-09-12", "day", None),
        ("12 May 2023", "2023-05-12", "day", None),
        ("June 2015", "2015-06", "month", None),
        ("19. Februar 2019", "2019-02-19", "day", None),
        ("3. März 2020", "2020-03-03", "day", None),
        ("Dezember 2022", "2022-12", "month", None),
        ("Municipales 2020", "2020", "year", None),
        ("élections régionales 2021", "2021", "year", None),
        ("Étude prospective\n2013\n", "2013", "year", None),
        ("Paru le 12/03/2024", "2024-03-12", "day", None),
    ],
)
def test_find_dates_more_forms(text: str, value: str, precision: str, end_value: str | None) -> None:
    assert _values(text) == [(value, precision, end_value)]


@pytest.mark.parametrize(
    "text",
    [
        "Analysts may 2023 be wrong",  # « may » is a verb: English months need their capital
        "an august 2020 assembly",
        "the feb. 6, 2019 memo",  # abbreviations too need their capital
        "Document de travail n° 2020-14",
        "le bilan de 2013 salariés",
    ],
)
def test_not_a_date_either(text: str) -> None:
    assert find_dates(text) == []


@pytest.mark.parametrize(
    ("text", "value", "source"),
    [
        # a short dateline with a place and a weekday
        ("Discours\nPalais de l'Élysée – Mardi 12 octobre 2021\nNous investirons d'ici 2030.", "2021-10-12", "header"),
        ("Pressemitteilung\nBerlin/Paris, 19. Februar 2019\nText.", "2019-02-19", "header"),
        ("France's battery valley\n\nMay 12, 2023\n\nText since 2021.", "2023-05-12", "header"),
        ("Compte rendu\nRéunion du 12 février 2019 – Lyon\nProchaine réunion : 18 juin 2019.", "2019-02-12", "header"),
        # month or year alone on its line near the top
        (
            "Cour des comptes\nRapport public\n\nJuillet 2023\n\nLancé en novembre 2018, le programme.",
            "2023-07",
            "header",
        ),
        (
            "La Lettre\nN° 84 – Octobre 2015\nLa COP21 se tiendra du 30 novembre au 11 décembre 2015.",
            "2015-10",
            "header",
        ),
        ("Étude\nLes besoins à l'horizon 2020\n\n2013\n\nD'ici 2020, 100 000 postes.", "2013", "header"),
        # the official title, not the Journal officiel's line above it
        (
            "JORF n°0180 du 5 août 2022\n\nDécret n° 2022-1120 du 4 août 2022 modifiant le décret",
            "2022-08-04",
            "header",
        ),
        (
            "JORF n°0081 du 6 avril 2016\n\nArrêté du 1er avril 2016 modifiant l'arrêté du 15 juillet 2015",
            "2016-04-01",
            "header",
        ),
        (
            "JORF n°0247 du 24 octobre 2023\n\nLOI n° 2023-973 du 23 octobre 2023 relative à l'industrie",
            "2023-10-23",
            "header",
        ),
        # an old text cited in the header does not date the document
        (
            "Loi du 1er juillet 1901 relative au contrat d’association\n\nParis, le 3 février 2016\n\nObjet : le plan.",
            "2016-02-03",
            "header",
        ),
        ("CONSTITUTION\n4 octobre 1958\n\nLe 23 juillet 2021, le Conseil a été saisi.", "2021-07-23", "event"),
        (
            "Décision n° 2021-900 QPC\nVu la Constitution du 4 octobre 1958 ;\nLe Conseil, le 23 juillet 2021.",
            "2021-07-23",
            "header",
        ),
        # a written question is dated by its answer's publication
        (
            "SÉNAT – Questions écrites\n\nQuestion écrite n° 24518 de M. Jean Dupré\n\n"
            "publiée dans le JO Sénat du 05/08/2021 - page 4810\n\nM. Dupré attire l’attention de la ministre.\n\n"
            "Réponse du Ministère auprès du ministre de l’économie, des finances et de la\nrelance, chargé de "
            "l’industrie\n\npubliée dans le JO Sénat du 10/02/2022 - page 748\n\nLa filière est soutenue.",
            "2022-02-10",
            "publication",
        ),
        # publication cues
        ("Insee Première\nN° 1987\nParu le 12/03/2024\nL'emploi progresse depuis 2017.", "2024-03-12", "header"),
        ("Rapport annuel 2018\n\nPublié en avril 2019\n\nEn 2018, Bpifrance a investi.", "2019-04", "header"),
        ("Un texte.\n" + "x " * 300 + "\nFait à Paris, le 23 octobre 2023.", "2023-10-23", "publication"),
        ("Un texte.\n" + "x " * 300 + "\nFait le 4 août 2022.", "2022-08-04", "publication"),
    ],
)
def test_document_date_rules(text: str, value: str, source: str) -> None:
    found = document_date(text)
    assert (found.value, found.source) == (value, source)


@pytest.mark.parametrize(
    "text",
    [
        "TRACT\nTous en grève et au rassemblement\nJeudi 14 juin 2018 à 11h\n"
        + "x " * 300
        + "\nBlanquefort, le 4 juin 2018",
        "INVITATION\nLundi 18 mars 2013, de 9h à 16h\nInscription avant le 11 mars 2013.\n"
        + "x " * 300
        + "\nBlanquefort, le 4 juin 2018",
    ],
)
def test_event_line_with_a_time_is_not_a_header(text: str) -> None:
    found = document_date(text)
    assert (found.value, found.source) == ("2018-06-04", "publication")


def test_weekday_date_takes_the_year_written_elsewhere() -> None:
    text = "RASSEMBLEMENT\nVendredi 17 novembre à 11h\ndevant la sous-préfecture.\n\nIntersyndicale Valdunes 2023"
    found = document_date(text)
    assert (found.value, found.precision, found.source) == ("2023-11-17", "day", "event")


def test_weekday_date_stays_undated_when_years_disagree() -> None:
    # 17 novembre was a Friday in 2017 and in 2023: nothing settles it, so the weekday date gets
    # no year; the document falls back to the first year it mentions, at year precision.
    found = document_date("Vendredi 17 novembre à 11h. Depuis 2017 et jusqu'en 2023, on lutte.")
    assert (found.value, found.precision) == ("2017", "year")
    found = document_date("Vendredi 17 novembre à 11h. Depuis 2023 et jusqu'en 2017, on lutte.")
    assert (found.value, found.precision) == ("2023", "year")
    assert [m.value for m in find_dates("Vendredi 17 novembre à 11h.")] == []
    assert document_date("Vendredi 17 novembre à 11h.").value is None


def test_election_range_gives_the_first_round() -> None:
    text = "Notre programme pour les élections régionales des 20 et 27 juin 2021\nNos engagements."
    assert document_date(text).value == "2021-06-20"


@pytest.mark.parametrize(
    ("text", "file_name", "value", "source"),
    [
        # a month dateline at the foot of a tract
        (
            "NE LAISSONS PAS ÉTEINDRE NOS FOURS\n\nLe 29 mars, la direction a annoncé.\n"
            + "x " * 300
            + "\nLes délégués\nAvril 2021",
            "",
            "2021-04",
            "publication",
        ),
        # a dateline after a signature, on the same line
        (
            "TRAHISON\n\n" + "x " * 300 + "\nL'équipe CFDT – Florange, le 10 décembre 2012",
            "",
            "2012-12-10",
            "publication",
        ),
        # a dash-separated header part
        (
            "Électricité et chimie\n\nFrance Chimie — Note de position — Édition 2024\n\nLe 31 décembre 2025, l'ARENH prend fin.",
            "",
            "2024",
            "header",
        ),
        # the publication date, not the update
        (
            "Titre\n\nPar la rédaction 16/06/2020 – 18h42 – Mis à jour le 17/06/2020\n\nTexte.",
            "",
            "2020-06-16",
            "publication",
        ),
        # German dateline with two towns
        (
            "Saarstahl übernimmt\n\nVölklingen/Paris, 4. August 2021 – Der Stahlkonzern hat übernommen.",
            "",
            "2021-08-04",
            "header",
        ),
        # a year-only file name, a text that says the month
        (
            "Rapport\n\n" + "x " * 300 + "\nLe rapport a été déposé en juillet 2013.",
            "rapport 2013.pdf",
            "2013-07",
            "event",
        ),
        # « avril2021 » in a file name
        ("Texte sans date.", "Ferropem_tract_avril2021.txt", "2021-04", "filename"),
        # a site's archive menu is not a header
        (
            "Archives par année\n2011\n2012\n2013\n\nPSA ferme Aulnay\n\n"
            + "x " * 300
            + "\narticle publié le 12 juillet 2012",
            "",
            "2012-07-12",
            "publication",
        ),
    ],
)
def test_dateline_and_precision_rules_of_issue_12(text: str, file_name: str, value: str, source: str) -> None:
    found = document_date(text, file_name=file_name)
    assert (found.value, found.source) == (value, source)
