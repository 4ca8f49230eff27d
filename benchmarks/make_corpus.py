"""Deterministic generator of realistic French industrial-policy documents.

    python benchmarks/make_corpus.py OUT_DIR -n 10000 [--format txt|pdf|both] [--seed 1]

Each document has a title line, a dated header written in French ("Paris, le
17 septembre 2020"), then paragraphs mixing common French words, terms of the
themes gazetteer, actors (canonical names and aliases from actors.yaml) and
places from places.yaml. Lengths follow a log-normal law clipped to 200–5 000
words (mean ~600). The same seed and N always give the same files; document i
is also independent of N (its own RNG), so a 1 000 corpus is a prefix of a
10 000 one.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
VOCAB = ROOT / "archive" / "vocab"
sys.path.insert(0, str(ROOT / "tests"))
from archive.text import FIRST_YEAR, LAST_YEAR, MONTHS  # noqa: E402
from pdfgen import make_pdf  # noqa: E402  (tests/pdfgen.py: dependency-free PDF writer)

COMMON = """
le la les un une des du de au aux et ou mais donc car ni que qui quoi dont où ce cette ces son sa ses leur leurs
nous vous ils elles il elle on pour par avec sans sous sur dans entre vers chez depuis pendant avant après
plus moins très aussi encore déjà toujours jamais souvent ainsi alors notamment également surtout enfin
est sont été être avoir a ont fait faire doit doivent peut peuvent va vont permet permettre engage engager
annonce annoncer présente présenter soutient soutenir renforce renforcer accompagne accompagner développe
développer investit investir crée créer produit produire maintient maintenir réunit réunir propose proposer
nouveau nouvelle nouveaux nouvelles grand grande grands grandes premier première dernier dernière national
nationale nationaux régional régionale régionaux européen européenne européens local locale locaux public
publique publics industriel industrielle industriels économique économiques social sociale sociaux
stratégique stratégiques durable durables important importante majeur majeure fort forte forts
année années mois semaine jour jours temps fois projet projets plan plans programme programmes politique
politiques mesure mesures accord accords dispositif dispositifs filière filières secteur secteurs site
sites usine usines entreprise entreprises groupe groupes société sociétés territoire territoires région
régions ville villes pays France Europe monde marché marchés production capacité capacités investissement
investissements financement financements aide aides subvention subventions crédit crédits million millions
milliard milliards euros emploi emplois salarié salariés salariée salariées travailleur travailleurs
ouvrier ouvriers ingénieur ingénieurs technicien techniciens direction directeur directrice président
présidente ministre ministère gouvernement État préfet préfecture conseil comité commission rapport
rapports étude études note notes analyse analyses bilan bilans enjeu enjeux objectif objectifs résultat
résultats question questions débat débats réunion réunions rencontre rencontres conférence colloque
journée journées atelier ateliers visite visites invitation inauguration signature convention conventions
contrat contrats négociation négociations dialogue syndical syndicale syndicats représentants délégués
formation formations compétence compétences apprentissage apprentis qualification métier métiers
innovation innovations recherche développement technologie technologies numérique robot robots
automatisation énergie énergies électricité hydrogène nucléaire renouvelable renouvelables carbone
décarbonation climat transition écologique environnement pollution recyclage économie circulaire
batterie batteries véhicule véhicules automobile aéronautique chimie sidérurgie acier métallurgie textile
agroalimentaire pharmaceutique santé médicament médicaments semi-conducteurs électronique composants
souveraineté indépendance relocalisation réindustrialisation délocalisation fermeture fermetures
restructuration plan social reprise repreneur cession rachat faillite redressement liquidation
commande commandes exportation exportations importation importations concurrence compétitivité coût coûts
prix salaire salaires rémunération conditions travail sécurité prévention risque risques chantier
chantiers construction infrastructure infrastructures transport logistique port ports ferroviaire fret
""".split()
SUFFIXES = ["ation", "ement", "ique", "eur", "ité", "age", "iste", "ance", "ence", "if", "ive", "oir", "ure", "al"]
SYLLABLES = "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge gi go la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo tra tre tri pro pre bri cla cri fla gre plu".split()
HEADER_CITIES = ["Paris", "Lyon", "Marseille", "Toulouse", "Lille", "Nantes", "Bordeaux", "Grenoble", "Metz", "Rouen"]
TITLE_OPENERS = [
    "Communiqué de presse",
    "Invitation",
    "Rapport",
    "Note de conjoncture",
    "Compte rendu",
    "Déclaration",
    "Programme",
    "Tract",
    "Dossier de presse",
    "Lettre ouverte",
]


class Vocabulary:
    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        actors_yaml = yaml.safe_load((VOCAB / "actors.yaml").read_text(encoding="utf-8"))
        self.actors: list[list[str]] = []
        for item in actors_yaml:
            names = [item["name"], *(item.get("aliases") or []), *(item.get("case_sensitive") or [])]
            self.actors.append([n for n in names if isinstance(n, str) and n])
        themes_yaml = yaml.safe_load((VOCAB / "themes.yaml").read_text(encoding="utf-8"))
        self.themes: list[list[str]] = [
            [t.rstrip("*") for t in (*(th.get("terms") or []), *(th.get("strong") or []))] for th in themes_yaml
        ]
        places_yaml = yaml.safe_load((VOCAB / "places.yaml").read_text(encoding="utf-8"))
        self.places = [p["name"] for key in ("regions", "departments", "towns") for p in places_yaml.get(key, [])]
        # A Zipf-distributed lexicon: common words first, then ~30 000 invented French-looking words.
        invented: set[str] = set()
        while len(invented) < 30000:
            stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3)))
            invented.add(stem + rng.choice(SUFFIXES))
        self.words = COMMON + sorted(invented)
        rng.shuffle(self.words[len(COMMON) :])
        self.cum = list(_cumulative([1.0 / (r + 1) ** 1.05 for r in range(len(self.words))]))


def _cumulative(weights: list[float]):
    total = 0.0
    for w in weights:
        total += w
        yield total


def document(vocab: Vocabulary, seed: int, i: int) -> tuple[str, list[str], str]:
    """(title, pages, file stem) of document i; pages hold ~450 words each."""
    rng = random.Random(f"{seed}:{i}")
    n_words = int(min(5000, max(200, rng.lognormvariate(math.log(480), 0.62))))
    year = rng.randint(FIRST_YEAR, LAST_YEAR)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    themes = rng.sample(range(len(vocab.themes)), rng.randint(1, 3))
    actors = rng.sample(vocab.actors, rng.randint(1, 4))
    places = rng.sample(vocab.places, rng.randint(0, 3))
    theme_terms = [t for th in themes for t in vocab.themes[th]]
    title_words = rng.choices(vocab.words[:400], k=rng.randint(3, 7))
    title = f"{rng.choice(TITLE_OPENERS)} : {rng.choice(theme_terms)} {' '.join(title_words)}"
    header = f"{rng.choice(HEADER_CITIES)}, le {day} {MONTHS[month - 1]} {year}"
    body = rng.choices(vocab.words, cum_weights=vocab.cum, k=n_words)
    # Sprinkle gazetteer entities and theme terms (~1 in 25 words).
    for _ in range(max(3, n_words // 25)):
        pos = rng.randrange(n_words)
        kind = rng.random()
        if kind < 0.5:
            body[pos] = rng.choice(theme_terms)
        elif kind < 0.8:
            body[pos] = rng.choice(rng.choice(actors))
        elif places:
            body[pos] = rng.choice(places)
    sentences: list[str] = []
    pos = 0
    while pos < n_words:
        length = rng.randint(8, 24)
        words = body[pos : pos + length]
        pos += length
        sentence = " ".join(words)
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
    paragraphs: list[str] = []
    k = 0
    while k < len(sentences):
        step = rng.randint(3, 6)
        paragraphs.append(" ".join(sentences[k : k + step]))
        k += step
    pages: list[str] = []
    current: list[str] = [title, header]
    words_on_page = 0
    for para in paragraphs:
        current.append(para)
        words_on_page += para.count(" ") + 1
        if words_on_page >= 450:
            pages.append("\n\n".join(current))
            current, words_on_page = [], 0
    if current:
        pages.append("\n\n".join(current))
    stem = f"{i // 1000:03d}/doc_{i:06d}_{year}"
    return title, pages, stem


def generate(out: Path, n: int, fmt: str = "txt", seed: int = 1, start: int = 0) -> dict[str, int]:
    vocab = Vocabulary(seed)
    stats = {"documents": 0, "pages": 0, "words": 0}
    for i in range(start, n):
        title, pages, stem = document(vocab, seed, i)
        target = out / stem
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt in ("txt", "both"):
            target.with_suffix(".txt").write_text("\n\n".join(pages) + "\n", encoding="utf-8")
        if fmt in ("pdf", "both"):
            # "both" puts PDFs in a sibling tree so the two corpora stay separate.
            pdf_target = (out.parent / (out.name + "_pdf") / stem) if fmt == "both" else target
            pdf_target.parent.mkdir(parents=True, exist_ok=True)
            make_pdf(pdf_target.with_suffix(".pdf"), pages, title=title)
        stats["documents"] += 1
        stats["pages"] += len(pages)
        stats["words"] += sum(p.count(" ") + 1 for p in pages)
    return stats


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--format", choices=["txt", "pdf", "both"], default="txt")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=0, help="first document number (to extend a corpus)")
    args = ap.parse_args(argv)
    stats = generate(args.out, args.n, args.format, args.seed, args.start)
    mean = stats["words"] / max(1, stats["documents"])
    print(f"{stats['documents']} documents, {stats['pages']} pages, mean {mean:.0f} words → {args.out}")


if __name__ == "__main__":
    main()
