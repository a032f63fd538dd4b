"""The embedded store: pyoxigraph on disk (RocksDB), or in memory for ``:memory:``."""

from __future__ import annotations

import errno
import fcntl
import io
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, serialize
from pyoxigraph import Store as OxStore

from kg.errors import QueryError, StoreBusyError, StoreError
from kg.ontology import NKG
from kg.store.base import Results, Store, document_graph, results_from_pyoxigraph
from kg.store.sparql import query_shape


#: Quads written between two flushes of RocksDB's memtables to disk. Unflushed, the memtables
#: (64 MiB for each of pyoxigraph's eleven indexes, two each) take a build to 2 GiB of memory;
#: flushed this often it stays near 150 MiB, and writes are no slower.
FLUSH_QUADS = 100_000
#: Largest batch written through the bulk loader; its chunks are 1M quads, each ingested apart.
BULK_QUADS = 500_000
#: Smallest batch written through the bulk loader: its table files cost some 25 ms a write
#: whatever its size, where a transaction of 50 quads took 0.8 ms and of 500 quads 8 ms (5,000:
#: 120 ms against 75). The summary's rows are many small writes.
SMALL_QUADS = 2_000
#: Why RocksDB could not open a store to write (its messages carry strerror's text, no errno):
#: a store that only answers questions is then opened read-only instead.
#: The names of RocksDB's files: a folder holding only these is a store begun (a first open
#: cut short before it wrote ``CURRENT``), not someone else's folder.
_ROCKSDB_FILE = re.compile(r"CURRENT|IDENTITY|LOCK|LOG(\.old\.\d+)?|(MANIFEST|OPTIONS)-\d+|\d+\.(log|sst|blob)|bulk-\d+\.sst|.*\.dbtmp")
_UNWRITABLE = tuple(os.strerror(code) for code in (errno.ENOSPC, errno.EROFS, errno.EACCES))


