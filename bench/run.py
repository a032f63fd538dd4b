"""newskg benchmarks: each prints a ratio against the raw libraries, measured in the same run.

    make bench                      # everything (about 30 minutes on 2 cores)
    .venv/bin/python bench/run.py --quick
    .venv/bin/python bench/run.py build quads latency startup gexf memory
    .venv/bin/python bench/run.py stages    # where a build's time goes (not part of make bench)
    .venv/bin/python bench/run.py cores     # how much a busy second core slows spaCy (neither)
    .venv/bin/python bench/run.py heap      # where a build's memory grows (nor this)
    .venv/bin/python bench/run.py stances   # a build's summary merge as an actor's records grow
    .venv/bin/python bench/run.py figures   # the same as an actor's casualty figures grow

Corpus: the 44 articles of ../shared/eval/ukraine_news (unlabelled real news). Copies get a
distinct suffix line so that each has its own content hash.
"""

from __future__ import annotations

import argparse
import compileall
import functools
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "eval" / "ukraine_news" / "articles"
KG = [sys.executable, "-m", "kg.cli"]
T = TypeVar("T")

RESULTS: dict[str, dict[str, float | str]] = {}


def report(name: str, **figures: float | str) -> None:
    RESULTS[name] = figures
    shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
    print(f"{name:10s} {shown}", flush=True)


def articles() -> list[str]:
    if not CORPUS.is_dir():
        sys.exit(f"bench: corpus not found at {CORPUS}")
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]


def corpus(copies: int) -> list[str]:
    base = articles()
    return [f"{text}\n(Copy {n}.)" if n else text for n in range(copies) for text in base]


