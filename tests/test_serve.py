"""The read-only SPARQL endpoint, driven by the real SPARQLWrapper client and by plain urllib."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pytest
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    parse,
    parse_query_results,
)
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.errors import ConfigError, StoreBusyError
from kg.queries import query, to_sparql_json
from kg.serve import make_server, negotiate, query_shape
from kg.store import ResultKind, open_store

EX = "http://example.org/"
G1, G2 = NamedNode(EX + "doc1"), NamedNode(EX + "doc2")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
SELECT = (
    "SELECT ?s ?label ?v WHERE { ?s rdfs:label ?label OPTIONAL { ?s <http://example.org/value> ?v } } "
    "ORDER BY STR(?s) STR(?label)"
)
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?label } WHERE { ?s rdfs:label ?label }"


def _quads() -> list[Quad]:
    hur, reuters, node = NamedNode(EX + "HUR"), NamedNode(EX + "Reuters"), BlankNode("span1")
    value = NamedNode(EX + "value")
    return [
        Quad(hur, LABEL, Literal("HUR"), G1),
        Quad(hur, LABEL, Literal("Головне управління розвідки", language="uk"), G1),
        Quad(hur, value, Literal("200", datatype=NamedNode(XSD + "integer")), G1),
        Quad(reuters, LABEL, Literal('Reuters, "the agency"\nsecond line'), G2),
        Quad(reuters, value, Literal("1.5E1", datatype=NamedNode(XSD + "double")), G2),
        Quad(node, LABEL, Literal("a span"), G2),
        Quad(node, value, Literal("true", datatype=NamedNode(XSD + "boolean")), G2),
    ]


@contextmanager
def running(store, **options):
    """The endpoint on a free port in a thread; the log lines are collected."""
    lines: list[str] = []
    server = make_server(store, host="127.0.0.1", port=0, log=lines.append, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url, lines
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def store():
    with open_store(":memory:") as s:
        s.write_graph(G1, [q for q in _quads() if q.graph_name == G1])
        s.write_graph(G2, [q for q in _quads() if q.graph_name == G2])
        yield s


@pytest.fixture(scope="module")
def endpoint(store):
    with running(store, timeout=10.0, max_rows=1000) as (url, _):
        yield url


def client(url, fmt=JSON, *, method=None, direct=False):
    sparql = SPARQLWrapper(url, updateEndpoint=url)
    sparql.setReturnFormat(fmt)
    if method:
        sparql.setMethod(method)
    if direct:
        sparql.setRequestMethod(POSTDIRECTLY)
    return sparql


def fetch(url, *, params=None, data=None, headers=None, method=None):
    """(status, headers, body) of a raw request; HTTP errors are answers too."""
    if params:
        url = url + "?" + urllib.parse.urlencode(params, doseq=True)
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def quad_count(store) -> int:
    return len(list(store.quads()))


# --- the same answers as kg query --------------------------------------------------------------


@pytest.mark.parametrize("method,direct", [(None, False), (POST, False), (POST, True)], ids=["GET", "POST-form", "POST-direct"])
def test_select_json_through_sparqlwrapper_equals_kg_query(store, endpoint, method, direct):
    expected = json.loads(to_sparql_json(query(store, SELECT)))
    sparql = client(endpoint, JSON, method=method, direct=direct)
    sparql.setQuery(SELECT)
    got = sparql.queryAndConvert()
    assert got == expected
    assert len(got["results"]["bindings"]) == 4


def test_select_xml_gives_the_same_terms(store, endpoint):
    expected = query(store, SELECT)
    sparql = client(endpoint, XML)
    sparql.setQuery(SELECT)
    response = sparql.query()
    assert response.info()["content-type"].startswith("application/sparql-results+xml")
    solutions = parse_query_results(response.response.read(), QueryResultsFormat.XML)
    assert [v.value for v in solutions.variables] == expected.variables
    got = [{v: s[v] for v in expected.variables if s[v] is not None} for s in solutions]
    assert got == expected.rows


def test_select_csv_is_spec_plain_values(store, endpoint):
    expected = query(store, SELECT)
    sparql = client(endpoint, CSV)
    sparql.setQuery(SELECT)
    text = sparql.queryAndConvert().decode("utf-8")
    assert text.startswith("s,label,v\r\n")  # CRLF lines, as RFC 4180 and the SPARQL CSV spec say
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert table[0] == expected.variables

    def plain(term):
        return "" if term is None else ("_:" + term.value if isinstance(term, BlankNode) else term.value)

    assert table[1:] == [[plain(row.get(v)) for v in expected.variables] for row in expected.rows]
    assert ["http://example.org/Reuters", 'Reuters, "the agency"\nsecond line', "15"] in table
    assert ["_:span1", "a span", "true"] in table  # blank nodes as _:label, booleans in their lexical form


def test_select_tsv_has_terms_in_ntriples_syntax(store, endpoint):
    expected = query(store, SELECT)
    sparql = client(endpoint, TSV)
    sparql.setQuery(SELECT)
    text = sparql.queryAndConvert().decode("utf-8")
    assert text.splitlines()[0] == "?s\t?label\t?v"
    assert '<http://example.org/HUR>\t"Головне управління розвідки"@uk\t200' in text
    solutions = parse_query_results(text, QueryResultsFormat.TSV)
    assert [{v: s[v] for v in expected.variables if s[v] is not None} for s in solutions] == expected.rows


def test_ask(endpoint):
    for text, answer in (("ASK { ?s rdfs:label \"HUR\" }", True), ("ASK { ?s rdfs:label \"nobody\" }", False)):
        sparql = client(endpoint, JSON)
        sparql.setQuery(text)
        assert sparql.queryAndConvert() == {"head": {}, "boolean": answer}
    sparql = client(endpoint, XML)
    sparql.setQuery('ASK { ?s rdfs:label "HUR" }')
    assert sparql.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_construct_returns_turtle_that_parses(store, endpoint):
    expected = set(query(store, CONSTRUCT).triples)
    for method in (None, POST):
        sparql = client(endpoint, TURTLE, method=method)
        sparql.setQuery(CONSTRUCT)
        response = sparql.query()
        assert response.info()["content-type"].startswith("text/turtle")
        body = response.response.read()
        assert b"@prefix rdfs:" in body
        assert {q.triple for q in parse(body, format=RdfFormat.TURTLE)} == expected


@pytest.mark.parametrize(
    "fmt,rdf",
    [(N3, RdfFormat.TURTLE), (JSONLD, RdfFormat.JSON_LD), (RDFXML, RdfFormat.RDF_XML)],
)
def test_construct_in_the_other_rdf_formats(store, endpoint, fmt, rdf):
    expected = set(query(store, CONSTRUCT).triples)
    sparql = client(endpoint, fmt)
    sparql.setQuery(CONSTRUCT)
    response = sparql.query()
    body = response.response.read()
    triples = {q.triple for q in parse(body, format=rdf)}
    # Blank node labels are local to a document: compare the rest, and count the blank ones.
    named = {t for t in expected if not isinstance(t.subject, BlankNode)}
    assert {t for t in triples if not isinstance(t.subject, BlankNode)} == named
    assert len(triples) == len(expected)


def test_ntriples_and_the_format_parameter(store, endpoint):
    status, headers, body = fetch(endpoint, params={"query": CONSTRUCT}, headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert {q.triple for q in parse(body, format=RdfFormat.N_TRIPLES)} == set(query(store, CONSTRUCT).triples)
    # format= wins over Accept, and means the result kind's own format
    status, headers, _ = fetch(endpoint, params={"query": SELECT, "format": "csv"}, headers={"Accept": "application/json"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    status, headers, _ = fetch(endpoint, params={"query": CONSTRUCT, "format": "json"})
    assert status == 200 and headers["Content-Type"] == "application/ld+json"


def test_content_negotiation(endpoint):
    assert negotiate(ResultKind.SELECT, "text/html,application/xhtml+xml,*/*;q=0.8").name == "json"
    assert negotiate(ResultKind.SELECT, "application/sparql-results+json;q=0.2, text/csv").name == "csv"
    assert negotiate(ResultKind.GRAPH, "text/*").name == "turtle"
    assert negotiate(ResultKind.GRAPH, "application/sparql-results+json") is None
    status, headers, _ = fetch(endpoint, params={"query": SELECT})
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    status, _, body = fetch(endpoint, params={"query": SELECT}, headers={"Accept": "text/turtle"})
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, body = fetch(endpoint, params={"query": SELECT, "format": "gexf"})
    assert status == 406


def test_known_prefixes_need_no_declaration_and_errors_point_at_the_users_line(endpoint):
    status, _, body = fetch(endpoint, params={"query": "SELECT ?c WHERE { ?c a nkg:Claim ; schema:about ?x }"})
    assert status == 200, body
    status, _, body = fetch(endpoint, params={"query": "SELECT *\nWHERE { ?s ?p }"})
    assert status == 400
    assert b"invalid SPARQL: error at 2:" in body


def test_from_names_the_default_graph(endpoint):
    text = f"SELECT ?label FROM <{G1.value}> WHERE {{ ?s rdfs:label ?label }}"
    status, _, body = fetch(endpoint, params={"query": text})
    labels = {b["label"]["value"] for b in json.loads(body)["results"]["bindings"]}
    assert status == 200 and labels == {"HUR", "Головне управління розвідки"}


# --- read-only -----------------------------------------------------------------------------------

INSERT = f'INSERT DATA {{ GRAPH <{G1.value}> {{ <{EX}x> <{EX}y> "inserted" }} }}'


@pytest.mark.parametrize("direct", [False, True], ids=["form-update", "sparql-update-body"])
def test_sparqlwrapper_update_is_refused_and_the_store_is_unchanged(store, endpoint, direct):
    before = quad_count(store)
    sparql = client(endpoint, JSON, method=POST, direct=direct)
    sparql.setQuery(INSERT)
    with pytest.raises(urllib.error.HTTPError) as refused:
        sparql.query()
    assert refused.value.code == 403
    assert b"read-only" in refused.value.read()
    assert quad_count(store) == before
    assert query(store, 'ASK { ?s ?p "inserted" }').boolean is False


def test_every_way_of_sending_an_update_is_refused(store, endpoint):
    before = quad_count(store)
    attempts = [
        dict(data=INSERT.encode(), headers={"Content-Type": "application/sparql-update"}),
        dict(data=urllib.parse.urlencode({"update": INSERT}).encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}),
        dict(params={"update": INSERT}),
        dict(params={"query": INSERT}),  # an update sent as a query
        dict(params={"query": f"PREFIX ex: <{EX}>\n# a comment\nDELETE WHERE {{ ?s ?p ?o }}"}),
        dict(data=f"BASE <{EX}> DROP ALL".encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    for attempt in attempts:
        status, _, body = fetch(endpoint, **attempt)
        assert status == 403, (attempt, body)
        assert b"read-only" in body
    assert quad_count(store) == before


def test_service_is_refused(endpoint):
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    sparql = client(endpoint, JSON)
    sparql.setQuery(text)
    with pytest.raises(QueryBadFormed, match="SERVICE is not allowed"):
        sparql.query()
    sneaky_ones = (
        "SELECT * WHERE { service ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        # an escaped # in a prefixed name is not a comment: what follows on the line is live
        "SELECT * WHERE { ?s rdfs:a\\#b ?o . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * WHERE { # comment\r SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
    )
    for sneaky in sneaky_ones:
        status, _, body = fetch(endpoint, params={"query": sneaky})
        assert status == 400 and b"SERVICE is not allowed" in body


def test_the_word_service_in_strings_iris_names_and_comments_is_fine(endpoint):
    text = (
        "PREFIX service: <http://example.org/service#>\n"
        "SELECT ?service WHERE { # SERVICE <http://evil/> { }\n"
        '  BIND("SERVICE <http://evil/> { ?s ?p ?o }" AS ?service) '
        "  FILTER(?service != <http://example.org/SERVICE>) FILTER(?service != service:SERVICE) }"
    )
    assert query_shape(text).service is False
    status, _, body = fetch(endpoint, params={"query": text})
    assert status == 200, body


def test_graph_uri_parameters_are_refused_clearly(endpoint):
    for name in ("default-graph-uri", "named-graph-uri"):
        status, _, body = fetch(endpoint, params={"query": SELECT, name: G1.value})
        assert status == 400 and name.encode() in body and b"FROM" in body
    status, _, _ = fetch(endpoint, params={"query": SELECT, "default-graph-uri": ""})  # empty: ignored
    assert status == 200


def test_protocol_errors(endpoint):
    base = endpoint.rsplit("/", 1)[0]
    assert fetch(base + "/nowhere")[0] == 404
    status, headers, body = fetch(base + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"/sparql" in body
    assert fetch(endpoint)[0] == 200  # GET without a query: the same page
    assert fetch(endpoint, params={"query": [SELECT, SELECT]})[0] == 400
    assert fetch(endpoint, data=b"query=x", headers={"Content-Type": "text/plain"})[0] == 415
    assert fetch(endpoint, data=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 400
    status, headers, _ = fetch(endpoint, method="OPTIONS", headers={"Origin": "http://localhost:3000"})
    assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
    status, headers, _ = fetch(endpoint, params={"query": SELECT})
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_one_log_line_per_request(store):
    with running(store) as (url, lines):
        fetch(url, params={"query": SELECT})
        fetch(url, params={"update": INSERT})
    assert len(lines) == 2
    assert " GET /sparql 200 " in lines[0] and "select 4" in lines[0]
    assert " GET /sparql 403 " in lines[1]


# --- limits --------------------------------------------------------------------------------------


def test_max_rows_truncates_with_a_header(store):
    with running(store, max_rows=2) as (url, _):
        sparql = client(url, JSON)
        sparql.setQuery(SELECT)
        response = sparql.query()
        assert response.info()["X-Result-Truncated"] == "true"
        assert response.info()["X-Result-Limit"] == "2"
        bindings = response.convert()["results"]["bindings"]
        assert bindings == json.loads(to_sparql_json(query(store, SELECT)))["results"]["bindings"][:2]
        status, headers, body = fetch(url, params={"query": CONSTRUCT}, headers={"Accept": "application/n-triples"})
        assert headers["X-Result-Truncated"] == "true"
        assert len(list(parse(body, format=RdfFormat.N_TRIPLES))) == 2
        status, headers, body = fetch(url, params={"query": "SELECT ?s WHERE { ?s rdfs:label 'HUR' }"})
        assert status == 200 and headers["X-Result-Truncated"] is None


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y . FILTER(?x < ?y) }"


@pytest.fixture(scope="module")
def big_store():
    with open_store(":memory:") as s:
        g = NamedNode(EX + "big")
        s.write_graph(g, [Quad(NamedNode(f"{EX}s{i}"), NamedNode(EX + "n"), Literal(i), g) for i in range(3000)])
        yield s


def test_a_slow_query_times_out_with_503_and_the_server_recovers(big_store):
    with running(big_store, timeout=0.2, workers=1) as (url, lines):
        started = time.monotonic()
        sparql = client(url, JSON)
        sparql.setQuery(SLOW)
        with pytest.raises(urllib.error.HTTPError) as timed_out:
            sparql.query()
        assert timed_out.value.code == 503
        assert b"ran out of time" in timed_out.value.read()
        assert time.monotonic() - started < 2
        # The abandoned query still holds the only worker: the next query is told the server is busy.
        status, headers, body = fetch(url, params={"query": "ASK { ?s ?p ?o }"})
        assert status == 503 and b"busy" in body and headers["Retry-After"]
        # Once it ends, queries are answered again.
        deadline = time.monotonic() + 60
        while (status := fetch(url, params={"query": "ASK { ?s ?p ?o }"})[0]) == 503 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status == 200
    assert any(" 503 " in line for line in lines)


def test_a_large_streaming_result_stops_at_the_limit(big_store):
    cross = "SELECT * WHERE { ?a ?p ?x . ?b ?q ?y }"  # 9 million rows; only the first 10 are read
    with running(big_store, timeout=5, max_rows=10) as (url, _):
        started = time.monotonic()
        status, headers, body = fetch(url, params={"query": cross})
        assert status == 200 and headers["X-Result-Truncated"] == "true"
        assert len(json.loads(body)["results"]["bindings"]) == 10
        assert time.monotonic() - started < 2


def test_bad_limits_and_busy_port_are_config_errors(store):
    with pytest.raises(ConfigError):
        make_server(store, port=0, timeout=0)
    with pytest.raises(ConfigError):
        make_server(store, port=0, max_rows=0)
    with running(store) as (url, _):
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        with pytest.raises(ConfigError, match="cannot listen"):
            make_server(store, port=port)


def test_the_server_holds_an_on_disk_store(tmp_path):
    location = tmp_path / "kg-store"
    with open_store(location, create=True) as disk:
        disk.write_graph(G1, [q for q in _quads() if q.graph_name == G1])
        with running(disk) as (url, _):
            with pytest.raises(StoreBusyError):
                open_store(location)
            status, _, body = fetch(url, params={"query": "SELECT ?l WHERE { ?s rdfs:label ?l }"})
            assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 2


def test_kg_serve_command_holds_the_store_and_stops_on_ctrl_c(tmp_path):
    import functools
    import re
    import signal
    import subprocess
    import sys

    location = tmp_path / "kg-store"
    with open_store(location, create=True) as disk:
        disk.write_graph(G1, [q for q in _quads() if q.graph_name == G1])
    command = [sys.executable, "-m", "kg.cli", "serve", "--store", str(location), "--port", "0", "--max-rows", "1"]
    # Ctrl-C as in a terminal: a test run from a background job ignores SIGINT, and so would the server
    default_sigint = functools.partial(signal.signal, signal.SIGINT, signal.SIG_DFL)
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    try:
        url = None
        while url is None and (line := server.stderr.readline()):
            if match := re.search(r"SPARQL endpoint on (http://\S+/sparql)", line):
                url = match.group(1)
        assert url, "kg serve did not start"
        sparql = client(url, JSON)
        sparql.setQuery("SELECT ?l WHERE { ?s rdfs:label ?l }")
        response = sparql.query()
        assert response.info()["X-Result-Truncated"] == "true"
        assert len(response.convert()["results"]["bindings"]) == 1
        with pytest.raises(StoreBusyError, match="busy"):
            open_store(location)  # what `kg build` meets while the endpoint runs
        server.send_signal(signal.SIGINT)
        assert server.wait(20) == 0
        assert "GET /sparql 200" in server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    with open_store(location) as reopened:  # released once the endpoint stops
        assert reopened.query("ASK { ?s ?p ?o }").boolean is True
