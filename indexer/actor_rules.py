"""Actors that need no model: company forms, courts, a role next to a name.

« la société Vencorex », « le groupe chinois Wanhua », « Ferropem SAS », « le tribunal de
commerce de Lyon », « le PDG de Vencorex, Jean Dupont », « Marie Durand, déléguée CGT »:
wording that says what kind of actor a capitalised name is. Each find is a ``Candidate``
with the rule that found it; ``indexer.entities`` decides which ones become actors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from archive import gazetteer, vocab_files

__all__ = ["Candidate", "find_candidates", "strip_legal_form", "title_subjects"]

WORDS_FILE = "entities.yaml"  # in archive/vocab/: words that are not names, legal forms


@dataclass(frozen=True)
class Candidate:
    """A name found by a rule, at ``start`` (offset in the text)."""

    name: str
    kind: str  # "organisation" | "personne"
    start: int
    rule: str  # société | société mère | forme juridique | tribunal | préfecture | port | fonction


_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
_LOW = "a-zàâäçéèêëîïôöùûüÿœæ"
# One capitalised word of a name: « Vencorex », « Saint-Gobain », « ArcelorMittal », « STMicroelectronics ».
_CAPWORD = rf"(?:[{_UP}][{_UP}{_LOW}0-9&'’.-]*[{_UP}{_LOW}0-9]|[{_UP}])"
_NAME = rf"{_CAPWORD}(?:[ \u00a0](?:{_CAPWORD}|&|\+)){{0,3}}(?:[ \u00a0](?:et|&)[ \u00a0](?:Cie|Fils|Associés))?"
# Words that may stand between « groupe » and the name: nationality, trade.
_ADJ = (
    rf"(?:[{_LOW}-]+(?:ais|aise|ois|oise|ien|ienne|ain|aine|and|ande|ique|iel|ielle|al|ale|if|ive"
    rf"|ier|ière|é|ée|en|enne|in|ine|ain|ois)|suisse|belge|russe|tchèque|grecque|turque)"
)
_COMPANY_WORDS = (
    "société|groupe|entreprise|firme|constructeur|équipementier|fabricant|chimiste|sidérurgiste"
    "|industriel|papetier|verrier|fondeur|motoriste|avionneur|sous-traitant|repreneur|start-up|startup"
    "|PME|ETI|filiale|laboratoire|cimentier|énergéticien|opérateur|transporteur|distributeur|spécialiste"
    "|leader|géant|fournisseur|exploitant|actionnaire|candidat à la reprise|candidat au rachat|acquéreur"
    "|fonds|coopérative|cabinet|incubateur"
    "|SARL|SAS|SASU|SA|EURL|SCOP|SCIC|SNC"  # « la SARL Tourres et Cie »: the legal form first
)
_COMPANY = re.compile(
    rf"(?<![\w-])(?:[Ll]a |[Ll]e |[Ll]'|[Dd]u |[Dd]e la |[Dd]e l'|[Aa]u |[Uu]ne? |[Ll]es )"
    rf"(?:(?:seul|seule|précédent|précédente|nouveau|nouvel|nouvelle|futur|future|ancien|ancienne) )?"
    rf"(?:{_COMPANY_WORDS})(?:[ \u00a0]{_ADJ}){{0,2}},?[ \u00a0](?P<name>{_NAME})"
)
# « le japonais Daikin », « au hongrois BorsodChem »: a nationality in lower case stands for a
# company (a person's nationality is written with a capital: « le Français Thomas Pesquet »).
_NATIONALITIES = (
    "français|allemand|américain|britannique|anglais|italien|espagnol|portugais|belge|suisse|néerlandais"
    "|luxembourgeois|autrichien|suédois|norvégien|danois|finlandais|irlandais|polonais|tchèque|hongrois"
    "|roumain|grec|turc|russe|ukrainien|chinois|japonais|coréen|sud-coréen|taïwanais|indien|thaïlandais"
    "|vietnamien|singapourien|indonésien|australien|canadien|québécois|mexicain|brésilien|argentin"
    "|saoudien|qatari|émirati|israélien|marocain|algérien|tunisien|sud-africain|européen"
)
_COMPANY_NATIONALITY = re.compile(
    rf"(?<![\w-])(?:[Ll]e |[Ll]'|[Dd]u |[Aa]u )(?:{_NATIONALITIES})[ \u00a0](?P<name>{_NAME})"
)
# « Europlasma, groupe spécialisé dans… », « British Steel, filiale de… ».
_COMPANY_APPOSITION = re.compile(
    rf"(?<![\w-])(?P<name>{_NAME}),[ \u00a0](?:un |une |le |la |l')?(?:groupe|société|filiale|entreprise|start-up|PME|ETI"
    rf"|fonds d'investissement|fonds|constructeur|équipementier|fabricant|sidérurgiste|chimiste|spécialiste|leader)\b"
)
# The same in English and German press: « the US group Teledyne Technologies », « night-vision
# maker Photonis », « investment fund Greybull Capital », « des chinesischen Chemiekonzerns Wanhua »,
# « Schiffbauer Fincantieri ». German capitalises every noun: the company word must be a compound
# (« Stahlkonzern ») or follow an adjective (« italienischen Hersteller »), so that « der Konzern
# Stellen » is not read as a name.
_COMPANY_EN = re.compile(
    r"(?<![\w-])(?:group|firm|company|maker|manufacturer|fund|shipbuilder|carmaker|automaker|steelmaker"
    r"|chipmaker|conglomerate|subsidiary|owner|investor|rival|supplier|start-up|startup)"
    rf"[ \u00a0](?P<name>{_NAME})"
)
_DE_NOUNS = (
    "konzern",
    "konzerns",
    "hersteller",
    "herstellers",
    "unternehmen",
    "unternehmens",
    "gruppe",
    "bauer",
    "bauers",
    "riese",
    "riesen",
    "zulieferer",
    "zulieferers",
    "betreiber",
    "betreibers",
    "investor",
    "investors",
    "eigentümer",
    "eigentümers",
    "firma",
)
_DE_IN_COMPOUND = "|".join(_DE_NOUNS)
_DE_ALONE = "|".join(n.capitalize() for n in _DE_NOUNS)
_DE_ARTICLE = r"(?:der|die|das|den|dem|des|ein|eine|einen|einem|einer|eines)"
_DE_ADJECTIVE = rf"(?!{_DE_ARTICLE}\b)[a-zäöüß]{{3,}}(?:en|es|er|e)"  # « italienischen », not « der »
_COMPANY_DE = re.compile(
    rf"(?<![\w-])(?:[A-ZÄÖÜ][a-zäöüß]{{2,}}(?:{_DE_IN_COMPOUND})|{_DE_ADJECTIVE}[ \u00a0](?:{_DE_ALONE}))"
    rf"[ \u00a0](?P<name>{_NAME})"
)
# « les Aciéries de Bourgogne », « Forges de Tarbes », « Fonderie de Bretagne », « Papeteries de
# Clairefontaine »: a trade written with a capital, then « de » and a place, is a company's name
# (written in lower case, « les aciéries de Lorraine » are plants).
_TRADE_NAME = re.compile(
    r"(?<![\w-])(?P<name>(?:Aciéries?|Forges|Fonderies?|Papeteries?|Verreries?|Cristalleries?|Tanneries?|Filatures?"
    r"|Laminoirs?|Tréfileries?|Ateliers|Chantiers|Salins|Faïenceries?|Brasseries?|Conserveries?|Manufacture|Houillères"
    r"|Câbleries?|Émailleries?|Sucreries?|Distilleries?|Tissages?|Teintureries?|Volailles|Laiteries?|Fromageries?"
    r"|Biscuiteries?|Scieries?|Tuileries?|Briqueteries?|Cartonneries?|Imprimeries?|Moulins|Savonneries?)"
    rf" (?:de la |de l'|des |du |de |d')(?:{_CAPWORD})(?:[ -]{_CAPWORD}){{0,2}})"
)
# « le Grand Port Maritime de Marseille », « le port autonome de Paris »: a port authority.
_PORT = re.compile(
    rf"(?<![\w-])(?P<port>[Gg]rand [Pp]ort [Mm]aritime|[Pp]ort [Aa]utonome) (?P<de>de |d'|du )"
    rf"(?P<place>{_CAPWORD}(?:[ -]{_CAPWORD}){{0,2}})"
)
_COURT = re.compile(
    rf"(?<![\w-])(?P<court>[Tt]ribunal (?:de commerce|judiciaire|administratif|des activités économiques|de grande instance)"
    rf"|[Cc]our d'appel|[Cc]onseil de prud'hommes) (?P<de>de |d'|du )(?P<place>{_CAPWORD}(?:[ -]{_CAPWORD}){{0,2}})"
)
# « la préfecture du Rhône indique », « PRÉFET DE LA SOMME » (a release's letterhead), « le préfet du
# Pas-de-Calais » (not named): the State's office in a department or region. A prefect named next
# to the title (« le préfet du Rhône, Jean-François Carenco ») is that person instead.
_PREFECTURE = re.compile(
    r"(?<![\w-])(?P<word>[Pp]réfecture|PRÉFECTURE|[Pp]réfète|[Pp]réfet|PRÉFÈTE|PRÉFET)(?:[ \u00a0]|\n(?=[A-ZÉ]))"
    r"(?P<de>(?:de la|DE LA|du|DU|des|DES|de|DE)[ \u00a0]|(?:de l|DE L|d|D)')"
    rf"(?P<place>{_CAPWORD}(?:[ -]{_CAPWORD}){{0,3}})"
)
# A person's name: first name(s) then surname(s), the surname possibly in capitals.
_FIRST = rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"
_SURNAME = rf"(?:(?:de |du |d'|Le |La |Mac |Van )?[{_UP}][{_UP}{_LOW}'’-]*[{_LOW}{_UP}])"
_PERSON = rf"(?P<person>{_FIRST}[ \u00a0]{_SURNAME}(?:[ \u00a0]{_SURNAME})?)"
_ROLE = (
    r"(?:PDG|P-DG|président(?:e)?(?:-directeur général| du directoire| du conseil)?|directeur général|directrice générale"
    r"|DG|directeur|directrice|dirigeant|dirigeante|fondateur|fondatrice|patron|patronne|gérant|gérante"
    r"|maire|adjoint au maire|adjointe au maire|délégué syndical|déléguée syndicale|délégué|déléguée"
    r"|secrétaire général|secrétaire générale|secrétaire|représentant|représentante|porte-parole"
    r"|élu|élue|député|députée|sénateur|sénatrice|préfet|préfète|administrateur judiciaire"
    r"|administratrice judiciaire|mandataire judiciaire|liquidateur|avocat|avocate|économiste|chercheur|chercheuse)"
)
# « le PDG de Vencorex, Jean Dupont », « la maire de Saint-Nazaire Marie Durand », « le délégué CGT Jean Dupont ».
_ROLE_THEN_NAME = re.compile(
    rf"(?<![\w-])(?:[Ll]e |[Ll]a |[Ll]' ?|[Dd]u |[Aa]u |[Ss]on |[Ss]a |[Nn]otre )(?P<role>{_ROLE})"
    rf"(?:[ \u00a0](?:de |du |d'|de la |des )?(?P<org>{_NAME}))?"
    rf"(?:[ \u00a0,][^.;:!?«»()\n]{{0,60}}?)?,?[ \u00a0]{_PERSON}(?![\w-])"
)
# The same in English and German press: « Competition Commissioner Margrethe Vestager »,
# « STMicroelectronics chief executive Jean-Marc Chéry », « die CGT-Vertreterin Séverine Dejoux ».
_ROLE_EN = (
    r"(?:[Cc]hief [Ee]xecutive|CEO|[Cc]hairman|[Cc]hairwoman|[Cc]hair|[Pp]resident|[Mm]inister|[Cc]ommissioner"
    r"|[Ss]pokesman|[Ss]pokeswoman|[Ss]pokesperson|[Ff]ounder|[Mm]ayor|[Ss]ecretary|[Dd]irector|[Hh]ead"
    r"|[Uu]nion (?:[Ll]eader|[Rr]epresentative|[Dd]elegate))"
)
_ROLE_DE = (
    r"(?:[A-ZÄÖÜ][\w-]*)?(?:chef|chefin|minister|ministerin|präsident|präsidentin|sprecher|sprecherin"
    r"|vertreter|vertreterin|kollege|kollegin|bürgermeister|bürgermeisterin|Chef|Chefin|Minister|Ministerin"
    r"|Präsident|Präsidentin|Sprecher|Sprecherin|Vertreter|Vertreterin|Kollege|Kollegin)"
)
_ROLE_THEN_NAME_EN_DE = re.compile(rf"(?<![\w-])(?:{_ROLE_EN}|{_ROLE_DE}),?[ \u00a0]{_PERSON}(?![\w-])")
# « Jean Dupont, PDG de Vencorex », « Marie Durand, déléguée CGT ».
_NAME_THEN_ROLE = re.compile(
    rf"(?<![\w-]){_PERSON},[ \u00a0](?:l'actuel |l'actuelle |le |la )?(?P<role>{_ROLE})"
    rf"(?:[ \u00a0](?:de |du |d'|de la |des |chez )?(?P<org>{_NAME}))?"
)


@dataclass(frozen=True)
class _Words:
    """The lists of ``entities.yaml`` that the rules read."""

    not_names: frozenset[str]  # capitalised words that are not names (« Le », « Selon », « Mairie »)
    honorifics: frozenset[str]  # titles before a person's name (« Me », « Dr »)
    legal_form: re.Pattern[str]  # « Ferropem SAS »: a name followed by its legal form
    legal_tail: re.Pattern[str]  # a legal form ending a name


def _words() -> _Words:
    return vocab_files.load(WORDS_FILE, _build_words)


def _build_words(data: Any) -> _Words:
    # Longest first: of « S.A.S. » and « S.A.S », a name is read with its whole form.
    forms = sorted(vocab_files.word_list(data, "legal_forms", WORDS_FILE), key=len, reverse=True)
    any_form = "(?:" + "|".join(map(re.escape, forms)) + ")"
    return _Words(
        not_names=frozenset(vocab_files.word_list(data, "not_name_words", WORDS_FILE)),
        honorifics=frozenset(vocab_files.word_list(data, "honorifics", WORDS_FILE)),
        legal_form=re.compile(rf"(?<![\w-])(?P<name>{_NAME})[ \u00a0]{any_form}(?![\w])"),
        legal_tail=re.compile(rf"[ \u00a0]{any_form}$"),
    )


def strip_legal_form(name: str) -> str:
    """The name without the legal form that ends it (« Ferropem SAS » → « Ferropem »)."""
    return _words().legal_tail.sub("", name)


def _clean_org(name: str) -> str | None:
    name = strip_legal_form(" ".join(name.replace("’", "'").split())).strip(" .,-")
    name = re.sub(r"'s$", "", name)  # « ProLogium's decision »: an English possessive
    words = name.split()
    not_names = _words().not_names
    while words and words[-1] in not_names:
        words.pop()
    if not words or words[0] in not_names or len(name) < 2:
        return None
    return " ".join(words)


def _clean_person(name: str) -> str | None:
    words = " ".join(name.replace("’", "'").split()).split()
    lists = _words()
    if words and words[0] in lists.honorifics:
        words = words[1:]  # « Me Bruno Sapin » (Maître) → Bruno Sapin
    if len(words) < 2 or words[0] in lists.not_names or words[-1] in lists.not_names:
        return None
    # « Jean DUPONT » → « Jean Dupont »
    return " ".join(w.capitalize() if w.isupper() and len(w) > 2 else w for w in words)


_OF_PLACE = re.compile(r"[ \u00a0](?:de|du|d')[ \u00a0']*(?P<place>[^ ].*)$")


def _of_a_place(person: str) -> bool:
    """« Maritime de Marseille »: what follows the particle is a place, not a surname."""
    m = _OF_PLACE.search(person)
    return m is not None and gazetteer.place_info(m.group("place")) is not None


def _after_german_article(name: str, text: str) -> bool:
    """« die Insolvenz »: a German noun, not a company's name (« Saarstahl hat »)."""
    return re.search(rf"(?<![\w-]){_DE_ARTICLE}[ \u00a0]{re.escape(name)}(?![\w-])", text, re.IGNORECASE) is not None


