"""The remote store: any SPARQL 1.1 store over HTTP (Virtuoso, GraphDB, Jena Fuseki, Neptune…).

It speaks three standard protocols, with the standard library only (``urllib``):

- the SPARQL 1.1 Protocol for queries: a form-encoded POST of ``query=``, asking for
  ``application/sparql-results+json`` (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE);
- the SPARQL 1.1 Protocol for updates: a form-encoded POST of ``update=`` to the update endpoint;
- the SPARQL 1.1 Graph Store HTTP Protocol to write one document's named graph in one request:
  ``PUT ?graph=<g>`` replaces the graph (``replace=True``), ``POST`` adds to it, ``DELETE`` drops it.
  Without a Graph Store endpoint the same writes go through SPARQL Update, one request each
  (``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { … } }``). Virtuoso needs the Graph Store
  endpoint: its SPARQL Update compiles every triple to SQL and fails past about 1,000 triples.

Every write of a graph is one HTTP request, which is as atomic as the protocols allow: stores
that run a request as one transaction (Fuseki, GraphDB, Oxigraph) never show half a document.
Virtuoso 7.2 does not: while a PUT runs (about 0.3 s per 1,000 triples) a reader can see the
graph empty or half loaded, and a PUT that fails half-way leaves what it had loaded. So the
document's ``nkg:contentHash`` triple, which ``has_document`` looks for, is always sent last:
a document cut short is not taken as stored, and the next build writes it again.

The store must answer queries without ``FROM`` over the union of its named graphs, like the
embedded store. Virtuoso does this out of the box; Fuseki needs ``tdb2:unionDefaultGraph true``,
Oxigraph server ``--union-default-graph``. Virtuoso also keeps system graphs of its own
(``virtrdf#`` and a few others) in the quad store: ``graphs()`` and ``quads()`` leave out the
graphs in ``SYSTEM_GRAPHS``, but a user's query over the default graph sees them unless the
server makes them private to the SPARQL user (the test set-up in ``tests/virtuoso.py`` does).

Configuration comes from arguments or the environment, the credentials from the environment only
(never from a command line, where other users of the machine can read them):

``KG_STORE_UPDATE``
    the SPARQL Update endpoint (default: the query endpoint);
``KG_STORE_GSP``
    the Graph Store Protocol endpoint (default: none, write through SPARQL Update);
``KG_STORE_AUTH``
    ``digest`` or ``basic`` (default: answer whichever the server asks for, when a user is set);
``KG_STORE_USER``, ``KG_STORE_PASSWORD``
    the credentials;
``KG_STORE_TIMEOUT``
    seconds to wait for an answer (default 60).

For Virtuoso with its ``dba`` account::

    KG_STORE_UPDATE=http://host:8890/sparql-auth KG_STORE_GSP=http://host:8890/sparql-graph-crud-auth
    KG_STORE_AUTH=digest KG_STORE_USER=dba KG_STORE_PASSWORD=…   kg build … --store http://host:8890/sparql

Two answers of Virtuoso 7.2 differ from the embedded store's: ``SELECT DISTINCT ?g WHERE { GRAPH ?g
{ ?s ?p ?o } }`` lists its private system graphs too (``GROUP BY ?g`` does not), and ``GRAPH ?g { }``
(an empty pattern) gives one row with ``?g`` unbound. ``graphs()`` has neither problem.

Servers may cap the number of rows of one answer without saying so (Virtuoso's
``[SPARQL] ResultSetMaxRows``, 10,000 by default). ``quads()`` and ``graphs()`` therefore count
first and read in ordered pages, shrinking the page to the cap they meet; ``query()`` returns what
the server sends, so raise the cap on the server for large SELECT answers.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, parse, serialize

from kg.errors import ConfigError, QueryError, StoreError
from kg.ontology import NKG
from kg.store.base import Results, ResultKind, Store, Term, document_graph

#: Graphs a Virtuoso server keeps for itself; never listed by ``graphs()`` nor read by ``quads()``.
SYSTEM_GRAPHS: tuple[str, ...] = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)

DEFAULT_TIMEOUT = 60.0
DEFAULT_PAGE_SIZE = 10_000
#: Quads removed by one update request.
REMOVE_PER_REQUEST = 1_000

_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_XSD_DECIMAL = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
_SPARQL_JSON = "application/sparql-results+json"
_RDF_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8, application/rdf+xml;q=0.5"


class RemoteStore(Store):
    """A SPARQL 1.1 store over HTTP, behind the same interface as the embedded store.

    >>> RemoteStore("http://127.0.0.1:1/sparql", timeout=2).location
    'http://127.0.0.1:1/sparql'
    """

    def __init__(
        self,
        query_endpoint: str,
        *,
        update_endpoint: str | None = None,
        graph_store_endpoint: str | None = None,
        auth: str | None = None,
        timeout: float | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        system_graphs: tuple[str, ...] = SYSTEM_GRAPHS,
    ) -> None:
        env = os.environ
        self.location = self.query_endpoint = _endpoint(query_endpoint, "query endpoint")
        self.update_endpoint = _endpoint(update_endpoint or env.get("KG_STORE_UPDATE") or query_endpoint, "KG_STORE_UPDATE")
        gsp = graph_store_endpoint or env.get("KG_STORE_GSP")
        self.graph_store_endpoint = _endpoint(gsp, "KG_STORE_GSP") if gsp else None
        if timeout is None:
            try:
                timeout = float(env.get("KG_STORE_TIMEOUT") or DEFAULT_TIMEOUT)
            except ValueError as exc:
                raise ConfigError(f"KG_STORE_TIMEOUT: not a number of seconds: {env['KG_STORE_TIMEOUT']!r}") from exc
        if timeout <= 0:
            raise ConfigError(f"store timeout must be positive, not {timeout}")
        self.timeout = timeout
        if page_size < 1:
            raise ConfigError(f"page size must be positive, not {page_size}")
        self.page_size = page_size
        self.system_graphs = frozenset(system_graphs)
        self.auth = (auth or env.get("KG_STORE_AUTH") or "").strip().lower() or None
        self._opener: urllib.request.OpenerDirector | None = self._build_opener(env.get("KG_STORE_USER"), env.get("KG_STORE_PASSWORD"))

    # -- set-up ------------------------------------------------------------------------------

    def _build_opener(self, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
        if self.auth not in (None, "digest", "basic"):
            raise ConfigError(f"KG_STORE_AUTH: unknown authentication {self.auth!r}; use 'digest' or 'basic'")
        if not user:
            if self.auth:
                raise ConfigError(f"{self.auth} authentication asked for, but KG_STORE_USER is not set")
            return urllib.request.build_opener()
        if password is None:
            raise ConfigError("KG_STORE_USER is set but KG_STORE_PASSWORD is not")
        endpoints = [e for e in (self.query_endpoint, self.update_endpoint, self.graph_store_endpoint) if e]
        handlers: list[urllib.request.BaseHandler] = []
        if self.auth in (None, "digest"):
            digest = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            digest.add_password(None, endpoints, user, password)
            handlers.append(_DigestAuthHandler(digest))
        if self.auth in (None, "basic"):
            basic = urllib.request.HTTPPasswordMgrWithPriorAuth()
            # Named basic: send the credentials with the first request; otherwise only when asked.
            basic.add_password(None, endpoints, user, password, is_authenticated=self.auth == "basic")
            handlers.append(urllib.request.HTTPBasicAuthHandler(basic))
        return urllib.request.build_opener(*handlers)

    @property
    def opener(self) -> urllib.request.OpenerDirector:
        if self._opener is None:
            raise StoreError(f"{self.location}: the store is closed")
        return self._opener

    def close(self) -> None:
        self._opener = None  # urllib keeps no connection open between requests

    # -- queries -----------------------------------------------------------------------------

    def query(self, sparql: str) -> Results:
        kind = query_form(sparql)
        if kind is None:
            raise QueryError("invalid SPARQL: not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
        accept = _SPARQL_JSON if kind in (ResultKind.SELECT, ResultKind.ASK) else _RDF_ACCEPT
        body, headers = self._request(
            "POST",
            self.query_endpoint,
            data=urllib.parse.urlencode({"query": sparql}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            action="query",
        )
        _check_complete(self.query_endpoint, headers)
        if kind is ResultKind.GRAPH:
            return Results(ResultKind.GRAPH, triples=self._parse_graph(body, headers))
        return self._parse_solutions(body, kind)

    def _parse_solutions(self, body: bytes, kind: ResultKind) -> Results:
        try:
            answer = json.loads(body)
            if "boolean" in answer:
                return Results(ResultKind.ASK, boolean=bool(answer["boolean"]))
            variables = list(answer.get("head", {}).get("vars", []))
            bindings = answer["results"]["bindings"]
            rows = [{name: term_from_json(value) for name, value in binding.items()} for binding in bindings]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(f"{self.query_endpoint}: unreadable SPARQL JSON answer: {exc}") from exc
        if kind is ResultKind.ASK:
            # Virtuoso 7 answers ASK as a one-column SELECT (__ASK_RETVAL 1, or no row for false).
            value = next(iter(rows[0].values()), None) if rows else None
            return Results(ResultKind.ASK, boolean=value is not None and value.value not in ("0", "false"))
        return Results(ResultKind.SELECT, variables=variables, rows=rows)

    def _parse_graph(self, body: bytes, headers: Message) -> list[Triple]:
        media = headers.get_content_type()
        fmt = RdfFormat.N_TRIPLES if media == "text/plain" else RdfFormat.from_media_type(media)
        if fmt is None:
            raise StoreError(f"{self.query_endpoint}: the server answered in {media}, not an RDF format")
        try:
            return [q.triple for q in parse(body, format=fmt)]
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.query_endpoint}: unreadable {fmt.name} answer: {exc}") from exc

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update on the update endpoint (the remote store only)."""
        self._update(sparql, action="update")

    def _update(self, sparql: str, *, action: str) -> None:
        self._request(
            "POST",
            self.update_endpoint,
            data=urllib.parse.urlencode({"update": sparql}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"},
            action=action,
        )

    # -- the store interface -----------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        graph = document_graph(doc_id)
        return self.query(f"ASK {{ GRAPH {graph} {{ {graph} {NKG.contentHash} ?hash }} }}").boolean is True

    def write_graph(self, graph: NamedNode, quads: list[Quad], *, replace: bool = False) -> None:
        # Shared facts first (merged into their graphs), the document's own graph last, so a
        # document whose write was cut short has no content hash and is rebuilt.
        for other in dict.fromkeys(q.graph_name for q in quads if q.graph_name != graph):
            self._write_triples(other, [q.triple for q in quads if q.graph_name == other], replace=False)
        own = [q for q in quads if q.graph_name == graph]
        triples = [q.triple for q in own if q.predicate != NKG.contentHash]
        triples += [q.triple for q in own if q.predicate == NKG.contentHash]
        self._write_triples(graph, triples, replace=replace)

    def _write_triples(self, graph: NamedNode, triples: list[Triple], *, replace: bool) -> None:
        if self.graph_store_endpoint:
            # N-Triples is Turtle, which every Graph Store endpoint reads.
            self._request(
                "PUT" if replace else "POST",
                self._graph_url(graph),
                data=_ntriples(triples).encode(),
                headers={"Content-Type": "text/turtle; charset=utf-8"},
                action=f"write of graph {graph}",
            )
            return
        # One request, so one transaction. Virtuoso refuses blank nodes in INSERT DATA, and turns
        # each triple of an INSERT template into SQL (too long past a few thousand): triples with
        # blank nodes go in a template, all others in INSERT DATA.
        triples = [_for_update(t) for t in triples]
        plain = [t for t in triples if not _has_blank_node(t)]
        blank = [t for t in triples if _has_blank_node(t)]
        operations = [f"DROP SILENT GRAPH {graph}"] if replace else []
        if plain or not blank:
            operations.append(f"INSERT DATA {{ GRAPH {graph} {{\n{_ntriples(plain)}}} }}")
        if blank:
            operations.append(f"INSERT {{ GRAPH {graph} {{\n{_ntriples(blank)}}} }} WHERE {{ }}")
        self._update(" ;\n".join(operations), action=f"write of graph {graph}")

    def drop_graph(self, graph: NamedNode) -> None:
        if self.graph_store_endpoint:
            self._request("DELETE", self._graph_url(graph), headers={}, action=f"drop of graph {graph}", missing_ok=True)
        else:
            self._update(f"DROP SILENT GRAPH {graph}", action=f"drop of graph {graph}")

    def remove_quads(self, quads: list[Quad]) -> None:
        # a request per graph and thousand quads: one update for all would have no bound on its size
        by_graph: dict[NamedNode, list[Triple]] = {}
        for quad in quads:
            by_graph.setdefault(quad.graph_name, []).append(_for_update(quad.triple))  # type: ignore[arg-type]
        for graph, triples in by_graph.items():
            for start in range(0, len(triples), REMOVE_PER_REQUEST):
                body = _ntriples(triples[start : start + REMOVE_PER_REQUEST])
                self._update(f"DELETE DATA {{ GRAPH {graph} {{\n{body}}} }}", action=f"removal from graph {graph}")

    def graphs(self) -> list[NamedNode]:
        return [g for g, _ in self._graph_sizes()]

    def quads(self) -> Iterator[Quad]:
        for graph, size in self._graph_sizes():
            pattern = f"GRAPH {graph} {{ ?s ?p ?o }}"
            for row in self._paged(pattern, ["s", "p", "o"], size):
                yield Quad(row["s"], row["p"], row["o"], graph)

    def _graph_sizes(self) -> list[tuple[NamedNode, int]]:
        """Every named graph but the server's own, with its number of triples, sorted by IRI."""
        n = self.query("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows
        total = int(n[0]["n"].value) if n and "n" in n[0] else 0
        pattern = "{ SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g }"
        sizes = []
        for row in self._paged(pattern, ["g", "n"], total, order=["g"]):
            graph = row["g"]
            if isinstance(graph, NamedNode) and graph.value not in self.system_graphs:
                sizes.append((graph, int(row["n"].value)))
        return sizes

    def _paged(self, pattern: str, variables: list[str], total: int, *, order: list[str] | None = None) -> Iterator[dict[str, Term]]:
        """All ``total`` solutions of ``pattern`` in ordered pages.

        The ordered sub-query with OFFSET/LIMIT outside is the form Virtuoso pages without
        its sorted-rows limit; a page shorter than asked for, before the end, is the server's
        row cap, which then becomes the page size.
        """
        names = " ".join(f"?{v}" for v in variables)
        keys = " ".join(f"?{v}" for v in (order or variables))
        offset, page = 0, self.page_size
        while offset < total:
            rows = self.query(
                f"SELECT {names} WHERE {{ {{ SELECT {names} WHERE {{ {pattern} }} ORDER BY {keys} }} }} OFFSET {offset} LIMIT {page}"
            ).rows
            if not rows:
                raise StoreError(
                    f"{self.query_endpoint}: expected {total} rows, the server sent {offset}; did the store change while being read?"
                )
            if len(rows) < min(page, total - offset):
                page = len(rows)
            yield from rows
            offset += len(rows)

    # -- HTTP ----------------------------------------------------------------------------------

    def _graph_url(self, graph: NamedNode) -> str:
        assert self.graph_store_endpoint is not None
        sep = "&" if "?" in self.graph_store_endpoint else "?"
        return f"{self.graph_store_endpoint}{sep}{urllib.parse.urlencode({'graph': graph.value})}"

    def _request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        action: str,
        data: bytes | None = None,
        missing_ok: bool = False,
    ) -> tuple[bytes, Message]:
        endpoint = url.split("?", 1)[0]
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            try:
                with self.opener.open(request, timeout=self.timeout) as response:
                    return response.read(), response.headers
            except (ConnectionResetError, http.client.RemoteDisconnected, urllib.error.URLError) as exc:
                # A busy Virtuoso sometimes drops a connection before answering: ask again, once,
                # when asking again cannot change anything (a query).
                dropped = isinstance(getattr(exc, "reason", exc), ConnectionResetError | http.client.RemoteDisconnected)
                if action != "query" or isinstance(exc, urllib.error.HTTPError) or not dropped:
                    raise
                time.sleep(0.2)
                with self.opener.open(request, timeout=self.timeout) as response:
                    return response.read(), response.headers
        except urllib.error.HTTPError as exc:
            if missing_ok and exc.code == 404:
                return b"", exc.headers
            raise _http_error(endpoint, action, exc) from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise StoreError(f"{endpoint}: no answer within {self.timeout:g} s ({action})") from exc
            if isinstance(reason, ConnectionRefusedError):
                raise StoreError(f"{endpoint}: connection refused: is the SPARQL server running? ({action})") from exc
            raise StoreError(f"{endpoint}: cannot reach the SPARQL server: {reason} ({action})") from exc
        except TimeoutError as exc:
            raise StoreError(f"{endpoint}: no answer within {self.timeout:g} s ({action})") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise StoreError(f"{endpoint}: the connection failed: {exc} ({action})") from exc


# -- helpers --------------------------------------------------------------------------------


class _DigestAuthHandler(urllib.request.HTTPDigestAuthHandler):
    """urllib's, with its count of retries reset after every answer. urllib counts a challenged
    request whose retry ends in an HTTP error (a 404 for a graph that is not there) and never
    resets the count: after six of them, every challenge failed ("digest auth failed", HTTP 401)."""

    def http_error_401(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        try:
            return super().http_error_401(req, fp, code, msg, headers)
        finally:
            self.reset_retry_count()


def _ntriples(triples: list[Triple]) -> str:
    body = io.BytesIO()
    serialize(triples, body, format=RdfFormat.N_TRIPLES)
    return body.getvalue().decode()


def _has_blank_node(triple: Triple) -> bool:
    return isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode)


def _for_update(triple: Triple) -> Triple:
    """Virtuoso's SPARQL compiler reads ``"200"^^xsd:decimal`` as the integer 200 (its Turtle
    reader does not): an integral decimal gets a ``.0``, which keeps its type and its value."""
    o = triple.object
    if isinstance(o, Literal) and o.datatype == _XSD_DECIMAL and not any(c in o.value for c in ".eE"):
        return Triple(triple.subject, triple.predicate, Literal(o.value + ".0", datatype=_XSD_DECIMAL))
    return triple


def _endpoint(url: str | None, what: str) -> str:
    text = (url or "").strip()
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{what}: not an http(s) URL: {url!r}")
    return text


def _http_error(endpoint: str, action: str, exc: urllib.error.HTTPError) -> Exception:
    try:
        detail = _plain(exc.read().decode("utf-8", "replace"))
    except (OSError, http.client.HTTPException):
        detail = ""
    detail = f": {detail}" if detail else ""
    code = exc.code
    if code in (401, 403):
        return StoreError(
            f"{endpoint}: access denied (HTTP {code}) for the {action}; check KG_STORE_USER, KG_STORE_PASSWORD and KG_STORE_AUTH"
        )
    if action in ("query", "update") and (code == 400 or "37000" in detail or "syntax error" in detail.lower()):
        # 400 is the protocol's answer to a malformed request; 37000 is Virtuoso's SQL state for syntax errors.
        return QueryError(f"the SPARQL server refused the {action}{detail}")
    if code == 404:
        return StoreError(f"{endpoint}: no such endpoint (HTTP 404) for the {action}")
    return StoreError(f"{endpoint}: the {action} failed with HTTP {code} {exc.reason}{detail}")


def _plain(text: str, limit: int = 400) -> str:
    """A server's error page as one short line of text."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_complete(endpoint: str, headers: Message) -> None:
    # Virtuoso's "anytime" queries stop at MaxQueryExecutionTime and return what they have,
    # flagged only in these headers: partial answers must not pass for whole ones.
    if (headers.get("X-SQL-State") or "").upper() == "S1TAT":
        raise StoreError(f"{endpoint}: the query was cut short by the server's time limit: {headers.get('X-SQL-Message', '')}")


_PROLOGUE = re.compile(
    r"""\s+ | \#[^\n]*
      | PREFIX \s+ [^\s:]* : \s* <[^>]*>
      | BASE \s* <[^>]*>
      | DEFINE \s+ \S+ \s+ (?: "[^"]*" | '[^']*' | <[^>]*> | [^\s]+ )""",
    re.IGNORECASE | re.VERBOSE,
)
_FORMS = {"SELECT": ResultKind.SELECT, "ASK": ResultKind.ASK, "CONSTRUCT": ResultKind.GRAPH, "DESCRIBE": ResultKind.GRAPH}


