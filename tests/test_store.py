"""The embedded store: atomic writes, idempotence, replacement, and a busy store."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad

from conftest import SEED, WITHOUT_DAC, can_drop_dac
from kg.cli import cli

from kg.errors import StoreBusyError, StoreError
from kg.mapping import document_quads, new_run
from kg.store import EmbeddedStore, document_graph, open_store
from sample import sample_resolution


def _doc_quads():
    resolution = sample_resolution()
    run = new_run(extractor="newskg.rules.v1", model="en_core_web_sm 3.8.0")
    return resolution.extraction.document.id, document_quads(resolution, run=run)


def _count(store) -> int:
    return int(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows[0]["n"].value)


def test_write_is_idempotent_and_replace_drops_old_content(tmp_path):
    doc_id, quads = _doc_quads()
    with open_store(tmp_path / "s", create=True) as store:
        assert not store.has_document(doc_id)
        store.write_graph(document_graph(doc_id), quads)
        assert store.has_document(doc_id)
        n = _count(store)
        store.write_graph(document_graph(doc_id), quads)
        assert _count(store) == n
        own = list(dict.fromkeys(q for q in quads if q.graph_name == document_graph(doc_id)))
        store.write_graph(document_graph(doc_id), own[:10], replace=True)
        assert _count(store) == n - len(own) + 10  # the document's graph replaced, shared facts kept
    with open_store(tmp_path / "s") as reopened:  # on disk: survives closing
        assert _count(reopened) == n - len(own) + 10


def test_quad_count_reads_the_store_and_leaves_out_one_graph(tmp_path):
    from kg.store.base import Store

    doc_id, quads = _doc_quads()
    with open_store(tmp_path / "s", create=True) as store:
        store.ensure_ontology()
        store.write_graph(document_graph(doc_id), quads)
        every = _count(store)
        assert store.count_quads() == every == Store.count_quads(store)  # the SPARQL count of any store
        left_out = document_graph(doc_id)
        own = len({q for q in quads if q.graph_name == left_out})
        assert store.count_quads(without=[left_out]) == every - own == Store.count_quads(store, without=[left_out])


def test_solution_rows_keep_each_value_under_its_own_name_and_leave_unbound_ones_out():
    import pyoxigraph

    from kg.store import base

    store = pyoxigraph.Store()
    e = "http://example.org/"
    store.extend([
        pyoxigraph.Quad(pyoxigraph.NamedNode(f"{e}a"), pyoxigraph.NamedNode(f"{e}p"), pyoxigraph.Literal("1")),
        pyoxigraph.Quad(pyoxigraph.NamedNode(f"{e}b"), pyoxigraph.NamedNode(f"{e}p"), pyoxigraph.Literal("2")),
        pyoxigraph.Quad(pyoxigraph.NamedNode(f"{e}b"), pyoxigraph.NamedNode(f"{e}q"), pyoxigraph.Literal("x")),
    ])  # fmt: skip
    # ?x comes between the others and is bound in one row only: a value paired with the wrong name shows
    sparql = f"SELECT ?o ?x ?s WHERE {{ ?s <{e}p> ?o OPTIONAL {{ ?s <{e}q> ?x }} }} ORDER BY ?s"
    rows = base.solution_rows(["o", "x", "s"], store.query(sparql))
    assert [{k: v.value for k, v in row.items()} for row in rows] == [
        {"o": "1", "s": f"{e}a"},
        {"o": "2", "x": "x", "s": f"{e}b"},
    ]
    # the same rows as pyoxigraph's own lookup of each variable by name
    assert rows == [{n: v for n in ("o", "x", "s") if (v := solution[n]) is not None} for solution in store.query(sparql)]


def test_store_interface_doctests():
    import doctest

    from kg.store import base

    assert doctest.testmod(base).failed == 0


def test_a_new_store_makes_its_missing_folders(tmp_path):
    with open_store(tmp_path / "a" / "b" / "store", create=True) as store:
        store.ensure_ontology()
    with open_store(tmp_path / "a" / "b" / "store") as store:
        assert store.count_quads() > 0


def test_a_store_under_a_file_is_refused_with_a_message(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot make the store's folder"):
        open_store(tmp_path / "file" / "store", create=True)


def test_remove_quads_removes_only_those_named(tmp_path):
    from kg.ontology import NKG

    graph = NamedNode("https://example.org/graph/rows")
    quads = [Quad(NamedNode(f"https://example.org/row/{n}"), NKG.answer, Literal(f'{{"n": {n}}}'), graph) for n in range(4)]
    with open_store(tmp_path / "s", create=True) as store:
        store.write_graph(graph, quads)
        store.remove_quads([quads[0], quads[2], Quad(quads[1].subject, NKG.answer, Literal("other"), graph)])
        assert set(store.quads()) == {quads[1], quads[3]}


def test_ontology_is_loaded_into_its_own_graph():
    with open_store(":memory:") as store:
        store.ensure_ontology()
        store.ensure_ontology()
        graphs = {g.value for g in store.graphs()}
        assert graphs == {"https://w3id.org/newskg/ontology"}
        claim_is_a_class = "ASK { <https://w3id.org/newskg/ontology#Claim> a <http://www.w3.org/2002/07/owl#Class> }"
        assert store.query(claim_is_a_class).boolean


def test_missing_store_and_file_in_the_way_are_clear(tmp_path):
    with pytest.raises(StoreError, match="no store here"):
        open_store(tmp_path / "nothing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        open_store(tmp_path / "file")


def test_store_held_by_another_process_is_busy_not_corrupted(tmp_path):
    path = tmp_path / "s"
    doc_id, quads = _doc_quads()
    with EmbeddedStore(path) as store:
        store.write_graph(document_graph(doc_id), quads)
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time, pyoxigraph
            s = pyoxigraph.Store({str(path)!r}); print("held", flush=True); time.sleep(30)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusyError, match="busy"):
            open_store(path)
    finally:
        holder.kill()
        holder.wait()
    with open_store(path) as store:
        assert store.has_document(doc_id)


def test_a_damaged_store_is_named_with_what_to_do(tmp_path):
    """RocksDB reports damage as pyoxigraph's RuntimeError, which had reached the user as a traceback."""
    path = tmp_path / "s"
    doc_id, quads = _doc_quads()
    with EmbeddedStore(path) as store:
        store.write_graph(document_graph(doc_id), quads)
        store.ox.flush()  # into table files
    largest = max(path.glob("*.sst"), key=lambda p: p.stat().st_size)
    os.truncate(largest, 100)
    with pytest.raises(StoreError, match=r"cannot open the store: Corruption: .*\(the store is damaged: build it anew"):
        open_store(path)
    result = CliRunner().invoke(cli, ["stats", "--store", str(path)])
    assert result.exit_code == 2 and result.stderr.startswith(f"kg: {path}: cannot open the store: Corruption: ")
    assert "Traceback" not in result.output