# « Wanhua » in « BorsodChem, filiale du chinois Wanhua »: a company named as the parent of another.
_PARENT_OF = re.compile(r"(?:\bfiliales?|\bsubsidiary of|Tochter)[ \u00a0]+$", re.IGNORECASE)


def _company_rule(text: str, start: int) -> str:
    """« société », or « société mère » for a company named only as another's parent (« filiale du
    chinois Wanhua »): that wording says what the company is, not that the text is about it."""
    return "société mère" if _PARENT_OF.search(text, max(0, start - 30), start) else "société"


_NAMED_AFTER = re.compile(rf",?[ \u00a0]+(?:M\.[ \u00a0]|Mme[ \u00a0])?{_PERSON}")


def _prefecture(m: re.Match[str], text: str) -> str | None:
    """« Préfecture de la Somme » for « PRÉFET DE LA SOMME » or « la préfecture de la Somme »; None
    when what follows is no department, region or town, or when the prefect is named."""
    words = m.group("place").replace("-", " - ").split()
    for n in range(len(words), 0, -1):
        place = gazetteer.place_info(" ".join(words[:n]).replace(" - ", "-"))
        if place is not None:
            break
    else:
        return None
    if m.group("word").lower().startswith("préfe") and m.group("word").lower() != "préfecture":
        if _NAMED_AFTER.match(text, m.end("place")):
            return None  # « le préfet du Rhône, Jean-François Carenco »: the person
    de = m.group("de").lower()
    return f"Préfecture {de}{place.name}"


