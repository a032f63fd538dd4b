"""The library function behind ``kg validate``: SHACL validation of a store against ``ontology/shapes.ttl``.

The data graph is the union of every named graph (documents and the ontology), as queries see it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from pyoxigraph import RdfFormat, Triple, serialize

from kg.errors import StoreError
from kg.ontology import ontology_file, shapes_file
from kg.store import Store


@dataclass(slots=True)
class Violation:
    focus: str
    path: str
    message: str
    shape: str
    severity: str

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.severity}: {self.focus}{where}: {self.message}"


@dataclass(slots=True)
class ValidationReport:
    conforms: bool
    triples: int
    violations: list[Violation] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "conforms": self.conforms,
            "triples": self.triples,
            "violations": [vars_of(v) for v in self.violations],
        }


def vars_of(violation: Violation) -> dict[str, str]:
    return {k: getattr(violation, k) for k in Violation.__slots__}


def validate(store: Store) -> ValidationReport:
    """Validate the whole store with pySHACL; raises ``StoreError`` when it cannot run."""
    import rdflib
    from pyshacl import validate as shacl_validate

    buffer = io.BytesIO()
    triples = {Triple(q.subject, q.predicate, q.object) for q in store.quads()}
    serialize(triples, buffer, format=RdfFormat.N_TRIPLES)
    data = rdflib.Graph()
    data.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    try:
        shapes = rdflib.Graph().parse(shapes_file(), format="turtle")
        ontology = rdflib.Graph().parse(ontology_file(), format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot read the shapes or ontology: {exc}") from exc
    conforms, report_graph, _ = shacl_validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True
    )
    violations = []
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    for result in report_graph.subjects(rdflib.RDF.type, SH.ValidationResult):
        def one(p: rdflib.URIRef) -> str:
            value = report_graph.value(result, p)
            return "" if value is None else str(value)

        violations.append(
            Violation(
                focus=one(SH.focusNode),
                path=one(SH.resultPath),
                message=one(SH.resultMessage),
                shape=one(SH.sourceShape),
                severity=one(SH.resultSeverity).rsplit("#", 1)[-1],
            )
        )
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(conforms=bool(conforms), triples=len(triples), violations=violations)
