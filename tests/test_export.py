"""Exports: graph projections (GEXF, GraphML, CSV) and RDF serialisations.

The store is built from hand-made model objects through the real mapping code path, so the
tests need no spaCy model.
"""

from __future__ import annotations

import csv
import doctest
import io
import json
import os
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from pyoxigraph import RdfFormat
from pyoxigraph import Store as OxStore

from conftest import fill
from kg.errors import ConfigError, OutputError, QueryError
from kg.export import (
    ExportFormat,
    Projection,
    construct_graph,
    csv_paths,
    export,
    jsonld_context,
    to_networkx,
    to_rdflib,
    write_gexf,
)
from kg.mapping import Minter, document_quads, new_run
from kg.model import (
    Claim,
    Document,
    Entity,
    EntityKind,
    EntityRelation,
    Event,
    EventKind,
    Extraction,
    Hedge,
    Mention,
    Quantity,
    Relation,
    RelationType,
    Resolution,
    Span,
    Stance,
    TimeExpr,
    TimeKind,
)
from kg.store import open_store

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "gexf-schema" / "1.3" / "gexf.rng"
BASE = "https://w3id.org/newskg/id/"
M = Minter(BASE)

T1 = (
    "Ukraine's military intelligence agency HUR said on Saturday that North Korean soldiers fight alongside "
    "Russian forces in Kursk, Reuters reported. HUR said about 200 North Korean soldiers were killed in Kursk."
)
T2 = "North Korea denied on January 8 that its soldiers fight alongside Russian forces, KCNA reported. Russian forces attacked Kursk on January 8."


def sp(text: str, sub: str, nth: int = 0) -> Span:
    i = -1
    for _ in range(nth + 1):
        i = text.index(sub, i + 1)
    return Span.of(text, i, i + len(sub))


def doc_id(n: int) -> str:
    return f"{n:x}" * 64 if n < 16 else f"{n:064x}"


def first_document() -> Resolution:
    doc = Document(doc_id(1), T1, path="a.txt", title="HUR on North Korean troops", published=date(2024, 12, 16), publisher="Reuters")
    mentions = [
        Mention(sp(T1, "HUR"), EntityKind.INTELLIGENCE_AGENCY, key="hur"),
        Mention(sp(T1, "Ukraine's military intelligence agency"), EntityKind.INTELLIGENCE_AGENCY, descriptive=True),
        Mention(sp(T1, "North Korean soldiers"), EntityKind.GROUP),
        Mention(sp(T1, "Russian forces"), EntityKind.ARMED_FORCES),
        Mention(sp(T1, "Kursk"), EntityKind.REGION, key="kursk"),
        Mention(sp(T1, "Reuters"), EntityKind.NEWS_OUTLET, key="reuters"),
        Mention(sp(T1, "HUR", 1), EntityKind.INTELLIGENCE_AGENCY, key="hur"),
        Mention(sp(T1, "North Korean soldiers", 1), EntityKind.GROUP),
        Mention(sp(T1, "Kursk", 1), EntityKind.REGION, key="kursk"),
    ]
    sentence1 = sp(T1, T1[: T1.index("reported.") + len("reported.")])
    sentence2 = sp(T1, "HUR said about 200 North Korean soldiers were killed in Kursk.")
    figure = Quantity(sp(T1, "about 200"), value=200, hedge=Hedge.APPROXIMATELY, measure="killed", counts="North Korean soldiers", counts_mention=7)
    extraction = Extraction(
        doc,
        mentions=mentions,
        relations=[
            Relation(2, RelationType.FIGHTS_ALONGSIDE, 3, sentence1),
            Relation(2, RelationType.DEPLOYED_IN, 4, sentence1),
        ],
        events=[Event(EventKind.CASUALTIES, sp(T1, "killed"), sentence2, targets=[7], places=[8], quantity=figure)],
        claims=[
            Claim(
                content=sp(T1, "North Korean soldiers fight alongside Russian forces in Kursk"),
                evidence=sentence1,
                source=0,
                source_span=sp(T1, "Ukraine's military intelligence agency HUR"),
                cue=sp(T1, "said"),
                reporter=5,
                date=TimeExpr(sp(T1, "on Saturday"), TimeKind.DATE, "2024-12-14"),
                relations=[0, 1],
            ),
            Claim(
                content=sp(T1, "about 200 North Korean soldiers were killed in Kursk"),
                evidence=sentence2,
                source=6,
                source_span=sp(T1, "HUR", 1),
                cue=sp(T1, "said", 1),
                hedge=Hedge.APPROXIMATELY,
                quantities=[figure],
                events=[0],
            ),
        ],
        extractor="newskg.rules.v1",
        model="en_core_web_sm 3.8.0",
    )
    entities = [
        Entity("hur", "HUR", EntityKind.INTELLIGENCE_AGENCY, aliases={"Ukraine's military intelligence agency"},
               mentions=[mentions[0].span, mentions[1].span, mentions[6].span]),
        Entity("group:north-korean-soldiers", "North Korean soldiers", EntityKind.GROUP, mentions=[mentions[2].span, mentions[7].span]),
        Entity("russian-armed-forces", "Russian forces", EntityKind.ARMED_FORCES, mentions=[mentions[3].span]),
        Entity("kursk", "Kursk", EntityKind.REGION, mentions=[mentions[4].span, mentions[8].span], geonames_id=538560),
        Entity("reuters", "Reuters", EntityKind.NEWS_OUTLET, mentions=[mentions[5].span]),
    ]
    relations = [
        EntityRelation(1, RelationType.FIGHTS_ALONGSIDE, 2, sentence1),
        EntityRelation(1, RelationType.DEPLOYED_IN, 3, sentence1),
    ]
    return Resolution(extraction, entities, [0, 0, 1, 2, 3, 4, 0, 1, 3], relations)


