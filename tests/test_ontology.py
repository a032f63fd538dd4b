"""The ontology, the SHACL shapes and the JSON-LD context in ``ontology/``.

Validation is called exactly as ``ontology/shapes.ttl`` says (see :func:`validate`): the union of
the document graphs plus the ontology, no inference.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from kg.model import EntityKind, EventKind, Hedge, RelationType, Stance

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_TTL = ONTOLOGY_DIR / "newskg.ttl"
SHAPES_TTL = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT = ONTOLOGY_DIR / "context.jsonld"
ONTOLOGY_IRI = "https://w3id.org/newskg/ontology"

NKG = Namespace("https://w3id.org/newskg/ontology#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
# an open namespace: rdflib's closed XSD warns when pytest probes module attributes (_mock_name)
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
NKGSH = Namespace("https://w3id.org/newskg/shapes#")

TOP_CLASSES = (SCHEMA.Person, SCHEMA.Organization, SCHEMA.Place, NKG.Group)

PREFIXES = """\
PREFIX nkg: <https://w3id.org/newskg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


# ------------------------------------------------------------------------------------------------
# A small, valid built graph, laid out as ontology/README.md says: one document graph.
# The text starts with two astral code points (a flag), so offsets must count code points, not
# UTF-16 units; it also holds non-ASCII "—" and "’".
# ------------------------------------------------------------------------------------------------

SHA = "930f30c4ad13e43340f2a2abcb2a669c343f0c425db06aba6c4bcc8d146a1162"
TEXT = (
    "🇺🇦 KYIV — North Korean soldiers attacked the Akhmat unit in Kursk on 14 December, "
    "killing at least 30 of its fighters, Ukraine’s military intelligence agency (HUR) said, "
    "according to Reuters. Russia has not commented."
)

