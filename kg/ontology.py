"""Namespaces and terms of the graph. The ontology and shapes themselves are data in ``ontology/``.

Term IRIs used by code are built here, once; ``ontology/newskg.ttl`` declares each of them with
a label and a comment (a test checks that every ``nkg:`` term used in code is declared).

>>> NKG.Claim.value
'https://w3id.org/newskg/ontology#Claim'
>>> NKG["Asserted"].value
'https://w3id.org/newskg/ontology#Asserted'
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode

from kg.config import ONTOLOGY_GRAPH, ONTOLOGY_NS, data_dir


class Namespace:
    """Attribute and item access mint ``NamedNode`` terms: ``NKG.Claim``, ``NKG["Asserted"]``."""

    def __init__(self, iri: str) -> None:
        self.iri = iri

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self.iri + name)

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self.iri + name)


NKG = Namespace(ONTOLOGY_NS)
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem#")
DCTERMS = Namespace("http://purl.org/dc/terms/")

#: Prefixes for SPARQL, Turtle output and the JSON-LD context.
PREFIXES: dict[str, str] = {
    "nkg": ONTOLOGY_NS,
    "rdf": RDF.iri,
    "rdfs": RDFS.iri,
    "xsd": XSD.iri,
    "owl": OWL.iri,
    "skos": SKOS.iri,
    "schema": SCHEMA.iri,
    "prov": PROV.iri,
    "nif": NIF.iri,
    "sem": SEM.iri,
    "dcterms": DCTERMS.iri,
}

ONTOLOGY_GRAPH_IRI = NamedNode(ONTOLOGY_GRAPH)


def sparql_prologue() -> str:
    """``PREFIX`` lines for every known namespace, to prepend to user queries."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def ontology_file() -> Path:
    """The ontology in Turtle, as shipped."""
    return data_dir("ontology") / "newskg.ttl"


def shapes_file() -> Path:
    """The SHACL shapes in Turtle, as shipped."""
    return data_dir("ontology") / "shapes.ttl"


def context_file() -> Path:
    """The JSON-LD context, as shipped."""
    return data_dir("ontology") / "context.jsonld"