def second_document() -> Resolution:
    doc = Document(doc_id(2), T2, path="b.txt", published=date(2025, 1, 10))
    mentions = [
        Mention(sp(T2, "North Korea"), EntityKind.COUNTRY, key="north-korea"),
        Mention(sp(T2, "its soldiers"), EntityKind.GROUP, affiliation="north-korea"),
        Mention(sp(T2, "Russian forces"), EntityKind.ARMED_FORCES),
        Mention(sp(T2, "KCNA"), EntityKind.NEWS_OUTLET, key="kcna"),
        Mention(sp(T2, "Russian forces", 1), EntityKind.ARMED_FORCES),
        Mention(sp(T2, "Kursk"), EntityKind.REGION, key="kursk"),
    ]
    sentence1 = sp(T2, T2[: T2.index("reported.") + len("reported.")])
    sentence2 = sp(T2, "Russian forces attacked Kursk on January 8.")
    extraction = Extraction(
        doc,
        mentions=mentions,
        relations=[Relation(1, RelationType.FIGHTS_ALONGSIDE, 2, sentence1)],
        events=[Event(EventKind.ATTACK, sp(T2, "attacked"), sentence2, agents=[4], places=[5],
                      time=TimeExpr(sp(T2, "on January 8", 1), TimeKind.DATE, "2025-01-08"))],
        claims=[
            Claim(
                content=sp(T2, "its soldiers fight alongside Russian forces"),
                evidence=sentence1,
                stance=Stance.DENIED,
                source=0,
                source_span=sp(T2, "North Korea"),
                cue=sp(T2, "denied"),
                reporter=3,
                date=TimeExpr(sp(T2, "on January 8"), TimeKind.DATE, "2025-01-08"),
                relations=[0],
            )
        ],
        extractor="newskg.rules.v1",
        model="en_core_web_sm 3.8.0",
    )
    entities = [
        Entity("north-korea", "North Korea", EntityKind.COUNTRY, mentions=[mentions[0].span], geonames_id=1873107),
        Entity("group:north-korean-soldiers", "North Korean soldiers", EntityKind.GROUP, mentions=[mentions[1].span]),
        Entity("russian-armed-forces", "Russian forces", EntityKind.ARMED_FORCES, mentions=[mentions[2].span, mentions[4].span]),
        Entity("kcna", "KCNA", EntityKind.NEWS_OUTLET, mentions=[mentions[3].span]),
        Entity("kursk", "Kursk", EntityKind.REGION, mentions=[mentions[5].span], geonames_id=538560),
    ]
    relations = [
        EntityRelation(1, RelationType.FIGHTS_ALONGSIDE, 2, sentence1),
        EntityRelation(1, RelationType.AFFILIATED_WITH, 0, sentence1),
    ]
    return Resolution(extraction, entities, [0, 1, 2, 3, 2, 4], relations)


