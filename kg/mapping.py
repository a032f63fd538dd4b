"""Model → RDF quads: the only place IRIs are minted. The layout is ``ontology/README.md``.

What a document says (its text, claims, events, statements, evidence spans, where it mentions
each entity) goes to the named graph whose IRI is the document's IRI, so a document can be
written, replaced or dropped as one unit. What many documents share (an entity's type, label,
aliases and identifiers, the direct relation triples, the software) goes once to the shared
graph: the union of graphs that queries see is a bag, and a label repeated in every document's
graph would multiply every join on it.

A document is mapped straight to N-Quads text, the form the store's bulk loader reads: building
a ``Quad`` object for each of its thousand-odd quads, and serializing them after, took 2.6 times
as long in a build (0.42 s instead of 0.16 s for 176 articles).
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

from pyoxigraph import NamedNode, Quad, RdfFormat, parse

from kg import __version__
from kg.config import base_iri
from kg.model import Quantity, Resolution, Span, SpanIndex, TimeExpr, name_key
from kg import ontology
from kg.ontology import Namespace

#: What ``quote(path, safe="/-_.~")`` leaves as it is.
_UNRESERVED = re.compile(r"[A-Za-z0-9/_.~-]*")

#: N-Quads escapes as pyoxigraph's serializer writes them (a test checks they agree): the four
#: a text is full of by ``str.replace``, the rare control characters by ``str.translate``.
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ESCAPES = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F)} | {0x08: "\\b", 0x09: "\\t", 0x0C: "\\f"}


def _path(path: str) -> str:
    # most paths (spans, claims, hashes) need no escaping: skip quote(), which is slow
    return path if _UNRESERVED.fullmatch(path) else quote(path, safe="/-_.~")


def _string(value: str) -> str:
    """A plain literal in N-Quads.

    >>> print(_string('said "no"\\n'))
    "said \\"no\\"\\n"
    """
    if _NEEDS_ESCAPE.search(value):
        value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if _CONTROL.search(value):
            value = value.translate(_CONTROL_ESCAPES)
    return '"' + value + '"'


class _Terms:
    """A namespace's terms in N-Quads (``<iri>``), each built once: a document's mapping asks
    for the same few dozen terms about a thousand times."""

    def __init__(self, namespace: Namespace) -> None:
        self._namespace = namespace
        self._items: dict[str, str] = {}

    def __getattr__(self, name: str) -> str:
        term = str(getattr(self._namespace, name))  # NamedNode checks the IRI
        setattr(self, name, term)  # from now on a plain attribute: __getattr__ is not called again
        return term

    def __getitem__(self, name: str) -> str:
        term = self._items.get(name)
        if term is None:
            term = self._items[name] = str(self._namespace[name])
        return term


NIF, NKG, PROV, RDF, RDFS, SCHEMA, SKOS, XSD = (
    _Terms(n) for n in (ontology.NIF, ontology.NKG, ontology.PROV, ontology.RDF, ontology.RDFS,
                        ontology.SCHEMA, ontology.SKOS, ontology.XSD)
)


def _entity_path(key: str) -> str:
    return "entity/" + key.replace(":", "/")


def _span_path(doc_id: str, span: Span) -> str:
    return f"span/{doc_id[:16]}/{span.start}-{span.end}"


def _local_path(kind: str, doc_id: str, n: int) -> str:
    return f"{kind}/{doc_id[:16]}-{n}"


@dataclass(frozen=True, slots=True)
class Run:
    """One invocation of the extractor over some documents, recorded with PROV-O."""

    iri: NamedNode
    extractor: str
    model: str  # "name version"
    started: datetime


#: The summary's graphs of rows (``kg.questions``): each claim's listing rows, each document's
#: timeline rows, the members behind the distinct counts (entities, places, relations), rows by
#: key (an entity's, a source's, a casualty figure record, a stance record, an actor's label),
#: the index of the stance records by the actors they name (a quad per record and actor), and
#: the stance conflicts (a quad per pair, by its denial and by its assertion). A build adds the
#: rows of its documents and rewrites those of the keys they touch, so its end does not read or
#: rewrite what they hold for the store's other documents.
SUMMARY_ROWS = ("claim-rows", "timeline", "members", "entities", "sources", "figures",
                "stances", "stance-index", "stance-labels", "stance-conflicts", "stance-pairs")  # fmt: skip
#: Graphs of rows an older layout kept: still caches (left out of counts and exports) until the
#: summary computed anew drops them.
RETIRED_SUMMARY_ROWS = ("figure-conflicts",)


class Minter:
    """Mints instance IRIs under one base.

    >>> m = Minter("https://example.org/kg/")
    >>> m.entity("person:volodymyr-zelensky").value
    'https://example.org/kg/entity/person/volodymyr-zelensky'
    >>> m.document("ab" * 32).value[-8:]
    'abababab'
    """

    def __init__(self, base: str | None = None) -> None:
        self.base = base or base_iri()

    def _iri(self, path: str) -> NamedNode:
        return NamedNode(self.base + _path(path))

    def entity(self, key: str) -> NamedNode:
        return self._iri(_entity_path(key))

    def document(self, doc_id: str) -> NamedNode:
        return self._iri(f"document/{doc_id}")

    def shared_graph(self) -> NamedNode:
        """The graph of facts shared by documents: entity names and types, direct relations,
        software. Stored once, so the union of graphs holds each such triple once."""
        return self._iri("graph/shared")

    def summary_graph(self) -> NamedNode:
        """The graph of whole-store answers kept at build time (``kg.questions``): a cache,
        rebuilt from the other graphs, never a source of facts."""
        return self._iri("graph/summary")

    def summary_rows_graph(self, name: str) -> NamedNode:
        """A graph of rows kept with the summary (a cache too), one of :data:`SUMMARY_ROWS`."""
        return self._iri(f"graph/summary-{name}")

    def claim_rows_graph(self) -> NamedNode:
        """The graph of every claim's listing rows."""
        return self.summary_rows_graph("claim-rows")

    def cache_graphs(self) -> tuple[NamedNode, ...]:
        """The graphs that are caches of the others: left out of counts and exports."""
        return self.summary_graph(), *(self.summary_rows_graph(name) for name in (*SUMMARY_ROWS, *RETIRED_SUMMARY_ROWS))

    def span(self, doc_id: str, span: Span) -> NamedNode:
        return self._iri(_span_path(doc_id, span))

    def local(self, kind: str, doc_id: str, n: int) -> NamedNode:
        """Claims, events, quantities, statements: numbered inside their document."""
        return self._iri(_local_path(kind, doc_id, n))

    def run(self, extractor: str, model: str, started: datetime) -> Run:
        digest = hashlib.sha256(f"{__version__}|{extractor}|{model}|{started.isoformat()}".encode()).hexdigest()
        return Run(self._iri(f"run/{digest[:16]}"), extractor, model, started)

    def software(self) -> NamedNode:
        return self._iri(f"software/newskg-{__version__}")