# The subject of a headline's verb (« Bouin : Lhyfe inaugure sa première usine », « Eastman picks
# Port-Jérôme », « Ineos übernimmt das Smart-Werk »): at the start of the title or after its colon,
# a name of one or two capitalised words, then a verb that a company's news is made of.
_TITLE_VERBS = (
    "inaugure|annonce|choisit|ferme|rachète|reprend|investit|lance|ouvre|quitte|recrute|supprime|cède|signe|"
    "s'implante|implante|relocalise|rapatrie|modernise|agrandit|double|triple|construit|prépare|mise|parie|"
    "opens|picks|chooses|closes|buys|acquires|launches|invests|announces|expands|cuts|builds|"
    "eröffnet|schließt|übernimmt|investiert|baut|kündigt|wählt"
)
_TITLE_SUBJECT = re.compile(
    rf"(?:^|:[ \u00a0]+)(?P<name>{_CAPWORD}(?:[ \u00a0]{_CAPWORD})?)[ \u00a0]+(?:{_TITLE_VERBS})\b"
)


def title_subjects(title: str) -> list[str]:
    """Names a headline makes the subject of a company's verb (see ``_TITLE_SUBJECT``)."""
    return [" ".join(m.group("name").split()) for m in _TITLE_SUBJECT.finditer(title.replace("’", "'"))]