def entity(key: str) -> str:
    return M.entity(key).value


HUR, SOLDIERS, RUSSIA_FORCES, KURSK = entity("hur"), entity("group:north-korean-soldiers"), entity("russian-armed-forces"), entity("kursk")
NORTH_KOREA, REUTERS, KCNA = entity("north-korea"), entity("reuters"), entity("kcna")


@pytest.fixture(scope="module")
def store():
    run = new_run(extractor="newskg.rules.v1", model="en_core_web_sm 3.8.0", base=BASE)
    with open_store(":memory:") as s:
        s.ensure_ontology()
        for resolution in (first_document(), second_document()):
            s.write_graph(M.document(resolution.extraction.document.id), document_quads(resolution, run=run, base=BASE))
        yield s


@pytest.fixture(scope="module")
def actors(store):
    return to_networkx(store, projection=Projection.ACTORS)


# --- projections -------------------------------------------------------------------------------


def test_actor_nodes_carry_type_aliases_mentions_documents_and_dates(actors):
    assert set(actors) == {HUR, SOLDIERS, RUSSIA_FORCES, KURSK, NORTH_KOREA, REUTERS, KCNA}
    hur = actors.nodes[HUR]
    assert hur["label"] == "HUR" and hur["type"] == "IntelligenceAgency"
    assert hur["aliases"] == "Ukraine's military intelligence agency"
    assert hur["mentions"] == 3 and hur["documents"] == 1
    assert (hur["first_seen"], hur["last_seen"]) == ("2024-12-14", "2024-12-16")  # its claim's date, the article's date
    soldiers = actors.nodes[SOLDIERS]
    assert soldiers["type"] == "Group" and soldiers["mentions"] == 3 and soldiers["documents"] == 2
    assert (soldiers["first_seen"], soldiers["last_seen"]) == ("2024-12-14", "2025-01-10")
    assert actors.nodes[KURSK]["geonames"] == "538560" and actors.nodes[KURSK]["type"] == "Region"
    assert actors.nodes[RUSSIA_FORCES]["mentions"] == 3
    # the attack of 2025-01-08 involves Russian forces: seen then, before the article of 2025-01-10
    assert actors.nodes[RUSSIA_FORCES]["first_seen"] == "2024-12-14"
    assert "aliases" not in actors.nodes[KCNA]


def test_relation_edges_carry_predicate_claims_sources_stance_and_time(actors):
    assert actors.number_of_edges() == 3
    edge = actors.edges[SOLDIERS, RUSSIA_FORCES, "fightsAlongside"]
    assert edge["predicate"] == "fightsAlongside"
    assert edge["claims"] == 2
    assert edge["sources"] == "HUR; North Korea"
    assert edge["stance"] == "Asserted; Denied"
    assert edge["documents"] == 2 and edge["weight"] == 2.0
    assert (edge["start"], edge["end"]) == ("2024-12-14", "2025-01-10")
    deployed = actors.edges[SOLDIERS, KURSK, "deployedIn"]
    assert (deployed["claims"], deployed["sources"], deployed["documents"]) == (1, "HUR", 1)
    affiliated = actors.edges[SOLDIERS, NORTH_KOREA, "affiliatedWith"]
    assert affiliated["claims"] == 0 and "sources" not in affiliated
    assert affiliated["start"] == affiliated["end"] == "2025-01-10"


