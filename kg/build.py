"""The library function behind ``kg build``: documents → extraction → resolution → mapping → store.

Documents are streamed: memory does not grow with the number of articles while they are
extracted and written (the summary's parts, kept beside the build until its end, hold a row per
claim). Each document is written as one named graph in one atomic write, keyed by its content
hash, so a re-run skips what is stored (``force`` rebuilds it) and an interrupted build leaves
no half-written document.
A build that writes marks the summary of whole-store answers stale first; the summary's parts
of each batch it writes are computed beside it, in a process of their own, and at the end merged
into the kept summary, or the summary is computed anew (:func:`kg.questions.refresh_summary`).
"""

from __future__ import annotations

import functools
import gc
import itertools
import multiprocessing
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode

from kg.documents import iter_documents
from kg.errors import ConfigError, ExtractionError, InputError, KgError
from kg.mapping import Minter, Run, document_nquads, new_run
from kg.model import Document, Extraction, Resolution
from kg.ontology import RDFS
from kg.questions import (
    Parts, has_summary, mark_summary_stale, merge_parts, refresh_summary, row_chunks, stats, summary_parts,
)  # fmt: skip
from kg.resolve import resolve
from kg.store import Store, document_graph, open_store


@dataclass(slots=True)
class Failure:
    """An input that could not be built, and why (the message names the file)."""

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass(slots=True)
class BuildReport:
    """What a build did, and what the store holds after it (``totals``, as ``kg stats``
    counts them).

    The counts of what was written add each document's own: an entity or a relation that
    several documents name counts once for each, and a quad shared by documents is written
    (and counted) with each, the store keeping one. ``totals`` counts each once.
    """

    store: str
    documents: int = 0  # documents read
    built: int = 0  # written to the store
    skipped: int = 0  # already stored (same content hash)
    entities: int = 0  # entity nodes written (counted once per document)
    claims: int = 0
    relations: int = 0  # counted once per document
    events: int = 0
    quads: int = 0  # quads written (a shared one once per document)
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)  # kg.questions.stats of the store after the build

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, object]:
        return {
            "store": self.store,
            "documents": self.documents,
            "built": self.built,
            "skipped": self.skipped,
            "entities": self.entities,
            "claims": self.claims,
            "relations": self.relations,
            "events": self.events,
            "quads": self.quads,
            "failures": [{"path": f.path, "problem": f.problem} for f in self.failures],
            "seconds": round(self.seconds, 3),
            "totals": self.totals,
        }


#: Documents written per atomic write (a batch is whole or absent after a crash). Each write
#: costs more than its quads: the bulk loader makes and ingests files for every index, and the
#: summary helper loads the batch and runs its queries. Writing 176 articles in batches of 48
#: took 0.8 CPU-s of bulk loading against 1.1 in batches of 16, and --jobs 2, whose workers
#: share the cores with that work, ran 2.9 % faster (± 0.3 %, 16 alternating pairs, all
#: faster); --jobs 1, which has it done on the other core, was unchanged (± 0.1 %).
BATCH_DOCUMENTS = 48
BATCH_QUADS = 50_000

#: Documents handed to a worker process at once: spaCy batches them (one at a time is about
#: 10 % slower, measured); the price is memory, a worker's peak about 130 MiB higher.
CHUNK_DOCUMENTS = 8

#: Chunks per worker handed out ahead of the writer: one being extracted and one waiting, so no
#: worker idles; with the chunk size it bounds the documents held in memory.
IN_FLIGHT_PER_JOB = 2

#: Seconds a build waits for a store that another process (a query) holds.
LOCK_WAIT = 30.0

#: How much lower (Unix nice increments) the build's storage work runs than its extraction: the
#: writer thread, with the bulk loader's threads it starts, and the summary helper. A batch's
#: write and its parts start together, three busy threads for two cores. At the same priority,
#: a --jobs 1 build of 88 articles waited 0.02-0.11 s for a core; at this one, 0.01-0.03 s.
#: Builds ran 0.7 % faster with --jobs 1 and 1.1 % faster with --jobs 2 (each ± 0.3 %,
#: 24 alternating pairs on 2 cores, 17 of them faster).
BACKGROUND_NICENESS = 10

#: Called after each document with (report so far, the document's path or None).
Progress = Callable[[BuildReport, str | None], None]


#: The collector's young-generation threshold while documents stream (Python's default: 700).
#: The rules make many short-lived objects and few cycles: at 700 a build of 88 articles ran
#: some 290 young collections, 0.1 s of its time (raw spaCy: 0.002 s); at 10,000, 0.02 s.
YOUNG_THRESHOLD = 10_000


