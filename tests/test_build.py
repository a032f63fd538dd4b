"""Builds: incremental, parallel, crash-safe, and robust to bad input."""

from __future__ import annotations

import functools
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SEED, WITHOUT_DAC, can_drop_dac, fill
from kg.build import BATCH_DOCUMENTS, build
from kg.errors import ExtractionError
from kg.documents import iter_documents
from kg.mapping import Minter
from kg.cli import cli
from kg.queries import query, rows
from kg.store import open_store

SENTENCES = [s.strip() + "." for s in SEED.read_text(encoding="utf-8").replace("\n", " ").split(". ") if s.strip()]


def articles(folder: Path, n: int) -> Path:
    """``n`` distinct small articles made of the seed's sentences in rotated order."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        k = i % len(SENTENCES)
        body = " ".join(SENTENCES[k:] + SENTENCES[:k][:3])
        (folder / f"{i:04d}.txt").write_text(f"Report {i}. {body}\n", encoding="utf-8")
    return folder


def graph_sizes(store_path: Path) -> Counter:
    """Quads per document graph (the shared and ontology graphs are not a document's)."""
    with open_store(store_path, writable=False) as store:
        return Counter(q.graph_name.value for q in store.quads() if "/document/" in q.graph_name.value)


def test_incremental_and_force(tmp_path, extractor):
    folder = articles(tmp_path / "in", 3)
    first = build([folder], store=tmp_path / "s")
    assert (first.built, first.skipped, first.failures) == (3, 0, [])
    sizes = graph_sizes(tmp_path / "s")
    again = build([folder], store=tmp_path / "s")
    assert (again.built, again.skipped, again.quads) == (0, 3, 0)
    forced = build([folder], store=tmp_path / "s", force=True)
    assert forced.built == 3
    assert graph_sizes(tmp_path / "s") == sizes  # replaced, not duplicated


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_report_gives_the_stores_totals_and_a_rerun_of_stored_documents_loads_no_model(tmp_path, extractor, monkeypatch, jobs):
    from kg import extract
    from kg.questions import stats

    folder = articles(tmp_path / "in", 3)
    first = build([folder], store=tmp_path / "s", jobs=jobs)
    with open_store(tmp_path / "s") as store:
        held = stats(store)
    assert first.totals == held and held["documents"] == 3
    # each document names the seed's actors: written once per document, held once
    assert first.entities > held["entities"] + held["places"] > 0
    assert first.to_dict()["totals"] == held

    def no_model():
        raise ExtractionError("the model was loaded")

    monkeypatch.setattr(extract, "load_extractor", no_model)
    again = build([folder], store=tmp_path / "s", jobs=jobs)
    assert (again.built, again.skipped, again.failures, again.totals) == (0, 3, [], held)
    (folder / "new.txt").write_text("Reuters reported that Kyiv was shelled on Monday.\n", encoding="utf-8")
    with pytest.raises(ExtractionError, match="the model was loaded"):  # and loaded for a new one
        build([folder], store=tmp_path / "s", jobs=jobs)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_model_that_cannot_be_loaded_stops_the_build_with_a_message(tmp_path, jobs):
    """In a worker, a failing load had made the pool start new workers for ever: a hung build."""
    (tmp_path / "a.txt").write_text("Reuters reported that Kyiv was shelled on Monday.\n", encoding="utf-8")
    code = ("import sys, kg.extract.pipeline as p; p.MODEL_NAME = 'no_such_model'; from kg.cli import main; "
            f"sys.argv = ['kg', 'build', {str(tmp_path / 'a.txt')!r}, '--store', {str(tmp_path / 's')!r}, '--jobs', {jobs!r}]; main()")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "kg: spaCy model 'no_such_model' is not installed" in done.stderr
    assert "Traceback" not in done.stderr


def test_batches_written_behind_extraction_are_whole_counted_and_not_repeated(tmp_path, extractor, monkeypatch):
    """The writer thread lags one batch: a copy of a document still being written is skipped,
    and progress counts each document once it is stored."""
    import kg.build

    monkeypatch.setattr(kg.build, "BATCH_DOCUMENTS", 1)
    folder = articles(tmp_path / "in", 3)
    (folder / "0000-copy.txt").write_text((folder / "0000.txt").read_text(encoding="utf-8"), encoding="utf-8")
    seen: list[tuple[int, str | None]] = []
    report = build([folder], store=tmp_path / "s", progress=lambda r, path: seen.append((r.built, path)))
    assert (report.built, report.skipped, report.failures) == (3, 1, [])
    assert [built for built, _ in seen if built] == [1, 2, 3]
    assert len(graph_sizes(tmp_path / "s")) == 3
    with open_store(tmp_path / "s") as store:
        assert all(store.has_document(h) for h in {d.id for d in iter_documents([folder])})


def test_a_failed_write_stops_the_build_and_leaves_the_batches_before_it_whole(tmp_path, extractor, monkeypatch):
    import kg.build
    from kg.errors import StoreError
    from kg.store.embedded import EmbeddedStore

    monkeypatch.setattr(kg.build, "BATCH_DOCUMENTS", 1)
    writes: list[int] = []

    class Failing(EmbeddedStore):
        def write_documents(self, documents, *, replace=False):
            writes.append(len(documents))
            if len(writes) == 2:
                raise StoreError(f"{self.location}: write failed: disk full")
            super().write_documents(documents, replace=replace)

    folder = articles(tmp_path / "in", 4)
    store = Failing(tmp_path / "s")
    try:
        with pytest.raises(StoreError, match="disk full"):
            build([folder], store=store)
    finally:
        store.close()
    assert writes == [1, 1]  # nothing written after the failure
    first = next(iter(iter_documents([folder])))
    build([Path(first.path)], store=tmp_path / "alone")
    assert graph_sizes(tmp_path / "s") == graph_sizes(tmp_path / "alone")  # the first document, whole, and no other
    assert build([folder], store=tmp_path / "s").built == 3  # a re-run completes it


def _nice_of(pid: int) -> int:
    """The nice value of a process, from /proc (field 19 of its stat line)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[16])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
def test_storage_work_runs_below_the_extraction_priority(tmp_path, extractor, monkeypatch):
    """The writer thread and the summary helper yield the cores to the extraction; the build's
    own thread keeps its priority, and no thread of the caller stays lowered after the build."""
    import threading

    import kg.build
    from kg.store.embedded import EmbeddedStore

    base = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    lowered = min(19, base + kg.build.BACKGROUND_NICENESS)
    helpers: list[subprocess.Popen[bytes]] = []
    start_helper = kg.build._start_helper
    monkeypatch.setattr(kg.build, "_start_helper", lambda **kw: helpers.append(start_helper(**kw)) or helpers[-1])
    monkeypatch.setattr(kg.build, "BATCH_DOCUMENTS", 1)  # several batches: the helper starts with the second
    writers: list[int] = []
    helper_nice: list[int] = []

    class Observed(EmbeddedStore):
        def write_documents(self, documents, *, replace=False):
            if documents[0][0] in Minter().cache_graphs():  # the summary's, at the end of the build
                return super().write_documents(documents, replace=replace)
            writers.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            if helpers and not helper_nice:  # started from this thread, it runs as low
                deadline = time.monotonic() + 30
                while _nice_of(helpers[0].pid) != lowered and time.monotonic() < deadline:
                    time.sleep(0.02)
                helper_nice.append(_nice_of(helpers[0].pid))
            super().write_documents(documents, replace=replace)

    store = Observed(tmp_path / "s")
    try:
        report = build([articles(tmp_path / "in", 3)], store=store)
    finally:
        store.close()
    assert report.built == 3 and report.failures == []
    assert writers == [lowered] * 3
    assert helper_nice == [lowered]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == base
    assert all(_nice_of(int(t)) == base for t in os.listdir("/proc/self/task")), "a lowered thread outlived the build"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="nice values read from /proc")
def test_the_summary_helper_lowers_itself_when_started_at_full_priority(tmp_path):
    """Started from a thread that was not lowered (the build starts it from its writer thread,
    whose nice value it inherits on Linux, but not elsewhere), the helper lowers itself."""
    import kg.build

    base = _nice_of(os.getpid())
    lowered = min(19, base + kg.build.BACKGROUND_NICENESS)
    rows = open(tmp_path / "rows.nq", "wb")  # noqa: SIM115 - closed below
    helper = kg.build._start_helper(niceness=lowered, rows=rows.fileno())
    try:
        deadline = time.monotonic() + 30
        while _nice_of(helper.pid) != lowered and time.monotonic() < deadline and helper.poll() is None:
            time.sleep(0.02)
        assert _nice_of(helper.pid) == lowered
    finally:
        helper.stdin.close()  # no batches: it answers empty parts and ends
        assert helper.stdout.read() and helper.wait(timeout=30) == 0
        rows.close()
    assert _nice_of(os.getpid()) == base


def test_the_collector_is_tuned_during_the_build_only(tmp_path, extractor, monkeypatch):
    """A full collection would walk the model's objects again and again: they are frozen while
    documents stream, young collections run less often, and both are handed back when the
    build ends."""
    import gc

    import kg.build

    monkeypatch.setattr(kg.build, "BATCH_DOCUMENTS", 1)  # the first document is counted mid-stream
    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()
    seen: list[tuple[int, int]] = []
    progress = lambda r, _: seen.append((gc.get_freeze_count(), gc.get_threshold()[0]))  # noqa: E731
    build([articles(tmp_path / "in", 2)], store=tmp_path / "s", progress=progress)
    frozen, young = seen[0]  # mid-stream
    assert frozen > 100_000  # the model and gazetteers, not a handful of objects
    assert young == max(before[0], kg.build.YOUNG_THRESHOLD)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_parallel_build_equals_serial(tmp_path, extractor):
    folder = articles(tmp_path / "in", 4)
    build([folder], store=tmp_path / "one", jobs=1)
    report = build([folder], store=tmp_path / "two", jobs=2)
    assert report.built == 4
    assert graph_sizes(tmp_path / "one") == graph_sizes(tmp_path / "two")


@pytest.mark.parametrize("chunk", [1, 3])
def test_parallel_extraction_keeps_few_documents_in_flight(tmp_path, extractor, monkeypatch, chunk):
    """Memory stays flat: workers are handed a bounded window of chunks of documents, not the
    corpus, and the extractions come back in input order."""
    import kg.build
    from kg.documents import document_from_text

    monkeypatch.setattr(kg.build, "IN_FLIGHT_PER_JOB", 2)
    monkeypatch.setattr(kg.build, "CHUNK_DOCUMENTS", chunk)
    read = []

    def documents():
        for n in range(10):
            read.append(n)
            yield document_from_text(f"Report {n}: Ukraine said that Russia attacked Kharkiv.")

    seen = []
    for result in kg.build._extractions(documents(), jobs=2):
        seen.append(result.document.text)
        assert len(read) - len(seen) < 2 * 2 * chunk, "more documents in flight than the window"
    assert [t.split(":")[0] for t in seen] == [f"Report {n}" for n in range(10)]  # input order


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc thresholds")
def test_a_worker_keeps_the_memory_it_frees_for_its_next_chunk():
    """A worker allocates and frees much the same memory for each chunk: given back to the
    system after each, it would be faulted in again, page by page, by the next."""
    code = (
        "import resource, sys\n"
        "import kg.build\n"
        "if sys.argv[1] == 'kept':\n"
        "    kg.build._keep_freed_memory()\n"
        "def chunk():\n"
        "    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "    blocks = [bytearray(1 << 20) for _ in range(100)]\n"
        "    del blocks\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before\n"
        "chunk()\n"
        "print(min(chunk() for _ in range(3)))\n"
    )
    run = functools.partial(subprocess.run, capture_output=True, text=True, check=True)
    faults = {how: int(run([sys.executable, "-c", code, how]).stdout) for how in ("kept", "default")}
    pages = (100 << 20) // os.sysconf("SC_PAGE_SIZE")  # what a chunk of 100 MiB touches
    assert faults["default"] > 0.8 * pages  # given back after each chunk: the machine's own default
    assert faults["kept"] < 0.05 * pages


def test_each_worker_and_only_the_workers_keep_their_freed_memory(tmp_path, extractor, monkeypatch):
    import kg.build
    from kg.documents import document_from_text

    noted = tmp_path / "kept"
    monkeypatch.setattr(kg.build, "_keep_freed_memory", lambda: noted.open("a").write(f"{os.getpid()}\n"))
    documents = [document_from_text(f"Report {n}: Ukraine said that Russia attacked Kharkiv.") for n in range(4)]
    assert len(list(kg.build._extractions(iter(documents), jobs=2))) == 4
    pids = noted.read_text().split()
    assert len(pids) == len(set(pids)) == 2 and str(os.getpid()) not in pids
    list(kg.build._extractions(iter(documents), jobs=1))
    assert noted.read_text().split() == pids  # in-process: the caller's allocator is left alone


def test_a_worker_chunk_that_fails_in_spacy_names_the_document_and_keeps_the_others(extractor, monkeypatch):
    import kg.build
    from kg.documents import document_from_text

    documents = [document_from_text(f"Report {n}: Ukraine said that Russia attacked Kharkiv.", path=f"{n}.txt")
                 for n in range(3)]  # fmt: skip

    class Flaky:  # spaCy fails on document 1, whether batched or alone
        def pipe(self, docs, *, errors):
            raise ValueError("batch failed")

        def extract(self, document):
            if document.path == "1.txt":
                raise ValueError("cannot parse")
            return extractor.extract(document)

    monkeypatch.setattr(kg.build, "_WORKER_EXTRACTOR", Flaky())
    results = kg.build._extract_in_worker(documents)
    assert [type(r).__name__ for r in results] == ["Extraction", "KgError", "Extraction"]
    assert str(results[1]) == "1.txt: extraction failed: ValueError: cannot parse"


BAD = {
    "empty.txt": (b"", "empty file"),
    "binary.txt": (bytes(range(256)) * 4, "binary file"),
    "invalid-utf8.txt": (b"HUR said \xff\xfe that", "not valid UTF-8"),
    "latin1.txt": ("Kiev, caf\u00e9 and na\u00efve reports.".encode("latin-1"), "not valid UTF-8"),
    "huge.txt": (b"Russia said so. " * 700_000, "too long"),
    "page.txt": (b"<!DOCTYPE html><html><body><p>HUR said so.</p></body></html>", "holds HTML markup"),
}
GOOD = {
    "crlf.txt": "According to HUR, North Korean soldiers opened fire.\r\nRussia has not commented.\r\n",
    "rtl.txt": "\u0642\u0627\u0644\u062a \u0631\u0648\u0633\u064a\u0627 \u0625\u0646\u0647\u0627 \u0644\u0646 \u062a\u0639\u0644\u0642. Reuters said Russia denied it.\n",
    "article.html": "<html><head><script>var x;</script></head><body><p>Zelensky said that Russia attacked Kyiv.</p></body></html>",
    "one-line.txt": ("Ukraine said that Russia attacked Kharkiv. " * 5_000).strip(),
}


def test_bad_inputs_are_named_and_the_rest_is_built(tmp_path, extractor):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (content, _) in BAD.items():
        (folder / name).write_bytes(content)
    for name, text in GOOD.items():
        (folder / name).write_bytes(text.encode("utf-8"))
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    os.mkfifo(folder / "pipe.txt")
    store = tmp_path / "s"
    result = CliRunner().invoke(cli, ["build", str(folder), str(tmp_path / "missing.txt"), "--store", str(store), "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    problems = {Path(f["path"]).name: f["problem"] for f in report["failures"]}
    for name, (_, problem) in BAD.items():
        assert problem in problems[name], (name, problems.get(name))
        assert f"{folder / name}: {problem}" in result.stderr
    assert "folder loop" in problems["loop"] and "no such file" in problems["missing.txt"]
    assert "not a regular file" in problems["pipe.txt"]
    assert report["built"] == len(GOOD)
    assert "Traceback" not in result.output
    with open_store(store) as opened:
        texts = {str(r["t"]) for r in rows(query(opened, "SELECT ?t WHERE { ?d a schema:NewsArticle ; nif:isString ?t }"))}
    assert "\r" not in "".join(texts) and any("Zelensky said" in t and "<p>" not in t for t in texts)


@pytest.mark.skipif(os.geteuid() == 0 and not can_drop_dac(), reason="root reads every file (setpriv drops that)")
def test_an_unreadable_file_is_named_and_the_rest_is_built(tmp_path, extractor):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("According to HUR, North Korean soldiers opened fire.", encoding="utf-8")
    (folder / "locked.txt").write_text("secret", encoding="utf-8")
    (folder / "locked.txt").chmod(0)
    as_user = WITHOUT_DAC if os.geteuid() == 0 else []
    done = subprocess.run([*as_user, sys.executable, "-c", "from kg.cli import cli; cli()", "build", str(folder),
                           "--store", str(tmp_path / "s"), "--format", "json"], capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"kg: {folder / 'locked.txt'}: permission denied: cannot read the file" in done.stderr
    report = json.loads(done.stdout)
    assert report["built"] == 1 and [f["path"] for f in report["failures"]] == [str(folder / "locked.txt")]


def test_a_build_without_a_writable_temporary_folder_says_so_and_keeps_the_store(tmp_path, extractor, monkeypatch):
    """The claim rows wait in a temporary file: a build that cannot make one stops before it
    writes, with a message naming the folder, and what was stored stays."""
    import tempfile

    store = tmp_path / "s"
    build([SEED], store=store)
    with open_store(store) as opened:
        before = opened.count_quads()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "second.txt").write_text("According to HUR, North Korean soldiers opened fire.", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    result = CliRunner().invoke(cli, ["build", str(folder), "--store", str(store)])
    assert result.exit_code == 2, result.output
    assert f"cannot make a temporary file in {tmp_path / 'gone'}" in result.stderr and "TMPDIR" in result.stderr
    assert "Traceback" not in result.output
    monkeypatch.undo()
    with open_store(store) as opened:
        assert opened.count_quads() == before


def _noting_build(wrote: Path) -> str:
    """Code running ``kg`` (its arguments after ``-c CODE``) that adds a line to ``wrote``
    after each batch it has written: a test can then act in the middle of a build."""
    return (
        "import kg.store.embedded as e\n"
        "write = e.EmbeddedStore.write_documents\n"
        "def noted(self, documents, **kw):\n"
        "    write(self, documents, **kw)\n"
        f"    open({str(wrote)!r}, 'a').write('batch\\n')\n"
        "e.EmbeddedStore.write_documents = noted\n"
        "from kg.cli import cli\n"
        "cli()\n"
    )


def test_sigkill_mid_build_leaves_whole_documents_and_a_rerun_completes(tmp_path, extractor):
    folder = articles(tmp_path / "in", 80)
    clean = tmp_path / "clean"
    build([folder], store=clean)
    store, wrote, scratch = tmp_path / "killed", tmp_path / "wrote", tmp_path / "tmp"
    scratch.mkdir()
    # Killed once its first batch is written, whatever the machine's load (a fixed delay killed
    # it before its first write on a busy machine).
    proc = subprocess.Popen([sys.executable, "-c", _noting_build(wrote), "build", str(folder), "--store", str(store)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=tmp_path,
                            env={**os.environ, "TMPDIR": str(scratch)})  # fmt: skip
    deadline = time.monotonic() + 300
    while not wrote.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # somewhere in the next batch: the documents after the first batch take seconds
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list(scratch.iterdir()) == [], "the killed build left temporary files behind"
    partial = graph_sizes(store)
    complete = graph_sizes(clean)
    written = [g for g in partial if g in complete]
    assert 0 < len(written) < len(complete)
    for graph in written:  # every stored document is whole
        assert partial[graph] == complete[graph]
    rerun = build([folder], store=store)
    assert rerun.built + rerun.skipped == 80 and rerun.failures == []
    assert set(graph_sizes(store)) == set(complete)
    assert {g: n for g, n in graph_sizes(store).items()} == dict(complete)


def test_a_build_that_fills_the_disk_stops_with_a_message_and_loses_nothing(small_disk, tmp_path, extractor):
    """On a full disk the build stops naming the store and the error; what was stored stays
    and still answers (read-only: RocksDB cannot even open it to write), a build waits for
    that reader, and once there is room a re-run ends equal to a clean build."""
    disk, _ = small_disk
    folder, store = articles(tmp_path / "in", 12), disk / "s"
    build([SEED], store=store)
    before = graph_sizes(store)
    listed = CliRunner().invoke(cli, ["entities", "--store", str(store), "--format", "json"]).stdout
    filler = fill(disk, leave=256 * 1024)  # less than the twelve articles' table files
    result = CliRunner().invoke(cli, ["build", str(folder), "--store", str(store)])
    assert result.exit_code == 2, result.output
    assert f"kg: {store}: write failed: " in result.stderr and "No space left on device" in result.stderr
    assert "Traceback" not in result.output
    fill(disk, leave=0)  # now not a byte left
    assert graph_sizes(store) == before
    shown = CliRunner().invoke(cli, ["entities", "--store", str(store), "--format", "json"])
    assert shown.exit_code == 0 and "opened read-only (no space left on device)" in shown.stderr
    assert json.loads(shown.stdout) == json.loads(listed) and "HUR" in listed
    with open_store(store, writable=False):  # a build in another process is kept out meanwhile
        held = subprocess.run([sys.executable, "-c", f"from kg.store import open_store; open_store({str(store)!r})"],
                              capture_output=True, text=True)  # fmt: skip
    assert "StoreBusyError" in held.stderr and "busy" in held.stderr
    filler.unlink()
    rerun = build([SEED, folder], store=store)
    assert rerun.built == 12 and rerun.skipped == 1 and rerun.failures == []
    clean = tmp_path / "clean"
    build([SEED, folder], store=clean)
    assert graph_sizes(store) == graph_sizes(clean)
    for question in (["stats"], ["conflicts"], ["claims", "--by", "HUR"]):
        answers = [CliRunner().invoke(cli, [*question, "--store", str(s), "--format", "json"]).stdout for s in (store, clean)]
        assert answers[0] == answers[1], question


def test_a_disk_that_fills_as_the_summary_is_written_leaves_true_answers(small_disk, tmp_path, extractor, monkeypatch):
    """The documents are stored, then the disk fills as the kept answers are written: the build
    says so, the questions answer from the documents (the kept answers were marked stale at the
    first write), and a re-run, with room again, writes them anew."""
    import kg.build
    from kg.questions import has_summary

    disk, _ = small_disk
    folder, store, clean = articles(tmp_path / "in", 12), disk / "s", tmp_path / "clean"
    build([SEED, folder], store=clean)
    refresh = kg.build.refresh_summary
    filled: list[Path] = []
    monkeypatch.setattr(kg.build, "refresh_summary", lambda *a, **kw: (filled.append(fill(disk, leave=0)), refresh(*a, **kw))[1])
    result = CliRunner().invoke(cli, ["build", str(SEED), str(folder), "--store", str(store)])
    assert result.exit_code == 2 and filled and "No space left on device" in result.stderr, result.output
    assert graph_sizes(store) == graph_sizes(clean)
    questions = (["stats"], ["conflicts"], ["claims", "--by", "HUR"], ["entities"])

    def answers(s: Path) -> list[str]:
        return [CliRunner().invoke(cli, [*q, "--store", str(s), "--format", "json"]).stdout for q in questions]

    assert answers(store) == answers(clean)
    with open_store(store, writable=False) as opened:
        assert not has_summary(opened)  # answered live, from the documents
    monkeypatch.setattr(kg.build, "refresh_summary", refresh)
    filled[0].unlink()
    rerun = build([SEED, folder], store=store)
    assert rerun.built == 0 and rerun.skipped == 13
    assert answers(store) == answers(clean)
    with open_store(store) as opened:
        assert has_summary(opened)


def _worker_pids(pid: int) -> list[int]:
    """The extraction workers of build process ``pid``: its forks (the same command line; the
    summary helper is a new interpreter with its own)."""
    own = Path(f"/proc/{pid}/cmdline").read_bytes()
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = []
    for child in map(int, children):
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes() == own:
                found.append(child)
        except OSError:  # gone meanwhile
            pass
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the workers from /proc")
def test_a_worker_killed_mid_build_stops_it_with_a_message_and_a_rerun_completes(tmp_path, extractor):
    """A worker the kernel kills (out of memory) had left the build waiting for its chunk for ever."""
    # Killed once its first batch is written: by then the build has taken at most two batches and
    # the chunks in flight (kg.build: the next batch waits for the first to be written), so with
    # five batches' worth some chunks are still to come, and the pool breaks (a worker dying
    # after the last chunk is done would break nothing).
    n = 5 * BATCH_DOCUMENTS
    folder = articles(tmp_path / "in", n)
    store, wrote = tmp_path / "s", tmp_path / "wrote"
    proc = subprocess.Popen([sys.executable, "-c", _noting_build(wrote), "build", str(folder), "--store", str(store), "--jobs", "2"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path)  # fmt: skip
    deadline = time.monotonic() + 300
    while not wrote.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = _worker_pids(proc.pid)
    assert len(workers) == 2, "the build ended before a worker could be killed"
    os.kill(workers[0], signal.SIGKILL)
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 2
    assert "kg: an extraction worker stopped abruptly" in err and "Traceback" not in err
    rerun = build([folder], store=store)
    assert 0 < rerun.skipped < n and rerun.built + rerun.skipped == n and rerun.failures == []
    assert rerun.totals["documents"] == n


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_the_workers_of_a_killed_build_end_with_it(tmp_path, extractor, sig):
    """Killed, a --jobs 2 build had left its workers idle for ever, each holding the model."""
    folder = articles(tmp_path / "in", 5 * BATCH_DOCUMENTS)
    wrote = tmp_path / "wrote"
    proc = subprocess.Popen([sys.executable, "-c", _noting_build(wrote), "build", str(folder), "--store", str(tmp_path / "s"), "--jobs", "2"],
                            stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL, cwd=tmp_path)  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not wrote.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        workers = _worker_pids(proc.pid)
        assert len(workers) == 2, "the build ended before it could be killed"
    finally:
        proc.send_signal(sig)
        proc.wait()
    assert _outliving(workers) == [], "workers outlived the build"


def _outliving(pids: list[int]) -> list[int]:
    """Those of ``pids`` still running after a few seconds (killed then: a failing test leaves none)."""
    def running(pid: int) -> bool:
        try:  # a zombie has ended, waiting to be reaped
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 10
    while any(map(running, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = [pid for pid in pids if running(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    return alive


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_a_build_with_a_message_and_whole_documents(tmp_path, extractor, jobs):
    folder = articles(tmp_path / "in", 3 * BATCH_DOCUMENTS)
    store, wrote = tmp_path / "s", tmp_path / "wrote"
    proc = subprocess.Popen([sys.executable, "-c", _noting_build(wrote), "build", str(folder), "--store", str(store), "--jobs", jobs],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while not wrote.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130 and err == "kg: interrupted\n"
    assert _outliving([int(c) for c in children]) == [], "a worker or the helper outlived it"
    stored = set(graph_sizes(store))
    rerun = build([folder], store=store)
    assert rerun.skipped == len(stored) > 0 and rerun.built + rerun.skipped == 3 * BATCH_DOCUMENTS


def test_query_during_a_build_answers_or_says_busy(tmp_path, extractor):
    folder = articles(tmp_path / "in", 12)
    store = tmp_path / "s"
    build([SEED], store=store)
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(folder), "--store", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)  # fmt: skip
    seen = Counter()
    while proc.poll() is None:
        result = CliRunner().invoke(cli, ["stats", "--store", str(store), "--format", "json"])
        if result.exit_code == 0:
            seen["answered"] += 1
            assert json.loads(result.stdout)["documents"] >= 1
        else:
            assert result.exit_code == 2 and "busy" in result.output, result.output
            seen["busy"] += 1
        time.sleep(0.05)
    assert proc.returncode == 0, proc.stderr.read()
    assert seen["busy"] > 0
    assert json.loads(CliRunner().invoke(cli, ["stats", "--store", str(store), "--format", "json"]).stdout)["documents"] == 13


def test_a_hard_wrapped_article_is_built_with_spans_of_its_own_characters(tmp_path, extractor):
    """The extraction reads wrapped lines unwrapped; what is stored points into the text as it
    is, line breaks and all, and passes the shapes (nif:anchorOf is the text between offsets)."""
    from test_documents import WRAPPED

    from kg import questions
    from kg.validate import validate

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "wrapped.txt").write_text(WRAPPED, encoding="utf-8")
    build([folder], store=tmp_path / "s")
    with open_store(tmp_path / "s") as store:
        (said,) = [c for c in questions.claims(store, by="Zelensky")]
        assert said["content"] == "Russian forces had attacked Kharkiv overnight with drones and missiles"
        assert "said on Tuesday that\nRussian forces" in said["evidence"]
        assert validate(store).conforms