def test_a_folder_of_other_files_is_not_made_a_store(tmp_path):
    """`--store .` or a typo: RocksDB would strew a store's files among the user's."""
    folder = tmp_path / "notes"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "d.txt", ".hidden"):
        (folder / name).write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match=r"notes: a folder of other files \(a.txt, b.txt, c.txt, …\), not a store; give a new or empty folder"):
        EmbeddedStore(folder)
    result = CliRunner().invoke(cli, ["build", str(SEED), "--store", str(folder)])
    assert result.exit_code == 2 and "a folder of other files" in result.stderr
    assert sorted(os.listdir(folder)) == [".hidden", "a.txt", "b.txt", "c.txt", "d.txt"]
    empty, begun = tmp_path / "empty", tmp_path / "begun"
    empty.mkdir()
    with pytest.raises(StoreError, match="no store here"):
        open_store(empty)  # to query: an empty folder is no store, and none is made
    assert os.listdir(empty) == []
    begun.mkdir()
    for name in ("LOCK", "LOG", ".gitkeep"):  # a first open cut short: RocksDB's own files
        (begun / name).write_bytes(b"")
    for new in (empty, begun):
        with EmbeddedStore(new) as store:
            store.write_graph(document_graph(_doc_quads()[0]), _doc_quads()[1])
        with open_store(new) as store:
            assert store.has_document(_doc_quads()[0])


