"""The operators of the query language, whatever the engine: in capitals, in English (Whoosh's) or
in French (« industrie SAUF emploi »); in lower case they are words."""

FRENCH_OPERATORS = {"ET": "AND", "OU": "OR", "SAUF": "NOT"}  # typed → the engine's
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", *FRENCH_OPERATORS})
EXCLUDING = ("NOT", *(typed for typed, meant in FRENCH_OPERATORS.items() if meant == "NOT"))