VALID_TRIG = """\
@prefix nkg:       <https://w3id.org/newskg/ontology#> .
@prefix schema:    <https://schema.org/> .
@prefix prov:      <http://www.w3.org/ns/prov#> .
@prefix nif:       <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> .
@prefix skos:      <http://www.w3.org/2004/02/skos/core#> .
@prefix rdf:       <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:      <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:       <http://www.w3.org/2001/XMLSchema#> .
@prefix entity:    <https://w3id.org/newskg/id/entity/> .
@prefix run:       <https://w3id.org/newskg/id/run/> .
@prefix software:  <https://w3id.org/newskg/id/software/> .
@prefix this:      <https://w3id.org/newskg/id/document/930f30c4ad13e43340f2a2abcb2a669c343f0c425db06aba6c4bcc8d146a1162> .
@prefix span:      <https://w3id.org/newskg/id/span/930f30c4ad13e43340f2a2abcb2a669c343f0c425db06aba6c4bcc8d146a1162/> .
@prefix claim:     <https://w3id.org/newskg/id/claim/930f30c4ad13e43340f2a2abcb2a669c343f0c425db06aba6c4bcc8d146a1162-> .
@prefix event:     <https://w3id.org/newskg/id/event/930f30c4ad13e43340f2a2abcb2a669c343f0c425db06aba6c4bcc8d146a1162-> .
@prefix quantity:  <https://w3id.org/newskg/id/quantity/930f30c4ad13e43340f2a2abcb2a669c343f0c425db06aba6c4bcc8d146a1162-> .
@prefix statement: <https://w3id.org/newskg/id/statement/930f30c4ad13e43340f2a2abcb2a669c343f0c425db06aba6c4bcc8d146a1162-> .
@prefix merge:     <https://w3id.org/newskg/id/merge/930f30c4ad13e43340f2a2abcb2a669c343f0c425db06aba6c4bcc8d146a1162-> .

this: {
  # --- the document ---------------------------------------------------------------------------
  this: a schema:NewsArticle , nif:Context ;
      nkg:contentHash "sha256:930f30c4ad13e43340f2a2abcb2a669c343f0c425db06aba6c4bcc8d146a1162" ;
      nif:isString "🇺🇦 KYIV — North Korean soldiers attacked the Akhmat unit in Kursk on 14 December, killing at least 30 of its fighters, Ukraine’s military intelligence agency (HUR) said, according to Reuters. Russia has not commented." ;
      nif:beginIndex "0"^^xsd:nonNegativeInteger ;
      nif:endIndex "217"^^xsd:nonNegativeInteger ;
      schema:datePublished "2024-12-16"^^xsd:date ;
      schema:headline "North Korean troops attack Akhmat unit in Kursk" ;
      schema:url "https://example.org/news/akhmat"^^xsd:anyURI ;
      nkg:publisherName "Reuters" ;
      nkg:sourcePath "seeds/example.txt" ;
      nkg:extractedBy run:5e2b1c3f7a9d4e6b8c0a1f2e3d4c5b6a7988796a5b4c3d2e1f0a9b8c7d6e5f40 .

  # --- the extraction run ---------------------------------------------------------------------
  run:5e2b1c3f7a9d4e6b8c0a1f2e3d4c5b6a7988796a5b4c3d2e1f0a9b8c7d6e5f40 a nkg:ExtractionRun ;
      prov:wasAssociatedWith software:newskg-0.1.0 ;
      prov:used this: ;
      prov:startedAtTime "2024-12-16T09:30:00+00:00"^^xsd:dateTime ;
      nkg:extractor "newskg.rules.v1" ;
      nkg:modelName "en_core_web_sm" ;
      nkg:modelVersion "3.8.0" .
  software:newskg-0.1.0 a prov:SoftwareAgent ;
      schema:name "newskg" ;
      schema:softwareVersion "0.1.0" .

  # --- entities -------------------------------------------------------------------------------
  entity:north-korean-soldiers a nkg:Group ;
      rdfs:label "North Korean soldiers" ;
      nkg:evidence span:10-31 ;
      nkg:affiliatedWith entity:north-korea ;
      nkg:attacked entity:akhmat .
  entity:north-korea a nkg:Country ;
      rdfs:label "North Korea" ;
      nkg:evidence span:10-22 .
  entity:akhmat a nkg:MilitaryUnit ;
      rdfs:label "Akhmat" ;
      skos:altLabel "Akhmat unit" ;
      nkg:evidence span:45-56 .
  entity:kursk a nkg:Region ;
      rdfs:label "Kursk" ;
      nkg:evidence span:60-65 ;
      nkg:geonamesId 538560 ;
      skos:exactMatch <https://sws.geonames.org/538560/> .
  entity:hur a nkg:IntelligenceAgency ;
      rdfs:label "HUR" ;
      skos:altLabel "Ukraine’s military intelligence agency" ;
      nkg:nameKey "hur" , "ukraine's military intelligence agency" ;
      nkg:evidence span:159-162 , span:119-157 ;
      nkg:merged merge:1 .
  merge:1 nkg:surfaceForm "Ukraine’s military intelligence agency" ;
      nkg:reason "descriptive re-mention" .
  entity:ukraine a nkg:Country ;
      rdfs:label "Ukraine" ;
      nkg:evidence span:119-126 .
  entity:reuters a nkg:NewsOutlet ;
      rdfs:label "Reuters" ;
      nkg:evidence span:183-190 .
  entity:russia a nkg:Country ;
      rdfs:label "Russia" ;
      nkg:evidence span:192-198 .

  # --- relation statements (each direct triple above has one) ---------------------------------
  statement:1 a nkg:RelationStatement ;
      rdf:subject entity:north-korean-soldiers ; rdf:predicate nkg:attacked ; rdf:object entity:akhmat ;
      nkg:evidence span:10-80 ;
      prov:wasDerivedFrom this: .
  statement:2 a nkg:RelationStatement ;
      rdf:subject entity:north-korean-soldiers ; rdf:predicate nkg:affiliatedWith ; rdf:object entity:north-korea ;
      nkg:evidence span:10-31 ;
      prov:wasDerivedFrom this: .

  # --- event and quantity ---------------------------------------------------------------------
  event:1 a nkg:Attack ;
      prov:wasDerivedFrom this: ;
      nkg:agent entity:north-korean-soldiers ;
      nkg:target entity:akhmat ;
      nkg:place entity:kursk ;
      nkg:time "2024-12-14"^^xsd:date ;
      nkg:trigger span:32-40 ;
      nkg:quantity quantity:1 ;
      nkg:evidence span:10-80 .
  quantity:1 a schema:QuantitativeValue ;
      schema:minValue 30.0 ;
      nkg:hedge nkg:AtLeast ;
      nkg:measure "killed" ;
      schema:unitText "of its fighters" ;
      nkg:counts entity:akhmat ;
      nkg:evidence span:90-101 .

  # --- claims ---------------------------------------------------------------------------------
  claim:1 a nkg:Claim ;
      prov:wasAttributedTo entity:hur ;
      nkg:sourceText "Ukraine’s military intelligence agency (HUR)" ;
      nkg:reportedBy entity:reuters ;
      prov:wasDerivedFrom this: ;
      nkg:stance nkg:Asserted ;
      nkg:about event:1 , statement:1 ;
      nkg:quantity quantity:1 ;
      nkg:evidence span:10-191 ;
      nkg:content span:10-117 ;
      nkg:cue span:164-168 ;
      prov:wasGeneratedBy run:5e2b1c3f7a9d4e6b8c0a1f2e3d4c5b6a7988796a5b4c3d2e1f0a9b8c7d6e5f40 .
  claim:2 a nkg:Claim ;
      prov:wasAttributedTo entity:russia ;
      nkg:sourceText "Russia" ;
      prov:wasDerivedFrom this: ;
      nkg:stance nkg:DeclinedToComment ;
      nkg:claimDate "--12"^^xsd:gMonth ;
      nkg:timeStart "--12-01"^^xsd:gMonthDay ;
      nkg:timeEnd "--12-16"^^xsd:gMonthDay ;
      nkg:qualifier "not" ;
      nkg:about event:1 ;
      nkg:evidence span:192-217 ;
      nkg:content span:199-216 ;
      nkg:cue span:199-216 ;
      prov:wasGeneratedBy run:5e2b1c3f7a9d4e6b8c0a1f2e3d4c5b6a7988796a5b4c3d2e1f0a9b8c7d6e5f40 .

  # --- spans: Unicode code-point offsets, end exclusive -----------------------------------------
  span:10-22 a nkg:Span ; nif:beginIndex "10"^^xsd:nonNegativeInteger ; nif:endIndex "22"^^xsd:nonNegativeInteger ;
      nif:anchorOf "North Korean" ; nif:referenceContext this: .
  span:10-31 a nkg:Span ; nif:beginIndex "10"^^xsd:nonNegativeInteger ; nif:endIndex "31"^^xsd:nonNegativeInteger ;
      nif:anchorOf "North Korean soldiers" ; nif:referenceContext this: .
  span:10-80 a nkg:Span ; nif:beginIndex "10"^^xsd:nonNegativeInteger ; nif:endIndex "80"^^xsd:nonNegativeInteger ;
      nif:anchorOf "North Korean soldiers attacked the Akhmat unit in Kursk on 14 December" ; nif:referenceContext this: .
  span:10-117 a nkg:Span ; nif:beginIndex "10"^^xsd:nonNegativeInteger ; nif:endIndex "117"^^xsd:nonNegativeInteger ;
      nif:anchorOf "North Korean soldiers attacked the Akhmat unit in Kursk on 14 December, killing at least 30 of its fighters" ;
      nif:referenceContext this: .
  span:10-191 a nkg:Span ; nif:beginIndex "10"^^xsd:nonNegativeInteger ; nif:endIndex "191"^^xsd:nonNegativeInteger ;
      nif:anchorOf "North Korean soldiers attacked the Akhmat unit in Kursk on 14 December, killing at least 30 of its fighters, Ukraine’s military intelligence agency (HUR) said, according to Reuters." ;
      nif:referenceContext this: .
  span:32-40 a nkg:Span ; nif:beginIndex "32"^^xsd:nonNegativeInteger ; nif:endIndex "40"^^xsd:nonNegativeInteger ;
      nif:anchorOf "attacked" ; nif:referenceContext this: .
  span:45-56 a nkg:Span ; nif:beginIndex "45"^^xsd:nonNegativeInteger ; nif:endIndex "56"^^xsd:nonNegativeInteger ;
      nif:anchorOf "Akhmat unit" ; nif:referenceContext this: .
  span:60-65 a nkg:Span ; nif:beginIndex "60"^^xsd:nonNegativeInteger ; nif:endIndex "65"^^xsd:nonNegativeInteger ;
      nif:anchorOf "Kursk" ; nif:referenceContext this: .
  span:90-101 a nkg:Span ; nif:beginIndex "90"^^xsd:nonNegativeInteger ; nif:endIndex "101"^^xsd:nonNegativeInteger ;
      nif:anchorOf "at least 30" ; nif:referenceContext this: .
  span:119-126 a nkg:Span ; nif:beginIndex "119"^^xsd:nonNegativeInteger ; nif:endIndex "126"^^xsd:nonNegativeInteger ;
      nif:anchorOf "Ukraine" ; nif:referenceContext this: .
  span:119-157 a nkg:Span ; nif:beginIndex "119"^^xsd:nonNegativeInteger ; nif:endIndex "157"^^xsd:nonNegativeInteger ;
      nif:anchorOf "Ukraine’s military intelligence agency" ; nif:referenceContext this: .
  span:159-162 a nkg:Span ; nif:beginIndex "159"^^xsd:nonNegativeInteger ; nif:endIndex "162"^^xsd:nonNegativeInteger ;
      nif:anchorOf "HUR" ; nif:referenceContext this: .
  span:164-168 a nkg:Span ; nif:beginIndex "164"^^xsd:nonNegativeInteger ; nif:endIndex "168"^^xsd:nonNegativeInteger ;
      nif:anchorOf "said" ; nif:referenceContext this: .
  span:183-190 a nkg:Span ; nif:beginIndex "183"^^xsd:nonNegativeInteger ; nif:endIndex "190"^^xsd:nonNegativeInteger ;
      nif:anchorOf "Reuters" ; nif:referenceContext this: .
  span:192-198 a nkg:Span ; nif:beginIndex "192"^^xsd:nonNegativeInteger ; nif:endIndex "198"^^xsd:nonNegativeInteger ;
      nif:anchorOf "Russia" ; nif:referenceContext this: .
  span:192-217 a nkg:Span ; nif:beginIndex "192"^^xsd:nonNegativeInteger ; nif:endIndex "217"^^xsd:nonNegativeInteger ;
      nif:anchorOf "Russia has not commented." ; nif:referenceContext this: .
  span:199-216 a nkg:Span ; nif:beginIndex "199"^^xsd:nonNegativeInteger ; nif:endIndex "216"^^xsd:nonNegativeInteger ;
      nif:anchorOf "has not commented" ; nif:referenceContext this: .
}
"""