def test_claims_projection_links_sources_claims_outlets_and_what_they_are_about(store):
    g = to_networkx(store, projection="claims")
    claims = [n for n, d in g.nodes(data=True) if d["type"] == "Claim"]
    assert len(claims) == 3 and g.number_of_nodes() == 10
    denial = next(n for n in claims if g.nodes[n]["stance"] == "Denied")
    assert g.nodes[denial]["label"] == "its soldiers fight alongside Russian forces"
    assert g.has_edge(NORTH_KOREA, denial, "claims") and g.has_edge(denial, KCNA, "reportedBy")
    about = {o for _, o, k in g.out_edges(denial, keys=True) if k == "about"}
    assert about == {SOLDIERS, RUSSIA_FORCES}
    assert g.edges[denial, SOLDIERS, "about"]["role"] == "mentioned; subject"
    casualties = next(n for n in claims if g.nodes[n].get("hedge") == "Approximately")
    assert "counts" in g.edges[casualties, SOLDIERS, "about"]["role"]
    assert g.number_of_edges() == 3 + 3 + 2 + 7


def test_events_projection_has_role_edges(store):
    g = to_networkx(store, projection=Projection.EVENTS)
    events = {n: d for n, d in g.nodes(data=True) if d["type"] in ("Attack", "Casualties")}
    assert len(events) == 2 and g.number_of_edges() == 3 + 4
    attack = next(n for n, d in events.items() if d["type"] == "Attack")
    assert g.has_edge(attack, RUSSIA_FORCES, "agent") and g.has_edge(attack, KURSK, "place")
    assert g.nodes[attack]["first_seen"] == "2025-01-08"
    casualties = next(n for n, d in events.items() if d["type"] == "Casualties")
    assert g.nodes[casualties]["claims"] == 1 and g.nodes[casualties]["sources"] == "HUR"
    assert g.edges[casualties, SOLDIERS, "target"]["sources"] == "HUR"


# --- GEXF ----------------------------------------------------------------------------------------


def _relaxng():
    etree = pytest.importorskip("lxml.etree")
    if not SCHEMA.is_file():
        pytest.skip(f"GEXF schema not found at {SCHEMA}")
    return etree, etree.RelaxNG(etree.parse(str(SCHEMA)))


@pytest.mark.parametrize("projection", list(Projection))
def test_gexf_is_valid_gexf_1_3_and_reads_back(store, tmp_path, projection):
    etree, schema = _relaxng()
    out = tmp_path / f"{projection.value}.gexf"
    report = export(store, format=ExportFormat.GEXF, output=out, projection=projection)
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    root = doc.getroot()
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    graph = root.find("{http://gexf.net/1.3}graph")
    assert (graph.get("mode"), graph.get("timeformat"), graph.get("defaultedgetype")) == ("dynamic", "date", "directed")
    assert doc.find(".//{http://gexf.net/1.3}creator").text.startswith("newskg ")
    assert doc.find(".//{http://gexf.net/1.3/viz}color") is not None
    back = nx.read_gexf(out)
    assert (back.number_of_nodes(), back.number_of_edges()) == (report.nodes, report.edges)
    expected = to_networkx(store, projection=projection)
    assert (report.nodes, report.edges) == (expected.number_of_nodes(), expected.number_of_edges())


def test_gexf_attributes_read_back_with_their_values(store, tmp_path):
    out = tmp_path / "actors.gexf"
    export(store, format="gexf", output=out)
    back = nx.read_gexf(out)
    hur = back.nodes[HUR]
    assert (hur["label"], hur["type"], hur["mentions"], hur["start"], hur["end"]) == ("HUR", "IntelligenceAgency", 3, "2024-12-14", "2024-12-16")
    assert hur["viz"]["color"] == {"r": 106, "g": 61, "b": 154, "a": 1.0}
    (edge,) = [d for s, o, d in back.edges(data=True) if d["label"] == "fightsAlongside"]
    assert (edge["claims"], edge["sources"], edge["weight"], edge["start"], edge["end"]) == (2, "HUR; North Korea", 2.0, "2024-12-14", "2025-01-10")