def _background_niceness() -> int | None:
    """The nice value for the storage work: the calling thread's, :data:`BACKGROUND_NICENESS`
    higher (``None`` where there are no nice values)."""
    try:
        return min(19, os.getpriority(os.PRIO_PROCESS, 0) + BACKGROUND_NICENESS)
    except (AttributeError, OSError):
        return None


def _lower_priority(niceness: int | None, *, thread: bool) -> None:
    """Run the calling thread (``thread=True``, Linux only: there each thread has a nice value
    of its own, elsewhere it would reach the whole process) or process, and what it starts, at
    ``niceness`` unless it already runs lower."""
    if niceness is None or (thread and not sys.platform.startswith("linux")):
        return
    who = threading.get_native_id() if thread else 0
    try:
        if os.getpriority(os.PRIO_PROCESS, who) < niceness:
            os.setpriority(os.PRIO_PROCESS, who, niceness)
    except OSError:  # not allowed here: the storage work runs at the build's priority
        pass


#: glibc's malloc thresholds in an extraction worker (bytes). A worker extracts chunk after
#: chunk, and at the end of each the memory it freed went back to the system (the top of the heap
#: trimmed, large blocks unmapped), to be faulted in again, page by page, by the next chunk:
#: 147,000 page faults and 0.6 s of system time per 88 articles in chunks of 8 (in-process, one
#: stream of the same articles: 20,000). Kept for the next chunk: none after the first, and the
#: same peak resident size (305 MiB). 32 MiB is glibc's largest mmap threshold.
WORKER_MMAP_THRESHOLD = 32 << 20
WORKER_TRIM_THRESHOLD = 512 << 20


def _keep_freed_memory() -> None:
    """Have this process's allocator keep the memory it frees (glibc only; elsewhere a no-op).
    Only for a worker: a build in the caller's process leaves the caller's allocator alone."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # a C library without mallopt
        return
    mallopt(-3, WORKER_MMAP_THRESHOLD)  # M_MMAP_THRESHOLD (setting either stops glibc's own tuning)
    mallopt(-1, WORKER_TRIM_THRESHOLD)  # M_TRIM_THRESHOLD


def _extract_worker_init(build: int) -> None:
    global _WORKER_EXTRACTOR, _WORKER_FAILURE
    from kg.extract import load_extractor

    _die_with(build)
    _keep_freed_memory()
    try:
        _WORKER_EXTRACTOR = load_extractor()
    except Exception as exc:  # raised here, the pool would start new workers for ever (a hung build)
        _WORKER_FAILURE = exc if isinstance(exc, KgError) else ExtractionError(f"cannot load the extractor: {type(exc).__name__}: {exc}")
    gc.freeze()  # the worker lives for the build: see _collector_tuned (its threshold is forked)


def _die_with(build: int) -> None:
    """Have the kernel kill this worker when the build process ``build`` ends, even killed
    (Linux): the pool's workers had outlived a build killed with SIGKILL or SIGTERM, idle for
    ever, each holding the model (290 MB)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1  # <sys/prctl.h>
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != build:  # it ended before that
        os._exit(1)


