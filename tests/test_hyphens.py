"""Hyphenated words in queries and in texts: joined parts, never an exclusion.

A hyphen inside a word (Pont-de-Claix, sous-traitants) joins its parts: the query
finds the parts written with hyphens or with spaces, as adjacent words, folded and
stemmed. Only a hyphen that opens a word excludes (`industrie -automobile`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from archive_testing import ner_off

from archive.engine import open_engine
from archive.models import SearchRequest
from indexer.pipeline import index_corpus

# file name → text (first line is the title). Each pair writes a form with and without hyphens.
DOCS = {
    "hf_hyph.txt": "Sidérurgie en Moselle\n\nLes hauts-fourneaux de Florange sont arrêtés depuis 2013.",
    "hf_space.txt": "Note de la fédération\n\nLe haut fourneau P6 a été mis sous cocon par le groupe.",
    "hf_caps.txt": "Une époque se termine\n\nHAUTS FOURNEAUX : la fin d’une époque à Hayange.",
    "hf_apart.txt": "Visite au fournil\n\nUn haut responsable visite le fourneau à pain du village.",
    "hdf_hyph.txt": "Gigafactory\n\nLa région Hauts-de-France finance l’usine de batteries.",
    "hdf_space.txt": "Emploi industriel\n\nDans les Hauts de France, l’emploi industriel recule encore.",
    "france_apart.txt": "Relief\n\nLes hauts plateaux du Massif central et l’industrie de France.",
    "st_hyph.txt": "Filière automobile\n\nLes sous-traitants de l’automobile sont inquiets pour 2025.",
    "st_space.txt": "Fermeture\n\nUn sous traitant de Renault a fermé son atelier.",
    "st_apart.txt": "Santé au travail\n\nLe site est sous tension ; les médecins traitants alertent.",
    "idf_hyph.txt": "Salon\n\nL’Île-de-France accueille le salon de la sous-traitance.",
    "idf_space.txt": "Investissements\n\nEn Ile de France, trois usines ouvrent cette année.",
    "ara_hyph.txt": "Chimie\n\nLa région Auvergne-Rhône-Alpes soutient la chimie.",
    "ara_space.txt": "Emploi\n\nAUVERGNE RHONE ALPES : 4 000 emplois dans la métallurgie.",
    "fos_hyph.txt": "Hydrogène\n\nÀ Fos-sur-Mer, le projet d’électrolyseur avance.",
    "fos_space.txt": "Décarbonation\n\nLe port de Fos sur Mer prépare sa décarbonation.",
    "sn_hyph.txt": "Construction navale\n\nSaint-Nazaire livre un paquebot géant.",
    "sn_space.txt": "Carnet de commandes\n\nSAINT NAZAIRE : les chantiers recrutent.",
    "pp_hyph.txt": "Déclaration\n\nLa porte-parole de la CGT a dénoncé la fermeture.",
    "pp_space.txt": "Réaction\n\nLe porte parole du gouvernement a répondu.",
    "vp_hyph.txt": "Conseil régional\n\nLe vice-président chargé de l’économie a signé.",
    "vp_space.txt": "Conseil départemental\n\nLa vice présidente a inauguré l’atelier.",
    "fa_hyph.txt": "Coopération\n\nUn projet franco-allemand de batteries est lancé.",
    "fa_space.txt": "Défense\n\nUne alliance franco allemande pour le char du futur.",
    "jl_hyph.txt": "Meeting\n\nJean-Luc a pris la parole devant les ouvriers.",
    "jl_space.txt": "Tribune\n\nJean Luc, délégué syndical, témoigne.",
    "mr_hyph.txt": "Rouen\n\nNicolas Mayer-Rossignol, maire de Rouen, soutient la papeterie.",
    "mr_space.txt": "Métropole\n\nLe maire Mayer Rossignol réunit les industriels.",
    "pdc_hyph.txt": "Pont-de-Claix et sa plateforme\n\nRéunion à Pont-de-Claix sur la plateforme chimique.",
    "pdc_space.txt": "Mobilisation chez Vencorex\n\nLes salariés de Pont de Claix manifestent devant la préfecture.",
    "auto.txt": "Automobile\n\nL’industrie automobile recrute à Sochaux.",
    "chimie.txt": "Chimie lourde\n\nL’industrie chimique investit dans le plan de relance.",
    "usine_plan.txt": "Usine\n\nLe plan pour l’usine est annoncé.",
    "relance.txt": "Relance\n\nLa relance passe par les territoires.",
}

HF = {"hf_hyph", "hf_space", "hf_caps"}
HDF = {"hdf_hyph", "hdf_space"}
ST = {"st_hyph", "st_space"}
IDF = {"idf_hyph", "idf_space"}
ARA = {"ara_hyph", "ara_space"}
FOS = {"fos_hyph", "fos_space"}
SN = {"sn_hyph", "sn_space"}
PP = {"pp_hyph", "pp_space"}
VP = {"vp_hyph", "vp_space"}
FA = {"fa_hyph", "fa_space"}
JL = {"jl_hyph", "jl_space"}
MR = {"mr_hyph", "mr_space"}
PDC = {"pdc_hyph", "pdc_space"}

# (query, the exact set of documents it finds). Hyphens in the query, in the text, or both.
HYPHENATED = [
    ("hauts-fourneaux", HF),
    ("haut-fourneau", HF),
    ("HAUTS-FOURNEAUX", HF),
    ('"hauts fourneaux"', HF),
    ("Hauts Fourneaux", HF | {"hf_apart"}),  # unquoted words: both anywhere
    ("hauts-fourneaux Florange", {"hf_hyph"}),
    ("Hauts-de-France", HDF),
    ("hauts-de-france", HDF),
    ('"Hauts de France"', HDF),
    ("sous-traitants", ST),
    ("sous-traitant", ST),
    ('"sous traitants"', ST),
    ("Île-de-France", IDF),
    ("ile-de-france", IDF),
    ('"Ile de France"', IDF),
    ("Auvergne-Rhône-Alpes", ARA),
    ("auvergne-rhone-alpes", ARA),
    ("Fos-sur-Mer", FOS),
    ('"fos sur mer"', FOS),
    ("Saint-Nazaire", SN),
    ("saint-nazaire chantiers", {"sn_space"}),
    ("porte-parole", PP),
    ('"porte parole"', PP),
    ("vice-président", VP),
    ("vice-présidente", VP),
    ("franco-allemand", FA),
    ("franco-allemande", FA),
    ("Jean-Luc", JL),
    ("Mayer-Rossignol", MR),
    ('"Mayer Rossignol"', MR),
    ("Pont-de-Claix", PDC),
    ("pont-de-claix", PDC),
    ("titre:Pont-de-Claix", {"pdc_hyph"}),
    ("Fos-sur-Mer OR Saint-Nazaire", FOS | SN),
    ("(Fos-sur-Mer OR Saint-Nazaire) -chantiers", FOS | {"sn_hyph"}),
    ("plateforme -Pont-de-Claix", set()),
    ("réunion OR manifestent -Pont-de-Claix", set()),
    ("sous-trait*", ST | {"idf_hyph", "st_apart"}),  # with a wildcard: both parts, anywhere
]

# Exclusions keep working: a hyphen that opens a word.
EXCLUSIONS = [
    ("industrie -automobile", {"chimie", "france_apart"}),
    ("-usine plan", {"chimie"}),
    ("(relance OR plan) -usine", {"chimie", "relance"}),
    ("industrie NOT automobile", {"chimie", "france_apart"}),
    ("industrie -(automobile OR chimique)", {"france_apart"}),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("hyphens")
    corpus, index = base / "corpus", base / "index"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    with ner_off():
        report = index_corpus(corpus, index)
    assert report.failed == []
    eng = open_engine(index)
    yield eng
    eng.close()


def found(engine, query: str) -> set[str]:
    result = engine.search(SearchRequest(query=query, limit=100, with_snippets=False))
    assert result.error is None, result.error
    return {Path(h.path).stem for h in result.hits if not h.partial}


def test_table_is_large_enough() -> None:
    assert len(HYPHENATED) >= 25


@pytest.mark.parametrize(("query", "expected"), HYPHENATED)
def test_hyphenated_words_join_their_parts(engine, query: str, expected: set[str]) -> None:
    assert found(engine, query) == expected


@pytest.mark.parametrize(("query", "expected"), EXCLUSIONS)
def test_a_hyphen_that_opens_a_word_excludes(engine, query: str, expected: set[str]) -> None:
    assert found(engine, query) == expected


def test_hyphenated_word_is_highlighted(engine) -> None:
    result = engine.search(SearchRequest(query="Pont-de-Claix", limit=10))
    snippets = " ".join(h.snippet for h in result.hits)
    assert "<mark>Pont</mark>" in snippets and "<mark>Claix</mark>" in snippets