ID = "https://w3id.org/newskg/id/"
DOC = URIRef(f"{ID}document/{SHA}")
ENT = Namespace(f"{ID}entity/")
SPAN = Namespace(f"{ID}span/{SHA}/")
CLAIM1 = URIRef(f"{ID}claim/{SHA}-1")
CLAIM2 = URIRef(f"{ID}claim/{SHA}-2")
QUANTITY1 = URIRef(f"{ID}quantity/{SHA}-1")
STATEMENT1 = URIRef(f"{ID}statement/{SHA}-1")


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


@pytest.fixture(scope="module")
def ontology_store() -> ox.Store:
    """The ontology alone, in pyoxigraph: the SPARQL questions are answered from it only."""
    store = ox.Store()
    store.load(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE)
    return store


def build_dataset(trig: str = VALID_TRIG) -> Dataset:
    """A built graph as a store holds it: the document graph(s) and the ontology graph."""
    ds = Dataset()
    ds.parse(data=trig, format="trig")
    ds.graph(URIRef(ONTOLOGY_IRI)).parse(ONTOLOGY_TTL, format="turtle")
    return ds


def document_graph(ds: Dataset) -> Graph:
    return ds.graph(DOC)


def validate(data, shapes: Graph, ontology: Graph | None) -> tuple[bool, Graph, str]:
    """The one way newskg validates (see the comment at the top of ontology/shapes.ttl)."""
    conforms, report, text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=False,
        allow_warnings=False,
    )
    return conforms, report, text


def messages(report: Graph) -> list[str]:
    return sorted({str(m) for m in report.objects(None, SH.resultMessage)})


def results(report: Graph) -> list[dict]:
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        out.append(
            {
                "focus": report.value(result, SH.focusNode),
                "value": report.value(result, SH.value),
                "path": report.value(result, SH.resultPath),
                "component": report.value(result, SH.sourceConstraintComponent),
                "message": str(report.value(result, SH.resultMessage)),
            }
        )
    return out


def nkg_terms_in_code() -> set[str]:
    """Local names of nkg terms minted in code (``NKG.Name`` / ``NKG["Name"]``) or used in named
    queries (``nkg:Name``)."""
    names: set[str] = set()
    attr = re.compile(r"\bNKG\.([A-Za-z_][A-Za-z0-9_]*)")
    item = re.compile(r"\bNKG\[\s*(['\"])([A-Za-z_][A-Za-z0-9_\-]*)\1\s*\]")
    for path in sorted((ROOT / "kg").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        names.update(m.group(1) for m in attr.finditer(source))
        names.update(m.group(2) for m in item.finditer(source))
    for path in sorted((ROOT / "queries").glob("*.rq")) if (ROOT / "queries").is_dir() else []:
        names.update(re.findall(r"\bnkg:([A-Za-z_][A-Za-z0-9_\-]*)", path.read_text(encoding="utf-8")))
    names -= {"iri"}  # the Namespace object's own attribute, not a term
    return {n for n in names if not n.startswith("_")}


def nkg_terms_in_readme() -> set[str]:
    text = (ONTOLOGY_DIR / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"\bnkg:([A-Za-z][A-Za-z0-9]*)", text))