class EmbeddedStore(Store):
    """pyoxigraph on disk. Only one process may hold it at a time; a second waits up to
    ``wait`` seconds for it, then gets ``StoreBusyError`` (never a corrupted store).

    ``writable=False``: a store opened to be read only. When RocksDB cannot open it to write
    (its disk is full, its file system read-only, its folder not the user's to write), it is
    opened read-only instead, holding a shared lock on its ``LOCK`` file, which RocksDB locks
    for writing: a build then waits or says the store is busy, as it does for any store held,
    and no build writes beside the reader (pyoxigraph leaves that undefined). Its
    ``read_only`` says so; a write then raises ``StoreError``."""

    concurrent_queries = True

    def __init__(self, location: str | Path, *, create: bool = True, wait: float = 0.0, writable: bool = True) -> None:
        self.location = str(location)
        self._dirty = False  # flush on close only after writes: queries stay cheap
        self._unflushed = 0  # quads written since the last flush
        self._lock: int | None = None  # the shared lock's descriptor, when opened read-only
        if self.location == ":memory:":
            self._store: OxStore | None = OxStore()
            self.concurrent_queries = False  # in memory, pyoxigraph evaluates holding the GIL
            return
        path = Path(location)
        if path.exists() and not path.is_dir():
            raise StoreError(f"{path}: is a file, not a store folder")
        stored = (path / "CURRENT").is_file()  # RocksDB's pointer to its manifest: a store is here
        if not create and not stored:
            raise StoreError(f"{path}: no store here; build one first with `kg build PATH --store {path}`")
        if not stored and path.is_dir():
            foreign = sorted(p.name for p in path.iterdir() if not _ROCKSDB_FILE.fullmatch(p.name) and p.name[0] != ".")
            if foreign:  # `--store .` or a typo: a store's files would be strewn among the user's
                raise StoreError(
                    f"{path}: a folder of other files ({', '.join(foreign[:3])}{', …' if len(foreign) > 3 else ''}), "
                    "not a store; give a new or empty folder"
                )
        try:  # a new store in a folder not made yet: RocksDB makes the last folder only
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{path}: cannot make the store's folder: {exc.strerror or exc}") from exc
        deadline = time.monotonic() + wait
        while True:
            try:
                self._store = OxStore(str(path))
                return
            except OSError as exc:
                why = next((why for why in _UNWRITABLE if why in str(exc)), None)
                if not writable and why is not None and stored:
                    self._open_read_only(path, why, deadline)
                    return
                if "lock" not in str(exc).lower():
                    raise StoreError(f"{path}: cannot open the store: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise _busy(path) from exc
                time.sleep(0.1)
            except RuntimeError as exc:  # pyoxigraph's error for a damaged store
                raise StoreError(f"{path}: cannot open the store: {_said(exc)}") from exc

    def _open_read_only(self, path: Path, why: str, deadline: float) -> None:
        """Opened read-only, under a shared lock on RocksDB's ``LOCK`` file (see the class)."""
        try:
            self._lock = os.open(path / "LOCK", os.O_RDONLY)
            while not _shared_lock(self._lock):
                if time.monotonic() >= deadline:
                    raise _busy(path)
                time.sleep(0.1)
            self._store = OxStore.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            self.close()
            raise StoreError(f"{path}: cannot open the store: {_said(exc)}") from exc
        except BaseException:
            self.close()
            raise
        self.read_only = why

    @property
    def _writer(self) -> OxStore:
        """The store, to write: refused when opened read-only (pyoxigraph raises a bare RuntimeError)."""
        if self.read_only is not None:
            raise StoreError(f"{self.location}: opened read-only ({self.read_only.lower()}): it cannot be written")
        return self.ox

    @property
    def ox(self) -> OxStore:
        if self._store is None:
            raise StoreError(f"{self.location}: the store is closed")
        return self._store

    def has_document(self, doc_id: str) -> bool:
        graph = document_graph(doc_id)
        with self._failing("read"):
            return next(iter(self.ox.quads_for_pattern(graph, NKG.contentHash, None, graph)), None) is not None

    def write_graph(self, graph: NamedNode, quads: list[Quad], *, replace: bool = False) -> None:
        self._dirty = True
        with self._failing("write"):
            if replace and self.ox.contains_named_graph(graph):
                # One update request runs as one transaction: nobody sees the graph half-replaced.
                blocks = []
                for name in dict.fromkeys(q.graph_name for q in quads):
                    body = io.BytesIO()
                    triples = [Quad(q.subject, q.predicate, q.object) for q in quads if q.graph_name == name]
                    serialize(triples, body, format=RdfFormat.N_TRIPLES)
                    blocks.append(f"GRAPH {name} {{ {body.getvalue().decode()} }}")
                self._writer.update(f"DROP SILENT GRAPH {graph} ; INSERT DATA {{ {' '.join(blocks)} }}")
            else:
                self._writer.extend(quads)  # one transaction: all or nothing
            self._wrote(len(quads))

    def write_graphs(self, graphs: list[tuple[NamedNode, list[Quad]]], *, replace: bool = False) -> None:
        if replace:
            super().write_graphs(graphs, replace=True)
            return
        batch = [q for _, quads in graphs for q in quads]
        # bulk_extend holds the GIL for the whole load (it pulls from a Python iterator): a
        # build hands its batches over as N-Quads instead (write_documents); here it spares
        # the copy of the quads as text (the summary's claim rows are hundreds of MB of it).
        self._write(lambda: self._writer.extend(batch), lambda: self._writer.bulk_extend(batch), len(batch))

    def write_documents(self, documents: list[tuple[NamedNode, bytes]], *, replace: bool = False) -> None:
        if replace:
            super().write_documents(documents, replace=True)
            return
        data = b"".join(nquads for _, nquads in documents)
        # Parsed and loaded without the GIL: a build's extraction goes on meanwhile (while its
        # writer thread ran bulk_extend, spaCy inside a build of 88 articles took 6.92 s instead
        # of 6.62 s). Lenient: the mapping minted the IRIs from a checked base and escaped paths.
        self._write(
            lambda: self._writer.load(data, format=RdfFormat.N_QUADS, lenient=True),
            lambda: self._writer.bulk_load(data, RdfFormat.N_QUADS, lenient=True),
            data.count(b"\n"),  # one line per quad: a newline in a literal is escaped
        )  # fmt: skip

    def _write(self, transaction: Callable[[], None], bulk: Callable[[], None], quads: int) -> None:
        """Add quads in one atomic step, by ``transaction`` in memory and for small or large
        writes, else by ``bulk``: pyoxigraph's bulk loader writes the batch's table files and
        ingests them into RocksDB in one step (one IngestExternalFiles call for all indexes,
        below its 1M-quad chunk), as atomic as a transaction, without memtables or a WAL."""
        self._dirty = True
        with self._failing("write"):
            if self.location == ":memory:" or not SMALL_QUADS <= quads <= BULK_QUADS:
                transaction()
                self._wrote(quads)
            else:
                bulk()

    @contextmanager
    def _failing(self, what: str) -> Iterator[None]:
        """pyoxigraph's errors as ``StoreError``: ``OSError`` for I/O, ``RuntimeError`` for a
        damaged store (RocksDB's "Corruption") and the like."""
        try:
            yield
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"{self.location}: {what} failed: {_said(exc)}") from exc

    def _wrote(self, quads: int) -> None:
        self._unflushed += quads
        if self._unflushed >= FLUSH_QUADS and self.location != ":memory:":
            self._writer.flush()  # bounded memtables: memory stays flat however long the build
            self._unflushed = 0

    def drop_graph(self, graph: NamedNode) -> None:
        self._dirty = True
        with self._failing("write"):
            self._writer.remove_graph(graph)

    def remove_quads(self, quads: list[Quad]) -> None:
        self._dirty = True
        with self._failing("write"):
            for quad in quads:
                self._writer.remove(quad)

    def query(self, sparql: str) -> Results:
        with self._failing("query"):
            try:
                # The default graph is the union of all graphs unless the query names its own
                # dataset (FROM / FROM NAMED), which pyoxigraph honours only without the union.
                union = not query_shape(sparql).dataset
                return results_from_pyoxigraph(self.ox.query(sparql, use_default_graph_as_union=union))
            except SyntaxError as exc:
                raise QueryError(f"invalid SPARQL: {exc}") from exc

    def quads(self) -> Iterator[Quad]:
        with self._failing("read"):
            for quad in self.ox.quads_for_pattern(None, None, None, None):
                if not isinstance(quad.graph_name, DefaultGraph):
                    yield quad

    def graphs(self) -> list[NamedNode]:
        with self._failing("read"):
            return [g for g in self.ox.named_graphs() if isinstance(g, NamedNode)]

    def count_quads(self, *, without: Iterable[NamedNode] = ()) -> int:
        # len() reads RocksDB's count without a query: a third of the time of COUNT(*). The
        # graphs left out are counted by queries, which copy none of their literals to Python
        # (iterating the summary's 48,000 claim rows took 1.4 s, counting them 0.03 s).
        patterns = ["{ ?s ?p ?o }", *(f"{{ GRAPH {g} {{ ?s ?p ?o }} }}" for g in without)]
        left_out = 0
        with self._failing("read"):
            for pattern in patterns:
                (found,) = self.ox.query(f"SELECT (COUNT(*) AS ?n) WHERE {pattern}", use_default_graph_as_union=False)
                left_out += int(found["n"].value)
            return len(self.ox) - left_out

    def close(self) -> None:
        if self._store is not None:
            if self._dirty and self.location != ":memory:" and self.read_only is None:
                try:
                    self._store.flush()
                except OSError:
                    # a full disk: nothing is lost (RocksDB's log holds the writes, and replays
                    # them on the next open), and the error that stopped the writes is the news
                    pass
            self._store = None  # dropping the last reference releases the RocksDB lock
        if self._lock is not None:
            os.close(self._lock)  # and the shared lock of a store opened read-only
            self._lock = None


def _busy(path: Path) -> StoreBusyError:
    return StoreBusyError(f"{path}: the store is busy: another kg process (such as a build) holds it; try again when it ends")


def _shared_lock(fd: int) -> bool:
    """Whether a shared lock on the file ``fd`` was taken: not while another process holds it to write."""
    try:
        fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EAGAIN):
            return False
        raise
    return True


def _said(exc: Exception) -> str:
    """pyoxigraph's message, with what to do when RocksDB found the store damaged."""
    if "Corruption" not in str(exc):
        return str(exc)
    return f"{exc} (the store is damaged: build it anew from its articles, or restore a copy)"