def _shouted(text: str, end: int) -> bool:
    """The words after the match are written in capitals too (« LES FLACONS SE VENDENT, LES
    SALAIRES DOIVENT SUIVRE »): « SE » or « SA » there are words, not legal forms."""
    letters = [c for c in text[end : end + 30] if c.isalpha()]
    return len(letters) >= 10 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def find_candidates(text: str) -> list[Candidate]:
    """Organisations and people that wording alone identifies, in order of appearance."""
    text = text.replace("’", "'")  # same length: offsets stay those of the caller's text
    out: list[Candidate] = []
    for m in _COMPANY.finditer(text):
        name = _clean_org(m.group("name"))
        if name:
            out.append(Candidate(name, "organisation", m.start("name"), _company_rule(text, m.start())))
    for m in _COMPANY_APPOSITION.finditer(text):
        name = _clean_org(m.group("name"))
        if name:
            out.append(Candidate(name, "organisation", m.start("name"), "société"))
    for m in _COMPANY_NATIONALITY.finditer(text):
        name = _clean_org(m.group("name"))
        if name:
            out.append(Candidate(name, "organisation", m.start("name"), _company_rule(text, m.start())))
    for pattern in (_COMPANY_EN, _COMPANY_DE):
        for m in pattern.finditer(text):
            name = _clean_org(m.group("name"))
            if name and not (pattern is _COMPANY_DE and _after_german_article(name, text)):
                out.append(Candidate(name, "organisation", m.start("name"), "société"))
    for m in _words().legal_form.finditer(text):
        name = _clean_org(m.group("name"))
        if name and not _shouted(text, m.end()):
            out.append(Candidate(name, "organisation", m.start("name"), "forme juridique"))
    for m in _TRADE_NAME.finditer(text):
        out.append(Candidate(" ".join(m.group("name").split()), "organisation", m.start("name"), "société"))
    for m in _COURT.finditer(text):
        court = m.group("court")
        name = f"{court[0].upper()}{court[1:]} {m.group('de')}{m.group('place')}"
        out.append(Candidate(" ".join(name.split()), "organisation", m.start(), "tribunal"))
    for m in _PORT.finditer(text):
        port = "Grand Port Maritime" if m.group("port").lower().startswith("grand") else "Port autonome"
        out.append(Candidate(f"{port} {m.group('de')}{m.group('place')}", "organisation", m.start(), "port"))
    for m in _PREFECTURE.finditer(text):
        name = _prefecture(m, text)
        if name:
            out.append(Candidate(name, "organisation", m.start(), "préfecture"))
    for m in _ROLE_THEN_NAME_EN_DE.finditer(text):
        person = _clean_person(m.group("person"))
        if person and not _of_a_place(person):
            out.append(Candidate(person, "personne", m.start("person"), "fonction"))
    for pattern in (_ROLE_THEN_NAME, _NAME_THEN_ROLE):
        for m in pattern.finditer(text):
            person = _clean_person(m.group("person"))
            if person and _of_a_place(person):
                continue  # « du Grand Port Maritime de Marseille »: an institution's name, no person
            if person:
                out.append(Candidate(person, "personne", m.start("person"), "fonction"))
            org = m.group("org")
            if org and m.group("role") not in ("maire", "préfet", "préfète", "député", "députée"):
                name = _clean_org(org)
                if name:
                    out.append(Candidate(name, "organisation", m.start("org"), "fonction"))
    return sorted(out, key=lambda c: c.start)
