"""PDF text through pdfium, laid out as the metadata rules expect (``indexer.formats.pdf_layout``):
paragraphs apart, a page's header first wherever the producer wrote it, hyphens kept."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from indexer.formats.pdf import extract
from pdfgen import make_pdf

_BIG = 10**8


def _placed_pdf(path: Path, pieces: list[tuple[float, float, str]], size: float = 11) -> Path:
    """A one-page PDF whose strings are written in the given order at (x, y) millimetres from the top left."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=size)
    for x, y, text in pieces:
        pdf.text(x, y, text)
    pdf.output(str(path))
    return path


def test_paragraphs_are_separated_by_a_blank_line_and_lines_of_one_paragraph_are_not(tmp_path: Path) -> None:
    body = [
        (20, 40, "Usine de Gardanne : la reprise est validée"),
        (20, 45, "par le tribunal de commerce de Marseille."),
    ]
    second = [(20, 70, "Les syndicats saluent la décision.")]
    text = extract(_placed_pdf(tmp_path / "p.pdf", body + second), _BIG).text
    assert text == (
        "Usine de Gardanne : la reprise est validée\npar le tribunal de commerce de Marseille.\n\n"
        "Les syndicats saluent la décision."
    )


def test_a_header_written_last_in_the_stream_is_read_first(tmp_path: Path) -> None:
    """Browsers print the page's date and title after the page's content, at the top of the page."""
    pieces = [
        (20, 60, "Le site de Florange ferme ses hauts fourneaux."),
        (20, 250, "file:///home/chercheuse/florange.html"),
        (10, 8, "12/3/26, 10:59 AM"),
        (90, 8, "Florange : la fin des hauts fourneaux"),
    ]
    lines = extract(_placed_pdf(tmp_path / "h.pdf", pieces), _BIG).text.split("\n\n")
    assert lines == [
        "12/3/26, 10:59 AM",
        "Florange : la fin des hauts fourneaux",
        "Le site de Florange ferme ses hauts fourneaux.",
        "file:///home/chercheuse/florange.html",
    ]


def test_words_far_apart_on_one_baseline_are_separate_blocks_and_near_ones_one_line(tmp_path: Path) -> None:
    pieces = [(10, 20, "Communiqué"), (150, 20, "Paris, le 4 mai 2021"), (10, 40, "Accepter"), (32, 40, "Refuser")]
    blocks = extract(_placed_pdf(tmp_path / "w.pdf", pieces), _BIG).text.split("\n\n")
    assert blocks[:2] == ["Communiqué", "Paris, le 4 mai 2021"]
    assert blocks[2] in {"Accepter Refuser", "Accepter  Refuser"}


def test_a_word_hyphenated_at_a_line_end_keeps_its_hyphen(tmp_path: Path) -> None:
    pieces = [(20, 40, "ArcelorMittal arrête les hauts-"), (20, 45, "fourneaux de Florange.")]
    text = extract(_placed_pdf(tmp_path / "t.pdf", pieces), _BIG).text
    assert "\ufffe" not in text
    assert text.replace("\n", "") == "ArcelorMittal arrête les hauts-fourneaux de Florange."


def test_pdfium_and_pdfminer_agree_on_the_words_of_a_generated_report(tmp_path: Path) -> None:
    from indexer.formats import pdf as pdf_format

    pages = [
        "Rapport d'étape\n\nLa filière automobile perd 12 000 emplois.\n\nLe plan de relance prévoit 8 milliards.",
        "Annexe\n\nListe des sites : Douai, Flins, Maubeuge.",
    ]
    path = make_pdf(tmp_path / "r.pdf", pages, title="Rapport d'étape", creation_date="D:20200526120000")
    by_pdfium = pdf_format._read_with_pdfium(path)
    by_pdfminer = pdf_format._read_with_pdfminer(path)
    assert by_pdfium is not None
    assert [text.split() for text in by_pdfium[0]] == [text.split() for text in by_pdfminer[0]]
    assert [text.count("\n\n") for text in by_pdfium[0]] == [text.strip().count("\n\n") for text in by_pdfminer[0]]
    assert by_pdfium[2:] == by_pdfminer[2:] == ("Rapport d'étape", "D:20200526120000")
