"""SPARQL text as the stores see it: its query form and the clauses that change how it runs,
read token by token (strings, IRIs and comments cannot fool it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.store.base import ResultKind


_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"
             | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
             | "(?:[^"\\\r\n]|\\.)*"
             | '(?:[^'\\\r\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>(?:(?:[^\W\d]|_)[\w.\-]*)?:(?:[\w.\-:%]|\\.)*|(?:[^\W\d]|_)[\w.\-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
_QUERY_WORDS = {"SELECT": ResultKind.SELECT, "ASK": ResultKind.ASK, "CONSTRUCT": ResultKind.GRAPH, "DESCRIBE": ResultKind.GRAPH}
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _words(sparql: str) -> Iterator[str]:
    """Keywords and prefixed names, upper-cased, outside strings, IRIs and comments."""
    for match in _TOKEN.finditer(sparql):
        if match.lastgroup == "word":
            yield match.group().upper()


def _unescape(sparql: str) -> str:
    def char(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group()

    return _UCHAR.sub(char, sparql)


@dataclass(frozen=True, slots=True)
class QueryShape:
    """What the endpoint needs to know of a query before running it."""

    kind: ResultKind | None  # None: not a query form we know (the parser will say why)
    update: bool  # the text is a SPARQL Update
    service: bool  # it has a SERVICE clause
    dataset: bool  # it has FROM or FROM NAMED


def query_shape(sparql: str) -> QueryShape:
    """Read the query form and the clauses the endpoint cares about, token by token.

    The text is read as sent and with ``\\u`` escapes expanded, so neither hides a SERVICE.

    >>> query_shape('PREFIX s: <http://e/> SELECT * { ?s s:service "SERVICE" } # SERVICE')
    QueryShape(kind=<ResultKind.SELECT: 'select'>, update=False, service=False, dataset=False)
    >>> query_shape("BASE <http://e/> INSERT DATA { <a> <b> <c> }").update
    True
    """
    words = list(_words(sparql))
    escaped = list(_words(_unescape(sparql))) if _UCHAR.search(sparql) else []
    first = next((w for w in words if w not in ("BASE", "PREFIX") and not w.endswith(":")), None)
    return QueryShape(
        kind=_QUERY_WORDS.get(first or ""),
        update=first in _UPDATE_WORDS,
        service="SERVICE" in words or "SERVICE" in escaped,
        dataset="FROM" in words,
    )
