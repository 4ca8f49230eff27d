"""Turn what a researcher types into a Whoosh query.

Size (~520 lines): one parser; its rewriting passes (facets, aliases, hyphens, years, limits)
share the placeholder scheme below and are only correct in this order.

Supported: words (all required), "exact phrase", OR, NOT / -word, prefix*,
titre:, and facet fields with French names (acteur:, thème:, année:, lieu:,
dispositif:, type:, langue:). A word or phrase naming a known actor or scheme by
one of its aliases also matches the documents tagged with it.

Facet clauses and actor aliases are cut out of the string and replaced by
`slot:sN` placeholders before Whoosh parses it; the placeholders are then
swapped for the real sub-queries. This keeps Whoosh's parser for everything
it does well without teaching it our field semantics.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    MultifieldParser,
    PlusMinusPlugin,
    SingleQuotePlugin,
)
from whoosh.qparser.plugins import FuzzyTermPlugin
from whoosh.util.text import rcompile

from archive.analysis import NUMBER_SPACES
from archive.facet_registry import REGISTRY
from archive.models import QuerySyntaxError
from archive.search_logic.limits import MAX_EXPANSIONS, MAX_FUZZY_DISTANCE, MAX_QUERY_WORDS, MIN_FUZZY_PREFIX
from archive.search_logic.operators import FRENCH_OPERATORS, OPERATORS
from archive.text import fold_words
from archive.whoosh.schema import FACET_FIELDS

TEXT_FIELDS = ("title", "text")
FIELD_BOOSTS = {"title": 2.0, "text": 1.0}

# French (and English) names researchers type, folded → facet name.
FACET_ALIASES: dict[str, str] = {fold_words(typed): spec.name for spec in REGISTRY for typed in spec.query_names}

_FIELD_CLAUSE = re.compile(r'(?<![\w:])([^\W\d_]+):("([^"]*)"|[^\s()"]+)')
_QUOTED = re.compile(r'(?<![\w:])"([^"]+)"')
_WORD = re.compile(r"[^\s()\"]+")
_DIGIT_GROUP = re.compile(rf"(?<![\d])(\d{{1,3}})[{NUMBER_SPACES}](?=\d{{3}}(?!\d))")
_EXCLUSION = re.compile(r"(^|[\s(])-\s*(?=[^\s-])")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*(?:-|\.\.|à|a|to)\s*(\d{4})$")
_YEAR_CMP = re.compile(r"^(>=|<=|>|<)(\d{4})$")
MAX_ALIAS_WORDS = 6
MAX_QUERY_CHARS = 500
EMPTY_QUERY_NOTICE = "Recherche vide : tous les documents sont listés."
# The French name shown back to the user for each facet.
FACET_QUERY_NAMES = {spec.name: spec.query_name for spec in REGISTRY if spec.query_names}
_EMPTY_FIELD = re.compile(r'(?<![\w:])([^\W\d_]+):(?:""|(?=[\s()]|$))')

# A hyphen between two letters or digits joins the parts of one word (Pont-de-Claix,
# sous-traitants); only a hyphen that opens a word (after a space, a parenthesis or at
# the start) excludes. Optional: a marker (+/-) and a field prefix (titre:) before it.
_HYPHENATED = re.compile(r"(?<![^\s(])([+-]?)((?:[^\W\d_]+:)?)([^\s()\"]*?\w-\w[^\s()\"]*)")
_INNER_HYPHENS = re.compile(r"(?<=\w)-+(?=\w)")
_FUZZY_DISTANCE = re.compile(r"(?<=\S)~(\d+)")


@dataclass
class ParsedQuery:
    """The required-words query, the any-word fallback and what highlighting needs."""

    raw: str
    required: wq.Query
    any_word: wq.Query | None
    is_browse_all: bool
    words: list[str] = field(default_factory=list)  # free words, for suggestions
    # How the query was understood where it differs from what was typed (French).
    notices: list[str] = field(default_factory=list)


Resolver = Callable[[str, str], list[str]]
AliasLookup = Callable[[str], tuple[str, str] | None]  # phrase → (index field, canonical value)


class QueryBuilder:
    def __init__(self, schema, resolve_value: Resolver, value_for_alias: AliasLookup) -> None:
        """resolve_value(facet, typed) → exact indexed values; value_for_alias(phrase) → the
        (field, canonical value) of the actor or scheme it names, or None."""
        self.schema = schema
        self.resolve_value = resolve_value
        self.value_for_alias = value_for_alias
        self._all_parser = self._parser(AndGroup)

    def _parser(self, group) -> MultifieldParser:
        p = MultifieldParser(list(TEXT_FIELDS), self.schema, group=group, fieldboosts=FIELD_BOOSTS)
        p.remove_plugin_class(SingleQuotePlugin)
        p.add_plugin(PlusMinusPlugin())
        p.add_plugin(BoundedFuzzyTermPlugin())
        p.add_plugin(FieldAliasPlugin({"title": ["titre"], "text": ["texte", "contenu"]}))
        return p

    def build(self, raw: str) -> ParsedQuery:
        notices: list[str] = []
        text = _closed_quote(_shortened(raw.strip(), notices), notices)
        check_size(text)
        text = _french_operators(text)
        text = _drop_empty_fields(text, notices)
        text = _drop_dangling_operators(text, notices)
        text = _join_digit_groups(text)
        if not text:
            if raw.strip() and not notices:
                notices.append(EMPTY_QUERY_NOTICE)
            return ParsedQuery(raw, wq.Every(), None, is_browse_all=True, notices=notices)
        if text == "*":
            return ParsedQuery(raw, wq.Every(), None, is_browse_all=True, notices=[*notices, EMPTY_QUERY_NOTICE])
        slots: dict[str, wq.Query] = {}
        text = self._cut_facet_clauses(text, slots, notices)
        text = self._cut_aliases(text, slots)
        free = [w for w in _WORD.findall(text) if _is_free_word(w)]
        words = [part for w in free for part in split_hyphens(w)]
        required = self._parse(self._all_parser, text, slots)
        if required is wq.NullQuery and _EXCLUSION.search(text):
            # Only exclusions (« -langue:fr »): Whoosh drops them for want of a positive
            # part; read them as « NOT … », which lists every other document.
            text = _EXCLUSION.sub(r"\1NOT ", text)
            required = self._parse(self._all_parser, text, slots)
        any_word = loosen(required)
        if required is wq.NullQuery:
            if slots or _has_content(text):
                raise QuerySyntaxError(
                    "La requête ne contient que des mots trop courants (le, la, de…) : ajoutez un mot plus précis."
                )
            return ParsedQuery(raw, wq.Every(), None, is_browse_all=True, notices=[*notices, EMPTY_QUERY_NOTICE])
        return ParsedQuery(raw, required, any_word, is_browse_all=False, words=words, notices=notices)

    def _parse(self, parser: MultifieldParser, text: str, slots: dict[str, wq.Query]) -> wq.Query:
        try:
            q = parser.parse(join_hyphenated(text))
        except Exception as exc:  # Whoosh raises assorted errors on odd input
            raise QuerySyntaxError(f"Requête illisible : {text!r} ({exc.__class__.__name__}).") from exc

        def swap(node: wq.Query) -> wq.Query:
            if isinstance(node, wq.Term) and node.fieldname == "slot":
                return slots.get(node.text, wq.NullQuery)
            return node

        return q.accept(swap).normalize()

    def _cut_facet_clauses(self, text: str, slots: dict[str, wq.Query], notices: list[str]) -> str:
        def replace(m: re.Match[str]) -> str:
            facet = FACET_ALIASES.get(fold_words(m.group(1)))
            if facet is None:
                return m.group(0)  # titre:, texte: and unknown names stay for Whoosh
            value = m.group(3) if m.group(3) is not None else m.group(2)
            return self._slot(slots, self._facet_query(facet, value, notices))

        return _FIELD_CLAUSE.sub(replace, text)

    def _facet_query(self, facet: str, typed: str, notices: list[str]) -> wq.Query:
        fieldname = FACET_FIELDS[facet]
        if facet == "year":
            years = _years(typed)
            if years is None:
                raise QuerySyntaxError(
                    f"Année illisible : « {typed} ». Exemples : année:2020, année:2018-2021, année:>2019."
                )
            return wq.Or([wq.Term("year", str(y)) for y in years]) if years else wq.NullQuery
        values = self.resolve_value(facet, typed)
        if not values:
            name = FACET_QUERY_NAMES.get(facet, facet)
            notices.append(f"{name}:{typed} : aucune valeur de ce nom dans l’archive.")
            values = [typed]
        return wq.Or([wq.Term(fieldname, v) for v in values])

    def _cut_aliases(self, text: str, slots: dict[str, wq.Query]) -> str:
        def replace_quoted(m: re.Match[str]) -> str:
            named = self.value_for_alias(m.group(1))
            if named is None:
                return m.group(0)
            phrase = self._parse(self._all_parser, m.group(0), slots)
            return self._slot(slots, wq.Or([phrase, wq.Term(*named)]))

        text = _QUOTED.sub(replace_quoted, text)
        pieces: list[str] = []
        last = 0
        tokens = [m for m in _WORD.finditer(text) if _is_free_word(m.group(0))]
        i = 0
        while i < len(tokens):
            match = self._longest_alias(text, tokens, i)
            if match is None:
                i += 1
                continue
            j, named = match
            start, end = tokens[i].start(), tokens[j].end()
            if _inside_quotes(text, start):
                i += 1
                continue
            words_query = self._parse(self._all_parser, text[start:end], slots)
            pieces.append(text[last:start])
            pieces.append(self._slot(slots, wq.Or([words_query, wq.Term(*named)])))
            last = end
            i = j + 1
        pieces.append(text[last:])
        return "".join(pieces)

    def _longest_alias(self, text: str, tokens: list[re.Match[str]], i: int) -> tuple[int, tuple[str, str]] | None:
        for j in range(min(len(tokens), i + MAX_ALIAS_WORDS) - 1, i - 1, -1):
            # Only contiguous words (separated by spaces) form a name.
            span = text[tokens[i].start() : tokens[j].end()]
            if '"' in span or "(" in span or ")" in span:
                continue
            named = self.value_for_alias(span)
            if named:
                return j, named
        return None

    @staticmethod
    def _slot(slots: dict[str, wq.Query], q: wq.Query) -> str:
        key = f"s{len(slots)}"
        slots[key] = q
        return f" slot:{key} "


def loosen(required: wq.Query) -> wq.Query | None:
    """The partial-match query: any of the required words, the filters and exclusions kept.

    `acteur:CGT usine fermeture -Renault` loosens to CGT AND (usine OR fermeture) NOT
    Renault: a field search or an exclusion typed in the query stays binding; only the
    words (a phrase, a hyphenated word or an actor's name counts as one) become optional.
    None when there are fewer than two words to loosen.
    """
    if isinstance(required, wq.AndNot):
        inner = loosen(required.a)
        return None if inner is None else wq.AndNot(inner, required.b)
    if type(required) is not wq.And:
        return None
    binding = [c for c in required.subqueries if _is_binding(c)]
    words = word_units(required)
    if len(words) < 2:
        return None
    anyof = wq.Or(words)
    return wq.And([*binding, anyof]) if binding else anyof


def word_units(required: wq.Query) -> list[wq.Query]:
    """The words of a required query that a partial match may lack (see `loosen`)."""
    if isinstance(required, wq.AndNot):
        return word_units(required.a)
    if type(required) is not wq.And:
        return [] if _is_binding(required) else [required]
    return [c for c in required.subqueries if not _is_binding(c)]


def _is_binding(q: wq.Query) -> bool:
    """An exclusion, or a field search: on metadata, or on one text field (`titre:`).

    A plain word is searched in the title and the text together, so a clause on just
    one of them was typed as a field search.
    """
    if isinstance(q, wq.Not):
        return True
    fields = {getattr(leaf, "fieldname", None) for leaf in q.leaves()}
    return not (fields & set(TEXT_FIELDS)) or len(fields) == 1


class BoundedFuzzyTermPlugin(FuzzyTermPlugin):
    """`mot~N/P` with N capped at MAX_FUZZY_DISTANCE and P at least MIN_FUZZY_PREFIX.

    Whoosh reads a single digit after `~` (`~12` became `~1` and a stray `2`); the whole
    number is read here so that it can be capped.
    """

    expr = rcompile(r"(?<=\S)~(?P<maxdist>[0-9]+)?(/(?P<prefix>[0-9]+))?")

    class FuzzyTermNode(FuzzyTermPlugin.FuzzyTermNode):
        def query(self, parser):
            if self.fieldname not in TEXT_FIELDS or SPELLING_FIELD not in parser.schema:
                return super().query(parser)
            words = list(parser.schema[SPELLING_FIELD].process_text(self.text, mode="query"))
            if len(words) != 1:  # a stop word, or several words: Whoosh's own reading
                return super().query(parser)
            stemmed = super().query(parser)
            if not isinstance(stemmed, wq.FuzzyTerm):
                return stemmed
            return WordFuzzyTerm(
                self.fieldname,
                words[0],
                stem=stemmed.text,
                boost=self.boost,
                maxdist=self.maxdist,
                prefixlength=self.prefixlength,
            )

    def create(self, parser, match):
        node = super().create(parser, match)
        node.maxdist = min(node.maxdist, MAX_FUZZY_DISTANCE)
        node.prefixlength = max(node.prefixlength, MIN_FUZZY_PREFIX)
        return node


SPELLING_FIELD = "spell"  # the archive's words as written (folded, not stemmed)


class WordFuzzyTerm(wq.FuzzyTerm):
    """`mot~N`: the typed word is compared with the archive's words as written, a swap of two
    neighbouring letters counting as one edit, and the words found are then stemmed like the text.

    Whoosh compares the stem of the misspelling with the index's stems, and a misspelt word
    seldom stems like the word meant: `indsutrie~` (stem « indsutr ») found nothing. The stems
    near the typed word's stem are kept too (`Vencoreks~` → « vencorek » → « vencorex »).
    """

    def __init__(self, fieldname: str, text: str, stem: str, **kwargs) -> None:
        super().__init__(fieldname, text, **kwargs)
        self.stem = stem

    def __eq__(self, other) -> bool:
        return super().__eq__(other) and self.stem == getattr(other, "stem", None)

    def __hash__(self) -> int:
        return super().__hash__() ^ hash(self.stem)

    def _btexts(self, ixreader):
        field = ixreader.schema[self.fieldname]
        stems = set(ixreader.terms_within(self.fieldname, self.stem, self.maxdist, prefix=self.prefixlength))
        stems = {field.to_bytes(stem) for stem in stems}
        for word in words_within(ixreader, self.text, self.maxdist, self.prefixlength):
            for stem in field.process_text(word, mode="query"):
                btext = field.to_bytes(stem)
                if (self.fieldname, btext) in ixreader:
                    stems.add(btext)
        return iter(sorted(stems))


def words_within(reader, word: str, maxdist: int, prefix: int) -> set[str]:
    """Words of the spelling lexicon within maxdist edits of word (Damerau: a transposition
    is one edit), sharing its first `prefix` letters. Each segment's own automaton does the
    search; a transposition is probed as its swapped spelling at one edit less."""
    probes = [(word, maxdist)]
    probes += [
        (word[:i] + word[i + 1] + word[i] + word[i + 2 :], maxdist - 1)
        for i in range(prefix, len(word) - 1)
        if word[i] != word[i + 1]
    ]
    found: set[str] = set()
    for leaf, _offset in reader.leaf_readers():
        if SPELLING_FIELD not in leaf.indexed_field_names():
            continue
        for probe, distance in probes:
            found.update(leaf.terms_within(SPELLING_FIELD, probe, distance, prefix=prefix))
    return found


def check_size(raw: str) -> None:
    """Refuse a query too long to answer quickly (a 10 000-word OR took 10 s)."""
    words = [w for w in _WORD.findall(raw) if w not in OPERATORS]
    if len(words) > MAX_QUERY_WORDS:
        raise QuerySyntaxError(
            f"La requête compte {_count(len(words))} mots ({MAX_QUERY_WORDS} au plus) : "
            "raccourcissez-la ou utilisez les filtres."
        )


def query_notices(raw: str) -> list[str]:
    """What the search changed in what was typed (a fuzzy distance lowered), in French."""
    out = []
    for m in _FUZZY_DISTANCE.finditer(raw):
        if int(m.group(1)) > MAX_FUZZY_DISTANCE:
            out.append(
                f"« ~{m.group(1)} » ramené à « ~{MAX_FUZZY_DISTANCE} » : une recherche approchée admet "
                f"au plus {MAX_FUZZY_DISTANCE} lettres de différence."
            )
    return out


def expansion_notice(q: wq.Query) -> str:
    typed = q.text if isinstance(q, wq.Wildcard) else q.text + ("*" if isinstance(q, wq.Prefix) else "~")
    return (
        f"« {typed} » correspond à plus de {MAX_EXPANSIONS} mots : seuls les {MAX_EXPANSIONS} premiers "
        "(par ordre alphabétique) sont cherchés. Précisez le début du mot."
    )


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def text_terms(q: wq.Query) -> list[str]:
    """Positive terms of the text fields, in query order (for highlighting and proximity)."""
    out: list[str] = []

    def walk(node: wq.Query, negated: bool) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a, negated)
            return
        if isinstance(node, (wq.Term, wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            if node.fieldname in TEXT_FIELDS and not negated and node.text not in out:
                out.append(node.text)
            return
        if isinstance(node, wq.Phrase):
            if node.fieldname in TEXT_FIELDS:
                out.extend(w for w in node.words if w not in out)
            return
        for child in node.children():
            walk(child, negated)

    walk(q, negated=False)
    return out


def lead_terms(q: wq.Query) -> list[str]:
    """The plain text terms looked for in a document's lead (wildcards aside)."""
    return [t for t in text_terms(q) if "*" not in t and "?" not in t]


def join_hyphenated(text: str) -> str:
    """Hyphenated words become phrases of their parts, outside quotes.

    Whoosh reads any `-` as an exclusion, so `Pont-de-Claix` meant « pont, not claix ».
    As a phrase, the parts must be adjacent, which matches the hyphenated and the
    spaced spelling alike once the analyzer has split, folded and stemmed them;
    a word with a wildcard becomes a group of its parts (`sous-trait*`).
    """
    pieces = text.split('"')
    for i in range(0, len(pieces), 2):  # even pieces are outside quotes
        pieces[i] = _HYPHENATED.sub(_hyphenated_as_phrase, pieces[i])
    return '"'.join(pieces)


def _hyphenated_as_phrase(m: re.Match[str]) -> str:
    marker, prefix, body = m.groups()
    spaced = _INNER_HYPHENS.sub(" ", body)
    if any(c in body for c in "*?~^[]{}"):
        return f"{marker}{prefix}({spaced})"
    return f'{marker}{prefix}"{spaced}"'


def split_hyphens(word: str) -> list[str]:
    """The parts of a hyphenated word (for spelling suggestions)."""
    return [part for part in _INNER_HYPHENS.split(word) if part]


def _years(typed: str) -> list[int] | None:
    typed = typed.strip()
    if re.fullmatch(r"\d{4}", typed):
        return [int(typed)]
    m = _YEAR_RANGE.match(typed)
    if m:
        a, b = sorted((int(m.group(1)), int(m.group(2))))
        return list(range(a, b + 1))
    m = _YEAR_CMP.match(typed)
    if m:
        op, y = m.group(1), int(m.group(2))
        lo, hi = {">": (y + 1, 2100), ">=": (y, 2100), "<": (1900, y - 1), "<=": (1900, y)}[op]
        return list(range(lo, hi + 1))
    return None


def _shortened(text: str, notices: list[str]) -> str:
    """The query cut to MAX_QUERY_CHARS at a word boundary, with a notice when cut."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    cut = text[:MAX_QUERY_CHARS]
    if not text[MAX_QUERY_CHARS].isspace() and " " in cut:
        cut = cut[: cut.rindex(" ")]
    if cut.count('"') % 2:  # never leave a phrase open
        cut = cut[: cut.rindex('"')]
    notices.append(f"Requête raccourcie à {MAX_QUERY_CHARS} caractères.")
    return cut.strip()


UNCLOSED_QUOTE_NOTICE = "Guillemet ouvrant sans fermant : l'expression exacte va jusqu'à la fin de la requête."


def _closed_quote(text: str, notices: list[str]) -> str:
    """A phrase left open (« "France Relance ») runs to the end of the query, as in web search
    engines; Whoosh dropped the lone quote and read the words one by one, missing what the phrase
    names (the scheme France Relance)."""
    if text.count('"') % 2 == 0:
        return text
    head, _, tail = text.rpartition('"')
    if not any(c.isalnum() for c in tail):
        return (head + tail).strip()  # a quote with nothing after it
    notices.append(UNCLOSED_QUOTE_NOTICE)
    return text + '"'


def _drop_empty_fields(text: str, notices: list[str]) -> str:
    """`acteur:` with no value is dropped with a notice (Whoosh would read it as a word)."""

    def drop(m: re.Match[str]) -> str:
        notices.append(f"{m.group(1)}: sans valeur, ignoré.")
        return " "

    return " ".join(_EMPTY_FIELD.sub(drop, text).split())


_DANGLING = re.compile(r"^(?:AND|OR|ANDNOT|ANDMAYBE)(?=\s|$)|(?<=\s)(?:AND|OR|NOT|ANDNOT|ANDMAYBE)$|^NOT$")


def _drop_dangling_operators(text: str, notices: list[str]) -> str:
    """An operator with nothing to join (`Vencorex OR`) is dropped, not searched as a word."""
    while True:
        m = _DANGLING.search(text)
        if m is None:
            return text
        notices.append(f"« {m.group(0)} » sans mot à relier, ignoré.")
        text = (text[: m.start()] + text[m.end() :]).strip()


def _join_digit_groups(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _DIGIT_GROUP.sub(r"\1", text)
    return text


def _is_free_word(word: str) -> bool:
    return (
        word not in OPERATORS
        and ":" not in word
        and not word.startswith(("-", "+"))
        and not any(c in word for c in "*?~^[]{}")
    )


# ET, OU, SAUF read as AND, OR, NOT, outside quotes only.
_FRENCH_OPERATOR = re.compile(rf"(?<![\w:])({'|'.join(FRENCH_OPERATORS)})(?![\w:])")


def _french_operators(text: str) -> str:
    return _FRENCH_OPERATOR.sub(
        lambda m: m.group(0) if _inside_quotes(text, m.start()) else FRENCH_OPERATORS[m.group(1)], text
    )


def _inside_quotes(text: str, pos: int) -> bool:
    return text.count('"', 0, pos) % 2 == 1


def _has_content(text: str) -> bool:
    return any(c.isalnum() for c in text)