def enum_terms() -> set[str]:
    return {m.value for enum in (EntityKind, RelationType, EventKind, Stance, Hedge) for m in enum}


def sh_in_list(shapes: Graph, path: URIRef) -> list[URIRef]:
    for prop in shapes.subjects(SH.path, path):
        lst = shapes.value(prop, SH["in"])
        if lst is not None:
            return list(Collection(shapes, lst))
    raise AssertionError(f"no sh:in list for {path}")


# ------------------------------------------------------------------------------------------------
# parsing
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ONTOLOGY_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_turtle_parses_with_rdflib_and_pyoxigraph_alike(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert len(g) > 50
    assert len(quads) == len(g)


def test_ontology_header(ontology: Graph) -> None:
    onto = URIRef(ONTOLOGY_IRI)
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, OWL.versionInfo) is not None
    assert ontology.value(onto, RDFS.label) is not None
    assert ontology.value(onto, RDFS.comment) is not None


# ------------------------------------------------------------------------------------------------
# every nkg term is declared, labelled and commented
# ------------------------------------------------------------------------------------------------

DECLARATION_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual}


def _assert_declared(ontology: Graph, names: set[str], where: str) -> None:
    missing = []
    for name in sorted(names):
        term = NKG[name]
        types = set(ontology.objects(term, RDF.type))
        labels = [lab for lab in ontology.objects(term, RDFS.label) if lab.language == "en"]
        comments = [c for c in ontology.objects(term, RDFS.comment) if c.language == "en"]
        if not types & DECLARATION_TYPES or not labels or not comments:
            missing.append(name)
    assert not missing, f"nkg terms used in {where} but not declared with type, label and comment: {missing}"


def test_terms_used_in_code_are_declared(ontology: Graph) -> None:
    names = nkg_terms_in_code()
    assert {"Claim", "Asserted"} <= names  # kg/ontology.py's own examples are found
    _assert_declared(ontology, names, "kg/ or queries/")


def test_enum_values_are_declared(ontology: Graph) -> None:
    _assert_declared(ontology, enum_terms(), "kg/model.py enums")


def test_readme_terms_are_declared(ontology: Graph) -> None:
    names = nkg_terms_in_readme()
    assert {"Claim", "evidence", "RelationStatement", "stance"} <= names
    _assert_declared(ontology, names, "ontology/README.md")


def test_every_nkg_subject_in_the_ontology_is_labelled(ontology: Graph) -> None:
    subjects = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(NKG))}
    _assert_declared(ontology, {s[len(str(NKG)) :] for s in subjects}, "ontology/newskg.ttl")


def test_nkg_terms_in_shapes_and_context_are_declared(ontology: Graph, shapes: Graph) -> None:
    names = {t[len(str(NKG)) :] for t in shapes.all_nodes() if isinstance(t, URIRef) and t.startswith(str(NKG))}
    names.discard("")
    context = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    for value in context.values():
        iri = value["@id"] if isinstance(value, dict) else value
        if isinstance(iri, str) and iri.startswith("nkg:"):
            names.add(iri[4:])
    _assert_declared(ontology, names, "shapes.ttl or context.jsonld")


def test_enum_kinds_of_terms(ontology: Graph) -> None:
    for kind in EntityKind:
        assert (NKG[kind.value], RDF.type, OWL.Class) in ontology, kind
    for kind in EventKind:
        assert (NKG[kind.value], RDF.type, OWL.Class) in ontology, kind
        assert (NKG[kind.value], RDFS.subClassOf, NKG.Event) in ontology, kind
    for rel in RelationType:
        assert (NKG[rel.value], RDF.type, OWL.ObjectProperty) in ontology, rel
    for stance in Stance:
        assert (NKG[stance.value], RDF.type, NKG.Stance) in ontology, stance
    for hedge in Hedge:
        assert (NKG[hedge.value], RDF.type, NKG.Hedge) in ontology, hedge
    # nothing else is typed a stance or a hedge than what the model knows
    assert {str(s)[len(str(NKG)) :] for s in ontology.subjects(RDF.type, NKG.Stance)} == {s.value for s in Stance}
    assert {str(s)[len(str(NKG)) :] for s in ontology.subjects(RDF.type, NKG.Hedge)} == {h.value for h in Hedge}


def test_shape_lists_follow_the_model(shapes: Graph) -> None:
    assert [str(t) for t in sh_in_list(shapes, NKG.stance)] == [str(NKG[s.value]) for s in Stance]
    assert [str(t) for t in sh_in_list(shapes, NKG.hedge)] == [str(NKG[h.value]) for h in Hedge]
    assert [str(t) for t in sh_in_list(shapes, RDF.predicate)] == [str(NKG[r.value]) for r in RelationType]
    targets = set(shapes.objects(NKGSH.RelationSubjectShape, SH.targetSubjectsOf))
    assert targets == {NKG[r.value] for r in RelationType}


def test_relation_properties_are_exactly_the_sub_properties_of_related_to(ontology: Graph) -> None:
    """The SPARQL check "every direct relation has a statement" finds them through nkg:relatedTo."""
    subs = set(ontology.subjects(RDFS.subPropertyOf, NKG.relatedTo))
    assert subs == {NKG[r.value] for r in RelationType}


# ------------------------------------------------------------------------------------------------
# the class hierarchy, asked by SPARQL over the ontology graph alone
# ------------------------------------------------------------------------------------------------


def _superclasses(store: ox.Store, cls: str, candidates: list[str]) -> set[str]:
    values = " ".join(f"<{c}>" for c in candidates)
    query = PREFIXES + f"SELECT DISTINCT ?top WHERE {{ VALUES ?top {{ {values} }} <{cls}> rdfs:subClassOf* ?top . }}"
    return {row["top"].value for row in store.query(query)}