def _typed(value: str, datatype: str) -> str:
    return _string(value) + "^^" + datatype


def _number(value: float) -> str:
    """An ``xsd:decimal`` literal (never exponent notation, which xsd:decimal does not allow).

    >>> _number(1e16), _number(2.5), _number(200.0)  # doctest: +NORMALIZE_WHITESPACE
    ('"10000000000000000"^^<http://www.w3.org/2001/XMLSchema#decimal>',
     '"2.5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
     '"200"^^<http://www.w3.org/2001/XMLSchema#decimal>')
    """
    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _typed(text, XSD.decimal)


def _time(expr: TimeExpr, value: str | None = None) -> str:
    return _typed(value or expr.value, XSD[expr.kind.value])


def _checked_iri(value: str) -> str:
    """An IRI from outside the minter (a gazetteer's identifier), checked by ``NamedNode``."""
    return str(NamedNode(value))


def _count(n: int) -> str:
    return f'"{n}"^^{XSD.nonNegativeInteger}'  # digits: nothing to escape


def new_run(*, extractor: str, model: str, base: str | None = None) -> Run:
    """A run record for a build starting now."""
    return Minter(base).run(extractor, model, datetime.now(timezone.utc).replace(microsecond=0))


def document_nquads(resolution: Resolution, *, run: Run, base: str | None = None) -> bytes:
    """All quads of one resolved document as N-Quads, one per line: in its own named graph,
    and the shared facts in the shared graph."""
    return "".join(_DocumentMapper(resolution, run, Minter(base)).quads()).encode()


