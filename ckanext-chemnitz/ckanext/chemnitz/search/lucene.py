"""Parser for the subset of the Lucene/Solr query syntax that CKAN clients send.

``q`` and ``fq`` of ``package_search`` are Solr queries: ``field:value``, quoted phrases, ``+``/``-``,
``AND``/``OR``/``NOT`` (and ``&&``/``||``/``!``), parentheses, ``[a TO b]``/``{a TO b}`` ranges,
``*``/``?`` wildcards, ``*:*``, boosts (``^2``) and fuzzy/slop suffixes (``~``), which are accepted
and ignored. The parser builds a small syntax tree and never produces SQL itself; the compiler
turns the tree into parameterised SQL.

Boolean semantics follow Lucene's classic query parser: a group is a list of clauses, each
MUST, SHOULD or MUST_NOT; with the default operator AND an unmarked clause is MUST, and ``a OR b``
turns both neighbours into SHOULD clauses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import NamedTuple

from ckanext.chemnitz.search.errors import InvalidQuery

_SPECIAL = set('()[]{}"^~:\\')
_WILDCARDS = "*?"
# Groups nest by recursion (parser and compiler); thousands of ``(`` exhausted Python's stack (an
# HTTP 500). No query a person or CKAN's own pages write comes near this depth.
MAX_NESTING = 50


class Occur(enum.Enum):
    MUST = "must"
    SHOULD = "should"
    MUST_NOT = "must_not"


@dataclass(frozen=True)
class MatchAll:
    """``*:*``"""


@dataclass(frozen=True)
class Exists:
    """``field:*``: the field has any value."""

    field: str


@dataclass(frozen=True)
class Term:
    """One word or token. ``field`` is None for the default field (free text)."""

    field: str | None
    text: str
    # SQL LIKE pattern when the term has unescaped wildcards, else None.
    like: str | None = None
    # The literal before a single trailing ``*`` (prefix search), else None.
    prefix: str | None = None


@dataclass(frozen=True)
class Phrase:
    field: str | None
    text: str


@dataclass(frozen=True)
class Range:
    field: str
    low: str | None  # None is an open bound (``*``)
    high: str | None
    include_low: bool = True
    include_high: bool = True


@dataclass
class Clause:
    occur: Occur
    query: Node


@dataclass
class BooleanQuery:
    clauses: list[Clause] = dataclass_field(default_factory=list)
    # Minimum number of SHOULD clauses that must match; None keeps Lucene's rule
    # (at least one when there is no MUST clause, none otherwise).
    minimum_should_match: int | None = None
    # True when the user wrote AND/OR/NOT (or && || !) somewhere in this query.
    has_operators: bool = False


Node = MatchAll | Exists | Term | Phrase | Range | BooleanQuery


class _Tok(enum.Enum):
    TERM = "term"
    QUOTED = "quoted"
    RANGE = "range"
    LPAREN = "("
    RPAREN = ")"
    COLON = ":"
    PLUS = "+"
    MINUS = "-"
    NOT = "NOT"
    AND = "AND"
    OR = "OR"
    BOOST = "^"
    FUZZY = "~"
    EOF = "end of query"


_OPERATORS = {  # the characters that are a token of their own
    "(": _Tok.LPAREN, ")": _Tok.RPAREN, ":": _Tok.COLON, "&&": _Tok.AND, "||": _Tok.OR,
    "+": _Tok.PLUS, "-": _Tok.MINUS, "!": _Tok.NOT,
}  # fmt: skip


@dataclass
class _Token:
    kind: _Tok
    value: object = None
    position: int = 0


class _Bounds(NamedTuple):
    """A range as typed: its bounds (None for ``*``) and whether each is included."""

    low: str | None
    high: str | None
    include_low: bool
    include_high: bool


@dataclass
class _Word:
    """A term as typed: ``chars`` with a parallel ``escaped`` flag per character."""

    chars: str
    escaped: tuple[bool, ...]

    @property
    def literal(self) -> str:
        return self.chars

    def is_star(self) -> bool:
        return self.chars == "*" and not self.escaped[0]

    def wildcard_positions(self) -> list[int]:
        return [i for i, c in enumerate(self.chars) if c in _WILDCARDS and not self.escaped[i]]


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str, position: int | None = None) -> InvalidQuery:
        where = self.pos if position is None else position
        shown = self.text if len(self.text) <= 200 else self.text[:200] + "…"
        return InvalidQuery(f"Cannot parse '{shown}': {message} at position {where}")

    def tokens(self) -> list[_Token]:
        result: list[_Token] = []
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                result.append(_Token(_Tok.EOF, position=self.pos))
                return result
            start = self.pos
            char = text[self.pos]
            symbol = next((s for s in (text[self.pos : self.pos + 2], char) if s in _OPERATORS), None)
            if symbol:
                result.append(_Token(_OPERATORS[symbol], position=start))
                self.pos += len(symbol)
            elif char == '"':
                result.append(_Token(_Tok.QUOTED, self._quoted(), position=start))
            elif char in "[{":
                result.append(_Token(_Tok.RANGE, self._range(), position=start))
            elif char == "^":
                self.pos += 1
                self._number("a boost factor after '^'")
                result.append(_Token(_Tok.BOOST, position=start))
            elif char == "~":
                self.pos += 1
                if self.pos < len(text) and (text[self.pos].isdigit() or text[self.pos] == "."):
                    self._number("a number after '~'")
                result.append(_Token(_Tok.FUZZY, position=start))
            elif char in "]}":
                raise self.error(f"unexpected '{char}'")
            else:
                word = self._word()
                if word.chars in ("AND", "OR", "NOT") and not any(word.escaped):
                    result.append(_Token(_Tok[word.chars], position=start))
                else:
                    result.append(_Token(_Tok.TERM, word, position=start))

    def _number(self, what: str) -> None:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isdigit() or self.text[self.pos] == "."):
            self.pos += 1
        if self.pos == start:
            raise self.error(f"expected {what}")

    def _word(self) -> _Word:
        chars: list[str] = []
        escaped: list[bool] = []
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\":
                if self.pos + 1 >= len(text):
                    raise self.error("dangling escape character '\\'")
                chars.append(text[self.pos + 1])
                escaped.append(True)
                self.pos += 2
                continue
            if char.isspace() or char in _SPECIAL:
                break
            if char == "&" and text[self.pos : self.pos + 2] == "&&":
                break
            if char == "|" and text[self.pos : self.pos + 2] == "||":
                break
            chars.append(char)
            escaped.append(False)
            self.pos += 1
        if not chars:
            raise self.error(f"unexpected '{text[self.pos]}'")
        return _Word("".join(chars), tuple(escaped))

    def _quoted(self) -> str:
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                chars.append(text[self.pos + 1])
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return "".join(chars)
            else:
                chars.append(char)
                self.pos += 1
        raise self.error("missing closing quote '\"'", start)

    def _range(self) -> _Bounds:
        start = self.pos
        include_low = self.text[self.pos] == "["
        self.pos += 1
        bounds: list[str | None] = []
        words: list[str] = []
        text = self.text
        while True:
            while self.pos < len(text) and text[self.pos].isspace():
                self.pos += 1
            if self.pos >= len(text):
                raise self.error("missing ']' or '}' to close the range", start)
            char = text[self.pos]
            if char in "]}":
                include_high = char == "]"
                self.pos += 1
                break
            if char == '"':
                words.append(self._quoted())
                continue
            word_start = self.pos
            while self.pos < len(text) and not text[self.pos].isspace() and text[self.pos] not in "]}":
                if text[self.pos] == "\\" and self.pos + 1 < len(text):
                    self.pos += 1
                self.pos += 1
            words.append(text[word_start : self.pos].replace("\\", ""))
        if len(words) != 3 or words[1] != "TO":
            raise self.error("a range must look like [low TO high]", start)
        for bound in (words[0], words[2]):
            bounds.append(None if bound == "*" else bound)
        return _Bounds(bounds[0], bounds[1], include_low, include_high)


class _Parser:
    def __init__(self, text: str, default_and: bool) -> None:
        self.lexer = _Lexer(text)
        self.tokens = self.lexer.tokens()
        self.index = 0
        self.default_and = default_and
        self.has_operators = False
        self.nesting = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, token: _Token | None = None) -> InvalidQuery:
        return self.lexer.error(message, (token or self.current).position)

    def parse(self) -> BooleanQuery:
        query = self.query(None)
        if self.current.kind is not _Tok.EOF:
            raise self.error(f"unexpected '{self.current.kind.value}'")
        query.has_operators = self.has_operators
        return query

    def query(self, field: str | None) -> BooleanQuery:
        clauses: list[Clause] = []
        while self.current.kind not in (_Tok.EOF, _Tok.RPAREN):
            conjunction = None
            if self.current.kind in (_Tok.AND, _Tok.OR):
                if not clauses:
                    raise self.error(f"'{self.current.kind.value}' needs a clause before it")
                conjunction = self.advance().kind
                self.has_operators = True
            modifier = None
            if self.current.kind in (_Tok.PLUS, _Tok.MINUS, _Tok.NOT):
                modifier = self.advance().kind
                if modifier is _Tok.NOT:
                    self.has_operators = True
            if self.current.kind in (_Tok.EOF, _Tok.RPAREN, _Tok.AND, _Tok.OR):
                raise self.error("expected a search term")
            node = self.clause(field)
            self._add_clause(clauses, conjunction, modifier, node)
        if not clauses:
            raise self.error("empty query")
        return BooleanQuery(clauses)

    def _add_clause(self, clauses: list[Clause], conjunction: _Tok | None, modifier: _Tok | None, node: Node) -> None:
        """Lucene's QueryParserBase.addClause, so ``a OR b c`` means what it means in Solr."""
        if clauses and conjunction is _Tok.AND and clauses[-1].occur is not Occur.MUST_NOT:
            clauses[-1].occur = Occur.MUST
        if clauses and self.default_and and conjunction is _Tok.OR and clauses[-1].occur is not Occur.MUST_NOT:
            clauses[-1].occur = Occur.SHOULD
        prohibited = modifier in (_Tok.MINUS, _Tok.NOT)
        if self.default_and:
            required = not prohibited and conjunction is not _Tok.OR
        else:
            required = modifier is _Tok.PLUS or (conjunction is _Tok.AND and not prohibited)
        if prohibited:
            occur = Occur.MUST_NOT
        elif required:
            occur = Occur.MUST
        else:
            occur = Occur.SHOULD
        clauses.append(Clause(occur, node))

    def clause(self, field: str | None) -> Node:
        token = self.current
        if token.kind is _Tok.TERM and self.tokens[self.index + 1].kind is _Tok.COLON:
            word = token.value
            assert isinstance(word, _Word)
            self.index += 2
            if word.is_star() and self._is_star_term():
                self.advance()
                self._suffixes()
                return MatchAll()
            field = word.literal
        if self.current.kind is _Tok.LPAREN:
            if self.nesting == MAX_NESTING:
                raise self.error(f"parentheses nested deeper than {MAX_NESTING} levels")
            self.advance()
            self.nesting += 1
            inner = self.query(field)
            self.nesting -= 1
            if self.current.kind is not _Tok.RPAREN:
                raise self.error("missing closing parenthesis ')'")
            self.advance()
            self._suffixes()
            return inner
        return self.value(field)

    def _is_star_term(self) -> bool:
        token = self.current
        return token.kind is _Tok.TERM and isinstance(token.value, _Word) and token.value.is_star()

    def value(self, field: str | None) -> Node:
        token = self.advance()
        if token.kind is _Tok.QUOTED:
            self._suffixes()
            return Phrase(field, str(token.value))
        if token.kind is _Tok.RANGE:
            if field is None:
                raise self.error("a range needs a field, e.g. metadata_modified:[NOW-1DAY TO NOW]", token)
            bounds = token.value
            assert isinstance(bounds, _Bounds)  # what the tokenizer made of a range
            self._suffixes()
            return Range(field, bounds.low, bounds.high, bounds.include_low, bounds.include_high)
        if token.kind is not _Tok.TERM:
            raise self.error(f"unexpected '{token.kind.value}'", token)
        word = token.value
        assert isinstance(word, _Word)
        self._suffixes()
        if word.is_star():
            return Exists(field) if field else MatchAll()
        return _term(field, word)

    def _suffixes(self) -> None:
        while self.current.kind in (_Tok.BOOST, _Tok.FUZZY):
            self.advance()


def _term(field: str | None, word: _Word) -> Term:
    wildcards = word.wildcard_positions()
    if not wildcards:
        return Term(field, word.literal)
    like = []
    for i, char in enumerate(word.chars):
        if i in wildcards:
            like.append("%" if char == "*" else "_")
        elif char in "%_\\":
            like.append("\\" + char)
        else:
            like.append(char)
    prefix = None
    if wildcards == [len(word.chars) - 1] and word.chars[-1] == "*" and len(word.chars) > 1:
        prefix = word.chars[:-1]
    return Term(field, word.literal, like="".join(like), prefix=prefix)


def parse(text: str, default_and: bool = True) -> BooleanQuery:
    """Parse a Solr query; raise InvalidQuery with the reason when it is malformed."""
    return _Parser(text, default_and).parse()
