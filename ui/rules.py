"""Which rule produced each metadata value, worded for researchers (« date : ligne de date en tête »).

Pure code: reads a record's provenance (see indexer/metadata.py).
"""

from __future__ import annotations

from archive.models import DocumentRecord

DATE_RULES = {
    "header": "ligne de date en tête",
    "publication": "mention de publication (« Publié le… », « Fait à… »)",
    "pdf": "métadonnées du PDF",
    "docx": "propriétés du fichier DOCX",
    "html": "balise de date de la page HTML",
    "metadata": "métadonnées du fichier",
    "filename": "nom du fichier",
    "event": "événement principal annoncé par le texte",
    "none": "aucune date trouvée",
}
TITLE_RULES = {
    "embedded": "titre enregistré dans le fichier",
    "first_line": "première ligne qui ressemble à un titre",
    "file_name": "nom du fichier",
}
EXTRACTED_RULES = {
    "actors": "noms et alias du gazetteer des acteurs",
    "themes": "termes déclencheurs, choix par un modèle appris sur les documents annotés (voir « Pourquoi ces thèmes ? »)",
    "places": "noms du gazetteer des lieux",
    "schemes": "noms de la liste des dispositifs",
    "doc_type": "indices de forme et de vocabulaire",
    "language": "détection automatique de la langue",
}
FIELD_NAMES = {
    "title": "titre",
    "date": "date",
    "doc_type": "type",
    "language": "langue",
    "actors": "acteurs",
    "themes": "thèmes",
    "places": "lieux",
    "schemes": "dispositifs",
}


def rule(record: DocumentRecord, field: str) -> str:
    """« date : ligne de date en tête », « acteurs : corrigés dans l'application »…"""
    origin = record.provenance.get(field)
    name = FIELD_NAMES.get(field, field)
    if origin == "modifié":
        return f"{name} : corrigé dans l'application"
    if origin == "fiche":
        return f"{name} : fiche de métadonnées (.meta.yaml)"
    if field == "date":
        key = record.provenance.get("date_rule", "")
        return f"{name} : {DATE_RULES.get(key, key or 'règle inconnue')}"
    if field == "title":
        key = record.provenance.get("title_rule", "")
        return f"{name} : {TITLE_RULES.get(key, key or 'première ligne du texte')}"
    return f"{name} : {EXTRACTED_RULES.get(field, 'extraction automatique')}"
