"""Model → quads: contract terms, evidence spans, one named graph per document."""

from __future__ import annotations

from collections import Counter

from pyoxigraph import Literal, NamedNode, RdfFormat, parse, serialize

from kg.mapping import Minter, document_nquads, document_quads, new_run
from kg.ontology import NIF, NKG, PROV, RDF, RDFS, SCHEMA, SKOS
from sample import TEXT, sample_resolution


def _quads():
    resolution = sample_resolution()
    run = new_run(extractor="newskg.rules.v1", model="en_core_web_sm 3.8.0")
    return resolution, document_quads(resolution, run=run)


def test_document_facts_in_its_graph_shared_facts_once_in_the_shared_graph():
    resolution, quads = _quads()
    graph, shared = Minter().document(resolution.extraction.document.id), Minter().shared_graph()
    assert {q.graph_name for q in quads} == {graph, shared}
    in_shared = {q.predicate for q in quads if q.graph_name == shared}
    assert {RDF.type, RDFS.label, SKOS.altLabel, NKG.nameKey, NKG.deployedIn} <= in_shared
    assert not in_shared & {NKG.evidence, NKG.stance, PROV.wasAttributedTo, NIF.anchorOf}


def test_every_span_anchor_equals_the_text_at_its_offsets():
    resolution, quads = _quads()
    text = resolution.extraction.document.text
    spans = {q.subject for q in quads if q.predicate == RDF.type and q.object == NKG.Span}
    assert len(spans) > 5
    value = {(q.subject, q.predicate): q.object.value for q in quads if q.subject in spans and q.predicate != RDF.type}
    for s in spans:
        begin, end = int(value[(s, NIF.beginIndex)]), int(value[(s, NIF.endIndex)])
        assert text[begin:end] == value[(s, NIF.anchorOf)]


def test_entities_have_one_label_aliases_and_name_keys():
    _, quads = _quads()
    hur = Minter().entity("hur")
    labels = [q.object for q in quads if q.subject == hur and q.predicate == RDFS.label]
    assert labels == [Literal("HUR")]
    assert Literal("Main Directorate of Intelligence") in {q.object for q in quads if q.subject == hur and q.predicate == SKOS.altLabel}
    assert {"hur", "main directorate of intelligence"} <= {q.object.value for q in quads if q.subject == hur and q.predicate == NKG.nameKey}
    assert Counter(q.predicate for q in quads if q.subject == Minter().entity("kursk"))[NKG.evidence] == 2


def test_claims_carry_source_outlet_stance_hedge_date_and_figure():
    resolution, quads = _quads()
    claims = sorted({q.subject for q in quads if q.object == NKG.Claim})
    props = {(q.subject, q.predicate): q.object for q in quads}
    first, second = claims
    assert props[(first, PROV.wasAttributedTo)] == Minter().entity("hur")
    assert props[(first, NKG.reportedBy)] == Minter().entity("reuters")
    assert props[(first, NKG.stance)] == NKG.Asserted and props[(first, NKG.hedge)] == NKG.AtLeast
    assert props[(first, NKG.claimDate)].value == "2024-12-15"
    assert props[(first, PROV.wasDerivedFrom)] == Minter().document(resolution.extraction.document.id)
    figure = props[(first, NKG.quantity)]
    assert props[(figure, SCHEMA.minValue)].value == "30" and props[(figure, NKG.counts)] == Minter().entity("group/north-korea")
    assert props[(second, NKG.stance)] == NKG.Denied and (second, NKG.reportedBy) not in props


def test_relations_are_direct_triples_with_a_reified_statement():
    _, quads = _quads()
    group, kursk = Minter().entity("group:north-korea"), Minter().entity("kursk")
    assert any(q.subject == group and q.predicate == NKG.deployedIn and q.object == kursk for q in quads)
    statement = next(q.subject for q in quads if q.object == NKG.RelationStatement)
    props = {q.predicate: q.object for q in quads if q.subject == statement}
    assert (props[RDF.subject], props[RDF.predicate], props[RDF.object]) == (group, NKG.deployedIn, kursk)
    assert NKG.evidence in props


def test_run_is_recorded_with_prov():
    _, quads = _quads()
    run = next(q.subject for q in quads if q.object == NKG.ExtractionRun)
    props = {q.predicate: q.object for q in quads if q.subject == run}
    assert props[NKG.modelName].value == "en_core_web_sm" and props[NKG.modelVersion].value == "3.8.0"
    assert isinstance(props[PROV.wasAssociatedWith], NamedNode)


def test_geonames_link_only_when_known():
    _, quads = _quads()
    matches = {(q.subject, q.object.value) for q in quads if q.predicate == SKOS.exactMatch}
    assert matches == {(Minter().entity("kursk"), "https://sws.geonames.org/538555/")}


def test_the_n_quads_are_what_pyoxigraph_writes_and_keep_every_character():
    # quotes, a backslash before n and u, a tab, control characters, right-to-left text, an emoji
    text = TEXT + '\nHe wrote "C:\\new\\u0041"\tthen \x01\x08\x0c\x7f: \u05e9\u05dc\u05d5\u05dd \U0001f600.'
    resolution = sample_resolution(text)
    alias = 'HUR "the \\ agency"\r\n'
    resolution.entities[0].aliases.add(alias)
    data = document_nquads(resolution, run=new_run(extractor="newskg.rules.v1", model="en_core_web_sm 3.8.0"))
    quads = list(parse(data, format=RdfFormat.N_QUADS))
    assert serialize(quads, format=RdfFormat.N_QUADS) == data  # written as pyoxigraph writes them
    assert data.count(b"\n") == len(quads)  # a line per quad: the build counts them so
    assert [q.object.value for q in quads if q.predicate == NIF.isString] == [resolution.extraction.document.text]
    assert "\U0001f600" in resolution.extraction.document.text
    assert alias in {q.object.value for q in quads if q.predicate == SKOS.altLabel}
