"""A small corpus of versions of one text, and of texts that only share a paragraph (tests of
archive/versions.py; benchmarks/bench_versions.py reuses the texts)."""

from __future__ import annotations

import html
from pathlib import Path

from pdfgen import make_pdf

RELEASE_TITLE = "Hydrogène : l'État soutient la gigafactory de Belfort"
RELEASE = [
    "Paris, le 12 mars 2021",
    "Le ministère de l'Économie annonce un soutien de 120 millions d'euros à la construction d'une usine "
    "d'électrolyseurs à Belfort. Le site doit produire dès 2023 des équipements capables de fabriquer de "
    "l'hydrogène bas carbone pour l'industrie lourde et la mobilité.",
    "Ce projet s'inscrit dans la stratégie nationale pour le développement de l'hydrogène décarboné, dotée de "
    "sept milliards d'euros jusqu'en 2030. Il doit créer 350 emplois directs dans le Territoire de Belfort, "
    "bassin industriel durement touché par les restructurations de la dernière décennie.",
    "Les collectivités locales apportent un complément de financement pour l'aménagement du terrain et la "
    "formation des futurs salariés, en lien avec l'université de technologie et les lycées professionnels "
    "de la région Bourgogne-Franche-Comté.",
    "Les organisations syndicales seront associées au comité de suivi du projet, qui se réunira deux fois "
    "par an pour examiner le calendrier des recrutements, les conditions de travail et les engagements pris "
    "par l'entreprise en matière d'emploi local.",
    "Contact presse : service de communication du ministère, 01 53 18 00 00.",
]

REPORT_TITLE = "Rapport sur l'avenir de la filière automobile en Lorraine"
REPORT = [
    "La filière automobile lorraine emploie encore près de vingt mille personnes réparties entre les "
    "constructeurs, les équipementiers de rang un et une multitude de sous-traitants de petite taille.",
    "La transition vers le véhicule électrique bouleverse les chaînes de valeur : les moteurs thermiques, "
    "les boîtes de vitesses et les systèmes d'échappement représentent une part importante de l'activité "
    "des usines de la région.",
    "Le rapport recommande de concentrer les aides publiques sur la reconversion des sites existants plutôt "
    "que sur l'implantation de nouvelles usines, afin de préserver les savoir-faire des salariés.",
    "Il propose de créer un fonds régional d'accompagnement des sous-traitants, abondé par l'État, la région "
    "Grand Est et les constructeurs, pour financer la diversification des entreprises les plus exposées.",
    "Enfin, la formation continue doit être renforcée : les auteurs estiment que la moitié des emplois de la "
    "filière exigeront de nouvelles compétences d'ici dix ans.",
    "Les auteurs remercient les entreprises, les syndicats et les élus qui ont accepté de répondre à leurs "
    "questions au cours des six mois de la mission.",
]
# The final version: one paragraph rewritten, a sentence added.
REPORT_FINAL = [
    *REPORT[:2],
    "Le rapport préconise d'orienter les financements publics vers la transformation des usines déjà "
    "installées, en priorité dans les vallées de la Fensch et de l'Orne, où se concentrent les emplois menacés.",
    *REPORT[3:],
    "Version définitive remise au préfet de région le 30 juin 2019.",
]

# A union boilerplate paragraph that two unrelated texts end with.
BOILERPLATE = (
    "La Confédération générale du travail rassemble des salariés de toutes les professions, actifs, privés "
    "d'emploi et retraités. Elle agit pour la défense des droits et des intérêts des travailleurs, pour "
    "l'emploi industriel, les salaires et les services publics. Pour adhérer, rendez-vous sur le site de la "
    "confédération ou auprès de votre union locale."
)
TRACT_A = [
    "Fonderie de Bretagne : la direction doit tenir ses engagements",
    "Les salariés de la fonderie de Caudan sont en grève depuis lundi pour obtenir des garanties sur "
    "l'avenir du site. Le constructeur, principal client, a annoncé la fin de ses commandes pour 2023.",
    "Nous exigeons que l'État, actionnaire du constructeur, impose le maintien des volumes jusqu'à la "
    "reprise de l'usine par un industriel solide, et que les trois cent cinquante emplois soient préservés.",
    "Rassemblement vendredi à dix heures devant la sous-préfecture de Lorient.",
    BOILERPLATE,
]
TRACT_B = [
    "Papeterie de Chapelle Darblay : non à la fermeture",
    "La papeterie de Grand-Couronne, seule usine française de papier journal recyclé, risque de fermer "
    "faute de repreneur. Les élus de la métropole de Rouen soutiennent un projet de reprise industriel.",
    "Nous demandons au gouvernement d'user de tous les moyens pour que la machine à papier redémarre, "
    "et que le savoir-faire des deux cent dix salariés ne soit pas perdu pour la filière du recyclage.",
    "Pétition en ligne et réunion publique jeudi soir à la salle des fêtes.",
    BOILERPLATE,
]


def release_html(paragraphs: list[str]) -> str:
    """The press release as a ministry web page: menu, breadcrumbs, sharing links, footer."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{html.escape(RELEASE_TITLE)} | economie.gouv.fr</title></head><body>"
        "<header><nav><a href='/'>Accueil</a> <a href='/actualites'>Actualités</a> "
        "<a href='/presse'>Espace presse</a></nav></header>"
        f"<main><article><h1>{html.escape(RELEASE_TITLE)}</h1>{body}</article></main>"
        "<footer><p>Partager : Facebook, LinkedIn, courriel.</p>"
        "<p>Mentions légales · Accessibilité · Plan du site</p></footer></body></html>"
    )


def write_corpus(corpus: Path) -> dict[str, Path]:
    """The files, by role: release.pdf and its web page (dated to the month by a sidecar), two
    versions of a report, two tracts sharing the union's boilerplate paragraph."""
    corpus.mkdir(parents=True, exist_ok=True)
    files = {
        "release_pdf": make_pdf(corpus / "communique-hydrogene.pdf", ["\n\n".join([RELEASE_TITLE, *RELEASE])]),
        "release_html": corpus / "economie-gouv-hydrogene.html",
        "report_draft": corpus / "rapport-automobile-projet.txt",
        "report_final": corpus / "rapport-automobile-final.txt",
        "tract_a": corpus / "tract-fonderie.txt",
        "tract_b": corpus / "tract-papeterie.txt",
    }
    files["release_html"].write_text(release_html(RELEASE[1:]), encoding="utf-8")
    (corpus / "economie-gouv-hydrogene.html.meta.yaml").write_text("date: 2021-03\n", encoding="utf-8")
    files["report_draft"].write_text("\n\n".join([REPORT_TITLE, "Projet, mai 2019", *REPORT]), encoding="utf-8")
    files["report_final"].write_text("\n\n".join([REPORT_TITLE, "Juin 2019", *REPORT_FINAL]), encoding="utf-8")
    files["tract_a"].write_text("\n\n".join(TRACT_A), encoding="utf-8")
    files["tract_b"].write_text("\n\n".join(TRACT_B), encoding="utf-8")
    return files