@pytest.mark.parametrize("kind", list(EntityKind), ids=lambda k: k.value)
def test_entity_class_reaches_exactly_one_top_class(ontology_store: ox.Store, kind: EntityKind) -> None:
    tops = _superclasses(ontology_store, str(NKG[kind.value]), [str(t) for t in TOP_CLASSES])
    if kind.is_place:
        expected = SCHEMA.Place
    elif kind is EntityKind.PERSON:
        expected = SCHEMA.Person
    elif kind is EntityKind.GROUP:
        expected = NKG.Group
    else:
        expected = SCHEMA.Organization
    assert tops == {str(expected)}, kind


@pytest.mark.parametrize("kind", list(EntityKind), ids=lambda k: k.value)
def test_entity_classes_are_under_nkg_entity(ontology_store: ox.Store, kind: EntityKind) -> None:
    assert _superclasses(ontology_store, str(NKG[kind.value]), [str(NKG.Entity)]) == {str(NKG.Entity)}


def test_nothing_else_is_under_nkg_entity(ontology_store: ox.Store) -> None:
    query = PREFIXES + "SELECT ?c WHERE { ?c rdfs:subClassOf+ nkg:Entity }"
    assert {row["c"].value for row in ontology_store.query(query)} == {str(NKG[k.value]) for k in EntityKind}


@pytest.mark.parametrize("kind", list(EntityKind), ids=lambda k: k.value)
def test_actor_classes_reach_prov_agent(ontology_store: ox.Store, kind: EntityKind) -> None:
    reaches_agent = bool(_superclasses(ontology_store, str(NKG[kind.value]), [str(PROV.Agent)]))
    assert reaches_agent == kind.is_actor, kind


def test_entity_chains_with_one_sparql_query(ontology_store: ox.Store) -> None:
    """The question an outside checker asks, in one query, over the ontology alone."""
    query = PREFIXES + """
        SELECT ?class (COUNT(DISTINCT ?top) AS ?tops) WHERE {
            VALUES ?class { %s }
            OPTIONAL { ?class rdfs:subClassOf* ?top .
                       FILTER (?top IN (schema:Person, schema:Organization, schema:Place, nkg:Group)) }
        } GROUP BY ?class
    """ % " ".join(f"nkg:{k.value}" for k in EntityKind)
    counts = {row["class"].value: int(row["tops"].value) for row in ontology_store.query(query)}
    assert counts == {str(NKG[k.value]): 1 for k in EntityKind}


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (NKG.Claim, PROV.Entity),
        (NKG.Event, SEM.Event),
        (NKG.Event, SCHEMA.Event),
        (NKG.Attack, SEM.Event),
        (NKG.Span, NIF.OffsetBasedString),
        (NKG.Span, NIF.String),
        (NKG.RelationStatement, RDF.Statement),
        (NKG.ExtractionRun, PROV.Activity),
        (NKG.Person, PROV.Agent),
        (NKG.NewsOutlet, SCHEMA.NewsMediaOrganization),
        (NKG.GovernmentAgency, SCHEMA.GovernmentOrganization),
        (NKG.IntelligenceAgency, SCHEMA.GovernmentOrganization),
        (NKG.Settlement, SCHEMA.City),
        (NKG.Country, SCHEMA.Country),
        (PROV.SoftwareAgent, PROV.Agent),
        (NIF.Context, NIF.String),
    ],
)
def test_class_links_to_standard_vocabularies(ontology_store: ox.Store, sub: URIRef, sup: URIRef) -> None:
    assert ontology_store.query(PREFIXES + f"ASK {{ <{sub}> rdfs:subClassOf* <{sup}> }}")


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (NKG.agent, SEM.hasActor),
        (NKG.place, SEM.hasPlace),
        (NKG.claimDate, DCTERMS.date),
        (NKG.reportedBy, PROV.wasInfluencedBy),
        (NKG.evidence, DCTERMS.source),
        (NKG.about, SCHEMA.about),
    ],
)
def test_property_links_to_standard_vocabularies(ontology: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subPropertyOf, sup) in ontology


def test_reported_by_is_not_a_second_attribution(ontology: Graph) -> None:
    """With RDFS reasoning (GraphDB, Virtuoso rules) a claim must still have one source."""
    assert PROV.wasAttributedTo not in set(ontology.transitive_objects(NKG.reportedBy, RDFS.subPropertyOf))


# ------------------------------------------------------------------------------------------------
# the shapes: a valid graph conforms, broken ones do not
# ------------------------------------------------------------------------------------------------


def test_sample_offsets_are_code_points() -> None:
    """The sample itself is right: every anchorOf is TEXT[begin:end] (Python = code points)."""
    ds = build_dataset()
    for span in ds.subjects(RDF.type, NKG.Span):
        begin = int(ds.value(span, NIF.beginIndex))
        end = int(ds.value(span, NIF.endIndex))
        assert str(ds.value(span, NIF.anchorOf)) == TEXT[begin:end]
    assert len(TEXT) == 217 and len(TEXT.encode("utf-16-le")) // 2 == 219


def test_valid_graph_conforms(shapes: Graph, ontology: Graph) -> None:
    conforms, _, text = validate(build_dataset(), shapes, ontology)
    assert conforms, text


def test_valid_graph_conforms_with_the_ontology_graph_only_in_the_data(shapes: Graph) -> None:
    """A store's union already holds the ontology named graph: ont_graph may then be omitted."""
    conforms, _, text = validate(build_dataset(), shapes, None)
    assert conforms, text


def test_valid_graph_conforms_in_a_pyoxigraph_store(shapes: Graph, ontology: Graph) -> None:
    """pySHACL 0.40 also validates a pyoxigraph Store directly (the union of its graphs), with the
    same result: the shapes' SPARQL runs on oxigraph's engine too. (Slow on large stores: kg
    validate hands pySHACL an rdflib graph instead.) The store keeps xsd:nonNegativeInteger
    offsets as xsd:integer; the shapes accept both."""
    store = ox.Store()
    store.load(VALID_TRIG, format=ox.RdfFormat.TRIG)
    store.load(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_IRI))
    begin = next(store.quads_for_pattern(None, ox.NamedNode(str(NIF.beginIndex)), None)).object
    assert begin.datatype == ox.NamedNode(str(XSD.integer))  # what pyoxigraph does to the datatype
    conforms, _, text = validate(store, shapes, None)
    assert conforms, text


