"""The read-only SPARQL endpoint: SPARQL 1.1 Protocol over the standard library's HTTP server.

``serve(store)`` answers on ``http://127.0.0.1:7878/sparql`` until interrupted; ``make_server``
returns the server unstarted (tests run it in a thread on port 0).

What the endpoint does, and refuses:

- Queries by ``GET /sparql?query=…``, ``POST`` of a form (``query=…``) and ``POST`` of
  ``application/sparql-query``. ``GET /`` (and ``GET /sparql`` without a query) is a short page.
- The answer's format follows the ``Accept`` header, or a ``format``/``output`` parameter, which
  wins: SELECT and ASK as SPARQL Results JSON (the default), XML, CSV or TSV; CONSTRUCT and DESCRIBE
  as Turtle (the default), N-Triples, JSON-LD or RDF/XML. A format that is not offered answers 406.
- Known prefixes (``nkg:``, ``schema:``, ``prov:``, …) need no ``PREFIX`` line, as in ``kg query``.
- Read-only: SPARQL Update is refused with 403, whether sent as ``application/sparql-update``, as
  an ``update=`` field or as a query. The endpoint only ever runs SPARQL *queries* on the store,
  and pyoxigraph's query call cannot write (it does not parse updates).
- No outbound calls: a query with a ``SERVICE`` clause is refused with 400 (the check reads the
  query token by token, so the word inside a string, IRI or comment does not count).
- ``default-graph-uri`` and ``named-graph-uri`` are refused with 400. The default graph is the union
  of all document graphs; a query names graphs with ``FROM``/``FROM NAMED`` or ``GRAPH``.
- Time-out: a query runs in a worker thread; after ``timeout`` seconds the client gets 503.
  pyoxigraph cannot be interrupted: the worker stops at its next result row when results stream
  (most SELECT and CONSTRUCT queries), but a step that computes everything first (ORDER BY,
  GROUP BY, COUNT, DISTINCT over a large input) runs to its end in the background. At most
  ``workers`` queries run at once, abandoned ones included; beyond that a request waits for a
  free worker within its own time-out, then gets 503.
- Result size: at most ``max_rows`` rows (SELECT) or triples (CONSTRUCT/DESCRIBE) are sent, the
  first ones in the query's order, with the header ``X-Result-Truncated: true``. On the embedded
  store the query stops reading after that many, so a huge result costs neither memory nor time.
- One line per request on stderr; ``Access-Control-Allow-Origin: *`` for browser tools.

The embedded store admits one process at a time, so the server holds it for its whole life;
a ``kg build`` on the same store meanwhile gets "the store is busy".
"""

from __future__ import annotations

import html
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    parse_query_results,
    serialize,
)

from kg import __version__
from kg.errors import ConfigError, KgError, QueryError, StoreError
from kg.ontology import PREFIXES
from kg.queries import with_prologue, to_sparql_json
from kg.store import EmbeddedStore, Results, ResultKind, Store, Term
from kg.store.base import solution_rows
from kg.store.sparql import QueryShape, query_shape