def write_corpus(texts: list[str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(texts):
        (folder / f"{i:06d}.txt").write_text(text, encoding="utf-8")
    return folder


def words(texts: list[str]) -> int:
    return sum(len(t.split()) for t in texts)


def _cpu_seconds() -> float:
    """CPU time of this process and of its children waited for (workers, the summary helper)."""
    return _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)


def bench_build(copies: int, rounds: int = 5) -> None:
    """Build throughput (words/s) against raw spaCy nlp.pipe with the model's components, and
    --jobs 2 against --jobs 1. Each round runs raw spaCy, --jobs 1 and --jobs 2 back to back:
    on a shared machine the speed drifts by ±10 % within minutes, and runs close together see
    the same drift, so each ratio reported is the median over the rounds, with its range.

    Beside it, the build against the spaCy pipeline it runs itself (the model's components,
    its attribute ruler indexed, and the gazetteer ruler): what the rules, resolution, mapping
    and storage cost on top of spaCy, apart from what the pipeline itself gains.

    Also the ceiling of --jobs 2 on this machine: --jobs 1's time over the --jobs 2 build's CPU
    time spread evenly over every core, the ratio a perfect packing of that work would reach;
    and how much of the cores the --jobs 2 build kept busy. Beside them, raw spaCy's own
    parallel pipe (``n_process=2``) against its single process: what the raw library gains from
    a second core on this machine, the reference for --jobs 2 (whose --jobs 1 already has its
    storage work done on the second core)."""
    from kg.build import build
    from kg.extract import load_extractor
    from kg.extract.pipeline import load_nlp

    texts = corpus(copies)
    n_words = words(texts)
    cores = os.cpu_count() or 1
    # the model as shipped, without the project's gazetteer ruler: its cost counts as ours
    nlp = load_nlp(baseline=True)
    pipeline = load_extractor().nlp  # model and gazetteers loaded before the clock starts
    for warm in (nlp, pipeline):
        list(warm.pipe(texts[:5]))
    seconds: dict[str, list[float]] = {"raw": [], "raw2": [], "pipeline": [], "one": [], "two": []}
    cpu: dict[str, list[float]] = {"one": [], "two": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_corpus(texts, Path(tmp) / "in")
        for n in range(rounds):
            t0 = time.perf_counter()
            for _ in nlp.pipe(texts, batch_size=16):
                pass
            seconds["raw"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            # batches of 8 for each of the two processes, as the build's workers take chunks of 8
            for _ in nlp.pipe(texts, batch_size=8, n_process=2):
                pass
            seconds["raw2"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            for _ in pipeline.pipe(texts, batch_size=16):
                pass
            seconds["pipeline"].append(time.perf_counter() - t0)
            for name, jobs in (("one", 1), ("two", 2)):
                c0, t0 = _cpu_seconds(), time.perf_counter()
                build([folder], store=Path(tmp) / f"{name}-{n}", jobs=jobs)
                seconds[name].append(time.perf_counter() - t0)
                cpu[name].append(_cpu_seconds() - c0)

    def ratio(measured: str, reference: str) -> tuple[float, str]:
        """Speed of ``measured`` relative to ``reference``, round by round."""
        found = sorted(r / m for m, r in zip(seconds[measured], seconds[reference]))
        return statistics.median(found), f"{found[0]:.3f}-{found[-1]:.3f}"

    wps = {name: n_words / statistics.median(found) for name, found in seconds.items()}
    vs_spacy, vs_spacy_range = ratio("one", "raw")
    vs_pipeline, vs_pipeline_range = ratio("one", "pipeline")
    pipeline_vs_raw, _ = ratio("pipeline", "raw")
    jobs2, jobs2_range = ratio("two", "one")
    raw2, raw2_range = ratio("raw2", "raw")
    ceiling = statistics.median(one / (work / cores) for one, work in zip(seconds["one"], cpu["two"]))
    busy = statistics.median(work / (two * cores) for two, work in zip(seconds["two"], cpu["two"]))
    report("build", words=float(n_words), raw_spacy_wps=wps["raw"], kg_wps=wps["one"], ratio_vs_spacy=vs_spacy,
           ratio_range=vs_spacy_range, pipeline_vs_raw=pipeline_vs_raw, ratio_vs_own_pipeline=vs_pipeline,
           own_pipeline_range=vs_pipeline_range, jobs2_wps=wps["two"], jobs2_vs_jobs1=jobs2, jobs2_range=jobs2_range,
           jobs1_cpu_s=statistics.median(cpu["one"]), jobs2_cpu_s=statistics.median(cpu["two"]),
           jobs2_ceiling=ceiling, jobs2_cores_busy=busy, raw_spacy_2proc_vs_1=raw2, raw_spacy_2proc_range=raw2_range)  # fmt: skip


def bench_stages(copies: int) -> None:
    """Where a build's time goes: raw spaCy against the build's own pipeline (the model's
    attribute ruler indexed, the gazetteer ruler), the attribute ruler of each, each rule
    stage, resolution and mapping, timed apart on the same parsed documents; then one --jobs 1
    build with its extraction thread's CPU, the CPU of its other threads (the writer, the bulk
    loader's, RocksDB's) and of the summary helper, and how long that thread waited for a core
    while runnable (Linux schedstat; -1 elsewhere). Not a target of its own: a map for tuning."""
    from kg.build import build
    from kg.documents import document_from_text
    from kg.extract import claims, events, load_extractor, mentions, quantities, relations, timex
    from kg.extract.pipeline import load_nlp
    from kg.mapping import document_nquads, new_run
    from kg.resolve import resolve

    texts = corpus(copies)
    raw_nlp, extractor = load_nlp(baseline=True), load_extractor()
    for nlp in (raw_nlp, extractor.nlp):  # warm up: a process's first pass over the texts is
        for _ in nlp.pipe(texts, batch_size=16):  # slower (new words, first allocations)
            pass
    t0 = time.perf_counter()
    for _ in raw_nlp.pipe(texts, batch_size=16):
        pass
    raw = time.perf_counter() - t0
    t0 = time.perf_counter()
    docs = list(extractor.nlp.pipe(texts, batch_size=16))
    ours = time.perf_counter() - t0
    rulers = {f"{name}_attribute_ruler_s": _component_seconds(nlp, "attribute_ruler", texts)
              for name, nlp in (("stock", raw_nlp), ("indexed", extractor.nlp))}  # fmt: skip
    spent = dict.fromkeys(("mentions", "times", "quantities", "claims", "relations", "events", "resolve", "mapping"), 0.0)

    def timed(stage: str, call: Callable[..., T], *args: object, **kwargs: object) -> T:
        t = time.perf_counter()
        found = call(*args, **kwargs)
        spent[stage] += time.perf_counter() - t
        return found

    run = new_run(extractor=extractor.name, model=extractor.model)
    # each rule stage timed where RulesExtractor._extract calls it, so the path measured is the build's
    stages = {"mentions": (mentions, "find_mentions"), "times": (timex, "find_times"),
              "quantities": (quantities, "find_quantities"), "claims": (claims, "find_claims"),
              "relations": (relations, "find_relations"), "events": (events, "find_events")}  # fmt: skip
    originals = {stage: getattr(module, name) for stage, (module, name) in stages.items()}
    for stage, (module, name) in stages.items():
        setattr(module, name, functools.partial(timed, stage, originals[stage]))
    try:
        for i, (text, doc) in enumerate(zip(texts, docs)):
            extraction = extractor._extract(document_from_text(text, path=f"{i:06d}.txt"), doc)
            resolution = timed("resolve", resolve, extraction)
            timed("mapping", document_nquads, resolution, run=run)
    finally:
        for stage, (module, name) in stages.items():
            setattr(module, name, originals[stage])
    del docs
    rules = sum(v for k, v in spent.items() if k not in ("resolve", "mapping"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_corpus(texts, Path(tmp) / "in")
        who = (_THREAD, resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        before, waited, t0 = [_cpu(w) for w in who], _run_queue_wait(), time.perf_counter()
        build([folder], store=Path(tmp) / "store", jobs=1)
        seconds = time.perf_counter() - t0
        thread, own, kids = (_cpu(w) - b for w, b in zip(who, before))
        waited = _run_queue_wait() - waited if waited >= 0 else -1.0
    report("stages", articles=float(len(texts)), raw_spacy_s=raw, own_pipeline_s=ours, **rulers, rules_s=rules,
           **{f"{k}_s": v for k, v in spent.items()}, build_s=seconds, extraction_thread_cpu_s=thread,
           other_threads_cpu_s=own - thread, helper_cpu_s=kids, waited_for_a_core_s=waited)  # fmt: skip


def _component_seconds(nlp, name: str, texts: list[str]) -> float:
    """The time ``nlp``'s component ``name`` takes over ``texts``, each doc annotated by the
    components before it first."""
    before = nlp.pipe_names[: nlp.pipe_names.index(name)]
    docs = list(nlp.pipe(texts, batch_size=16, disable=[n for n in nlp.pipe_names if n not in before]))
    component = nlp.get_pipe(name)
    t0 = time.perf_counter()
    for doc in docs:
        component(doc)
    return time.perf_counter() - t0


#: What runs beside spaCy in ``cores``: a pure-Python busy loop, and bulk loads into a store.
_NEIGHBOURS = {
    "busy": "while True: pass",
    "bulk_load": (
        "import itertools, sys, pyoxigraph\n"
        "store = pyoxigraph.Store(sys.argv[1])\n"
        "for n in itertools.count():\n"
        "    lines = (f'<http://e/{n}/{i}> <http://p/{i % 50}> \"v {i}\" <http://g/{n}> .\\n' for i in range(20000))\n"
        "    store.bulk_load(''.join(lines).encode(), pyoxigraph.RdfFormat.N_QUADS)\n"
    ),
}


def bench_cores(copies: int, rounds: int = 5) -> None:
    """How much a second busy core slows raw spaCy on this machine: nlp.pipe alone, then beside
    each of :data:`_NEIGHBOURS`, round after round. A build's storage work (bulk loads, the
    summary helper) runs beside its extraction and its --jobs 2 workers beside each other, so
    this bounds both ratios where cores share a physical core or its caches (a virtual machine's
    vCPUs). Reported: wall and CPU time beside each neighbour over alone, medians of the rounds.
    Not a target of its own."""
    from kg.extract.pipeline import load_nlp

    texts = corpus(copies)
    nlp = load_nlp(baseline=True)
    for _ in nlp.pipe(texts, batch_size=16):  # warm up: the first pass is slower
        pass
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in ("alone", *_NEIGHBOURS)}
    for _ in range(rounds):
        for name in found:
            # the neighbour's store, removed once it is killed (which cleans nothing up itself)
            with tempfile.TemporaryDirectory() as folder:
                neighbour = subprocess.Popen([sys.executable, "-c", _NEIGHBOURS[name], folder]) if name in _NEIGHBOURS else None
                try:
                    time.sleep(0.5 if neighbour else 0)  # the neighbour started and busy
                    c0, t0 = _cpu(_THREAD), time.perf_counter()
                    for _ in nlp.pipe(texts, batch_size=16):
                        pass
                    found[name].append((time.perf_counter() - t0, _cpu(_THREAD) - c0))
                finally:
                    if neighbour:
                        neighbour.kill()
                        neighbour.wait()
    figures: dict[str, float | str] = {"alone_s": statistics.median(w for w, _ in found["alone"])}
    for name in _NEIGHBOURS:
        pairs = list(zip(found["alone"], found[name]))
        figures[f"{name}_wall_vs_alone"] = statistics.median(b[0] / a[0] for a, b in pairs)
        figures[f"{name}_cpu_vs_alone"] = statistics.median(b[1] / a[1] for a, b in pairs)
    report("cores", articles=float(len(texts)), rounds=float(rounds), **figures)


def _cpu(who: int) -> float:
    """CPU seconds of ``resource.RUSAGE_SELF``, ``RUSAGE_CHILDREN`` or :data:`_THREAD`."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


#: The calling thread (Linux); elsewhere the whole process, so its other threads count 0.
_THREAD = getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF)


def _run_queue_wait() -> float:
    """Seconds the calling thread has waited, runnable, for a core (-1 where unknown)."""
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return -1.0


def _documents(copies: int) -> list[tuple[str, bytes]]:
    """The corpus's documents extracted and mapped as kg build does: each one's id and N-Quads."""
    from kg.documents import document_from_text
    from kg.extract import load_extractor
    from kg.mapping import document_nquads, new_run
    from kg.resolve import resolve

    extractor = load_extractor()
    run = new_run(extractor=extractor.name, model=extractor.model)
    found = extractor.pipe(document_from_text(t) for t in corpus(copies))
    return [(x.document.id, document_nquads(resolve(x), run=run)) for x in found]


def bench_quads(copies: int) -> None:
    """Quads written per second by the store layer (the mapping's N-Quads, written in one
    atomic write per batch of documents, as kg build does) against raw pyoxigraph bulk_load of
    the same quads; raw transactional extend of the same batches for reference."""
    import pyoxigraph

    from kg.build import BATCH_DOCUMENTS
    from kg.store import EmbeddedStore, document_graph

    documents = [(document_graph(doc_id), data) for doc_id, data in _documents(copies)]
    batches = [documents[i : i + BATCH_DOCUMENTS] for i in range(0, len(documents), BATCH_DOCUMENTS)]
    total = sum(data.count(b"\n") for _, data in documents)  # a line per quad
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "kg")
        t0 = time.perf_counter()
        for batch in batches:
            store.write_documents(batch)
        store.close()
        ours = total / (time.perf_counter() - t0)
        raw_store = pyoxigraph.Store(str(Path(tmp) / "raw"))
        data = b"".join(data for _, data in documents)
        t0 = time.perf_counter()
        raw_store.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
        raw_store.flush()
        raw = total / (time.perf_counter() - t0)
        # for reference: raw pyoxigraph extend, one transaction per batch
        quads = [list(pyoxigraph.parse(b"".join(d for _, d in batch), format=pyoxigraph.RdfFormat.N_QUADS)) for batch in batches]
        ext_store = pyoxigraph.Store(str(Path(tmp) / "ext"))
        t0 = time.perf_counter()
        for batch_quads in quads:
            ext_store.extend(batch_quads)
        ext_store.flush()
        extend = total / (time.perf_counter() - t0)
    report("quads", quads=float(total), kg_qps=ours, bulk_load_qps=raw, ratio=ours / raw, raw_extend_qps=extend,
           raw_extend_vs_bulk_load=extend / raw, kg_vs_raw_extend=ours / extend)  # fmt: skip


class _Copies:
    """The corpus's real graphs, copied under new document hashes (entities stay shared, as
    the same actors recur across articles): copy ``n`` as N-Quads and its document hashes."""

    def __init__(self) -> None:
        documents = _documents(1)
        self.text = b"".join(data for _, data in documents).decode("utf-8")
        # each document's own graph is copied under a new hash; the shared graph stays one graph,
        # as it is in a real store (copying it would multiply every join on entity names)
        self.ids = {doc_id for doc_id, _ in documents}
        self.per_copy = sum(1 for line in self.text.splitlines() if "/document/" in line.rsplit(" ", 2)[-2])

    def copy(self, n: int) -> tuple[bytes, list[str]]:
        import hashlib

        chunk, ids = self.text, []
        for doc_id in self.ids:
            new = hashlib.sha256(f"{doc_id}{n}".encode()).hexdigest()
            chunk = chunk.replace(doc_id, new).replace(doc_id[:16], new[:16])
            ids.append(new)
        return chunk.encode("utf-8"), ids


def _synthetic_store(path: Path, target_quads: int, copies: _Copies) -> tuple[int, int]:
    """A store of about ``target_quads`` copies of the corpus: its quads and copies."""
    import pyoxigraph

    from kg.store.base import ontology_triples

    store = pyoxigraph.Store(str(path))
    ontology = pyoxigraph.NamedNode("https://w3id.org/newskg/ontology")
    store.extend([pyoxigraph.Quad(t.subject, t.predicate, t.object, ontology) for t in ontology_triples()])
    wanted = max(1, -(-target_quads // max(1, copies.per_copy)))  # at least the target
    n = 0
    while n < wanted or len(store) < target_quads:  # copies share quads: count, not estimate
        store.bulk_load(copies.copy(n)[0], format=pyoxigraph.RdfFormat.N_QUADS)
        n += 1
    store.flush()
    count = len(store)
    del store
    return count, n


def bench_latency(target: int, runs: int = 11) -> None:
    """Latency of the analyst questions on a synthetic store: the first call of each and the p50
    and p95 of ``runs`` more, after the summary of whole-store answers is computed as a build
    computes it, in a store opened again as each ``kg`` command opens it. Asked in the process
    that has just written the summary, ``claims --by`` ran at 160-200 ms for the first two
    seconds, then at 20 ms (RocksDB's background work after the rewrite of the claim rows, most
    likely: it passes by itself and a flush does not shorten it): a transient, timed here once
    (``just_written``) and not mixed into the questions' figures."""
    from kg import questions
    from kg.store import open_store

    copies = _Copies()
    with tempfile.TemporaryDirectory() as tmp:
        size, n = _synthetic_store(Path(tmp) / "s", target, copies)
        with open_store(Path(tmp) / "s") as store:
            t0 = time.perf_counter()
            questions.refresh_summary(store)  # as kg build does at its end
            refresh = time.perf_counter() - t0
            t0 = time.perf_counter()
            questions.claims(store, by="Zelensky")
            report("summary", quads=float(size), refresh_s=refresh, just_written_claims_by_ms=1000 * (time.perf_counter() - t0))  # fmt: skip
        with open_store(Path(tmp) / "s") as store:
            calls = {
                "stats": lambda: questions.stats(store),
                "entities": lambda: questions.entities(store),
                "entity HUR": lambda: questions.entity(store, "HUR"),
                "claims --by Zelensky": lambda: questions.claims(store, by="Zelensky"),
                "claims --about Kyiv": lambda: questions.claims(store, about="Kyiv"),
                "sources": lambda: questions.sources(store),
                "timeline": lambda: questions.timeline(store),
                "conflicts": lambda: questions.conflicts(store),
            }
            for name, call in calls.items():
                times = []
                for _ in range(runs + 1):
                    t0 = time.perf_counter()
                    call()
                    times.append(time.perf_counter() - t0)
                first, rest = times[0], sorted(times[1:])
                report("latency", question=name, quads=float(size), first_ms=1000 * first, p50_ms=1000 * statistics.median(rest),
                       p95_ms=1000 * rest[round(0.95 * (len(rest) - 1))])  # fmt: skip
            _bench_merge(store, copies, n)


def _bench_merge(store, copies: _Copies, n: int) -> None:
    """A build adding one more copy of the corpus to the store: the summary kept up to date by
    merging its documents' parts in (computed beside the build, in its helper process), against
    computing it anew from the store."""
    import pyoxigraph

    from kg import questions

    questions.mark_summary_stale(store)  # as a build does before it writes
    text, ids = copies.copy(n)
    graphs: dict = {}
    for quad in pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.N_QUADS):
        graphs.setdefault(quad.graph_name, []).append(quad)
    store.write_graphs(list(graphs.items()))
    with tempfile.TemporaryFile() as rows:
        t0 = time.perf_counter()
        parts = questions.merge_parts([questions.summary_parts([(next(iter(graphs)), text)])], rows=rows)
        beside = time.perf_counter() - t0
        t0 = time.perf_counter()
        questions.refresh_summary(store, added=parts, rows=questions.row_chunks(rows))
        merge = time.perf_counter() - t0
    t0 = time.perf_counter()
    questions.refresh_summary(store)
    anew = time.perf_counter() - t0
    report("summary", documents_added=float(len(ids)), quads=float(store.count_quads()), parts_beside_s=beside,
           merge_s=merge, anew_s=anew, anew_vs_merge=anew / merge)  # fmt: skip


def _median_run(cmd: list[str], n: int = 7) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_startup() -> None:
    """Cold start of `kg --help` and `kg query` against `python -c "import pyoxigraph"`."""
    # pip byte-compiles a wheel on install; an editable install under PYTHONDONTWRITEBYTECODE
    # would otherwise recompile kg on every start and time the compiler, not kg
    import kg

    compileall.compile_dir(Path(kg.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        from kg.store import open_store

        open_store(Path(tmp) / "s", create=True).close()
        base = _median_run([sys.executable, "-c", "import pyoxigraph"])
        # the floor of any click command over pyoxigraph: click alone costs more than pyoxigraph
        floor = _median_run([sys.executable, "-c", "import pyoxigraph, click"])
        raw_query = _median_run([sys.executable, "-c", f"import pyoxigraph; pyoxigraph.Store({str(Path(tmp) / 's')!r}).query('ASK {{ ?s ?p ?o }}')"])
        help_ = _median_run([*KG, "--help"])
        query = _median_run([*KG, "query", "--store", str(Path(tmp) / "s"), "ASK { ?s ?p ?o }"])
    report("startup", import_pyoxigraph_s=base, import_click_too_s=floor, raw_open_query_s=raw_query, kg_help_s=help_,
           kg_query_s=query, help_ratio=help_ / base, query_ratio=query / base, help_vs_click_floor=help_ / floor,
           query_vs_raw_query=query / raw_query)  # fmt: skip


def bench_gexf(copies: int) -> None:
    """GEXF export of the actor network against networkx.write_gexf of the same graph."""
    import io

    import networkx as nx

    from kg.build import build
    from kg.export import ExportFormat, Projection, export, to_networkx
    from kg.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        build([write_corpus(corpus(copies), Path(tmp) / "in")], store=Path(tmp) / "s")
        with open_store(Path(tmp) / "s") as store:
            graph = to_networkx(store, projection=Projection.CLAIMS)
            t0 = time.perf_counter()
            for _ in range(3):
                export(store, format=ExportFormat.GEXF, output=io.BytesIO(), projection=Projection.CLAIMS)
            ours = (time.perf_counter() - t0) / 3
            t0 = time.perf_counter()
            for _ in range(3):
                graph_nx = to_networkx(store, projection=Projection.CLAIMS)
                nx.write_gexf(graph_nx, io.BytesIO())
            theirs = (time.perf_counter() - t0) / 3
    report("gexf", nodes=float(graph.number_of_nodes()), edges=float(graph.number_of_edges()), kg_s=ours,
           networkx_s=theirs, ratio=ours / theirs)  # fmt: skip


def _synthetic_articles(n: int, folder: Path) -> Path:
    """``n`` articles recombined from the corpus's sentences (streamed to disk)."""
    sentences = [s.strip() + "." for t in articles() for s in t.split(". ") if len(s.split()) > 5]
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"{i:06d}.txt").write_text(" ".join(rng.sample(sentences, 12)), encoding="utf-8")
    return folder


#: Places, sources and verbs the stance benchmark's articles are made of.
_PLACES = ("Kharkiv", "Kherson", "Odesa", "Dnipro", "Zaporizhzhia", "Mykolaiv", "Sumy", "Chernihiv", "Pokrovsk",
           "Kramatorsk", "Sloviansk", "Poltava", "Vinnytsia", "Zhytomyr", "Lviv", "Izium", "Kupiansk", "Toretsk")
_SAYERS = (("KYIV (Reuters)", "Ukraine's military said"), ("KYIV (AP)", "Ukrainian officials said"),
           ("KYIV (AFP)", "Ukraine's air force said"), ("LONDON (Reuters)", "British intelligence said"))
_ACTS = ("shelled", "struck", "attacked", "bombed")


def _stance_articles(n: int, folder: Path, *, start: int = 0) -> Path:
    """``n`` short articles whose claims are all distinct: an assertion that Russian forces hit
    a place (every one naming Russia's forces, the popular actor), and in every tenth a denial
    by Russia's defence ministry."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        dateline, sayer = _SAYERS[i % len(_SAYERS)]
        place, act = _PLACES[i % len(_PLACES)], _ACTS[(i // len(_PLACES)) % len(_ACTS)]
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        text = f"{dateline} - {sayer} Russian forces {act} {place} overnight, killing {i + 2} people."
        if i % 10 == 0:
            text += f" Russia's defence ministry denied that its forces had {act} {place} and killed {i + 2} people."
        (folder / f"{day.replace('-', '')}T{i % 24:02d}0000Z_{i:06d}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


#: Who reports the figures benchmark's casualties, and how they hedge them.
_COUNTERS = (("KYIV (Reuters)", "Ukraine's military intelligence said"), ("KYIV (AP)", "Ukrainian officials said"),
             ("KYIV (AFP)", "Ukraine's General Staff said"), ("LONDON (Reuters)", "British intelligence said"),
             ("SEOUL (AP)", "South Korea's spy agency said"), ("WASHINGTON (AP)", "the Pentagon said"))
_HEDGES = ("at least {}", "an estimated {}", "more than {}", "{}")


def _figure_articles(n: int, folder: Path, *, start: int = 0) -> Path:
    """``n`` short articles, each a casualty figure for one counted actor (North Korean
    soldiers) from a bounded set of sources, hedges and values (168 reports): the figures of a
    large store are mostly relayed copies of the same reports, as in the news."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + n):
        dateline, sayer = _COUNTERS[i % len(_COUNTERS)]
        figure = _HEDGES[(i // len(_COUNTERS)) % len(_HEDGES)].format(100 + 50 * (i % 7))
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        text = f"{dateline} - {sayer} on Monday that {figure} North Korean soldiers had been killed in the Kursk region."
        # the numbered line: each its own content hash (copies of one text are built once)
        (folder / f"{day.replace('-', '')}T{i % 24:02d}0000Z_{i:06d}.txt").write_text(f"{text}\n(Bulletin {i}.)\n", encoding="utf-8")
    return folder


def bench_stances(sizes: list[int], added: int = 20) -> None:
    """The summary's merge at the end of a build of ``added`` articles, on stores of ``sizes``
    articles whose stance records (distinct, not recombined) all name one popular actor: flat
    means a build's end does not grow with what the store holds about the actors it names."""
    _merge_growth("stances", _stance_articles, sizes, added)


def bench_figures(sizes: list[int], added: int = 20) -> None:
    """The same for stores of ``sizes`` articles each reporting a casualty figure for one
    counted actor, and how long the conflicts question then takes."""
    _merge_growth("figures", _figure_articles, sizes, added)


def _merge_growth(name: str, make: Callable[..., Path], sizes: list[int], added: int) -> None:
    """The summary's merge at the end of a build of ``added`` articles of ``make`` into stores
    of ``sizes`` of them (the median of three builds), and the conflicts question's time after."""
    import kg.build
    from kg.build import build
    from kg.questions import conflicts
    from kg.store import open_store

    spent: list[float] = []
    refresh = kg.build.refresh_summary

    def timed(*args: object, **kwargs: object) -> None:
        t0 = time.perf_counter()
        refresh(*args, **kwargs)
        spent.append(time.perf_counter() - t0)

    kg.build.refresh_summary = timed
    try:
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                build([make(n, Path(tmp) / "in")], store=Path(tmp) / "s", jobs=1)
                merges = []
                for round_ in range(3):
                    build([make(added, Path(tmp) / f"more{round_}", start=n + round_ * added)], store=Path(tmp) / "s", jobs=1)
                    merges.append(spent[-1])
                with open_store(Path(tmp) / "s") as store:
                    asked = []
                    for _ in range(5):
                        t0 = time.perf_counter()
                        found = conflicts(store)
                        asked.append(time.perf_counter() - t0)
            report(name, articles=float(n), added=float(added), merge_s=statistics.median(merges),
                   merge_range=f"{min(merges):.3f}-{max(merges):.3f}", conflicts=float(len(found)),
                   conflicts_s=statistics.median(asked))  # fmt: skip
    finally:
        kg.build.refresh_summary = refresh


def bench_longdoc(sizes: list[int]) -> None:
    """One article of one line, ``sizes`` sentences long (the corpus's sentences in turn): the
    rule stages' time against spaCy's on the same doc, at each size. Flat means the rules grow
    linearly with a document, as spaCy does: a scan of every mention, figure, time or frame
    for each one of them had made 6,000 claims take 158 s. Not a target of its own."""
    from kg.documents import document_from_text
    from kg.extract import load_extractor

    sentences = [s.strip() + "." for t in articles() for s in t.replace("\n", " ").split(". ") if len(s.split()) > 5]
    extractor = load_extractor()
    figures: dict[str, float] = {}
    for n in sizes:
        text = " ".join(sentences[i % len(sentences)] for i in range(n))[: 999_000]
        t0 = time.perf_counter()
        doc = extractor.nlp(text)
        spacy_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        extraction = extractor._extract(document_from_text(text, path="long.txt"), doc)
        rules_s = time.perf_counter() - t0
        figures |= {f"spacy_s_{n}": spacy_s, f"rules_s_{n}": rules_s, f"rules_vs_spacy_{n}": rules_s / spacy_s,
                    f"claims_{n}": float(len(extraction.claims))}  # fmt: skip
    report("longdoc", **figures)


def bench_memory(sizes: list[int], jobs: int) -> None:
    """Peak memory (max RSS of the build process, a worker or the summary helper) building n
    articles: flat means streaming. The build's own peak is read from VmHWM: its ru_maxrss
    would keep that of this process, which it was forked from before it ran Python anew (this
    process holds the model by now). A child's maxrss can only hold its parent's size when
    forked, never more than the build's own peak."""
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = _synthetic_articles(n, Path(tmp) / "in")
            t0 = time.perf_counter()
            code = (
                "import resource, sys\nfrom kg.build import build\n"
                f"r = build([{str(folder)!r}], store={str(Path(tmp) / 's')!r}, jobs={jobs})\n"
                "own = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
                "print(r.built, own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
            )
            out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
            built, own_kib, children_kib = map(int, out)
            report("memory", articles=float(n), built=float(built), peak_mib=max(own_kib, children_kib) / 1024,
                   build_mib=own_kib / 1024, workers_or_helper_mib=children_kib / 1024, seconds=time.perf_counter() - t0,
                   jobs=float(jobs))  # fmt: skip


def bench_heap(n: int) -> None:
    """Where the build process's memory grows while documents stream (``--jobs 2``, ``n``
    synthetic articles, in a process of its own): its resident size at a fifth of the build and
    near its end, the anonymous part of it, the same after glibc's ``malloc_trim`` (memory freed
    but held by the allocator, given back), and the Python heap (``tracemalloc``, started once
    the workers are forked: traced workers run several times slower). A Python heap that stays
    flat while the trimmed size grows is native memory: RocksDB's, or pyoxigraph's. Not a
    target of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = _synthetic_articles(n, Path(tmp) / "in")
        code = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import run; run._heap_child({str(folder)!r}, {str(Path(tmp) / 's')!r}, {n})"
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    (built, early), late = json.loads(out)
    report("heap", articles=float(n), early_at=float(built), **{f"{k}_early_mib": v for k, v in early.items()},
           **{f"{k}_late_mib": v for k, v in late[1].items()}, late_at=float(late[0]))  # fmt: skip


def _heap_child(folder: str, store: str, n: int) -> None:
    """The build of :func:`bench_heap`, printing its two samples as JSON."""
    import ctypes
    import gc
    import tracemalloc

    from kg.build import build

    def sizes() -> dict[str, float]:
        lines = Path("/proc/self/status").read_text().splitlines()
        return {k: int(v.split()[0]) / 1024 for k, _, v in (line.partition(":") for line in lines) if k in ("VmRSS", "RssAnon")}

    marks, samples = [n // 5, n - 50], []

    def progress(report, _path) -> None:
        if not tracemalloc.is_tracing():
            tracemalloc.start()
        if marks and report.built >= marks[0]:
            marks.pop(0)
            gc.collect()
            found = {"rss": (now := sizes())["VmRSS"], "anon": now["RssAnon"]}
            ctypes.CDLL("libc.so.6").malloc_trim(0)
            found["trimmed_rss"] = sizes()["VmRSS"]
            found["python_heap"] = tracemalloc.get_traced_memory()[0] / 2**20
            samples.append((report.built, found))

    build([folder], store=store, jobs=2, progress=progress)
    print(json.dumps(samples))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", nargs="*", default=["startup", "build", "quads", "gexf", "latency", "memory"])
    parser.add_argument("--quick", action="store_true", help="Smaller inputs (minutes, not half an hour).")
    parser.add_argument("--articles", type=int, nargs="+", help="The sizes of the memory benchmark (default 1000 10000) or the stances and figures ones (500 4000).")
    parser.add_argument("--rounds", type=int, default=5, help="Rounds of the build and cores benchmarks (more on a noisy machine).")
    parser.add_argument("--json", type=Path, help="Also write the figures to this JSON file.")
    args = parser.parse_args()
    quick, rounds = args.quick, max(1, args.rounds)
    benchmarks: dict[str, Callable[[], None]] = {
        "startup": bench_startup,
        "build": lambda: bench_build(2 if quick else 4, rounds=rounds),
        "stages": lambda: bench_stages(2 if quick else 4),
        "heap": lambda: bench_heap(300 if quick else 1500),
        "cores": lambda: bench_cores(1 if quick else 2, rounds=rounds),
        "quads": lambda: bench_quads(2 if quick else 4),
        "gexf": lambda: bench_gexf(2 if quick else 6),
        "latency": lambda: bench_latency(100_000 if quick else 1_000_000),
        "stances": lambda: bench_stances(args.articles or ([200, 800] if quick else [500, 4000])),
        "figures": lambda: bench_figures(args.articles or ([200, 800] if quick else [500, 4000])),
        "longdoc": lambda: bench_longdoc([300, 1200] if quick else [500, 4000]),
        "memory": lambda: bench_memory(args.articles or ([200, 1000] if quick else [1000, 10_000]), jobs=2),
    }
    unknown = [name for name in args.which if name not in benchmarks]
    if unknown:  # before any runs: a typo last in the list would otherwise end a half-hour run
        parser.error(f"unknown benchmark {unknown[0]!r} (choose from {', '.join(benchmarks)})")
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.platform()}")  # fmt: skip
    for name in args.which:
        benchmarks[name]()
    if args.json:
        args.json.write_text(json.dumps(RESULTS, indent=2))
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
