"""Named SPARQL queries from ``queries/``, safe parameter binding, and result rows.

A named query is a ``.rq`` file whose leading comment describes it::

    # Casualty claims with their source, relaying outlet, hedge and figure.
    # param about: optional; only claims whose content or entities mention this name
    SELECT ...

Parameters are bound as RDF terms in a ``VALUES`` block placed at the start of the query's
``WHERE`` group, never by pasting text into the query: a value with quotes, braces or SPARQL
keywords stays one string literal.

>>> bind_parameters('SELECT ?x WHERE { ?x ?p ?name }', {"name": 'a"} . ?s ?p ?o {'})
'SELECT ?x WHERE { VALUES (?name) { ("a\\\\"} . ?s ?p ?o {") } ?x ?p ?name }'
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg.config import data_dir
from kg.errors import QueryError
from kg.ontology import sparql_prologue
from kg.store import Results, ResultKind, Store, Term

_PARAM = re.compile(r"^#\s*param\s+(\w+)\s*:\s*(.*)$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ResultFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A ``.rq`` file of ``queries/`` with its text, description and parameters."""

    name: str
    path: Path
    text: str
    description: str
    params: dict[str, str] = field(default_factory=dict)  # name → description


def _parse_header(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    description: list[str] = []
    params: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _PARAM.match(line)
        if match:
            params[match.group(1)] = match.group(2).strip()
        elif line.strip("# ").strip():
            description.append(line.lstrip("#").strip())
    return NamedQuery(path.stem, path, text, " ".join(description), params)


def named_queries() -> dict[str, NamedQuery]:
    """The shipped named queries by name (a copy: the caller may change it).

    >>> "casualty-claims" in named_queries()
    True
    """
    return dict(_shipped_queries())


@lru_cache(maxsize=None)
def _shipped_queries() -> dict[str, NamedQuery]:
    # Read once per process, as the other shipped data (kg.config.read_data): a build's summary
    # asks nine of them per batch, and reading every file for each cost 7 % of that work.
    folder = data_dir("queries")
    return {p.stem: _parse_header(p) for p in sorted(folder.glob("*.rq"))}


def get_query(name: str) -> NamedQuery:
    queries = _shipped_queries()
    if name not in queries:
        raise QueryError(f"no named query {name!r}; known: {', '.join(queries)}")
    return queries[name]


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    long = text.startswith(quote * 3, i)
    end = quote * 3 if long else quote
    j = i + len(end)
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text.startswith(end, j):
            return j + len(end)
        j += 1
    raise QueryError("unterminated string in query")


def _where_brace(text: str) -> int:
    """Index of the first ``{`` outside strings, IRIs and comments: the WHERE group."""
    i = 0
    while i < len(text):
        c = text[i]
        if c == "#":
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline + 1
        elif c in "\"'":
            i = _skip_string(text, i)
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i = text.index(">", i) + 1
        elif c == "{":
            return i
        else:
            i += 1
    raise QueryError("the query has no WHERE group to bind parameters in")


_TERMS = (NamedNode, BlankNode, Literal, Triple)


def term_for(value: Value) -> Term:
    """A parameter value as an RDF term: strings become plain literals."""
    if isinstance(value, _TERMS):
        return value
    return Literal(str(value))


Value = str | Term
Param = Value | Sequence[Value]


def bind_parameters(sparql: str, params: Mapping[str, Param]) -> str:
    """The query with each parameter bound by a ``VALUES`` block at the start of its WHERE group.

    A list value binds the parameter to each of its items (one solution row each).
    """
    if not params:
        return sparql
    for name in params:
        if not _VARIABLE.match(name):
            raise QueryError(f"invalid parameter name {name!r}: use letters, digits and _")
    names = " ".join(f"?{n}" for n in params)
    choices = [[v] if isinstance(v, (str, *_TERMS)) else list(v) for v in params.values()]
    solutions = " ".join("(" + " ".join(str(term_for(v)) for v in row) + ")" for row in itertools.product(*choices))
    block = f"VALUES ({names}) {{ {solutions} }}"
    brace = _where_brace(sparql)
    return f"{sparql[: brace + 1]} {block}{sparql[brace + 1:]}"


def resolve_query_text(query: str) -> tuple[str, NamedQuery | None]:
    """SPARQL text, a path to a ``.rq`` file, or the name of a named query → query text."""
    stripped = query.strip()
    if re.fullmatch(r"[A-Za-z0-9_-]+", stripped):
        named = get_query(stripped)
        return named.text, named
    if stripped.endswith(".rq") and "\n" not in stripped:
        path = Path(stripped)
        if not path.is_file():
            raise QueryError(f"{path}: no such query file")
        return path.read_text(encoding="utf-8"), None
    return query, None


def with_prologue(sparql: str) -> str:
    # Known prefixes are declared unless the query declares them itself.
    declared = {m.lower() for m in re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", sparql)}
    extra = "".join(line for line in sparql_prologue().splitlines(keepends=True) if line.split()[1][:-1].lower() not in declared)
    return extra + sparql


def query(store: Store, sparql: str, *, params: Mapping[str, Param] | None = None) -> Results:
    """Run SPARQL text, a ``.rq`` file or a named query with parameters bound safely.

    >>> from kg.store import open_store
    >>> with open_store(":memory:") as s:
    ...     query(s, "SELECT ?x WHERE { BIND(?name AS ?x) }", params={"name": "HUR"}).rows
    [{'x': <Literal value=HUR datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>}]
    """
    text, named = resolve_query_text(sparql)
    params = dict(params or {})
    if named is not None:
        unknown = set(params) - set(named.params)
        if unknown:
            raise QueryError(
                f"query {named.name!r} has no parameter {', '.join(sorted(unknown))}; "
                f"it takes: {', '.join(named.params) or 'none'}"
            )
    return store.query(with_prologue(bind_parameters(text, params)))


# --- results as plain values and as the standard result formats -------------------------------


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def python_value(term: Term) -> object:
    """A term as a plain Python value: IRIs and strings as ``str``, numbers as numbers."""
    if isinstance(term, Literal):
        datatype = term.datatype.value
        if datatype == _XSD_STRING:  # most literals: the summary's rows convert some 100,000
            return term.value
        dt = datatype.rsplit("#", 1)[-1]
        if dt in {"integer", "int", "long", "nonNegativeInteger", "short"}:
            return int(term.value)
        if dt in {"decimal", "double", "float"}:
            number = float(term.value)
            return int(number) if number.is_integer() else number
        if dt == "boolean":
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, (NamedNode, BlankNode)):
        return term.value
    return str(term)


def rows(results: Results) -> list[dict[str, object]]:
    """SELECT rows as dicts of plain values (absent for unbound variables)."""
    return [{k: python_value(v) for k, v in row.items()} for row in results.rows]


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def to_sparql_json(results: Results) -> str:
    """SPARQL 1.1 Query Results JSON for SELECT and ASK."""
    if results.kind is ResultKind.ASK:
        return json.dumps({"head": {}, "boolean": bool(results.boolean)})
    if results.kind is not ResultKind.SELECT:
        raise QueryError("JSON results are for SELECT and ASK; use an RDF format for CONSTRUCT")
    bindings = [{k: _json_term(v) for k, v in row.items()} for row in results.rows]
    return json.dumps({"head": {"vars": results.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)


def to_delimited(results: Results, *, delimiter: str = ",") -> str:
    """SPARQL 1.1 CSV (plain values) or, with a tab, a TSV of plain values."""
    if results.kind is ResultKind.ASK:
        return f"boolean\n{str(bool(results.boolean)).lower()}\n"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(results.variables)
    for row in results.rows:
        writer.writerow(["" if (t := row.get(v)) is None else python_value(t) for v in results.variables])
    return out.getvalue()
