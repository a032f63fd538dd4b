"""Export the graph: RDF serialisations, and graph projections for Gephi, yEd, Cytoscape.

RDF formats dump the store as it is:

* ``nquads`` and ``trig`` keep every named graph (one graph per document, plus the ontology
  graph); they are streamed straight from the store by pyoxigraph. N-Quads has one quad per
  line with absolute IRIs: ready for bulk loaders (Virtuoso ``ld_dir``, GraphDB, Fuseki).
* ``turtle`` and ``ntriples`` merge the named graphs into one set of triples (duplicates that
  several documents state, such as an entity's label, are written once).
* ``jsonld`` goes through rdflib, compacted with the shipped context ``ontology/context.jsonld``
  (or, while it is absent, with the known prefixes), named graphs kept.

Graph formats (``gexf``, ``graphml``, ``csv``) write a *projection* built by a few SPARQL
queries over the contract terms of ``ontology/README.md`` (see :func:`to_networkx`):

* ``actors``: entities as nodes, their direct relations (``nkg:fightsAlongside`` …) as edges;
* ``claims``: actors plus one node per claim: ``source —claims→ claim``,
  ``claim —reportedBy→ outlet``, ``claim —about→ entity`` for the entities the claim is about
  (roles of its events, subject and object of its relations, what its figures count) or that
  its content mentions;
* ``events``: actors plus one node per event with ``event —agent/target/place→ entity`` edges.

Node attributes: ``label``, ``type`` (nkg class local name), ``aliases`` ("; "-joined),
``mentions`` (evidence spans), ``documents``, ``first_seen``/``last_seen`` (ISO dates: the
publication dates of the documents, and the dates of the claims and events it takes part in,
widened to cover its edges), ``geonames``. Edge attributes: ``predicate``, ``claims`` (claims
about the relation), ``sources`` and ``stance`` (of those claims, "; "-joined), ``documents``,
``start``/``end`` (ISO dates), ``weight`` (how many times the relation was stated: one per
statement). Attributes whose value is unknown are left out rather than set empty.

GEXF is written by this module as GEXF 1.3 (valid against the official RelaxNG schema):
node colours by type, sizes by mentions, ``start``/``end`` on nodes and edges for Gephi's
timeline (``mode="dynamic" timeformat="date"`` when any date is known), edge ``label`` and
``kind`` = predicate (so Gephi keeps parallel edges of different predicates apart), ``weight``.
``networkx.read_gexf`` reads it back (it tries every GEXF version it knows, 1.3 included).

CSV writes two files in the form of Gephi's spreadsheet import (Data Laboratory → Import
spreadsheet): for ``out.csv`` (or ``out``) the files ``out.nodes.csv`` (``Id``, ``Label``,
attributes…, ``Time Interval``) and ``out.edges.csv`` (``Source``, ``Target``, ``Type`` =
Directed, ``Id``, ``Label``, ``Weight``, attributes…, ``Time Interval``); for a directory,
``nodes.csv`` and ``edges.csv`` inside it. Two files cannot go to one stream, so CSV needs a
path.

``query`` exports the triples of a CONSTRUCT (or DESCRIBE) query instead of the store or a
projection: as triples for the RDF formats, and for the graph formats as a graph whose nodes
are the IRIs (labelled from ``rdfs:label`` in the result or in the store, typed from
``rdf:type``), whose edges are the triples between IRIs, and whose other literals become node
attributes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import secrets
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import IO, Any, BinaryIO

import networkx as nx
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from kg import __version__
from kg.errors import ConfigError, OutputError, QueryError
from kg.mapping import Minter
from kg.model import EntityKind, EventKind, RelationType
from kg.ontology import NKG, PREFIXES, RDF, RDFS, XSD, context_file
from kg.queries import query as run_query
from kg.queries import rows as result_rows
from kg.store import ResultKind, Store

__all__ = [
    "ExportFormat",
    "ExportReport",
    "Projection",
    "construct_graph",
    "csv_paths",
    "export",
    "to_networkx",
    "to_rdflib",
    "write_csv",
    "write_gexf",
    "write_graphml",
]


class ExportFormat(str, Enum):
    GEXF = "gexf"
    GRAPHML = "graphml"
    CSV = "csv"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    NQUADS = "nquads"
    TRIG = "trig"
    JSONLD = "jsonld"

    @property
    def is_rdf(self) -> bool:
        return self in _RDF_FORMATS


_RDF_FORMATS = frozenset({ExportFormat.TURTLE, ExportFormat.NTRIPLES, ExportFormat.NQUADS, ExportFormat.TRIG, ExportFormat.JSONLD})


class Projection(str, Enum):
    ACTORS = "actors"  # entities as nodes, direct relations as edges
    CLAIMS = "claims"  # actors + claim nodes (source → claim → outlet, claim → entities about)
    EVENTS = "events"  # actors + event nodes with agent/target/place role edges


@dataclass(slots=True)
class ExportReport:
    """What an export wrote."""

    format: ExportFormat
    projection: Projection | None = None  # None for RDF dumps and CONSTRUCT exports
    nodes: int = 0
    edges: int = 0
    triples: int = 0
    quads: int = 0
    files: list[Path] = field(default_factory=list)  # files written (empty for a stream)

    def __str__(self) -> str:
        """What was written, as the CLI says it.

        >>> str(ExportReport(ExportFormat.GEXF, projection=Projection.ACTORS, nodes=3, edges=2))
        'gexf, actors: 3 nodes, 2 edges'
        >>> str(ExportReport(ExportFormat.NQUADS, quads=39367))
        'nquads: 39,367 quads'
        """
        if self.format.is_rdf:
            return f"{self.format.value}: " + (f"{self.triples:,} triples" if self.triples else f"{self.quads:,} quads")
        shown = self.projection.value if self.projection is not None else "CONSTRUCT"
        return f"{self.format.value}, {shown}: {self.nodes:,} nodes, {self.edges:,} edges"


# --- SPARQL over the contract terms ------------------------------------------------------------

_ENTITY_TYPES = " ".join(f"nkg:{k.value}" for k in EntityKind)
_EVENT_TYPES = " ".join(f"nkg:{k.value}" for k in EventKind)
_RELATIONS = " ".join(f"nkg:{r.value}" for r in RelationType)
_DATE_TYPES = "xsd:date, xsd:dateTime, xsd:dateTimeStamp"
_ROLES = ("agent", "target", "place")

_ENTITIES = f"""
SELECT ?e ?type (MIN(?l) AS ?label) (SAMPLE(?gn) AS ?geonames) WHERE {{
  VALUES ?type {{ {_ENTITY_TYPES} }}
  ?e a ?type .
  OPTIONAL {{ ?e rdfs:label ?l }}
  OPTIONAL {{ ?e nkg:geonamesId ?gn }}
}} GROUP BY ?e ?type
"""

_ALIASES = f"""
SELECT DISTINCT ?e ?alias WHERE {{
  VALUES ?type {{ {_ENTITY_TYPES} }}
  ?e a ?type ; skos:altLabel ?alias .
}}
"""

_MENTIONS = f"""
SELECT ?e (COUNT(DISTINCT ?span) AS ?mentions) WHERE {{
  {{ SELECT DISTINCT ?e WHERE {{ VALUES ?type {{ {_ENTITY_TYPES} }} ?e a ?type }} }}
  ?e nkg:evidence ?span .
}} GROUP BY ?e
"""

# Documents an entity is mentioned in (through its evidence spans) and their dates.
_ENTITY_DOCUMENTS = f"""
SELECT ?e (COUNT(DISTINCT ?g) AS ?documents) (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{
  VALUES ?type {{ {_ENTITY_TYPES} }}
  ?e a ?type ; nkg:evidence ?span .
  ?span nif:referenceContext ?g .
  OPTIONAL {{ ?g schema:datePublished ?pub . FILTER(DATATYPE(?pub) IN ({_DATE_TYPES})) }}
  BIND(SUBSTR(STR(?pub), 1, 10) AS ?d)
}} GROUP BY ?e
"""

# Dates of the events an entity takes part in and of the claims it makes.
_ENTITY_DATES = f"""
SELECT ?e (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE {{
  {{ VALUES ?role {{ nkg:agent nkg:target nkg:place }} ?x ?role ?e ; nkg:time|nkg:timeStart|nkg:timeEnd ?t }}
  UNION
  {{ ?x prov:wasAttributedTo ?e ; nkg:claimDate|nkg:timeStart|nkg:timeEnd ?t }}
  FILTER(DATATYPE(?t) IN ({_DATE_TYPES}))
  BIND(SUBSTR(STR(?t), 1, 10) AS ?d)
}} GROUP BY ?e
"""

# Direct relations: the documents that state them (through their statements) and their dates.
_RELATION_EDGES = f"""
SELECT ?s ?p ?o (COUNT(DISTINCT ?g) AS ?documents) (MIN(?d) AS ?start) (MAX(?d) AS ?end) WHERE {{
  VALUES ?p {{ {_RELATIONS} }}
  ?st a nkg:RelationStatement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?g .
  OPTIONAL {{ ?g schema:datePublished ?pub . FILTER(DATATYPE(?pub) IN ({_DATE_TYPES})) }}
  BIND(SUBSTR(STR(?pub), 1, 10) AS ?d)
}} GROUP BY ?s ?p ?o
"""

_RELATION_STATEMENTS = """
SELECT ?s ?p ?o (COUNT(DISTINCT ?st) AS ?statements) WHERE {
  ?st a nkg:RelationStatement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
} GROUP BY ?s ?p ?o
"""

# Claims about relations (through their statements), with source, stance and date.
_RELATION_CLAIMS = """
SELECT DISTINCT ?s ?p ?o ?claim ?source ?sourceText ?stance ?date WHERE {
  ?st a nkg:RelationStatement ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  ?claim nkg:about ?st .
  OPTIONAL { ?claim prov:wasAttributedTo ?source }
  OPTIONAL { ?claim nkg:sourceText ?sourceText }
  OPTIONAL { ?claim nkg:stance ?stance }
  OPTIONAL { ?claim nkg:claimDate ?date }
}
"""

_CLAIMS = """
SELECT ?claim (SAMPLE(?doc_) AS ?doc) (SAMPLE(?pub_) AS ?published) (SAMPLE(?stance_) AS ?stance)
       (SAMPLE(?hedge_) AS ?hedge) (SAMPLE(?date_) AS ?date) (SAMPLE(?content_) AS ?content)
       (SAMPLE(?sourceText_) AS ?sourceText) (SAMPLE(?source_) AS ?source)
       (SAMPLE(?reporter_) AS ?reporter) (SAMPLE(?qualifier_) AS ?qualifier) WHERE {
  ?claim a nkg:Claim .
  OPTIONAL { ?claim prov:wasDerivedFrom ?doc_ OPTIONAL { ?doc_ schema:datePublished ?pub_ } }
  OPTIONAL { ?claim nkg:stance ?stance_ }
  OPTIONAL { ?claim nkg:hedge ?hedge_ }
  OPTIONAL { ?claim nkg:claimDate ?date_ }
  OPTIONAL { ?claim nkg:content/nif:anchorOf ?content_ }
  OPTIONAL { ?claim nkg:sourceText ?sourceText_ }
  OPTIONAL { ?claim prov:wasAttributedTo ?source_ }
  OPTIONAL { ?claim nkg:reportedBy ?reporter_ }
  OPTIONAL { ?claim nkg:qualifier ?qualifier_ }
} GROUP BY ?claim
"""

# What a claim is about: roles of its events, ends of its relations, what its figures count,
# and the entities named inside its content (nkg:mentions, written at build time). One query
# per kind: pyoxigraph plans their UNION far worse than each alone (2.4 s against 0.03 s on 44
# articles), and a VALUES list of predicates only helps when the subject is bound first.
_CLAIM_ABOUT = tuple(
    f"SELECT DISTINCT ?claim ?e ?role WHERE {{ {branch} ?claim a nkg:Claim . }}"
    for branch in (
        '?claim nkg:about ?x . ?x ?rp ?e . FILTER(?rp IN (nkg:agent, nkg:target, nkg:place)) '
        'BIND(STRAFTER(STR(?rp), "#") AS ?role)',
        'VALUES (?rp ?role) { (rdf:subject "subject") (rdf:object "object") } '
        '?claim nkg:about ?x . ?x a nkg:RelationStatement ; ?rp ?e .',
        '?claim nkg:quantity/nkg:counts ?e . BIND("counts" AS ?role)',
        '?claim nkg:mentions ?e . BIND("mentioned" AS ?role)',
    )
)

_EVENTS = f"""
SELECT ?event ?type (SAMPLE(?doc_) AS ?doc) (SAMPLE(?pub_) AS ?published) (SAMPLE(?trigger_) AS ?trigger)
       (SAMPLE(?time_) AS ?time) (SAMPLE(?start_) AS ?start) (SAMPLE(?end_) AS ?end)
       (SAMPLE(?cause_) AS ?cause) (COUNT(DISTINCT ?span) AS ?mentions) WHERE {{
  VALUES ?type {{ {_EVENT_TYPES} }}
  ?event a ?type .
  OPTIONAL {{ ?event prov:wasDerivedFrom ?doc_ OPTIONAL {{ ?doc_ schema:datePublished ?pub_ }} }}
  OPTIONAL {{ ?event nkg:trigger/nif:anchorOf ?trigger_ }}
  OPTIONAL {{ ?event nkg:time ?time_ }}
  OPTIONAL {{ ?event nkg:timeStart ?start_ }}
  OPTIONAL {{ ?event nkg:timeEnd ?end_ }}
  OPTIONAL {{ ?event nkg:cause ?cause_ }}
  OPTIONAL {{ ?event nkg:evidence ?span }}
}} GROUP BY ?event ?type
"""

_EVENT_ROLES = f"""
SELECT DISTINCT ?event ?role ?e WHERE {{
  VALUES ?type {{ {_EVENT_TYPES} }}
  VALUES ?rp {{ nkg:agent nkg:target nkg:place }}
  ?event a ?type ; ?rp ?e .
  BIND(STRAFTER(STR(?rp), "#") AS ?role)
}}
"""

_EVENT_CLAIMS = f"""
SELECT DISTINCT ?event ?claim ?source ?sourceText ?stance WHERE {{
  VALUES ?type {{ {_EVENT_TYPES} }}
  ?event a ?type .
  ?claim nkg:about ?event .
  OPTIONAL {{ ?claim prov:wasAttributedTo ?source }}
  OPTIONAL {{ ?claim nkg:sourceText ?sourceText }}
  OPTIONAL {{ ?claim nkg:stance ?stance }}
}}
"""


def _select(store: Store, sparql: str) -> list[dict[str, object]]:
    return result_rows(run_query(store, sparql))


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``.

    >>> local_name("https://w3id.org/newskg/ontology#fightsAlongside")
    'fightsAlongside'
    """
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[cut + 1 :] or iri


def _date(value: object) -> str | None:
    """An ISO date (YYYY-MM-DD) from a date or dateTime lexical form; None for anything else."""
    if isinstance(value, str) and len(value) >= 10 and _ISO_DATE.match(value):
        return value[:10]
    return None


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

# Entity kinds that say less than another kind the same entity may also carry.
_GENERIC_KINDS = {EntityKind.ORGANIZATION.value: 2, EntityKind.LOCATION.value: 2, EntityKind.GROUP.value: 1}


def _widen(data: dict, first_key: str, last_key: str, dates: Iterable[str | None]) -> None:
    """Extend ``data``'s date range to cover ``dates``."""
    for d in dates:
        if not d:
            continue
        if first_key not in data or d < data[first_key]:
            data[first_key] = d
        if last_key not in data or d > data[last_key]:
            data[last_key] = d


def _joined(values: Iterable[object]) -> str:
    return "; ".join(sorted({str(v) for v in values if v not in (None, "")}))


def _text_label(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- projections -------------------------------------------------------------------------------


def to_networkx(store: Store, *, projection: Projection | str = Projection.ACTORS) -> nx.MultiDiGraph:
    """The store as a directed multigraph in one of the projections.

    Nodes are keyed by IRI, edges by predicate local name (``fightsAlongside``, ``claims``, …).
    """
    projection = Projection(projection)
    graph = nx.MultiDiGraph(projection=projection.value, creator=f"newskg {__version__}")
    _add_actors(store, graph)
    if projection is Projection.CLAIMS:
        _add_claims(store, graph)
    elif projection is Projection.EVENTS:
        _add_events(store, graph)
    # A node exists on the timeline for as long as any of its edges does.
    for s, o, data in graph.edges(data=True):
        for node in (s, o):
            _widen(graph.nodes[node], "first_seen", "last_seen", (data.get("start"), data.get("end")))
    return graph


def _ensure_node(graph: nx.MultiDiGraph, iri: str) -> None:
    if iri not in graph:
        graph.add_node(iri, label=local_name(iri), type="Resource", mentions=0, documents=0)


def _add_actors(store: Store, graph: nx.MultiDiGraph) -> None:
    types: dict[str, list[str]] = defaultdict(list)
    for row in sorted(_select(store, _ENTITIES), key=lambda r: (r["e"], r["type"])):
        iri = row["e"]
        types[iri].append(local_name(row["type"]))
        data = graph.nodes[iri] if iri in graph else None
        if data is None:
            graph.add_node(iri, label=row.get("label") or local_name(iri), mentions=0, documents=0)
            data = graph.nodes[iri]
        if "geonames" in row:
            data["geonames"] = str(row["geonames"])
    for iri, kinds in types.items():  # the most specific kind when several documents differ
        graph.nodes[iri]["type"] = min(sorted(kinds), key=lambda k: _GENERIC_KINDS.get(k, 0))
    aliases: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, _ALIASES):
        aliases[row["e"]].add(row["alias"])
    for iri, names in aliases.items():
        names.discard(graph.nodes[iri]["label"])
        if names:
            graph.nodes[iri]["aliases"] = "; ".join(sorted(names))
    for row in _select(store, _MENTIONS):
        graph.nodes[row["e"]]["mentions"] = row["mentions"]
    for row in _select(store, _ENTITY_DOCUMENTS):
        data = graph.nodes[row["e"]]
        data["documents"] = row["documents"]
        _widen(data, "first_seen", "last_seen", (_date(row.get("first")), _date(row.get("last"))))
    for row in _select(store, _ENTITY_DATES):
        if row["e"] in graph:
            _widen(graph.nodes[row["e"]], "first_seen", "last_seen", (_date(row.get("first")), _date(row.get("last"))))

    edges: dict[tuple[str, str, str], dict] = {}
    for row in _select(store, _RELATION_EDGES):
        s, p, o = row["s"], row["p"], row["o"]
        data = {"predicate": local_name(p), "claims": 0, "documents": row["documents"], "weight": 1.0}
        _widen(data, "start", "end", (_date(row.get("start")), _date(row.get("end"))))
        edges[(s, p, o)] = data
    for row in _select(store, _RELATION_STATEMENTS):
        data = edges.get((row["s"], row["p"], row["o"]))
        if data is not None:
            data["weight"] = float(max(1, row["statements"]))
    claims: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for row in _select(store, _RELATION_CLAIMS):
        claims[(row["s"], row["p"], row["o"])].append(row)
    for key, found in claims.items():
        data = edges.get(key)
        if data is None:
            continue
        data["claims"] = len({r["claim"] for r in found})
        sources = _joined(_source_label(graph, r) for r in found)
        stances = _joined(local_name(r["stance"]) for r in found if "stance" in r)
        if sources:
            data["sources"] = sources
        if stances:
            data["stance"] = stances
        _widen(data, "start", "end", (_date(r.get("date")) for r in found))
    for (s, p, o), data in sorted(edges.items()):
        _ensure_node(graph, s)
        _ensure_node(graph, o)
        graph.add_edge(s, o, key=data["predicate"], **data)


def _source_label(graph: nx.MultiDiGraph, row: dict) -> str | None:
    source = row.get("source")
    if source and source in graph:
        return graph.nodes[source]["label"]
    return row.get("sourceText") or (local_name(source) if source else None)


def _add_claims(store: Store, graph: nx.MultiDiGraph) -> None:
    for row in sorted(_select(store, _CLAIMS), key=lambda r: r["claim"]):
        iri = row["claim"]
        date = _date(row.get("date")) or _date(row.get("published"))
        data = {
            "label": _text_label(row.get("content") or local_name(iri)),
            "type": "Claim",
            "mentions": 1,
            "documents": 1 if row.get("doc") else 0,
        }
        if row.get("stance"):
            data["stance"] = local_name(row["stance"])
        if row.get("hedge"):
            data["hedge"] = local_name(row["hedge"])
        if row.get("date") is not None:
            data["claim_date"] = str(row["date"])
        if row.get("qualifier"):
            data["qualifier"] = row["qualifier"]
        source = _source_label(graph, row)
        if source:
            data["sources"] = source
        if row.get("sourceText"):
            data["source_text"] = row["sourceText"]
        _widen(data, "first_seen", "last_seen", (date,))
        graph.add_node(iri, **data)
        edge = {"claims": 1, "documents": data["documents"], "weight": 1.0}
        for key in ("sources", "stance"):
            if key in data:
                edge[key] = data[key]
        _widen(edge, "start", "end", (date,))
        if row.get("source"):
            _ensure_node(graph, row["source"])
            graph.add_edge(row["source"], iri, key="claims", predicate="claims", **edge)
        if row.get("reporter"):
            _ensure_node(graph, row["reporter"])
            graph.add_edge(iri, row["reporter"], key="reportedBy", predicate="reportedBy", **edge)
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in (row for sparql in _CLAIM_ABOUT for row in _select(store, sparql)):
        if row["claim"] in graph:
            roles[(row["claim"], row["e"])].add(row["role"])
    for (claim, entity), found in sorted(roles.items()):
        _ensure_node(graph, entity)
        cdata = graph.nodes[claim]
        edge = {"predicate": "about", "role": "; ".join(sorted(found)), "claims": 1, "documents": cdata["documents"], "weight": 1.0}
        for key in ("sources", "stance"):
            if key in cdata:
                edge[key] = cdata[key]
        _widen(edge, "start", "end", (cdata.get("first_seen"),))
        graph.add_edge(claim, entity, key="about", **edge)


def _add_events(store: Store, graph: nx.MultiDiGraph) -> None:
    for row in sorted(_select(store, _EVENTS), key=lambda r: (r["event"], r["type"])):
        iri, kind = row["event"], local_name(row["type"])
        if iri in graph:  # an event typed twice keeps its first kind
            continue
        trigger = row.get("trigger")
        time = row.get("time")
        label = f"{kind}: {_text_label(trigger, 60)}" if trigger else kind
        if time is not None:
            label += f" ({time})"
        data = {"label": label, "type": kind, "mentions": row.get("mentions", 0), "documents": 1 if row.get("doc") else 0}
        if time is not None:
            data["time"] = str(time)
        if row.get("cause"):
            data["cause"] = row["cause"]
        dates = [_date(row.get(k)) for k in ("time", "start", "end")]
        _widen(data, "first_seen", "last_seen", dates if any(dates) else (_date(row.get("published")),))
        graph.add_node(iri, **data)
    claims: dict[str, list[dict]] = defaultdict(list)
    for row in _select(store, _EVENT_CLAIMS):
        claims[row["event"]].append(row)
    for iri, found in claims.items():
        if iri in graph:
            graph.nodes[iri]["claims"] = len({r["claim"] for r in found})
            sources = _joined(_source_label(graph, r) for r in found)
            if sources:
                graph.nodes[iri]["sources"] = sources
            stances = _joined(local_name(r["stance"]) for r in found if "stance" in r)
            if stances:
                graph.nodes[iri]["stance"] = stances
    for row in sorted(_select(store, _EVENT_ROLES), key=lambda r: (r["event"], r["role"], r["e"])):
        event, role, entity = row["event"], row["role"], row["e"]
        if event not in graph:
            continue
        _ensure_node(graph, entity)
        edata = graph.nodes[event]
        edge = {"predicate": role, "claims": edata.get("claims", 0), "documents": edata["documents"], "weight": 1.0}
        for key in ("sources", "stance"):
            if key in edata:
                edge[key] = edata[key]
        _widen(edge, "start", "end", (edata.get("first_seen"), edata.get("last_seen")))
        graph.add_edge(event, entity, key=role, **edge)


# --- CONSTRUCT results as a graph --------------------------------------------------------------

_RDF_TYPE = RDF.type.value
_RDFS_LABEL = RDFS.label.value
_XSD_STRING = XSD.string.value


def _node_id(term: NamedNode | BlankNode) -> str:
    return term.value if isinstance(term, NamedNode) else f"_:{term.value}"


def construct_graph(store: Store, triples: Iterable[Triple]) -> nx.MultiDiGraph:
    """The triples of a CONSTRUCT as a graph of IRIs; labels and types looked up where missing."""
    graph = nx.MultiDiGraph(projection="construct", creator=f"newskg {__version__}")
    types: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, set[str]] = defaultdict(set)
    literals: dict[tuple[str, str], set[str]] = defaultdict(set)
    for t in triples:
        if not isinstance(t.subject, (NamedNode, BlankNode)):
            continue  # RDF-star quoted triples are left out
        s, p = _node_id(t.subject), t.predicate.value
        if s not in graph:
            graph.add_node(s)
        if p == _RDF_TYPE and isinstance(t.object, NamedNode):
            types[s].add(t.object.value)
        elif isinstance(t.object, Literal):
            (labels[s] if p == _RDFS_LABEL else literals[(s, local_name(p))]).add(t.object.value)
        elif isinstance(t.object, (NamedNode, BlankNode)):
            o = _node_id(t.object)
            if o not in graph:
                graph.add_node(o)
            name = local_name(p)
            if not graph.has_edge(s, o, key=p):
                graph.add_edge(s, o, key=p, predicate=name, iri=p, weight=1.0)
    known_labels: dict[str, set[str]] = defaultdict(set)
    known_types: dict[str, set[str]] = defaultdict(set)
    missing = [n for n in graph if not n.startswith("_:") and (n not in labels or n not in types)]
    for start in range(0, len(missing), 500):
        values = " ".join(str(NamedNode(n)) for n in missing[start : start + 500])
        lookup = f"SELECT ?n ?l ?t WHERE {{ VALUES ?n {{ {values} }} OPTIONAL {{ ?n rdfs:label ?l }} OPTIONAL {{ ?n a ?t }} }}"
        for row in _select(store, lookup):
            if row.get("l") is not None:
                known_labels[row["n"]].add(str(row["l"]))
            if row.get("t"):
                known_types[row["n"]].add(row["t"])
    for node, data in graph.nodes(data=True):
        found = labels.get(node) or known_labels.get(node)
        data["label"] = min(found) if found else local_name(node)
        kinds = types.get(node) or known_types.get(node) or set()
        ours = sorted(local_name(k) for k in kinds if k.startswith(NKG.iri))
        data["type"] = ours[0] if ours else (sorted(local_name(k) for k in kinds)[0] if kinds else "Resource")
        data["mentions"] = 0
    for (node, name), values in literals.items():
        if name not in ("label", "type", "mentions", "start", "end"):
            graph.nodes[node][name] = "; ".join(sorted(values))
    return graph


