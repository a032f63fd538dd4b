"""The analysts' common questions, each a named query from ``queries/`` plus light shaping.

Each function here is what the ``kg`` command of the same name prints.
"""

from __future__ import annotations

from kg.queries import query, rows
from kg.store import Store


def stats(store: Store) -> dict[str, int]:
    """Counts of what the store holds (documents, entities, claims, …) and its quads."""
    figures = {str(r["measure"]): int(r["count"]) for r in rows(query(store, "stats"))}  # type: ignore[arg-type]
    figures["quads"] = int(rows(query(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))[0]["n"])  # type: ignore[arg-type]
    return figures