__all__ = ["DEFAULT_PORT", "SparqlServer", "make_server", "serve"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 4
MAX_BODY = 1 << 20  # bytes of a POSTed query or form

# --- formats -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Format:
    name: str
    media_type: str  # what the answer's Content-Type says
    also: tuple[str, ...] = ()  # other media types in Accept that get this format
    names: tuple[str, ...] = ()  # values of the format/output parameter that get it

    @property
    def content_type(self) -> str:
        # text/* needs its charset said; JSON, XML and N-Triples are UTF-8 by their own definition.
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type


# The first of each list is the default.
SOLUTION_FORMATS = (
    _Format("json", "application/sparql-results+json", ("application/json", "text/javascript", "application/javascript"), ("json",)),
    _Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), ("xml",)),
    _Format("csv", "text/csv", (), ("csv",)),
    _Format("tsv", "text/tab-separated-values", (), ("tsv",)),
)
GRAPH_FORMATS = (
    _Format("turtle", "text/turtle", ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3"), ("turtle", "ttl", "n3")),
    _Format("ntriples", "application/n-triples", ("text/plain",), ("ntriples", "n-triples", "nt")),
    _Format("jsonld", "application/ld+json", ("application/json", "application/x-json+ld"), ("jsonld", "json-ld", "json")),
    _Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdfxml", "rdf+xml", "rdf", "xml")),
)
_RESULTS_FORMAT = {"xml": QueryResultsFormat.XML, "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}
_RDF_FORMAT = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}


def _accepted(header: str) -> list[str]:
    """Media ranges of an Accept header, most wanted first (q, then specificity, then order)."""
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            key, _, value = f.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((-q, media.count("*"), index, media))
    return [media for *_, media in sorted(ranges)]


def negotiate(kind: ResultKind, accept: str | None, format_values: Iterable[str] = ()) -> _Format | None:
    """The format to answer in, or ``None`` when nothing asked for is offered.

    >>> negotiate(ResultKind.SELECT, "text/csv;q=0.5, application/sparql-results+xml").name
    'xml'
    >>> negotiate(ResultKind.GRAPH, None, ["json"]).media_type
    'application/ld+json'
    >>> negotiate(ResultKind.ASK, "text/turtle") is None
    True
    """
    offered = GRAPH_FORMATS if kind is ResultKind.GRAPH else SOLUTION_FORMATS
    values = [v.strip().lower() for v in format_values if v.strip()]
    if values:  # SPARQLWrapper sends e.g. format=tsv&format=text/tab-separated-values
        for value in values:
            for fmt in offered:
                if value in fmt.names or value == fmt.media_type or value in fmt.also:
                    return fmt
        return None
    if not accept or not accept.strip():
        return offered[0]
    for media in _accepted(accept):
        if media == "*/*":
            return offered[0]
        for fmt in offered:
            if media.endswith("/*") and fmt.media_type.startswith(media[:-1]):
                return fmt
            if media == fmt.media_type or media in fmt.also:
                return fmt
    return None


def _result_term(term: Term) -> dict[str, object]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        else:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {"subject": _result_term(term.subject), "predicate": _result_term(term.predicate), "object": _result_term(term.object)},
    }


def _pyoxigraph_results(results: Results) -> QuerySolutions | QueryBoolean:
    """``Results`` back as pyoxigraph's own result type, to use its standard serialisers."""
    if results.kind is ResultKind.ASK:
        document: dict[str, object] = {"head": {}, "boolean": bool(results.boolean)}
    else:
        bindings = [{name: _result_term(term) for name, term in row.items()} for row in results.rows]
        document = {"head": {"vars": results.variables}, "results": {"bindings": bindings}}
    return parse_query_results(json.dumps(document), QueryResultsFormat.JSON)


def serialize_results(results: Results, fmt: _Format) -> bytes:
    """One place per format: JSON as ``kg query --format json`` writes it; XML, CSV (plain values)
    and TSV (N-Triples terms) by pyoxigraph's serialisers; RDF by pyoxigraph's RDF serialisers."""
    if results.kind is ResultKind.GRAPH:
        rdf = _RDF_FORMAT[fmt.name]
        kwargs = {"prefixes": PREFIXES} if rdf in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else {}
        return serialize(results.triples, format=rdf, **kwargs)
    if fmt.name == "json":
        return to_sparql_json(results).encode("utf-8")
    return _pyoxigraph_results(results).serialize(format=_RESULTS_FORMAT[fmt.name])


# --- running it ------------------------------------------------------------------------------


class _HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class _Cancelled(Exception):
    """The client's time ran out; the worker stops reading results."""


def _bounded(items: Iterable[object], limit: int | None, cancelled: threading.Event) -> tuple[list, bool]:
    out: list = []
    for item in items:
        if cancelled.is_set():
            raise _Cancelled
        if limit is not None and len(out) >= limit:
            return out, True
        out.append(item)
    return out, False