# --- GEXF 1.3 ----------------------------------------------------------------------------------

GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"

#: Node colours (r, g, b) by type: one hue family per broad kind.
PALETTE: dict[str, tuple[int, int, int]] = {
    "Person": (228, 26, 28),
    "Country": (31, 120, 180),
    "Region": (51, 160, 44),
    "Settlement": (106, 190, 80),
    "Location": (178, 223, 138),
    "ArmedForces": (128, 32, 32),
    "MilitaryUnit": (180, 80, 60),
    "IntelligenceAgency": (106, 61, 154),
    "GovernmentAgency": (166, 118, 200),
    "NewsOutlet": (255, 127, 0),
    "InternationalOrganization": (0, 160, 160),
    "Organization": (110, 150, 200),
    "Group": (240, 110, 170),
    "Claim": (120, 120, 120),
    "Attack": (200, 0, 0),
    "Clash": (220, 60, 20),
    "Deployment": (150, 110, 40),
    "Casualties": (60, 20, 20),
    "Statement": (90, 130, 160),
    "Gathering": (200, 170, 40),
    "Regulation": (80, 80, 160),
}
_DEFAULT_COLOUR = (190, 190, 190)

_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
# Characters XML 1.0 does not allow at all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_NODE_RESERVED = frozenset({"label", "start", "end", "viz"})
_EDGE_RESERVED = frozenset({"label", "start", "end", "weight", "viz"})