@contextmanager
def _collector_tuned() -> Iterator[None]:
    """The garbage collector set for streaming documents, and set back when the build ends.

    Everything alive now (the loaded model and gazetteers, some 175,000 objects, or whatever
    the host process holds) is frozen, kept out of the collector's sight: each full collection
    would walk them all again, about 0.1 s each (measured: 0.31 s of a 12 s build of 88
    articles). Young collections run less often (:data:`YOUNG_THRESHOLD`)."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], YOUNG_THRESHOLD), *threshold[1:])
    frozen = not gc.get_freeze_count()  # a host that froze its own objects: leave that to it
    if frozen:
        gc.freeze()
    try:
        yield
    finally:
        if frozen:
            gc.unfreeze()
        gc.set_threshold(*threshold)


def _extract_in_worker(documents: list[Document]) -> list[Extraction | KgError]:
    if _WORKER_FAILURE is not None:
        raise _WORKER_FAILURE  # the build stops with it: no one document's fault (a missing model)
    try:
        return list(_WORKER_EXTRACTOR.pipe(documents, errors=True))
    except Exception:  # spaCy itself failed on one of them: extract one by one to name it
        return [_extract_one(document) for document in documents]


def _extract_one(document: Document) -> Extraction | KgError:
    try:
        return _WORKER_EXTRACTOR.extract(document)
    except Exception as exc:  # a failing document must not stop the others
        return KgError(f"{document.path}: extraction failed: {type(exc).__name__}: {exc}")


_WORKER_EXTRACTOR = None
_WORKER_FAILURE: KgError | None = None  # why the worker could not load the extractor


def _extractions(documents: Iterable[Document], jobs: int) -> Iterator[Extraction | KgError]:
    """Extractions in input order, in this process or in ``jobs`` worker processes. The model
    is loaded (the workers started) for the first document only: a re-run over documents all
    stored loads none (2.3 s of a 2.5 s build of 44 stored articles had gone to loading it)."""
    docs = iter(documents)
    first = next(docs, None)
    if first is None:
        return
    docs = itertools.chain([first], docs)
    if jobs <= 1:
        from kg.extract import load_extractor

        extractor = load_extractor()
        with _collector_tuned():
            yield from extractor.pipe(docs, errors=True)  # spaCy batches the documents
        return
    from collections import deque

    # fork shares the loaded interpreter; spawn would re-import everything in each worker.
    # Frozen before the fork as well: the workers' collectors then leave the shared pages alone.
    # concurrent.futures, not multiprocessing.Pool: a worker that dies (the kernel's OOM killer)
    # breaks the executor, where the Pool replaced it and waited for its chunk for ever.
    context = multiprocessing.get_context("fork")
    with _collector_tuned(), _executor(jobs, context) as pool:
        # A bounded window of chunks in flight: map() would read the whole input at once and
        # queue every result the writer has not taken yet, so memory would grow with the corpus.
        window: deque[Future[list[Extraction | KgError]]] = deque()
        try:
            while chunk := list(itertools.islice(docs, CHUNK_DOCUMENTS)):
                window.append(pool.submit(_extract_in_worker, chunk))
                if len(window) >= IN_FLIGHT_PER_JOB * jobs:
                    yield from window.popleft().result()
            while window:
                yield from window.popleft().result()
        except BrokenProcessPool as exc:
            raise ExtractionError(
                "an extraction worker stopped abruptly (killed, perhaps for lack of memory: try fewer --jobs); "
                "the documents written before it are stored, and building again goes on from there"
            ) from exc


@contextmanager
def _executor(jobs: int, context: multiprocessing.context.BaseContext) -> Iterator[ProcessPoolExecutor]:
    """The extraction workers; a build that stops early (a failed write, an interrupt) cancels
    the chunks queued for them instead of waiting for their extractions."""
    # the workers are forked by the thread iterating the extractions, which outlives them
    # (the death signal comes when the thread that forked a worker ends, not its process)
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_extract_worker_init, initargs=(os.getpid(),))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _SummaryParts:
    """The summary's parts of each batch a build writes (:func:`kg.questions.summary_parts`),
    computed in a helper process while the build goes on: its queries hold the GIL on a store
    in memory, and computed at the end of a build the summary kept both cores busy for 4 % of
    its time. The helper is a new interpreter, not a fork: a fork of a process holding the
    model made every page it then wrote a copy (a build of 88 articles 0.3 s slower), and
    multiprocessing's spawn runs the caller's main module again. It starts with the second
    batch: a build of one batch computes its parts at its end, sooner than a helper starts.

    ``parts()`` gives them merged (:func:`kg.questions.merge_parts`), or ``None`` when any
    could not be computed (the summary is then computed anew from the store); ``rows()``
    what they add to the summary's graphs of rows (their claims' and timeline's rows, their
    members), which waits in a temporary file instead of memory: a file with no name, which
    the helper inherits open, so a build killed outright leaves none behind."""

    def __init__(self, *, niceness: int | None = None) -> None:
        self._niceness = niceness  # the helper's nice value (None: the build's)
        self._first: list[tuple[NamedNode, bytes]] | None = None
        self._helper: subprocess.Popen[bytes] | None = None
        try:
            self._rows = tempfile.TemporaryFile(prefix="kg-summary-rows-", suffix=".nq")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise ConfigError(
                f"cannot make a temporary file in {tempfile.gettempdir()} for the build's summary rows: "
                f"{exc.strerror or exc}; set TMPDIR to a writable folder"
            ) from exc
        self._sent = 0
        self._failed = False

    def add(self, documents: list[tuple[NamedNode, bytes]]) -> None:
        if self._first is None and self._helper is None:
            self._first = documents
            return
        if self._failed:
            return
        try:
            if self._helper is None:
                self._helper = _start_helper(niceness=self._niceness, rows=self._rows.fileno())
                self._send(self._first)  # type: ignore[arg-type]
                self._first = None
            self._send(documents)
        except OSError:  # it could not start, or it died
            self._failed = True

    def _send(self, documents: list[tuple[NamedNode, bytes]]) -> None:
        assert self._helper is not None and self._helper.stdin is not None
        pickle.dump(documents, self._helper.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self._helper.stdin.flush()
        self._sent += 1

    def parts(self) -> Parts | None:
        if self._failed:
            return None
        if self._helper is None:
            try:
                return merge_parts([] if self._first is None else [summary_parts(self._first)], rows=self._rows)
            except OSError:  # the rows' file could not be written (a full disk): computed anew
                return None
        assert self._helper.stdin is not None and self._helper.stdout is not None
        try:
            self._helper.stdin.close()
            found = pickle.load(self._helper.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            return None
        finally:
            self._helper.wait()
        # the helper says how many batches it merged: all that were sent, or it failed
        if isinstance(found, tuple) and found[0] == self._sent and self._helper.returncode == 0:
            return found[1]  # type: ignore[no-any-return]
        return None

    def rows(self) -> Iterator[bytes]:
        self._rows.flush()  # written by this process when there was no helper
        fd = self._rows.fileno()
        # the helper's writes moved the offset it shares with this process: rewound on the
        # descriptor itself, which the buffered file would skip, believing it is still at 0
        os.lseek(fd, 0, os.SEEK_SET)
        with open(fd, "rb", closefd=False) as rows:
            yield from row_chunks(rows)

    def close(self) -> None:
        if self._helper is not None and self._helper.poll() is None:
            self._helper.kill()  # a build that stopped early: its parts are not needed
            self._helper.wait()
        self._rows.close()


def _start_helper(*, niceness: int | None = None, rows: int) -> subprocess.Popen[bytes]:
    """The helper of :class:`_SummaryParts`, writing its rows to the open file ``rows`` (a
    descriptor it inherits)."""
    import kg

    # the kg the caller imported: its folder goes first on the helper's path unless already on it
    here = str(Path(kg.__file__).resolve().parent.parent)
    code = (
        f"import sys; h = {here!r}; h in sys.path or sys.path.insert(0, h); import kg.build; "
        f"kg.build._serve_summary_parts(niceness={niceness!r}, rows={rows!r})"
    )
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, pass_fds=(rows,))  # fmt: skip


def _serve_summary_parts(*, niceness: int | None = None, rows: int) -> None:
    """The helper of :class:`_SummaryParts`: the parts of each batch read from standard input
    and merged as they come, their rows written to the open file ``rows``; when the input
    ends, how many batches it merged and the merged parts written to standard output."""
    _lower_priority(niceness, thread=False)
    batches = 0

    def documents() -> Iterator[list[tuple[NamedNode, bytes]]]:
        nonlocal batches
        while True:
            try:
                found = pickle.load(sys.stdin.buffer)
            except EOFError:
                return
            batches += 1
            yield found

    answer: tuple[int, Parts] | str
    try:
        with open(rows, "wb") as out:  # not truncated: a descriptor, not a path
            merged = merge_parts(map(summary_parts, documents()), rows=out)
        answer = (batches, merged)
    except Exception as exc:  # noqa: BLE001 - not a tuple: the build computes the summary anew
        answer = f"{type(exc).__name__}: {exc}"
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


@dataclass(slots=True, frozen=True)
class _Mapped:
    """A document ready to be written: its N-Quads, and what the report counts once stored
    (the extraction itself is not kept while the document waits for the writer)."""

    doc_id: str
    path: str | None
    nquads: bytes
    quads: int
    entities: int
    claims: int
    relations: int
    events: int

    @classmethod
    def of(cls, extraction: Extraction, resolution: Resolution, nquads: bytes) -> _Mapped:
        return cls(
            doc_id=extraction.document.id,
            path=extraction.document.path,
            nquads=nquads,
            quads=nquads.count(b"\n"),  # a line per quad: a newline in a literal is escaped
            entities=len(resolution.entities),
            claims=len(extraction.claims),
            relations=len(resolution.relations),
            events=len(extraction.events),
        )


class _LabelKeeper:
    """Cross-document resolution against the store: an entity already stored keeps its
    canonical label, so one actor stays one node with one ``rdfs:label``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.minter = Minter()
        self.known: dict[str, str | None] = {}

    def apply(self, resolution: Resolution) -> None:
        for entity in resolution.entities:
            if entity.key not in self.known:
                iri = self.minter.entity(entity.key)
                rows = self.store.query(f"SELECT ?l WHERE {{ {iri} {RDFS.label} ?l }} LIMIT 1").rows
                self.known[entity.key] = rows[0]["l"].value if rows else None
            stored = self.known[entity.key]
            if stored is None:
                self.known[entity.key] = entity.label
            elif stored != entity.label:
                entity.aliases.add(entity.label)
                entity.merges.append((entity.label, f"same actor as the stored {stored!r}"))
                entity.label = stored