def test_gexf_escapes_awkward_text_and_stays_valid(tmp_path):
    etree, schema = _relaxng()
    g = nx.MultiDiGraph()
    g.add_node('a"<&>', label='He said "no" <b> & \n left\x01', type="Person", mentions=2, note="tab\there")
    g.add_node("b", label="  spaced   out ", type="Unknown", mentions=0, ratio=0.5, flag=True)
    g.add_edge('a"<&>', "b", key="x", predicate="said & done", weight=1)
    g.add_edge('a"<&>', "b", key="y", predicate="other")
    out = tmp_path / "odd.gexf"
    write_gexf(g, out)
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    assert doc.getroot().find("{http://gexf.net/1.3}graph").get("mode") == "static"
    back = nx.read_gexf(out)
    assert back.nodes['a"<&>']["label"] == 'He said "no" <b> & left'
    assert back.nodes['a"<&>']["note"] == "tab\there"
    assert back.nodes["b"]["flag"] is True and back.number_of_edges() == 2


# --- GraphML and CSV -----------------------------------------------------------------------------


def test_graphml_reads_back_with_the_same_counts(store, tmp_path):
    out = tmp_path / "g.graphml"
    report = export(store, format="graphml", output=out, projection="claims")
    back = nx.read_graphml(out)
    assert (back.number_of_nodes(), back.number_of_edges()) == (report.nodes, report.edges)
    assert back.nodes[HUR]["label"] == "HUR" and back.nodes[HUR]["mentions"] == 3


def test_csv_writes_gephi_node_and_edge_tables(store, tmp_path):
    report = export(store, format="csv", output=tmp_path / "graph.csv")
    nodes_path, edges_path = csv_paths(tmp_path / "graph.csv")
    assert report.files == [nodes_path, edges_path] and nodes_path.name == "graph.nodes.csv"
    with nodes_path.open(encoding="utf-8", newline="") as fh:
        nodes = list(csv.DictReader(fh))
    with edges_path.open(encoding="utf-8", newline="") as fh:
        edges = list(csv.DictReader(fh))
    assert (len(nodes), len(edges)) == (report.nodes, report.edges) == (7, 3)
    hur = next(n for n in nodes if n["Id"] == HUR)
    assert (hur["Label"], hur["type"], hur["mentions"], hur["Time Interval"]) == ("HUR", "IntelligenceAgency", "3", "<[2024-12-14,2024-12-16]>")
    edge = next(e for e in edges if e["Label"] == "fightsAlongside")
    assert (edge["Source"], edge["Target"], edge["Type"], edge["Weight"], edge["claims"]) == (SOLDIERS, RUSSIA_FORCES, "Directed", "2.0", "2")


def test_csv_needs_a_path(store):
    with pytest.raises(ConfigError, match="path"):
        export(store, format="csv", output=io.BytesIO())


# --- RDF -----------------------------------------------------------------------------------------


def _store_quads(store) -> int:
    return sum(1 for _ in store.quads())


@pytest.mark.parametrize("fmt, ox_format", [("nquads", RdfFormat.N_QUADS), ("trig", RdfFormat.TRIG)])
def test_quad_formats_round_trip_with_named_graphs(store, tmp_path, fmt, ox_format):
    out = tmp_path / f"dump.{fmt}"
    report = export(store, format=fmt, output=out)
    fresh = OxStore()
    fresh.load(path=str(out), format=ox_format)
    assert len(fresh) == report.quads == _store_quads(store)
    assert {g.value for g in fresh.named_graphs()} == {g.value for g in store.graphs()}
    if fmt == "nquads":
        lines = out.read_text(encoding="utf-8").splitlines()
        assert len(lines) == report.quads
        assert all(line.startswith(("<", "_:")) and line.endswith(" .") for line in lines)


def test_nquads_goes_to_a_stream_too(store):
    buffer = io.BytesIO()
    report = export(store, format=ExportFormat.NQUADS, output=buffer)
    assert buffer.getvalue().count(b"\n") == report.quads > 0 and report.files == []