def _run_query(store: Store, sparql: str, *, dataset: bool, limit: int | None, cancelled: threading.Event) -> tuple[Results, bool]:
    """Run a query and keep at most ``limit`` rows/triples; also says whether more were left.

    On the embedded store the results are read as pyoxigraph streams them, so the query stops
    early at the limit or when cancelled; other stores answer whole and are cut afterwards.
    """
    if not isinstance(store, EmbeddedStore):
        results = store.query(sparql)
        items = results.triples if results.kind is ResultKind.GRAPH else results.rows
        truncated = limit is not None and len(items) > limit
        if truncated:
            if results.kind is ResultKind.GRAPH:
                results.triples = results.triples[:limit]
            else:
                results.rows = results.rows[:limit]
        return results, truncated
    try:
        # The default graph is the union of the document graphs, unless the query names its
        # own dataset with FROM / FROM NAMED, which pyoxigraph honours only without the union.
        answer = store.ox.query(sparql, use_default_graph_as_union=not dataset)
        if isinstance(answer, QueryBoolean):
            return Results(ResultKind.ASK, boolean=bool(answer)), False
        if isinstance(answer, QuerySolutions):
            variables = [v.value for v in answer.variables]
            solutions, truncated = _bounded(answer, limit, cancelled)
            return Results(ResultKind.SELECT, variables=variables, rows=solution_rows(variables, solutions)), truncated
        triples, truncated = _bounded(answer, limit, cancelled)
        return Results(ResultKind.GRAPH, triples=triples), truncated
    except SyntaxError as exc:
        raise QueryError(f"invalid SPARQL: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"{store.location}: query failed: {exc}") from exc


# --- the server ------------------------------------------------------------------------------


class SparqlServer(ThreadingHTTPServer):
    """A threading HTTP server holding the store and the endpoint's limits."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        store: Store,
        *,
        timeout: float | None,
        max_rows: int | None,
        workers: int,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.query_timeout = timeout
        self.max_rows = max_rows
        self.workers = workers
        self.slots = threading.BoundedSemaphore(workers)
        self.log = log or _stderr
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/sparql"

    def execute(self, sparql: str, shape: QueryShape) -> tuple[Results, bool]:
        """Run the query in a worker thread within the time-out (503 when it runs out)."""
        deadline = None if self.query_timeout is None else time.monotonic() + self.query_timeout
        if not self.slots.acquire(timeout=self.query_timeout):
            raise _HttpError(
                503,
                f"the endpoint is busy: {self.workers} queries are still running (some may be past their "
                f"time-out and cannot be interrupted); try again later",
                {"Retry-After": "10"},
            )
        cancelled = threading.Event()
        done = threading.Event()
        box: dict[str, object] = {}

        def work() -> None:
            try:
                box["answer"] = _run_query(self.store, sparql, dataset=shape.dataset, limit=self.max_rows, cancelled=cancelled)
            except _Cancelled:
                pass
            except BaseException as exc:  # handed to the request thread
                box["error"] = exc
            finally:
                self.slots.release()
                done.set()

        threading.Thread(target=work, name="kg-serve-query", daemon=True).start()
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not done.wait(remaining):
            cancelled.set()
            raise _HttpError(
                503,
                f"the query ran out of time ({self.query_timeout:g} s); narrow it, add a LIMIT, "
                "or ask the server operator for a longer --timeout",
            )
        if "error" in box:
            raise box["error"]  # type: ignore[misc]
        return box["answer"]  # type: ignore[return-value]


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


_POSITION = re.compile(r"error at (\d+):(\d+)(?:-(\d+):(\d+))?")


def _shift_lines(message: str, added: int) -> str:
    """Error positions in the user's own lines, not counting the prefix lines the endpoint adds.

    >>> _shift_lines("invalid SPARQL: error at 12:5: expected OPTIONAL", 10)
    'invalid SPARQL: error at 2:5: expected OPTIONAL'
    """

    def shift(m: re.Match[str]) -> str:
        start = f"{max(1, int(m.group(1)) - added)}:{m.group(2)}"
        return f"error at {start}" + (f"-{max(1, int(m.group(3)) - added)}:{m.group(4)}" if m.group(3) else "")

    return _POSITION.sub(shift, message, count=1) if added else message


@dataclass(slots=True)
class _Response:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    note: str = ""


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = f"newskg/{__version__}"
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_OPTIONS(self) -> None:  # noqa: N802 - CORS preflight
        self._handle("OPTIONS")

    def _handle(self, method: str) -> None:
        start = time.monotonic()
        try:
            response = self._respond(method)
        except _HttpError as exc:
            response = _Response(exc.status, (exc.message + "\n").encode("utf-8"), headers=exc.headers, note=exc.message)
        except QueryError as exc:
            response = _Response(400, (str(exc) + "\n").encode("utf-8"), note="invalid query")
        except KgError as exc:
            response = _Response(500, (str(exc) + "\n").encode("utf-8"), note=str(exc))
        except Exception as exc:  # noqa: BLE001 - a request must never take the server down
            response = _Response(500, f"internal error: {type(exc).__name__}: {exc}\n".encode(), note=repr(exc))
        elapsed = time.monotonic() - start
        path = urlsplit(self.path).path
        note = f" {response.note}" if response.note else ""
        # Logged before the answer goes out: a server stopped right after a client got its
        # answer has logged the request (handler threads are not waited for on exit).
        self.server.log(
            f"{self.log_date_time_string()} {self.client_address[0]} {method} {path} "
            f"{response.status} {len(response.body)} B {elapsed:.3f} s{note}"
        )
        self._send(response)

    def _send(self, response: _Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-Result-Truncated, X-Result-Limit")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_request(self, code: object = "-", size: object = "-") -> None:
        """Silenced: ``_handle`` writes one line per request itself."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        # Only http.server's own errors (malformed request lines…) arrive here.
        self.server.log(f"{self.log_date_time_string()} {self.client_address[0]} {format % args}")

    # --- the protocol ---

    def _respond(self, method: str) -> _Response:
        url = urlsplit(self.path)
        if url.path not in ("/sparql", "/sparql/", "/"):
            raise _HttpError(404, f"no such path {url.path!r}; the SPARQL endpoint is /sparql")
        if method == "OPTIONS":
            return _Response(
                204,
                b"",
                headers={
                    "Allow": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type, Accept",
                    "Access-Control-Max-Age": "86400",
                },
            )
        params = self._parse(url.query, "the URL")
        direct: str | None = None
        if method == "POST":
            ctype, charset = self._content_type()
            body = self._body()
            if ctype == "application/sparql-update":
                raise _HttpError(403, "SPARQL Update is not allowed: this endpoint is read-only")
            if ctype == "application/x-www-form-urlencoded":
                for name, values in self._parse(self._decode(body, charset), "the form").items():
                    params.setdefault(name, []).extend(values)
            elif ctype == "application/sparql-query":
                direct = self._decode(body, charset)
            else:
                raise _HttpError(
                    415,
                    f"unsupported Content-Type {ctype or '(none)'!r}: POST a query as application/sparql-query "
                    "or as the query field of application/x-www-form-urlencoded",
                )
        if params.get("update"):
            raise _HttpError(403, "SPARQL Update is not allowed: this endpoint is read-only")
        for name in ("default-graph-uri", "named-graph-uri"):
            if any(v.strip() for v in params.get(name, [])):
                raise _HttpError(
                    400,
                    f"{name} is not supported: the default graph is the union of all document graphs; "
                    "name graphs inside the query with FROM, FROM NAMED or GRAPH",
                )
        texts = params.get("query", []) + ([direct] if direct is not None else [])
        if not texts and method == "GET":
            return self._page()
        if len(texts) != 1:
            raise _HttpError(400, "send exactly one query: a query parameter, a query form field, or an application/sparql-query body")
        return self._answer(texts[0], params)

    def _answer(self, sparql: str, params: dict[str, list[str]]) -> _Response:
        shape = query_shape(sparql)
        if shape.update:
            raise _HttpError(403, "SPARQL Update is not allowed: this endpoint is read-only")
        if shape.service:
            raise _HttpError(400, "SERVICE is not allowed: this endpoint makes no outbound requests (federated queries are off)")
        fmt = None
        if shape.kind is not None:
            fmt = negotiate(shape.kind, self.headers.get("Accept"), params.get("format", []) + params.get("output", []))
            if fmt is None:
                self._not_acceptable(shape.kind)
        text = with_prologue(sparql)
        added = text.count("\n") - sparql.count("\n")
        try:
            results, truncated = self.server.execute(text, shape)
        except QueryError as exc:
            raise _HttpError(400, _shift_lines(str(exc), added)) from exc
        if fmt is None:  # the parser accepted a form we did not recognise: negotiate now
            fmt = negotiate(results.kind, self.headers.get("Accept"), params.get("format", []) + params.get("output", []))
            if fmt is None:
                self._not_acceptable(results.kind)
        try:
            body = serialize_results(results, fmt)
        except (ValueError, SyntaxError, OSError) as exc:
            raise _HttpError(406, f"the result cannot be written as {fmt.media_type}: {exc}") from exc
        count = len(results.triples) if results.kind is ResultKind.GRAPH else len(results.rows)
        headers = {"Vary": "Accept"}
        note = f"{results.kind.value} {'true' if results.boolean else 'false'}" if results.kind is ResultKind.ASK else f"{results.kind.value} {count}"
        if truncated:
            headers["X-Result-Truncated"] = "true"
            headers["X-Result-Limit"] = str(self.server.max_rows)
            note += " (truncated)"
        return _Response(200, body, fmt.content_type, headers, note)

    def _not_acceptable(self, kind: ResultKind) -> None:
        offered = GRAPH_FORMATS if kind is ResultKind.GRAPH else SOLUTION_FORMATS
        raise _HttpError(
            406,
            f"no acceptable format for a {kind.value} result; offered: "
            + ", ".join(f"{f.media_type} (format={f.names[0]})" for f in offered),
        )

    def _parse(self, text: str, where: str) -> dict[str, list[str]]:
        try:
            return parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict")
        except UnicodeDecodeError as exc:
            raise _HttpError(400, f"{where} is not UTF-8: {exc}") from exc

    def _content_type(self) -> tuple[str, str]:
        value = self.headers.get("Content-Type", "")
        main, *options = [p.strip() for p in value.split(";")]
        charset = "utf-8"
        for option in options:
            key, _, val = option.partition("=")
            if key.strip().lower() == "charset":
                charset = val.strip().strip('"') or "utf-8"
        return main.lower(), charset

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            raise _HttpError(411, "a POST needs a Content-Length")
        try:
            size = int(length)
        except ValueError as exc:
            raise _HttpError(400, f"bad Content-Length {length!r}") from exc
        if size < 0 or size > MAX_BODY:
            raise _HttpError(413, f"the request body is limited to {MAX_BODY} bytes")
        return self.rfile.read(size)

    @staticmethod
    def _decode(body: bytes, charset: str) -> str:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError) as exc:
            raise _HttpError(400, f"the request body cannot be read as {charset}: {exc}") from exc

    def _page(self) -> _Response:
        server = self.server
        limits = (
            f"time-out {server.query_timeout:g} s" if server.query_timeout is not None else "no time-out"
        ) + (f", at most {server.max_rows} rows per answer" if server.max_rows is not None else "")
        prefixes = ", ".join(f"{p}:" for p in PREFIXES)
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>newskg SPARQL endpoint</title></head>
<body>
<h1>newskg SPARQL endpoint</h1>
<p>A read-only <a href="https://www.w3.org/TR/sparql11-protocol/">SPARQL 1.1 Protocol</a> endpoint at
<code>{html.escape(server.url)}</code>: <code>GET /sparql?query=…</code>, or <code>POST</code> a form
(<code>query=…</code>) or an <code>application/sparql-query</code> body.</p>
<p>SELECT and ASK answer in SPARQL Results JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in Turtle,
N-Triples, JSON-LD or RDF/XML, chosen by the Accept header or <code>format=</code>. The default graph
is the union of all document graphs. Known prefixes need no declaration: {html.escape(prefixes)}.
Updates, SERVICE and default-graph-uri/named-graph-uri are refused; {html.escape(limits)}.</p>
<form action="/sparql" method="get">
<textarea name="query" rows="8" cols="80">SELECT ?class (COUNT(?s) AS ?n) WHERE {{ ?s a ?class }} GROUP BY ?class ORDER BY DESC(?n)</textarea><br>
<select name="format"><option>json</option><option>xml</option><option>csv</option><option>tsv</option></select>
<button type="submit">Run</button>
</form>
</body></html>
"""
        return _Response(200, page.encode("utf-8"), "text/html; charset=utf-8")


# --- the library functions ---------------------------------------------------------------------


def make_server(
    store: Store,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    workers: int = DEFAULT_WORKERS,
    log: Callable[[str], None] | None = None,
) -> SparqlServer:
    """The endpoint's server, bound but not started: call ``serve_forever()`` (in a thread),
    then ``shutdown()`` and ``server_close()``. Port 0 picks a free port (see ``server.url``).

    ``timeout=None`` and ``max_rows=None`` lift those limits; ``log`` receives one line per
    request (default: stderr).
    """
    if timeout is not None and not timeout > 0:
        raise ConfigError(f"the time-out must be a positive number of seconds, not {timeout!r}")
    if max_rows is not None and max_rows < 1:
        raise ConfigError(f"max rows must be at least 1, not {max_rows!r}")
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers!r}")
    if not 0 <= port <= 65535:
        raise ConfigError(f"not a port number: {port}")
    try:
        return SparqlServer((host, port), store, timeout=timeout, max_rows=max_rows, workers=workers, log=log)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def serve(
    store: Store,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    workers: int = DEFAULT_WORKERS,
) -> None:
    """Answer SPARQL queries on ``http://HOST:PORT/sparql`` until interrupted (Ctrl-C returns)."""
    server = make_server(store, host=host, port=port, timeout=timeout, max_rows=max_rows, workers=workers)
    log = server.log
    log(f"newskg SPARQL endpoint on {server.url} (read-only; store {store.location}); Ctrl-C stops it")
    if host not in ("127.0.0.1", "localhost", "::1"):
        log(f"warning: listening on {host}: anyone who can reach this address can query the store")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log("stopped")
    finally:
        server.server_close()