def test_validation_does_not_need_the_document_graph_split(shapes: Graph, ontology: Graph) -> None:
    """The same facts as one plain graph (e.g. an N-Triples export) conform too."""
    g = Graph()
    for s, p, o, _ in build_dataset().quads((None, None, None, DOC)):
        g.add((s, p, o))
    conforms, _, text = validate(g, shapes, ontology)
    assert conforms, text


def _broken(mutate) -> Dataset:
    ds = build_dataset()
    mutate(document_graph(ds))
    return ds


BROKEN = {
    "entity without label": (
        lambda g: g.remove((ENT.hur, RDFS.label, None)),
        "Entity has no canonical name (rdfs:label).",
        ENT.hur,
    ),
    "entity with two labels": (
        lambda g: g.add((ENT.hur, RDFS.label, Literal("Main Intelligence Directorate"))),
        "Entity has more than one canonical name",
        ENT.hur,
    ),
    "entity without evidence": (
        lambda g: g.remove((ENT.kursk, NKG.evidence, None)),
        "Entity has no evidence",
        ENT.kursk,
    ),
    "entity of two kinds": (
        lambda g: g.add((ENT.russia, RDF.type, NKG.Organization)),
        "typed under more than one of person, organization, place and group",
        ENT.russia,
    ),
    "span text does not match the document": (
        lambda g: g.set((SPAN["45-56"], NIF.anchorOf, Literal("Akhmat units"))),
        'nif:anchorOf is "Akhmat units" but characters 45..56 of the document are "Akhmat unit"',
        DOC,
    ),
    "span offsets counted in UTF-16 units": (
        lambda g: (
            g.set((SPAN["45-56"], NIF.beginIndex, Literal(47, datatype=XSD.nonNegativeInteger))),
            g.set((SPAN["45-56"], NIF.endIndex, Literal(58, datatype=XSD.nonNegativeInteger))),
        ),
        "does not match the document text",
        DOC,
    ),
    "span beginning after its end": (
        lambda g: g.set((SPAN["45-56"], NIF.beginIndex, Literal(57, datatype=XSD.nonNegativeInteger))),
        "Span begins after it ends",
        SPAN["45-56"],
    ),
    "span with a negative offset": (
        lambda g: g.set((SPAN["45-56"], NIF.beginIndex, Literal(-1))),
        "Span needs exactly one nif:beginIndex",
        SPAN["45-56"],
    ),
    "claim without stance": (
        lambda g: g.remove((CLAIM1, NKG.stance, None)),
        "Claim needs exactly one nkg:stance",
        CLAIM1,
    ),
    "claim with a stance outside the list": (
        lambda g: g.set((CLAIM1, NKG.stance, NKG.AtLeast)),
        "Claim needs exactly one nkg:stance",
        CLAIM1,
    ),
    "claim with two stances": (
        lambda g: g.add((CLAIM1, NKG.stance, NKG.Denied)),
        "Claim needs exactly one nkg:stance",
        CLAIM1,
    ),
    "claim attributed to a place": (
        lambda g: g.set((CLAIM1, PROV.wasAttributedTo, ENT.kursk)),
        "must be an actor",
        CLAIM1,
    ),
    "claim with two sources": (
        lambda g: g.add((CLAIM1, PROV.wasAttributedTo, ENT.ukraine)),
        "Claim has more than one source",
        CLAIM1,
    ),
    "claim without document": (
        lambda g: g.remove((CLAIM2, PROV.wasDerivedFrom, None)),
        "Claim needs exactly one prov:wasDerivedFrom",
        CLAIM2,
    ),
    "claim without evidence": (
        lambda g: g.remove((CLAIM2, NKG.evidence, None)),
        "Claim has no evidence",
        CLAIM2,
    ),
    "claim without content": (
        lambda g: g.remove((CLAIM2, NKG.content, None)),
        "Claim needs exactly one nkg:content",
        CLAIM2,
    ),
    "claim with two hedges": (
        lambda g: (g.add((CLAIM1, NKG.hedge, NKG.AtLeast)), g.add((CLAIM1, NKG.hedge, NKG.MoreThan))),
        "At most one nkg:hedge",
        CLAIM1,
    ),
    "claim date as a plain string": (
        lambda g: g.set((CLAIM2, NKG.claimDate, Literal("December 16"))),
        "Claim has at most one nkg:claimDate",
        CLAIM2,
    ),
    "evidence that is not a span": (
        lambda g: g.add((CLAIM2, NKG.evidence, ENT.russia)),
        "must point to a nkg:Span",
        ENT.russia,
    ),
    "document with a bad content hash": (
        lambda g: g.set((DOC, NKG.contentHash, Literal(SHA))),
        'nkg:contentHash of the form "sha256:"',
        DOC,
    ),
    "document with a datetime as publication date": (
        lambda g: g.set((DOC, SCHEMA.datePublished, Literal("2024-12-16T10:00:00", datatype=XSD.dateTime))),
        "schema:datePublished, an xsd:date",
        DOC,
    ),
    "document length off": (
        lambda g: g.set((DOC, NIF.endIndex, Literal(219, datatype=XSD.nonNegativeInteger))),
        "is not the length of its text (217 characters)",
        DOC,
    ),
    "quantity as a double": (
        lambda g: g.set((QUANTITY1, SCHEMA.minValue, Literal(30.0))),
        "schema:minValue, an xsd:decimal",
        QUANTITY1,
    ),
    "quantity with reversed bounds": (
        lambda g: g.add((QUANTITY1, SCHEMA.maxValue, Literal("20", datatype=XSD.decimal))),
        "Quantity bounds are reversed",
        QUANTITY1,
    ),
    "quantity without a number": (
        lambda g: g.remove((QUANTITY1, SCHEMA.minValue, None)),
        "Quantity has no number",
        QUANTITY1,
    ),
    "relation statement whose direct triple is missing": (
        lambda g: g.remove((ENT["north-korean-soldiers"], NKG.attacked, ENT.akhmat)),
        "but that direct triple is not in the graph",
        DOC,
    ),
    "direct relation without a statement": (
        lambda g: g.add((ENT.akhmat, NKG.deployedIn, ENT.kursk)),
        "has no nkg:RelationStatement",
        ENT.akhmat,
    ),
    "relation statement without evidence": (
        lambda g: g.remove((STATEMENT1, NKG.evidence, None)),
        "Relation statement has no evidence",
        STATEMENT1,
    ),
    "event place that is not a place": (
        lambda g: g.add((URIRef(f"{ID}event/{SHA}-1"), NKG.place, ENT.hur)),
        "nkg:place of an event must be a place entity",
        URIRef(f"{ID}event/{SHA}-1"),
    ),
    "merge record without a reason": (
        lambda g: g.remove((None, NKG.reason, None)),
        "needs exactly one nkg:reason",
        None,
    ),
    "event agent that is not an entity": (
        lambda g: g.add((URIRef(f"{ID}event/{SHA}-1"), NKG.agent, CLAIM1)),
        "nkg:agent of an event must be an entity",
        URIRef(f"{ID}event/{SHA}-1"),
    ),
    "entity label with a language tag": (
        lambda g: g.set((ENT.hur, RDFS.label, Literal("HUR", lang="en"))),
        "Entity name (rdfs:label) must be a non-empty string",
        ENT.hur,
    ),
    "span offset as a string": (
        lambda g: g.set((SPAN["45-56"], NIF.endIndex, Literal("56"))),
        "Span needs exactly one nif:endIndex",
        SPAN["45-56"],
    ),
    "run without model version": (
        lambda g: g.remove((None, NKG.modelVersion, None)),
        "Extraction run needs exactly one nkg:modelVersion",
        None,
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=lambda c: c.replace(" ", "-"))
def test_broken_graph_is_rejected(shapes: Graph, ontology: Graph, case: str) -> None:
    mutate, message, focus = BROKEN[case]
    conforms, report, text = validate(_broken(mutate), shapes, ontology)
    assert not conforms, case
    found = [r for r in results(report) if message in r["message"]]
    assert found, f"{case}: expected a result saying {message!r}, got {messages(report)}"
    if focus is not None:
        assert any(r["focus"] == focus for r in found), (case, found)


def test_span_mismatch_names_the_span(shapes: Graph, ontology: Graph) -> None:
    ds = _broken(lambda g: g.set((SPAN["159-162"], NIF.anchorOf, Literal("SBU"))))
    conforms, report, _ = validate(ds, shapes, ontology)
    assert not conforms
    [result] = [r for r in results(report) if "does not match the document text" in r["message"]]
    assert result["value"] == SPAN["159-162"]
    assert '"SBU"' in result["message"] and '"HUR"' in result["message"]


def test_broken_graph_is_rejected_in_a_pyoxigraph_store(shapes: Graph) -> None:
    """The SPARQL constraints run on oxigraph's engine too (SUBSTR counts code points there)."""
    store = ox.Store()
    store.load(VALID_TRIG, format=ox.RdfFormat.TRIG)
    store.load(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_IRI))
    anchor = ox.NamedNode(str(NIF.anchorOf))
    span = ox.NamedNode(str(SPAN["45-56"]))
    graph = ox.NamedNode(str(DOC))
    store.remove(ox.Quad(span, anchor, ox.Literal("Akhmat unit"), graph))
    store.add(ox.Quad(span, anchor, ox.Literal("Akhmat units"), graph))
    store.remove(ox.Quad(ox.NamedNode(str(CLAIM1)), ox.NamedNode(str(NKG.stance)), ox.NamedNode(str(NKG.Asserted)), graph))
    conforms, report, _ = validate(store, shapes, None)
    assert not conforms
    found = messages(report)
    assert any('nif:anchorOf is "Akhmat units"' in m for m in found), found
    assert any("Claim needs exactly one nkg:stance" in m for m in found), found


