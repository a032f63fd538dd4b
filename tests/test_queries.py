"""Named queries and safe parameter binding."""

from __future__ import annotations

import json

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from kg.errors import QueryError
from kg.queries import bind_parameters, named_queries, query, rows, to_delimited, to_sparql_json
from kg.store import open_store

G = NamedNode("http://example.org/g")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.fixture()
def store():
    with open_store(":memory:") as s:
        s.write_graph(G, [
            Quad(NamedNode(f"http://example.org/{n}"), LABEL, Literal(label), G)
            for n, label in enumerate(["HUR", 'He said "no" }', "Reuters"])
        ])
        yield s


def test_every_named_query_documents_itself_and_parses(store):
    found = named_queries()
    assert {"stats", "casualty-claims"} <= set(found)
    for named in found.values():
        assert named.description, named.name
        query(store, named.name)  # parses and runs on an empty graph


@pytest.mark.parametrize(
    "hostile",
    ['x" } ; DROP ALL ; SELECT * { "', "a\nb } UNION { ?s ?p ?o", "<http://evil/> . ?s ?p ?o", 'He said "no" }', "SELECT * WHERE { ?s ?p ?o }", "\\\"'''"],
)
def test_parameters_are_bound_as_values_never_as_query_text(store, hostile):
    result = query(store, "SELECT ?s WHERE { ?s rdfs:label ?name }", params={"name": hostile})
    expected = [{"s": "http://example.org/1"}] if hostile == 'He said "no" }' else []
    assert rows(result) == expected


def test_binding_skips_braces_in_strings_iris_and_comments():
    text = 'SELECT ?x # { not here\nWHERE { ?x <http://e/{a}> "{" }'
    bound = bind_parameters(text, {"x": "v"})
    assert bound.endswith('WHERE { VALUES (?x) { ("v") } ?x <http://e/{a}> "{" }')


def test_unknown_parameter_of_named_query_is_refused(store):
    with pytest.raises(QueryError, match="has no parameter"):
        query(store, "stats", params={"nope": "1"})


def test_results_as_sparql_json_and_csv(store):
    result = query(store, "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l")
    data = json.loads(to_sparql_json(result))
    assert data["head"]["vars"] == ["s", "l"]
    assert data["results"]["bindings"][0] == {"s": {"type": "uri", "value": "http://example.org/0"}, "l": {"type": "literal", "value": "HUR"}}
    assert to_delimited(result).splitlines()[2] == 'http://example.org/1,"He said ""no"" }"'
    assert json.loads(to_sparql_json(query(store, "ASK { ?s ?p ?o }"))) == {"head": {}, "boolean": True}


def test_invalid_sparql_is_a_query_error(store):
    with pytest.raises(QueryError, match="invalid SPARQL"):
        query(store, "SELECT WHERE {")