def document_quads(resolution: Resolution, *, run: Run, base: str | None = None) -> list[Quad]:
    """:func:`document_nquads` as ``Quad`` objects."""
    return list(parse(document_nquads(resolution, run=run, base=base), format=RdfFormat.N_QUADS))


class _DocumentMapper:
    """One document's quads, each an N-Quads line; terms are N-Quads text (``<iri>``,
    ``"literal"^^<datatype>``)."""

    def __init__(self, resolution: Resolution, run: Run, minter: Minter) -> None:
        self.res = resolution
        self.ext = resolution.extraction
        self.doc = self.ext.document
        self.run = run
        self.run_iri = str(run.iri)
        self.m = minter
        self.graph = str(minter.document(self.doc.id))  # NamedNode checks the base IRI once
        self.doc_iri = self.graph
        self.shared = str(minter.shared_graph())
        self._prefix = "<" + minter.base
        self.entity_iris = [self._iri(_entity_path(e.key)) for e in resolution.entities]
        self._counter = 0
        self._quantities: dict[tuple[int, int], str] = {}
        self._mentions_at = SpanIndex((m.span.start, m.span.end) for m in self.ext.mentions)  # for _named_in

    def _iri(self, path: str) -> str:
        return self._prefix + _path(path) + ">"

    def _q(self, s: str, p: str, o: str) -> str:
        return f"{s} {p} {o} {self.graph} .\n"

    def _shared(self, s: str, p: str, o: str) -> str:
        return f"{s} {p} {o} {self.shared} .\n"

    def _next(self, kind: str) -> str:
        self._counter += 1
        return self._iri(_local_path(kind, self.doc.id, self._counter))

    def _mention_iri(self, index: int | None) -> str | None:
        if index is None:
            return None
        entity = self.res.mention_entity[index]
        return None if entity is None else self.entity_iris[entity]

    def _actor_iri(self, index: int | None) -> str | None:
        """The entity of a mention when it can act (claim, relay); a place that stands as a
        source ("CAPRI, Italy (AP) —" misread) stays only as the source as written."""
        if index is None or (entity := self.res.mention_entity[index]) is None:
            return None
        return self.entity_iris[entity] if self.res.entities[entity].kind.is_actor else None

    def _named_in(self, content: Span) -> list[str]:
        """Entities with a mention inside ``content``, in order of first mention."""
        found: dict[str, None] = {}
        for index in self._mentions_at.near(content.start, content.end):
            mention = self.ext.mentions[index]
            if content.start <= mention.span.start and mention.span.end <= content.end:
                entity = self._mention_iri(index)
                if entity is not None:
                    found[entity] = None
        return list(found)

    def span(self, span: Span) -> tuple[str, list[str]]:
        iri = self._iri(_span_path(self.doc.id, span))
        return iri, [
            self._q(iri, RDF.type, NKG.Span),
            self._q(iri, NIF.beginIndex, _count(span.start)),
            self._q(iri, NIF.endIndex, _count(span.end)),
            # the document's own characters: the extraction read its hard-wrapped lines unwrapped
            self._q(iri, NIF.anchorOf, _string(self.doc.text[span.start : span.end])),
            self._q(iri, NIF.referenceContext, self.doc_iri),
        ]

    def _evidence(self, subject: str, span: Span, predicate: str = NKG.evidence) -> Iterator[str]:
        iri, quads = self.span(span)
        yield from quads
        yield self._q(subject, predicate, iri)

    def quads(self) -> Iterator[str]:
        yield from self.document()
        yield from self.run_quads()
        yield from self.entities()
        statements = list(self.relations())
        for _, quads in statements:
            yield from quads
        events = [self.event(e) for e in self.ext.events]
        for _, quads in events:
            yield from quads
        statement_of = self._statement_index()
        for claim in self.ext.claims:
            about = [events[i][0] for i in claim.events if i < len(events)]
            about += [statements[statement_of[i]][0] for i in claim.relations if i in statement_of]
            yield from self.claim(claim, about)

    def document(self) -> Iterator[str]:
        d, doc = self.doc_iri, self.doc
        yield self._q(d, RDF.type, SCHEMA.NewsArticle)
        yield self._q(d, RDF.type, NIF.Context)
        yield self._q(d, NKG.contentHash, _string("sha256:" + doc.id))
        yield self._q(d, NIF.isString, _string(doc.text))
        yield self._q(d, NIF.beginIndex, _count(0))
        yield self._q(d, NIF.endIndex, _count(len(doc.text)))
        yield self._q(d, NKG.extractedBy, self.run_iri)
        if doc.published:
            yield self._q(d, SCHEMA.datePublished, _typed(doc.published.isoformat(), XSD.date))
        if doc.title:
            yield self._q(d, SCHEMA.headline, _string(doc.title))
        if doc.url:
            yield self._q(d, SCHEMA.url, _typed(doc.url, XSD.anyURI))
        if doc.path:
            yield self._q(d, NKG.sourcePath, _string(doc.path))
        if doc.publisher:
            yield self._q(d, NKG.publisherName, _string(doc.publisher))

    def run_quads(self) -> Iterator[str]:
        run, software = self.run_iri, str(self.m.software())
        name, _, version = self.run.model.rpartition(" ")
        yield self._q(run, RDF.type, NKG.ExtractionRun)
        yield self._q(run, PROV.wasAssociatedWith, software)
        yield self._q(run, PROV.used, self.doc_iri)
        yield self._q(run, PROV.startedAtTime, _typed(self.run.started.isoformat(), XSD.dateTime))
        yield self._q(run, NKG.extractor, _string(self.run.extractor))
        yield self._q(run, NKG.modelName, _string(name or self.run.model))
        yield self._q(run, NKG.modelVersion, _string(version or "unknown"))
        yield self._shared(software, RDF.type, PROV.SoftwareAgent)
        yield self._shared(software, SCHEMA.name, _string("newskg"))
        yield self._shared(software, SCHEMA.softwareVersion, _string(__version__))

    def entities(self) -> Iterator[str]:
        for entity, iri in zip(self.res.entities, self.entity_iris):
            # names and type are the entity's, not the document's: stored once, in the shared graph
            yield self._shared(iri, RDF.type, NKG[entity.kind.value])
            yield self._shared(iri, RDFS.label, _string(entity.label))
            for alias in sorted(entity.aliases - {entity.label}):
                yield self._shared(iri, SKOS.altLabel, _string(alias))
            for key in sorted({name_key(n) for n in (entity.label, *entity.aliases)} - {""}):
                yield self._shared(iri, NKG.nameKey, _string(key))  # indexed lookup by any name
            if entity.geonames_id:
                yield self._shared(iri, NKG.geonamesId, _typed(str(entity.geonames_id), XSD.integer))
                yield self._shared(iri, SKOS.exactMatch, _checked_iri(f"https://sws.geonames.org/{entity.geonames_id}/"))
            if entity.wikidata_id:
                yield self._shared(iri, SKOS.exactMatch, _checked_iri(f"http://www.wikidata.org/entity/{entity.wikidata_id}"))
            for span in entity.mentions:  # where this document mentions it: the document's
                yield from self._evidence(iri, span)
            for surface, reason in entity.merges:
                merge = self._next("merge")
                yield self._q(iri, NKG.merged, merge)
                yield self._q(merge, NKG.surfaceForm, _string(surface))
                yield self._q(merge, NKG.reason, _string(reason))

    def relations(self) -> Iterator[tuple[str, list[str]]]:
        for rel in self.res.relations:
            s, o = self.entity_iris[rel.subject], self.entity_iris[rel.object]
            p = NKG[rel.predicate.value]
            st = self._next("statement")
            quads = [
                self._shared(s, p, o),  # the direct triple once; each statement keeps its evidence
                self._q(st, RDF.type, NKG.RelationStatement),
                self._q(st, RDF.subject, s),
                self._q(st, RDF.predicate, p),
                self._q(st, RDF.object, o),
                self._q(st, PROV.wasDerivedFrom, self.doc_iri),
                *self._evidence(st, rel.evidence),
            ]
            yield st, quads

    def _statement_index(self) -> dict[int, int]:
        """Extraction relation index → index of its entity-level statement."""
        position = {(r.subject, r.predicate, r.object): i for i, r in enumerate(self.res.relations)}
        found = {}
        for i, rel in enumerate(self.ext.relations):
            s, o = self.res.mention_entity[rel.subject], self.res.mention_entity[rel.object]
            if (s, rel.predicate, o) in position:
                found[i] = position[(s, rel.predicate, o)]
        return found

    def quantity(self, q: Quantity) -> tuple[str, list[str]]:
        # A figure is one node even when both a claim and an event point to it.
        known = self._quantities.get((q.span.start, q.span.end))
        if known:
            return known, []
        iri = self._quantities[(q.span.start, q.span.end)] = self._next("quantity")
        quads = [self._q(iri, RDF.type, SCHEMA.QuantitativeValue), *self._evidence(iri, q.span)]
        for prop, value in ((SCHEMA.value, q.value), (SCHEMA.minValue, q.min_value), (SCHEMA.maxValue, q.max_value)):
            if value is not None:
                quads.append(self._q(iri, prop, _number(value)))
        if q.hedge:
            quads.append(self._q(iri, NKG.hedge, NKG[q.hedge.value]))
        if q.measure:
            quads.append(self._q(iri, NKG.measure, _string(q.measure)))
        if q.counts:
            quads.append(self._q(iri, SCHEMA.unitText, _string(q.counts)))
        counted = self._mention_iri(q.counts_mention)
        if counted:
            quads.append(self._q(iri, NKG.counts, counted))
        return iri, quads

    def event(self, event) -> tuple[str, list[str]]:
        iri = self._next("event")
        quads = [
            self._q(iri, RDF.type, NKG[event.kind.value]),
            self._q(iri, PROV.wasDerivedFrom, self.doc_iri),
            *self._evidence(iri, event.trigger, NKG.trigger),
            *self._evidence(iri, event.evidence),
        ]
        for prop, indices in ((NKG.agent, event.agents), (NKG.target, event.targets), (NKG.place, event.places)):
            for index in indices:
                entity = self._mention_iri(index)
                if entity:
                    quads.append(self._q(iri, prop, entity))
        if event.time:
            quads.extend(self._times(iri, event.time, NKG.time))
        if event.cause:
            quads.append(self._q(iri, NKG.cause, _string(event.cause.text)))
        if event.quantity:
            q_iri, q_quads = self.quantity(event.quantity)
            quads += [*q_quads, self._q(iri, NKG.quantity, q_iri)]
        return iri, quads

    def _times(self, subject: str, expr: TimeExpr, predicate: str) -> list[str]:
        quads = [self._q(subject, predicate, _time(expr))]
        if expr.start:
            quads.append(self._q(subject, NKG.timeStart, _time(expr, expr.start)))
        if expr.end:
            quads.append(self._q(subject, NKG.timeEnd, _time(expr, expr.end)))
        return quads

    def claim(self, claim, about: list[str]) -> Iterator[str]:
        iri = self._next("claim")
        yield self._q(iri, RDF.type, NKG.Claim)
        yield self._q(iri, PROV.wasDerivedFrom, self.doc_iri)
        yield self._q(iri, PROV.wasGeneratedBy, self.run_iri)
        yield self._q(iri, NKG.stance, NKG[claim.stance.value])
        source = self._actor_iri(claim.source)
        if source:
            yield self._q(iri, PROV.wasAttributedTo, source)
        if claim.source_span:
            yield self._q(iri, NKG.sourceText, _string(claim.source_span.text))
        reporter = self._actor_iri(claim.reporter)
        if reporter and reporter != source:
            yield self._q(iri, NKG.reportedBy, reporter)
        hedge = claim.hedge or next((q.hedge for q in claim.quantities if q.hedge), None)
        if hedge:
            yield self._q(iri, NKG.hedge, NKG[hedge.value])
        if claim.date:
            yield from self._times(iri, claim.date, NKG.claimDate)
        if claim.qualifier:
            yield self._q(iri, NKG.qualifier, _string(claim.qualifier))
        yield from self._evidence(iri, claim.evidence)
        yield from self._evidence(iri, claim.content, NKG.content)
        if claim.cue:
            yield from self._evidence(iri, claim.cue, NKG.cue)
        for target in about:
            yield self._q(iri, NKG.about, target)
        for entity in self._named_in(claim.content):
            yield self._q(iri, NKG.mentions, entity)
        for q in claim.quantities:
            q_iri, q_quads = self.quantity(q)
            yield from q_quads
            yield self._q(iri, NKG.quantity, q_iri)