@pytest.mark.parametrize("fmt, rdflib_format", [("turtle", "turtle"), ("ntriples", "nt")])
def test_triple_formats_merge_the_graphs(store, tmp_path, fmt, rdflib_format):
    out = tmp_path / f"dump.{fmt}"
    report = export(store, format=fmt, output=out)
    parsed = rdflib.Graph().parse(out, format=rdflib_format)
    distinct = {(q.subject, q.predicate, q.object) for q in store.quads()}
    assert len(parsed) == report.triples == len(distinct) < _store_quads(store)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's JSON-LD parser
def test_jsonld_parses_and_uses_the_context(store, tmp_path):
    out = tmp_path / "dump.jsonld"
    report = export(store, format="jsonld", output=out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["@context"] == jsonld_context()
    text = out.read_text(encoding="utf-8")
    assert "https://w3id.org/newskg/ontology#fightsAlongside" not in text  # compacted by the context
    parsed = rdflib.Dataset().parse(out, format="json-ld")
    assert sum(1 for _ in parsed.quads()) == report.quads == _store_quads(store)
    assert {str(g.identifier) for g in parsed.graphs() if len(g)} >= {g.value for g in store.graphs()}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's JSON-LD parser
def test_jsonld_uses_the_shipped_context_terms(store, tmp_path, monkeypatch):
    context = tmp_path / "context.jsonld"
    context.write_text(json.dumps({"@context": [
        "https://example.org/remote-context-never-fetched.jsonld",
        {"nkg": "https://w3id.org/newskg/ontology#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
         "label": {"@id": "rdfs:label"}, "Claim": "nkg:Claim", "fightsAlongside": {"@id": "nkg:fightsAlongside", "@type": "@id"}},
    ]}), encoding="utf-8")
    monkeypatch.setattr("kg.export.context_file", lambda: context)
    out = tmp_path / "dump.jsonld"
    report = export(store, format="jsonld", output=out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["@context"]["label"] == {"@id": "rdfs:label"}
    text = out.read_text(encoding="utf-8")
    assert '"label": "North Korean soldiers"' in text and '"@type": "Claim"' in text
    assert '"fightsAlongside": "https://w3id.org/newskg/id/entity/russian-armed-forces"' in text
    parsed = rdflib.Dataset().parse(out, format="json-ld")
    assert sum(1 for _ in parsed.quads()) == report.quads


def test_to_rdflib_keeps_every_named_graph(store):
    dataset = to_rdflib(store)
    assert sum(1 for _ in dataset.quads()) == _store_quads(store)
    shared = dataset.graph(rdflib.URIRef(M.shared_graph().value))  # direct relations are shared facts
    assert (rdflib.URIRef(SOLDIERS), rdflib.URIRef("https://w3id.org/newskg/ontology#fightsAlongside"), rdflib.URIRef(RUSSIA_FORCES)) in shared
    document = dataset.graph(rdflib.URIRef(M.document(doc_id(2)).value))
    assert (None, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/newskg/ontology#RelationStatement")) in document


# --- CONSTRUCT exports ---------------------------------------------------------------------------

ALLIES = """
CONSTRUCT { ?a nkg:fightsAlongside ?b . ?a rdfs:label ?l . ?a nkg:note "ally" }
WHERE { ?a nkg:fightsAlongside ?b . ?a rdfs:label ?l }
"""


def test_construct_query_exports_as_rdf_and_as_a_graph(store, tmp_path):
    report = export(store, format="turtle", output=tmp_path / "allies.ttl", query=ALLIES)
    parsed = rdflib.Graph().parse(tmp_path / "allies.ttl", format="turtle")
    assert len(parsed) == report.triples == 3
    query_file = tmp_path / "allies.rq"
    query_file.write_text(ALLIES, encoding="utf-8")
    report = export(store, format="gexf", output=tmp_path / "allies.gexf", query=str(query_file))
    assert (report.nodes, report.edges) == (2, 1)
    back = nx.read_gexf(tmp_path / "allies.gexf")
    assert back.nodes[SOLDIERS]["label"] == "North Korean soldiers" and back.nodes[SOLDIERS]["note"] == "ally"
    assert back.nodes[RUSSIA_FORCES]["label"] == "Russian forces"  # looked up in the store
    assert back.nodes[RUSSIA_FORCES]["type"] == "ArmedForces"
    graph = construct_graph(store, [])
    assert graph.number_of_nodes() == 0


def test_export_query_must_be_construct(store, tmp_path):
    with pytest.raises(QueryError, match="CONSTRUCT"):
        export(store, format="gexf", output=tmp_path / "x.gexf", query="SELECT * WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("fmt", ["nquads", "turtle", "gexf", "graphml", "csv"])
def test_an_export_that_fails_to_write_leaves_the_last_whole_one_and_no_partial_file(store, small_disk, fmt):
    """A truncated N-Quads file is one a bulk loader takes without a word: a full disk mid-export
    leaves the files as they were, and says which could not be written."""
    disk, _ = small_disk
    out = disk / f"graph.{fmt}"
    first = export(store, format=fmt, output=out)
    whole = {p: p.read_bytes() for p in first.files}
    assert all(whole.values())
    filler = fill(disk, leave=0)
    with pytest.raises(OutputError, match=rf"{disk}/graph.*: cannot write: No space left on device"):
        export(store, format=fmt, output=out)
    filler.unlink()
    assert {p: p.read_bytes() for p in first.files} == whole
    assert sorted(os.listdir(disk)) == sorted(p.name for p in first.files), "a partial file was left"
    again = export(store, format=fmt, output=out)  # and one with room replaces them whole
    assert again.files == first.files and {p: p.read_bytes() for p in again.files} == whole


def test_an_export_into_a_folder_that_cannot_be_made_says_so(store, tmp_path):
    (tmp_path / "file").write_text("in the way", encoding="utf-8")
    with pytest.raises(OutputError, match="file/out.nq: cannot write: "):
        export(store, format="nquads", output=tmp_path / "file" / "out.nq")


def test_export_doctests():
    """Among them, what the CLI says an export wrote (ExportReport.__str__)."""
    import kg.export

    assert doctest.testmod(kg.export).failed == 0


def test_an_export_follows_a_link_and_writes_a_pipe_straight(store, tmp_path):
    """A link to a file keeps linking to it, replaced whole; a pipe (or ``/dev/stdout``) is no
    file to replace: it is written as it is (a partial file beside ``/dev/stdout`` had replaced
    the link itself with a file)."""
    import threading

    target, link = tmp_path / "graph.nq", tmp_path / "latest.nq"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    link.symlink_to(target)
    report = export(store, format="nquads", output=link)
    assert link.is_symlink() and target.read_bytes().count(b"\n") == report.quads > 1
    assert target.stat().st_mode & 0o777 == 0o600  # replaced, its permissions kept
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(pipe.read_bytes()))
    reader.start()
    (tmp_path / "out").symlink_to(pipe)  # as /dev/stdout links to the process's own
    export(store, format="nquads", output=tmp_path / "out")
    reader.join(timeout=30)
    assert read == [target.read_bytes()] and pipe.is_fifo() and (tmp_path / "out").is_symlink()
    assert sorted(os.listdir(tmp_path)) == ["graph.nq", "latest.nq", "out", "pipe"]


def test_the_partial_files_of_exports_under_way_can_be_discarded(store, tmp_path):
    """What ``kg export`` does on Ctrl-C before it ends the process (its export runs in a thread)."""
    import kg.export

    out = tmp_path / "out.nq"
    with pytest.raises(OutputError, match="out.nq: cannot write"):  # its partial file gone, it cannot be moved in
        with kg.export._replacing(out, "wb") as fh:
            fh.write(b"half")
            (partial,) = tmp_path.iterdir()
            kg.export.discard_partial_files()
            assert not partial.exists()
    assert list(tmp_path.iterdir()) == [] and kg.export._PARTIAL == set()