def query_form(sparql: str) -> ResultKind | None:
    """The form of a query, read after its prologue; ``None`` for anything else (an update…).

    >>> query_form("PREFIX s: <https://schema.org/> # hello\\n construct { ?a ?b ?c } WHERE { ?a ?b ?c }")
    <ResultKind.GRAPH: 'graph'>
    >>> query_form("INSERT DATA { <a:b> <a:c> <a:d> }") is None
    True
    """
    position, text = 0, sparql.lstrip("\ufeff")
    while match := _PROLOGUE.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    word = re.match(r"[A-Za-z]+", text[position:])
    return _FORMS.get(word.group(0).upper()) if word else None


def term_from_json(binding: dict) -> Term:
    """One value of a SPARQL JSON result as a pyoxigraph term.

    Virtuoso's habits are smoothed here: blank-node labels such as ``nodeID://b10000``
    (not valid labels) become ``b10000``; booleans sent as ``1``/``0`` become ``true``/``false``;
    the SPARQL 1.0 ``typed-literal`` type is read as a literal.
    """
    kind, value = binding["type"], binding["value"]
    try:
        if kind == "uri":
            return NamedNode(value)
        if kind in ("literal", "typed-literal"):
            if language := binding.get("xml:lang"):
                return Literal(value, language=language)
            datatype = binding.get("datatype")
            if datatype is None:
                return Literal(value)
            if datatype == _XSD_BOOLEAN and value in ("0", "1"):
                value = "true" if value == "1" else "false"
            return Literal(value, datatype=NamedNode(datatype))
        if kind == "bnode":
            return blank_node(value)
        if kind == "triple":
            return Triple(term_from_json(value["subject"]), term_from_json(value["predicate"]), term_from_json(value["object"]))
    except ValueError as exc:
        raise StoreError(f"the SPARQL server returned an invalid RDF term {value!r}: {exc}") from exc
    raise StoreError(f"the SPARQL server returned an unknown kind of term: {kind!r}")


def blank_node(label: str) -> BlankNode:
    """A blank node for a server's label, the same for the same label across answers."""
    label = label.removeprefix("nodeID://").removeprefix("_:")
    try:
        return BlankNode(label)
    except ValueError:
        return BlankNode("x" + hashlib.sha256(label.encode()).hexdigest()[:24])
