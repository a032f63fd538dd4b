"""Embedded and remote stores behind one interface. Only this package talks to triple stores.

``open_store("kg-store")`` opens an embedded pyoxigraph store on disk, ``open_store(":memory:")``
one in memory, ``open_store("http://host:8890/sparql")`` a remote SPARQL 1.1 store.

>>> with open_store(":memory:") as store:
...     store.query("ASK { ?s ?p ?o }").boolean
False
"""

from __future__ import annotations

from pathlib import Path

from kg.store.base import Results, ResultKind, Store, Term, document_graph, ontology_triples
from kg.store.embedded import EmbeddedStore

__all__ = ["EmbeddedStore", "Results", "ResultKind", "Store", "Term", "document_graph", "ontology_triples", "open_store"]


def open_store(location: str | Path, *, create: bool = False, wait: float = 0.0, writable: bool = True) -> Store:
    """Open a store by location; ``create`` allows a new embedded store to be made, ``wait``
    is how long to wait for an embedded store another process holds; ``writable=False``, to
    be read only: an embedded store that cannot be opened to write (a full disk, a read-only
    file system) is opened read-only (:class:`EmbeddedStore`)."""
    text = str(location)
    if text.startswith(("http://", "https://")):
        from kg.store.remote import RemoteStore

        return RemoteStore(text)
    return EmbeddedStore(text, create=create, wait=wait, writable=writable)