def _esc(value: str) -> str:
    value = value.translate(_ESCAPE)
    return _NOT_XML.sub("", value) if _NOT_XML.search(value) else value


def _token(value: str) -> str:
    """A value for a GEXF ``token`` attribute (labels): whitespace collapsed."""
    return _esc(" ".join(value.split()))


def _gexf_type(values: Iterable[object]) -> str:
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return "boolean"
    if kinds <= {int}:
        return "integer"
    if kinds <= {int, float}:
        return "double"
    return "string"


def _gexf_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return _esc(str(value))


# Attribute columns come in this order, then any others in first-seen order.
_ATTRIBUTE_ORDER = (
    "type", "predicate", "role", "aliases", "mentions", "claims", "sources", "stance", "hedge", "documents",
    "first_seen", "last_seen", "geonames",
)


def _declare(items: Iterable[dict], reserved: frozenset[str]) -> dict[str, str]:
    """Attribute name → GEXF type."""
    values: dict[str, list[object]] = {}
    for data in items:
        for key, value in data.items():
            if key not in reserved and value is not None:
                values.setdefault(key, []).append(value)
    rank = {name: i for i, name in enumerate(_ATTRIBUTE_ORDER)}
    names = sorted(values, key=lambda k: rank.get(k, len(rank)))  # stable: others keep their order
    return {key: _gexf_type(values[key]) for key in names}