def test_a_store_on_a_read_only_file_system_answers_read_only_and_refuses_writes(small_disk):
    disk, remount = small_disk
    path = disk / "s"
    doc_id, quads = _doc_quads()
    with EmbeddedStore(path) as store:
        store.write_graph(document_graph(doc_id), quads)
    stats = json.loads(CliRunner().invoke(cli, ["stats", "--store", str(path), "--format", "json"]).stdout)
    remount("ro")
    with pytest.raises(StoreError, match="cannot open the store: .*Read-only file system"):
        open_store(path)  # to write: refused, saying why
    with open_store(path, writable=False) as store:
        assert store.read_only == os.strerror(errno.EROFS) and store.has_document(doc_id)
        with pytest.raises(StoreError, match=r"opened read-only \(read-only file system\): it cannot be written"):
            store.write_graph(document_graph("0" * 64), quads)
        with pytest.raises(StoreError, match="opened read-only"):
            store.drop_graph(document_graph(doc_id))
    result = CliRunner().invoke(cli, ["stats", "--store", str(path), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == stats
    assert result.stderr == f"kg: {path}: opened read-only (read-only file system)\n"
    remount("rw")
    with open_store(path) as store:
        assert store.read_only is None and store.has_document(doc_id)


@pytest.mark.skipif(not can_drop_dac(), reason="reads the store as a user who cannot write it: needs root and setpriv")
def test_a_store_the_user_cannot_write_is_read_read_only_and_keeps_builds_out_meanwhile(tmp_path):
    """A store shared read-only (built by another account): queries answer, holding a shared
    lock that a build in another process waits for, as it waits for any process holding it."""
    path = tmp_path / "s"
    doc_id, quads = _doc_quads()
    with EmbeddedStore(path) as store:
        store.write_graph(document_graph(doc_id), quads)
    os.chmod(path, 0o555)
    for name in os.listdir(path):
        os.chmod(path / name, 0o444)
    reader = subprocess.Popen([*WITHOUT_DAC, sys.executable, "-c", textwrap.dedent(f"""
        import time
        from kg.store import open_store
        s = open_store({str(path)!r}, writable=False)
        print(s.read_only, s.has_document({doc_id!r}), flush=True); time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert reader.stdout.readline().strip() == f"{os.strerror(errno.EACCES)} True"
        with pytest.raises(StoreBusyError, match="busy"):
            open_store(path)  # root may write it, but not beside the reader
    finally:
        reader.kill()
        reader.wait()
    shown = subprocess.run([*WITHOUT_DAC, sys.executable, "-c", "from kg.cli import cli; cli()", "stats", "--store", str(path), "--format", "json"],
                           capture_output=True, text=True)  # fmt: skip
    assert shown.returncode == 0 and json.loads(shown.stdout)["documents"] == 1
    assert shown.stderr == f"kg: {path}: opened read-only (permission denied)\n"
    os.chmod(path, 0o755)
    with open_store(path) as store:
        assert store.read_only is None and store.has_document(doc_id)


def test_long_writes_are_flushed_to_disk_as_they_go(tmp_path, monkeypatch):
    """RocksDB's memtables are flushed every FLUSH_QUADS quads: a long build's memory stays flat
    (bench/run.py memory), because written data leaves memory for table files on disk."""
    import kg.store.embedded

    doc_id, quads = _doc_quads()
    monkeypatch.setattr(kg.store.embedded, "FLUSH_QUADS", len(quads))
    with open_store(tmp_path / "s", create=True) as store:
        tables = set((tmp_path / "s").glob("*.sst"))
        store.write_graph(document_graph(doc_id), quads)  # a transaction, through the memtables
        assert set((tmp_path / "s").glob("*.sst")) > tables, "written quads still only in memory"
        assert _count(store) > 0