# ------------------------------------------------------------------------------------------------
# timing on ~5,000 triples
# ------------------------------------------------------------------------------------------------


def _many_documents(n: int) -> str:
    """n copies of the sample document, each under its own hash (entities shared, as after
    cross-document resolution)."""
    parts = [VALID_TRIG]
    for i in range(1, n):
        other = hashlib.sha256(f"copy {i}".encode()).hexdigest()
        parts.append(VALID_TRIG.replace(SHA, other))
    return "\n".join(parts)


def _store_union_as_rdflib(store: ox.Store) -> Graph:
    """The union of a store's graphs as kg/validate.py hands it to pySHACL (via N-Triples)."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store}
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")


def test_mapping_output_conforms(shapes: Graph, ontology: Graph) -> None:
    """What kg.mapping writes for the hand-made resolution of tests/sample.py passes the shapes,
    read back from a store the way ``kg validate`` reads it."""
    from kg.mapping import document_quads, new_run
    from sample import sample_resolution

    quads = document_quads(sample_resolution(), run=new_run(extractor="newskg.rules.v1", model="en_core_web_sm 3.8.0"))
    store = ox.Store()
    store.extend(quads)
    store.load(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_IRI))
    conforms, _, text = validate(_store_union_as_rdflib(store), shapes, ontology)
    assert conforms, text


def test_validation_time_on_5000_triples(shapes: Graph, ontology: Graph, record_property) -> None:
    """~5,000 triples (30 documents) through the path kg validate takes: pyoxigraph store →
    N-Triples → rdflib Graph → pySHACL with the ontology as ont_graph, no inference."""
    store = ox.Store()
    store.load(_many_documents(30), format=ox.RdfFormat.TRIG)
    store.load(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_IRI))
    data = _store_union_as_rdflib(store)
    data_triples = len(data) - len(ontology)
    assert 4500 <= data_triples <= 5500, data_triples

    start = time.perf_counter()
    conforms, _, text = validate(data, shapes, ontology)
    seconds = time.perf_counter() - start
    assert conforms, text
    record_property("validate_seconds", round(seconds, 2))
    print(f"\npySHACL on {data_triples} data triples (+ {len(ontology)} ontology): {seconds:.2f}s")
    assert seconds < 60


# ------------------------------------------------------------------------------------------------
# the JSON-LD context
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads(CONTEXT.read_text(encoding="utf-8"))


def test_context_is_json_ld_1_1_with_the_project_prefixes(context: dict) -> None:
    from kg.ontology import PREFIXES as CODE_PREFIXES

    ctx = context["@context"]
    assert ctx["@version"] == 1.1
    for prefix, iri in CODE_PREFIXES.items():
        assert ctx[prefix] == iri, prefix


def test_context_has_a_term_for_every_model_value(context: dict) -> None:
    ctx = context["@context"]
    for value in enum_terms():
        term = ctx[value]
        assert (term["@id"] if isinstance(term, dict) else term) == f"nkg:{value}"
    for rel in RelationType:
        assert ctx[rel.value]["@type"] == "@id"


def test_context_expands_to_the_expected_triples(context: dict) -> None:
    doc = {
        "@context": context["@context"],
        "@graph": [
            {
                "id": str(CLAIM1),
                "type": "Claim",
                "attributedTo": str(ENT.hur),
                "reportedBy": str(ENT.reuters),
                "derivedFrom": str(DOC),
                "stance": "Asserted",
                "hedge": "AtLeast",
                "claimDate": {"@value": "--12-14", "@type": "xsd:gMonthDay"},
                "evidence": str(SPAN["10-191"]),
            },
            {"id": str(SPAN["159-162"]), "type": "Span", "beginIndex": "159", "endIndex": "162",
             "anchorOf": "HUR", "referenceContext": str(DOC)},
            {"id": str(DOC), "type": ["NewsArticle", "Context"], "datePublished": "2024-12-16",
             "contentHash": f"sha256:{SHA}"},
            {"id": str(STATEMENT1), "type": "RelationStatement", "subject": str(ENT["north-korean-soldiers"]),
             "predicate": "attacked", "object": str(ENT.akhmat)},
            {"id": str(QUANTITY1), "type": "QuantitativeValue", "minValue": "30", "measure": "killed"},
            {"id": str(ENT.hur), "type": "IntelligenceAgency", "label": "HUR",
             "altLabel": ["Ukraine’s military intelligence agency"], "attacked": str(ENT.russia)},
        ],
    }
    expected = Graph().parse(
        format="turtle",
        data=f"""
        @prefix nkg: <{NKG}> . @prefix schema: <{SCHEMA}> . @prefix prov: <{PROV}> .
        @prefix nif: <{NIF}> . @prefix skos: <{SKOS}> . @prefix xsd: <{XSD}> .
        @prefix rdf: <{RDF}> . @prefix rdfs: <{RDFS}> .
        <{CLAIM1}> a nkg:Claim ; prov:wasAttributedTo <{ENT.hur}> ; nkg:reportedBy <{ENT.reuters}> ;
            prov:wasDerivedFrom <{DOC}> ; nkg:stance nkg:Asserted ; nkg:hedge nkg:AtLeast ;
            nkg:claimDate "--12-14"^^xsd:gMonthDay ; nkg:evidence <{SPAN["10-191"]}> .
        <{SPAN["159-162"]}> a nkg:Span ; nif:beginIndex 159 ; nif:endIndex 162 ; nif:anchorOf "HUR" ;
            nif:referenceContext <{DOC}> .
        <{DOC}> a schema:NewsArticle , nif:Context ; schema:datePublished "2024-12-16"^^xsd:date ;
            nkg:contentHash "sha256:{SHA}" .
        <{STATEMENT1}> a nkg:RelationStatement ; rdf:subject <{ENT["north-korean-soldiers"]}> ;
            rdf:predicate nkg:attacked ; rdf:object <{ENT.akhmat}> .
        <{QUANTITY1}> a schema:QuantitativeValue ; schema:minValue "30"^^xsd:decimal ; nkg:measure "killed" .
        <{ENT.hur}> a nkg:IntelligenceAgency ; rdfs:label "HUR" ;
            skos:altLabel "Ukraine’s military intelligence agency" ; nkg:attacked <{ENT.russia}> .
        """,
    )
    text = json.dumps(doc, ensure_ascii=False)
    with_rdflib = Graph().parse(data=text, format="json-ld")
    assert isomorphic(with_rdflib, expected), with_rdflib.serialize(format="nt")
    with_oxigraph = Graph()
    for triple in ox.parse(text, format=ox.RdfFormat.JSON_LD):
        with_oxigraph.parse(data=f"{triple.subject} {triple.predicate} {triple.object} .", format="nt")
    assert isomorphic(with_oxigraph, expected), with_oxigraph.serialize(format="nt")


def test_context_round_trips_the_sample_graph(context: dict) -> None:
    g = Graph()
    for s, p, o, _ in build_dataset().quads((None, None, None, DOC)):
        g.add((s, p, o))
    compact = g.serialize(format="json-ld", context=context["@context"])
    assert '"stance": "Asserted"' in compact or '"stance": "nkg:Asserted"' in compact
    assert isomorphic(Graph().parse(data=compact, format="json-ld"), g)


def test_context_round_trips_a_store_export(context: dict) -> None:
    """As kg export writes JSON-LD: every named graph of a store, compacted with the context.
    Offsets come back from pyoxigraph as xsd:integer and compact to plain terms."""
    store = ox.Store()
    store.load(VALID_TRIG, format=ox.RdfFormat.TRIG)
    store.load(path=str(ONTOLOGY_TTL), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_IRI))
    ds = Dataset()
    ds.parse(data=ox.serialize(store, format=ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    compact = ds.serialize(format="json-ld", context=context["@context"], auto_compact=True)
    assert '"beginIndex": "159"' in compact and '"anchorOf": "HUR"' in compact
    assert '"stance": "Asserted"' in compact
    assert re.search(r'"predicate": "(nkg:)?attacked"', compact)  # rdflib writes the compact IRI
    back = Dataset()
    back.parse(data=compact, format="json-ld")
    for name in (DOC, URIRef(ONTOLOGY_IRI)):
        assert isomorphic(back.graph(name), ds.graph(name)), name
