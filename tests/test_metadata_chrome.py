"""Site chrome of a web page printed to PDF: not the document's actors, themes or places."""

from __future__ import annotations

import pytest

from indexer import metadata
from indexer.extract import Extraction
from indexer.metadata_chrome import mask_chrome

PRINTED_PAGE = (
    "12/3/26, 10:59 AM\n\n"
    "Ce site utilise des cookies pour mesurer l’audience. En poursuivant votre navigation,\n"
    "vous acceptez leur utilisation.  Accepter   Paramétrer\n\n"
    "La Gazette du Bocage\n"
    "Accueil Économie Sport Emploi Culture Abonnez-vous\n\n"
    "Les plus lus\n\n"
    "Toyota Onnaing :\nnouvelle équipe de\nnuit\nDenain : le marché\nde Noël déplacé\n\n"
    "Papeterie Martin : la reprise\nvalidée par les juges\n\n"
    "La papeterie Martin de Valenciennes a été reprise mardi par un groupe familial.\n"
    "Le tribunal a validé l’offre qui garde l’essentiel des salariés de la papeterie.\n\n"
    "© La Gazette du Bocage — Mentions légales — Politique de confidentialité\n\n"
    "file:///home/user/page.html\n\n2/2"
)


@pytest.fixture(autouse=True)
def _no_ner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_NER", "0")


def test_mask_keeps_length_and_the_article() -> None:
    masked = mask_chrome(PRINTED_PAGE)
    assert len(masked) == len(PRINTED_PAGE)
    for gone in (
        "Toyota",
        "Denain",
        "cookies",
        "Accueil",
        "Mentions légales",
        "file://",
        "10:59",
        "Les plus lus",
        "Gazette",
    ):
        assert gone not in masked
    for kept in ("Papeterie Martin : la reprise", "Valenciennes", "tribunal a validé"):
        assert kept in masked


def test_a_headline_with_one_colon_is_not_a_teaser_box() -> None:
    text = "Ascoval : la justice choisit\nBritish Steel, troisième\nrepreneur en dix-huit mois\n\nTexte."
    assert mask_chrome(text) == text


def test_printed_page_teasers_give_no_actor_nor_place() -> None:
    record = metadata.build_record(
        doc_id="x",
        paths=["page.pdf"],
        extraction=Extraction(text=PRINTED_PAGE, pages=1, format="pdf"),
        sidecar={},
        sha256="0" * 64,
        size=len(PRINTED_PAGE),
    )
    assert "Toyota" not in record.actors
    names = {d["name"] for d in record.place_details}
    assert "Denain" not in names and "Valenciennes" in names
    assert "Toyota" in record.text  # the text itself stays whole (searchable)