def _node_times(data: dict) -> tuple[object, object]:
    return data.get("start", data.get("first_seen")), data.get("end", data.get("last_seen"))


def write_gexf(graph: nx.MultiDiGraph | nx.DiGraph, output: BinaryIO | Path | str, *, description: str | None = None) -> None:
    """Write ``graph`` as GEXF 1.3 (streamed; valid against the official RelaxNG schema).

    Node ``start``/``end`` come from ``start``/``end`` or ``first_seen``/``last_seen``, edge ones
    from ``start``/``end``; they are ISO dates (``timeformat="date"``). Colours follow
    :data:`PALETTE` by node ``type``; sizes grow with the square root of ``mentions``.
    """
    with _binary(output) as fh:
        out = io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="\n", write_through=False)
        try:
            _write_gexf(graph, out, description)
        finally:
            out.flush()
            out.detach()


def _write_gexf(graph: nx.MultiDiGraph | nx.DiGraph, out: IO[str], description: str | None) -> None:
    nodes = list(graph.nodes(data=True))
    if graph.is_multigraph():
        edges = list(graph.edges(keys=True, data=True))
    else:
        edges = [(s, o, None, d) for s, o, d in graph.edges(data=True)]
    node_attrs = _declare((d for _, d in nodes), _NODE_RESERVED)
    edge_attrs = _declare((d for *_, d in edges), _EDGE_RESERVED)
    dynamic = any(_node_times(d) != (None, None) for _, d in nodes) or any(
        d.get("start") is not None or d.get("end") is not None for *_, d in edges
    )
    most = max((d.get("mentions") or 0 for _, d in nodes if isinstance(d.get("mentions"), (int, float))), default=0)

    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w(f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{GEXF_VIZ_NS}" version="1.3">\n')
    w(f"  <meta>\n    <creator>newskg {_esc(__version__)}</creator>\n")
    projection = graph.graph.get("projection")
    text = description or f"newskg knowledge graph, {projection or 'graph'} projection"
    w(f"    <description>{_esc(text)}</description>\n  </meta>\n")
    mode = ' mode="dynamic" timeformat="date"' if dynamic else ' mode="static"'
    w(f'  <graph defaultedgetype="directed" idtype="string"{mode}>\n')
    for cls, attrs in (("node", node_attrs), ("edge", edge_attrs)):
        if attrs:
            w(f'    <attributes class="{cls}" mode="static">\n')
            for name, kind in attrs.items():
                w(f'      <attribute id="{_esc(name)}" title="{_esc(name)}" type="{kind}"/>\n')
            w("    </attributes>\n")

    node_ids = {n: _esc(str(n)) for n, _ in nodes}
    node_keys = [(name, f'          <attvalue for="{_esc(name)}" value="') for name in node_attrs]
    edge_keys = [(name, f'          <attvalue for="{_esc(name)}" value="') for name in edge_attrs]
    parts: list[str] = [f'    <nodes count="{len(nodes)}">\n']
    for node, data in nodes:
        label = data.get("label")
        parts.append(f'      <node id="{node_ids[node]}" label="{_token(str(node if label is None else label))}"')
        start, end = _node_times(data)
        if dynamic:
            if start is not None:
                parts.append(f' start="{_esc(str(start))}"')
            if end is not None:
                parts.append(f' end="{_esc(str(end))}"')
        parts.append(">\n        <attvalues>\n")
        for name, prefix in node_keys:
            value = data.get(name)
            if value is not None:
                parts.append(f'{prefix}{_gexf_value(value)}"/>\n')
        r, g, b = PALETTE.get(str(data.get("type")), _DEFAULT_COLOUR)
        mentions = data.get("mentions")
        size = 10.0 + (40.0 * math.sqrt(mentions / most) if most and isinstance(mentions, (int, float)) and mentions > 0 else 0.0)
        parts.append(f'        </attvalues>\n        <viz:color r="{r}" g="{g}" b="{b}"/>\n        <viz:size value="{size:.2f}"/>\n      </node>\n')
        if len(parts) > 4096:
            w("".join(parts))
            parts.clear()
    parts.append("    </nodes>\n")
    parts.append(f'    <edges count="{len(edges)}">\n')
    for i, (s, o, key, data) in enumerate(edges):
        label = data.get("label", data.get("predicate", key))
        weight = data.get("weight", 1.0)
        parts.append(f'      <edge id="{i}" source="{node_ids[s]}" target="{node_ids[o]}"')
        if label is not None:
            token = _token(str(label))
            parts.append(f' label="{token}" kind="{token}"')
        parts.append(f' weight="{float(weight)!r}"')
        if dynamic:
            if data.get("start") is not None:
                parts.append(f' start="{_esc(str(data["start"]))}"')
            if data.get("end") is not None:
                parts.append(f' end="{_esc(str(data["end"]))}"')
        parts.append(">\n        <attvalues>\n")
        for name, prefix in edge_keys:
            value = data.get(name)
            if value is not None:
                parts.append(f'{prefix}{_gexf_value(value)}"/>\n')
        parts.append("        </attvalues>\n      </edge>\n")
        if len(parts) > 4096:
            w("".join(parts))
            parts.clear()
    parts.append("    </edges>\n  </graph>\n</gexf>\n")
    w("".join(parts))


# --- GraphML and CSV ---------------------------------------------------------------------------


def _plain(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attribute values are only strings, numbers and booleans."""
    clean = nx.MultiDiGraph()
    clean.graph.update({k: v for k, v in graph.graph.items() if isinstance(v, (str, int, float, bool))})
    ok = (str, int, float, bool)
    clean.add_nodes_from((n, {k: v for k, v in d.items() if isinstance(v, ok)}) for n, d in graph.nodes(data=True))
    edges = graph.edges(keys=True, data=True) if graph.is_multigraph() else ((s, o, None, d) for s, o, d in graph.edges(data=True))
    clean.add_edges_from((s, o, k, {a: v for a, v in d.items() if isinstance(v, ok)}) for s, o, k, d in edges)
    return clean


def write_graphml(graph: nx.MultiDiGraph, output: BinaryIO | Path | str) -> None:
    """GraphML for yEd and Cytoscape: node names in ``label``, attributes typed."""
    with _binary(output) as fh:
        nx.write_graphml(_plain(graph), fh, encoding="utf-8", prettyprint=True)


def csv_paths(output: Path | str) -> tuple[Path, Path]:
    """Where the CSV export writes its node and edge tables for ``output``.

    >>> [p.name for p in csv_paths("out/graph.csv")]
    ['graph.nodes.csv', 'graph.edges.csv']
    """
    path = Path(output)
    if path.is_dir():
        return path / "nodes.csv", path / "edges.csv"
    stem = path.name[:-4] if path.name.lower().endswith(".csv") else path.name
    return path.with_name(f"{stem}.nodes.csv"), path.with_name(f"{stem}.edges.csv")


def _interval(start: object, end: object) -> str:
    if start is None and end is None:
        return ""
    return f"<[{start if start is not None else end},{end if end is not None else start}]>"


def _cell(value: object) -> object:
    return "" if value is None else value


def write_csv(graph: nx.MultiDiGraph, output: Path | str) -> tuple[Path, Path]:
    """Gephi spreadsheet tables: ``<stem>.nodes.csv`` and ``<stem>.edges.csv`` (see :func:`csv_paths`)."""
    nodes_path, edges_path = csv_paths(output)
    node_attrs = list(_declare((d for _, d in graph.nodes(data=True)), _NODE_RESERVED))
    # the edges' file moved in first, the nodes' after: a failure in either leaves both as they were
    with _replacing(nodes_path, "w", encoding="utf-8", newline="") as nodes_fh, \
            _replacing(edges_path, "w", encoding="utf-8", newline="") as edges_fh:  # fmt: skip
        writer = csv.writer(nodes_fh)
        writer.writerow(["Id", "Label", *node_attrs, "Time Interval"])
        for node, data in graph.nodes(data=True):
            writer.writerow([node, data.get("label", node), *(_cell(data.get(a)) for a in node_attrs), _interval(*_node_times(data))])
        edges = list(graph.edges(keys=True, data=True)) if graph.is_multigraph() else [(s, o, None, d) for s, o, d in graph.edges(data=True)]
        edge_attrs = list(_declare((d for *_, d in edges), _EDGE_RESERVED))
        writer = csv.writer(edges_fh)
        writer.writerow(["Source", "Target", "Type", "Id", "Label", "Weight", *edge_attrs, "Time Interval"])
        for i, (s, o, key, data) in enumerate(edges):
            label = data.get("label", data.get("predicate", key))
            writer.writerow([
                s, o, "Directed", i, _cell(label), data.get("weight", 1.0),
                *(_cell(data.get(a)) for a in edge_attrs), _interval(data.get("start"), data.get("end")),
            ])
    return nodes_path, edges_path


# --- RDF ---------------------------------------------------------------------------------------


def _rdflib_term(term, cache: dict):
    import rdflib

    if isinstance(term, NamedNode):
        found = cache.get(term.value)
        if found is None:
            found = cache[term.value] = rdflib.URIRef(term.value)
        return found
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return rdflib.Literal(term.value, datatype=None if datatype == _XSD_STRING else _rdflib_term(term.datatype, cache))
    raise TypeError(f"cannot convert {term!r} to rdflib (RDF-star triple terms are not supported)")


def to_rdflib(store: Store):
    """The store as an ``rdflib.Dataset`` with every named graph preserved."""
    return _to_rdflib(store)[0]


def _to_rdflib(store: Store):
    import rdflib

    dataset = rdflib.Dataset()
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri)
    cache: dict[str, object] = {}
    counter = _Counter()

    def converted() -> Iterator[tuple]:
        for q in counter.count(_data_quads(store)):
            yield (_rdflib_term(q.subject, cache), _rdflib_term(q.predicate, cache), _rdflib_term(q.object, cache), _rdflib_term(q.graph_name, cache))

    dataset.addN(converted())
    return dataset, counter.n


def jsonld_context() -> dict:
    """The shipped JSON-LD context (``ontology/context.jsonld``), or the known prefixes.

    Only inline definitions are used: references to remote contexts are dropped, so that an
    export never fetches anything from the network.
    """
    path = context_file()
    if not path.is_file():
        return dict(PREFIXES)
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "@context" in data:
        data = data["@context"]
    parts = data if isinstance(data, list) else [data]
    context: dict = {}
    for part in parts:
        if isinstance(part, dict):
            context.update(part)
    return context or dict(PREFIXES)


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def count(self, items: Iterable) -> Iterator:
        for item in items:
            self.n += 1
            yield item


def _data_quads(store: Store) -> Iterator[Quad]:
    """Every quad but those of the summary's graphs: kept answers and claim rows are a cache of
    this store's, not data to carry to another."""
    caches = Minter().cache_graphs()
    return (q for q in store.quads() if q.graph_name not in caches)


def _merged_triples(store: Store) -> list[Triple]:
    """Every data triple, once, ordered by subject (for readable Turtle)."""
    caches = ", ".join(map(str, Minter().cache_graphs()))
    results = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN ({caches})) }}")
    triples = list(dict.fromkeys(results.triples))
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate)))
    return triples