def build(
    paths: Iterable[str | Path],
    *,
    store: str | Path | Store,
    force: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
) -> BuildReport:
    """Build the graph of the documents under ``paths`` into ``store``.

    Returns a report; problems with single inputs are in ``report.failures`` and do not stop
    the build. Raises ``StoreError`` when the store itself cannot be used.
    """
    started = time.perf_counter()
    owned = not isinstance(store, Store)
    # A query holds an embedded store for a moment only: wait for it rather than fail.
    target = open_store(store, create=True, wait=LOCK_WAIT) if owned else store
    report = BuildReport(store=target.location)
    try:
        target.ensure_ontology()
        run: Run | None = None
        labels = _LabelKeeper(target)

        def todo() -> Iterator[Document]:
            for item in iter_documents(paths):
                if isinstance(item, InputError):
                    report.failures.append(Failure(item.path, item.problem))
                    if progress:
                        progress(report, item.path)
                    continue
                report.documents += 1
                if not force and target.has_document(item.id):
                    report.skipped += 1
                    if progress:
                        progress(report, item.path)
                    continue
                yield item

        pending: list[_Mapped] = []
        writing: tuple[Future[None], list[_Mapped]] | None = None
        wrote = False

        def finish() -> None:
            """Wait for the batch being written (its store error surfaces here) and count it."""
            nonlocal writing
            if writing is None:
                return
            future, batch = writing
            writing = None
            future.result()
            for mapped in batch:
                report.built += 1
                report.quads += mapped.quads
                report.entities += mapped.entities
                report.claims += mapped.claims
                report.relations += mapped.relations
                report.events += mapped.events
                if progress:
                    progress(report, mapped.path)

        def write(documents: list[tuple[NamedNode, bytes]]) -> None:
            # the helper computes the batch's parts while the store writes it (a build whose
            # write fails stops, its parts unused)
            if not force:  # replaced documents cannot be taken out of the kept state
                summary.add(documents)
            target.write_documents(documents, replace=force)

        def flush() -> None:
            nonlocal wrote, writing
            if not wrote:  # the kept answers are stale from the first write on
                mark_summary_stale(target)
                wrote = True
            batch = pending.copy()
            pending.clear()
            finish()  # one batch in the writer at a time: memory stays bounded
            # Documents are written in batches, each atomic: whole or not at all. The
            # store works in a thread (pyoxigraph and HTTP release the GIL) while the next batch
            # is extracted.
            documents = [(document_graph(mapped.doc_id), mapped.nquads) for mapped in batch]
            writing = (writer.submit(write, documents), batch)

        def queued(doc_id: str) -> bool:
            return any(m.doc_id == doc_id for m in (*pending, *(writing[1] if writing else ())))

        # the storage work yields the cores to the extraction (see BACKGROUND_NICENESS)
        background = _background_niceness()
        summary = _SummaryParts(niceness=background)
        with (
            ThreadPoolExecutor(1, "kg-writer", initializer=functools.partial(_lower_priority, background, thread=True))
            as writer,
            closing(summary),
        ):
            for result in _extractions(todo(), jobs):
                if isinstance(result, KgError):
                    path, _, problem = str(result).partition(": ")
                    report.failures.append(Failure(path, problem))
                    continue
                document = result.document
                if not force and (queued(document.id) or target.has_document(document.id)):  # the same text twice
                    report.skipped += 1
                    continue
                if run is None:
                    run = new_run(extractor=result.extractor, model=result.model)
                resolution = resolve(result)
                labels.apply(resolution)
                pending.append(_Mapped.of(result, resolution, document_nquads(resolution, run=run)))
                if len(pending) >= BATCH_DOCUMENTS or sum(m.quads for m in pending) >= BATCH_QUADS:
                    flush()
            if pending:
                flush()
            finish()
            if wrote or not has_summary(target):
                # replaced documents cannot be taken out of the kept state: it is computed anew
                refresh_summary(target, added=None if force else summary.parts(), rows=summary.rows())
        report.totals = stats(target)  # kept by the summary just written: one lookup
    finally:
        if owned:
            target.close()
    report.seconds = time.perf_counter() - started
    return report