def _write_rdf_store(store: Store, fmt: ExportFormat, fh: BinaryIO, report: ExportReport) -> None:
    counter = _Counter()
    if fmt is ExportFormat.NQUADS:
        serialize(counter.count(_data_quads(store)), fh, format=RdfFormat.N_QUADS)
        report.quads = counter.n
    elif fmt is ExportFormat.TRIG:
        serialize(counter.count(_data_quads(store)), fh, format=RdfFormat.TRIG, prefixes=PREFIXES)
        report.quads = counter.n
    elif fmt in (ExportFormat.TURTLE, ExportFormat.NTRIPLES):
        triples = _merged_triples(store)
        if fmt is ExportFormat.TURTLE:
            serialize(triples, fh, format=RdfFormat.TURTLE, prefixes=PREFIXES)
        else:
            serialize(triples, fh, format=RdfFormat.N_TRIPLES)
        report.triples = len(triples)
    else:
        dataset, report.quads = _to_rdflib(store)
        with warnings.catch_warnings():  # rdflib's JSON-LD writer calls its own deprecated Dataset API
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.serialize(destination=fh, format="json-ld", context=jsonld_context(), auto_compact=True)


def _write_rdf_triples(triples: list[Triple], fmt: ExportFormat, fh: BinaryIO, report: ExportReport) -> None:
    report.triples = len(triples)
    if fmt is ExportFormat.NQUADS:  # triples of the default graph
        serialize([Quad(t.subject, t.predicate, t.object) for t in triples], fh, format=RdfFormat.N_QUADS)
    elif fmt is ExportFormat.TRIG:
        serialize([Quad(t.subject, t.predicate, t.object) for t in triples], fh, format=RdfFormat.TRIG, prefixes=PREFIXES)
    elif fmt is ExportFormat.TURTLE:
        serialize(triples, fh, format=RdfFormat.TURTLE, prefixes=PREFIXES)
    elif fmt is ExportFormat.NTRIPLES:
        serialize(triples, fh, format=RdfFormat.N_TRIPLES)
    else:
        import rdflib

        graph = rdflib.Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        cache: dict[str, object] = {}
        for t in triples:
            graph.add((_rdflib_term(t.subject, cache), _rdflib_term(t.predicate, cache), _rdflib_term(t.object, cache)))
        graph.serialize(destination=fh, format="json-ld", context=jsonld_context(), auto_compact=True)


def _construct(store: Store, query: str) -> list[Triple]:
    results = run_query(store, query)
    if results.kind is not ResultKind.GRAPH:
        raise QueryError("an export query must be a CONSTRUCT (or DESCRIBE) query: its triples are the exported graph")
    return list(dict.fromkeys(results.triples))


# --- the entry point ---------------------------------------------------------------------------


@contextmanager
def _binary(output: BinaryIO | Path | str) -> Iterator[BinaryIO]:
    if isinstance(output, (str, Path)):
        with _replacing(Path(output), "wb") as fh:
            yield fh
    else:
        yield output


#: The partial files being written (see :func:`discard_partial_files`).
_PARTIAL: set[Path] = set()


def discard_partial_files() -> None:
    """Remove the partial files of the exports being written: for a process about to end
    without unwinding (``kg export`` on Ctrl-C, its export still running in a thread)."""
    for partial in list(_PARTIAL):
        partial.unlink(missing_ok=True)


@contextmanager
def _replacing(path: Path, mode: str, **options: str) -> Iterator[IO[Any]]:
    """A file written beside ``path`` and moved onto it once whole: an export that fails (a
    full disk, an interrupt) leaves no truncated file for a bulk loader to take, and the last
    whole one stays. A link is followed (the file it names is replaced), and what is not a
    file (``/dev/stdout``, a pipe) is written straight. Raises ``OutputError``."""
    straight = path.exists() and not path.is_file()  # followed to what it names
    real = path if straight else Path(os.path.realpath(path))
    partial = real.with_name(f".{real.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        # "x": the partial file is a new one
        fh = open(real if straight else partial, mode if straight else mode.replace("w", "x"), **options)  # noqa: SIM115 - closed below
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    if not straight:
        _PARTIAL.add(partial)
    try:
        with fh:
            yield fh
        if not straight:
            if real.exists():  # the file replaced keeps its permissions
                os.chmod(partial, real.stat().st_mode & 0o7777)
            os.replace(partial, real)
    except BaseException as exc:
        if not straight:
            partial.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        raise
    finally:
        _PARTIAL.discard(partial)


def export(
    store: Store,
    *,
    format: ExportFormat | str,
    output: BinaryIO | Path | str,
    projection: Projection | str = Projection.ACTORS,
    query: str | None = None,
) -> ExportReport:
    """Export the store (or the triples of a CONSTRUCT ``query``) in ``format`` to ``output``.

    ``output`` is a path or a binary stream; CSV needs a path (it writes two files, see
    :func:`csv_paths`). ``query`` is SPARQL text, a ``.rq`` path or a named query.
    """
    fmt = ExportFormat(format)
    projection = Projection(projection)
    if fmt is ExportFormat.CSV and not isinstance(output, (str, Path)):
        raise ConfigError("CSV export writes two files (nodes and edges): give an output path, not a stream")
    triples = _construct(store, query) if query is not None else None
    report = ExportReport(fmt, projection=None if (fmt.is_rdf or query is not None) else projection)
    if fmt.is_rdf:
        with _binary(output) as fh:
            if triples is None:
                _write_rdf_store(store, fmt, fh, report)
            else:
                _write_rdf_triples(triples, fmt, fh, report)
        if isinstance(output, (str, Path)):
            report.files.append(Path(output))
        return report

    graph = construct_graph(store, triples) if triples is not None else to_networkx(store, projection=projection)
    report.nodes, report.edges = graph.number_of_nodes(), graph.number_of_edges()
    if triples is not None:
        report.triples = len(triples)
    if fmt is ExportFormat.CSV:
        report.files.extend(write_csv(graph, output))
        return report
    if fmt is ExportFormat.GEXF:
        write_gexf(graph, output)
    else:
        write_graphml(graph, output)
    if isinstance(output, (str, Path)):
        report.files.append(Path(output))
    return report
