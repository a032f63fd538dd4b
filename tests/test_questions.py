"""The analysts' questions: the answers kept in the summary graph equal the live ones, the
selected-first claim listings equal filtering every claim, and builds keep the summary fresh."""

from __future__ import annotations

import pytest

from conftest import SEED
from kg import questions
from kg.build import build
from kg.mapping import SUMMARY_ROWS, Minter
from kg.store import open_store

SECOND = """KYIV, Ukraine (Reuters) - Ukrainian President Volodymyr Zelensky said on Tuesday that
Russian forces had attacked Kharkiv overnight. The Russian Defence Ministry denied that its forces
attacked Kharkiv. At least 12 people were killed, regional governor Oleh Syniehubov said.
Russian forces shelled Kupiansk on 3 March 2024, the governor said.
"""


@pytest.fixture()
def store(tmp_path, extractor):  # extractor: the model is loaded once per session
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "store"
    build([folder], store=path)
    with open_store(path) as s:
        yield s


def _live(store, name):
    return getattr(questions, f"_{name}")(store)  # the answer computed from the store


@pytest.mark.parametrize("name", ["stats", "entities", "sources", "conflicts", "timeline"])
def test_kept_answers_equal_the_live_ones(store, name):
    assert questions.has_summary(store)
    kept = getattr(questions, name)(store)
    assert kept == _live(store, name)
    assert kept  # the seed has something to say for each question


def test_questions_read_the_kept_answers(store):
    """Whole-store questions read the summary, not the documents: a kept answer (here one
    planted by hand) is what they return until a build renews it."""
    from pyoxigraph import Literal, NamedNode, Quad

    graph = Minter().summary_graph()
    planted = Quad(NamedNode(f"{graph.value}/stats"), questions.NKG.answer, Literal('{"documents": 99}', datatype=questions._JSON), graph)
    store.write_graph(graph, [planted], replace=True)
    assert questions.stats(store) == {"documents": 99}
    assert questions.entities(store) == _live(store, "entities")  # no kept answer: computed live
    questions.refresh_summary(store)
    assert questions.stats(store)["documents"] == 1


def test_a_store_without_summary_answers_live(store):
    kept = questions.entities(store)
    questions.drop_summary(store)
    assert not questions.has_summary(store)
    assert questions.entities(store) == kept
    assert questions.stats(store)["quads"] == questions._stats(store)["quads"]


def test_entities_of_one_type_as_the_named_query_filters_them(store):
    from kg.queries import query, rows

    people = questions.entities(store, type="person")
    assert {r["label"] for r in people} >= {"Volodymyr Zelensky"}
    assert {r["entity"] for r in people} == {r["entity"] for r in rows(query(store, "entities", params={"class": "Person"}))}


def test_a_build_that_writes_renews_the_summary(store, tmp_path):
    before = questions.stats(store)
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "kharkiv.txt").write_text(SECOND, encoding="utf-8")
    build([tmp_path / "more"], store=store)
    after = questions.stats(store)
    assert after["documents"] == before["documents"] + 1
    assert after == questions._stats(store)
    assert any(r["label"] == "Kharkiv" for r in questions.entities(store))
    # the summary and its claim rows are not data: the quad count leaves them out
    caches = Minter().cache_graphs()
    assert after["quads"] == sum(1 for q in store.quads() if q.graph_name not in caches)


def test_selected_claims_equal_filtering_every_claim(store):
    every = questions.claims(store)
    by = questions.claims(store, by="HUR")
    assert by and by == [c for c in every if c["source"] == "HUR"]
    relayed = questions.claims(store, by="HUR", reported_by="Reuters")
    assert relayed and relayed == [c for c in by if c["reporter"] == "Reuters"]
    about = questions.claims(store, about="North Korea")
    wanted = questions._about(store, "North Korea")
    assert about and about == [c for c in every if c["claim"] in wanted]
    assert questions.claims(store, by="Reuters", about="Akhmat") == [
        c for c in every if c["claim"] in questions._about(store, "Akhmat") and c["source"] == "Reuters"
    ]


def test_a_report_repeated_by_many_articles_is_one_side_of_a_conflict(tmp_path, extractor):
    text = SEED.read_text(encoding="utf-8")
    one, three = tmp_path / "one", tmp_path / "three"
    one.mkdir()
    three.mkdir()
    (one / "a.txt").write_text(text, encoding="utf-8")
    for n in range(3):  # the same report in three articles (distinct texts, so distinct documents)
        (three / f"{n}.txt").write_text(f"{text}\n(Copy {n}.)", encoding="utf-8")
    build([one], store=tmp_path / "s1")
    build([three], store=tmp_path / "s3")
    with open_store(tmp_path / "s1") as s1, open_store(tmp_path / "s3") as s3:
        single, repeated = questions.conflicts(s1), questions.conflicts(s3)
    assert single, "the seed reports 200 and 30 North Korean casualties"
    def sides(found):
        return sorted(tuple(map(str, (c["kind"], c["a"]["figure"], c["b"]["figure"], c["a"]["source"], c["b"]["source"]))) for c in found)

    assert sides(repeated) == sides(single)


@pytest.mark.parametrize("filters", [{}, {"by": "HUR"}, {"about": "Kursk"}, {"stance": "Denied"}, {"reported_by": "Reuters", "stance": "Asserted"}])
def test_kept_claim_listings_equal_the_live_ones(store, filters):
    kept = questions.claims(store, **filters)
    questions.drop_summary(store)
    assert questions.claims(store, **filters) == kept
    assert kept or filters.get("stance") == "Denied"


@pytest.mark.parametrize("about", ["North Korean soldiers", "Zelensky", "Kursk"])
def test_kept_conflicts_about_an_entity_equal_the_live_ones(store, about):
    kept = questions.conflicts(store, about=about)
    wanted = questions._about(store, about)
    assert kept and kept == [c for c in questions.conflicts(store) if {c["a"]["claim"], c["b"]["claim"]} & wanted]
    questions.drop_summary(store)
    assert questions.conflicts(store, about=about) == kept


def test_claims_are_listed_in_the_order_of_the_text(store):
    text = SEED.read_text(encoding="utf-8")
    kept = questions.claims(store)
    questions.drop_summary(store)
    for listed in (kept, questions.claims(store)):
        positions = [text.index(str(row["evidence"])) for row in listed]
        assert positions == sorted(positions) and len(set(positions)) > 3


def test_claim_listings_read_the_kept_rows_and_only_a_whole_summary(store):
    """A listing reads each selected claim's kept rows (one lookup per claim); a summary
    without the count of kept claims is not trusted for listings."""
    import json

    from pyoxigraph import Literal, NamedNode, Quad

    first = questions.claims(store, by="HUR")[0]
    graph, rows = Minter().summary_graph(), Minter().claim_rows_graph()
    row = {**first, "content": "planted", "rank": 0}
    planted = Quad(questions._claim_row_nodes([str(first["claim"])])[0], questions.NKG.answer,
                   Literal(json.dumps([row]), datatype=questions._JSON), rows)  # fmt: skip
    count = Quad(NamedNode(f"{graph.value}/{questions._CLAIM_ROWS}"), questions.NKG.answer,
                 Literal("1", datatype=questions._JSON), graph)  # fmt: skip
    store.write_graph(rows, [planted], replace=True)
    store.write_graph(graph, [count], replace=True)
    assert [r["content"] for r in questions.claims(store, by="HUR")] == ["planted"]
    store.drop_graph(graph)  # rows without the count: computed live
    assert "planted" not in {r["content"] for r in questions.claims(store, by="HUR")}


def test_stance_pairs_equal_checking_every_denial_against_every_assertion():
    """The index of assertions by the actors they name finds the same pairs, in the same
    order, as comparing each denial with every claim; the claims declining to comment are
    not kept for them."""
    import random

    from kg.model import Stance

    rng = random.Random(5)
    actors = [f"e{n}" for n in range(12)]
    stances = [Stance.ASSERTED.value] * 6 + [Stance.DENIED.value, Stance.NEITHER_CONFIRMED_NOR_DENIED.value,
                                             Stance.DECLINED_TO_COMMENT.value]  # fmt: skip
    listing, claim_entities, named = [], [], {}
    for n in range(400):
        claim = f"c{n}"
        listing.append({"claim": claim, "source": rng.choice("ABCDE"), "stance": rng.choice(stances),
                        "content": f"said {rng.randrange(60)}", "document": f"d{n // 7}", "published": None})  # fmt: skip
        named[claim] = set(rng.sample(actors, rng.choice([0, 1, 1, 2, 2, 3, 4])))
        claim_entities.extend({"claim": claim, "entity": e, "label": e.upper()} for e in named[claim])

    every = {c["claim"]: c for c in questions._dedupe(listing, "source", "stance", "content")}
    expected = []
    for denial in every.values():
        topic = named[denial["claim"]]
        if denial["stance"] not in (Stance.DENIED.value, Stance.NEITHER_CONFIRMED_NOR_DENIED.value) or not topic:
            continue
        for claim in every.values():
            said = named[claim["claim"]]
            if (claim["stance"] == Stance.ASSERTED.value and claim["source"] != denial["source"]
                    and topic <= said and 2 * len(topic) >= len(said)):  # fmt: skip
                expected.append((", ".join(sorted(e.upper() for e in topic)), denial["claim"], claim["claim"]))
    part = questions._stance_part(listing, claim_entities)
    assert questions._stance_pairs(part["stances"], part["named"], part["labels"]) == expected
    kept = {record[2] for _, _, records in part["stances"] for record in records}
    assert Stance.DECLINED_TO_COMMENT.value not in kept and Stance.DENIED.value in kept
    assert len(expected) > 50  # the draw pairs many denials with many assertions


THIRD = """MOSCOW (AP) - The Kremlin denied on Wednesday that Russian forces attacked Kharkiv.
Ukraine's General Staff said at least 40 Belarusian soldiers were killed near Kharkiv, while
Belarus's Defence Ministry said 3 Belarusian soldiers were killed. Zelensky said Kyiv would respond.
Pyongyang denied that North Korean soldiers were fighting in Russia.
"""


def _everything(store, *, by: str | None = "Zelensky"):
    """Every kept answer and every claim listing the questions give (and those ``by`` one source)."""
    found = {name: getattr(questions, name)(store) for name in ("stats", "entities", "sources", "conflicts", "timeline")}
    found["claims"] = questions.claims(store)
    if by is not None:
        found[f"claims by {by}"] = questions.claims(store, by=by)
        found[f"conflicts about {by}"] = questions.conflicts(store, about=by)  # kept: read by its stance records
    return found


def _write(folder, texts):
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _merges(monkeypatch):
    """The merges of a build's documents into the summary at its end: for each, how many
    documents it merged (into the kept state, or into nothing on a store that held no others),
    ``None`` when there was no usable state and the summary was computed anew."""
    calls = []
    kept_counts = questions._kept_counts

    def noted(store, added):
        found = kept_counts(store, added)
        calls.append(None if found is None else added["counts"]["documents"])
        return found

    monkeypatch.setattr(questions, "_kept_counts", noted)
    return calls


def test_a_build_merges_its_documents_into_the_kept_summary(tmp_path, extractor, monkeypatch):
    """Merged, the summary is the one computed anew from the whole store, and the live answers.
    The merged documents come first in the listing (undated, then dated earlier), their
    casualty figures first among the conflicts (their counted actor sorts first), and so does
    the denial of the undated one."""
    seed = SEED.read_text(encoding="utf-8")
    build([_write(tmp_path / "first", {"20241216T120000Z_seed.txt": seed})], store=tmp_path / "s")
    merges = _merges(monkeypatch)
    read = []  # the kept claim rows the merge reads: none (a conflict keeps its claims, not their rows)
    claim_rows = questions._claim_rows
    monkeypatch.setattr(questions, "_claim_rows", lambda store, claims: read.append(claims) or claim_rows(store, claims))
    more = {"20241210T090000Z_second.txt": SECOND, "third.txt": THIRD}
    build([_write(tmp_path / "more", more)], store=tmp_path / "s")
    assert merges == [2]
    assert read == []
    monkeypatch.undo()
    with open_store(tmp_path / "s") as store:
        merged = _everything(store)
        assert merged["stats"]["documents"] == 3
        assert [c["published"] for c in merged["claims"]][0] is None
        assert merged["conflicts"][0]["subject"] == "Belarusian soldiers"
        assert next(c for c in merged["conflicts"] if c["kind"] == "stance")["a"]["source"] == "Pyongyang"
        questions.refresh_summary(store)  # computed anew
        assert _everything(store) == merged
        questions.drop_summary(store)  # live
        assert _everything(store) == merged


def test_a_first_build_merges_its_batches_into_the_summary_computed_anew(tmp_path, extractor, monkeypatch):
    """On a store that held no documents the build's batches (one document each here, so
    entities, sources and listing rows must be merged across them) make the whole summary: it
    equals the one computed anew, and the live answers."""
    import kg.build

    import tempfile

    monkeypatch.setattr(kg.build, "BATCH_DOCUMENTS", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where the claim rows wait
    (tmp_path / "tmp").mkdir()
    merges = _merges(monkeypatch)
    asked = []  # the kept denials an assertion can pair with: none, as every record is new
    pairing = questions._StanceIndex.denials_pairing
    monkeypatch.setattr(questions._StanceIndex, "denials_pairing", lambda self, found: asked.append(found) or pairing(self, found))
    more = {SEED.name: SEED.read_text(encoding="utf-8"), "second.txt": SECOND, "third.txt": THIRD}
    build([_write(tmp_path / "in", more)], store=tmp_path / "s")
    assert merges == [3] and asked == []
    assert list((tmp_path / "tmp").iterdir()) == []  # their file is gone with the build
    with open_store(tmp_path / "s") as store:
        merged = _everything(store)
        assert merged["stats"]["documents"] == 3
        assert any(e["documents"] > 1 for e in merged["entities"])  # entities named by several batches
        questions.refresh_summary(store)  # computed anew
        assert _everything(store) == merged
        questions.drop_summary(store)  # live
        assert _everything(store) == merged


def test_parts_merged_as_they_come_equal_those_merged_at_once(tmp_path, extractor, monkeypatch):
    """The helper merges each batch's parts into those before it a few at a time: that equals
    merging all at once, and every batch's rows go to the file (a line per claim, per document
    with timeline items, per member of a distinct count), none into what is merged."""
    import tempfile

    import kg.build

    monkeypatch.setattr(kg.build, "BATCH_DOCUMENTS", 1)
    batches = []
    add = kg.build._SummaryParts.add
    monkeypatch.setattr(kg.build._SummaryParts, "add", lambda self, documents: (batches.append(documents), add(self, documents))[1])
    build([_write(tmp_path / "in", {SEED.name: SEED.read_text(encoding="utf-8"), "second.txt": SECOND, "third.txt": THIRD})],
          store=tmp_path / "s")  # fmt: skip
    parts = [questions.summary_parts(documents) for documents in batches]
    assert len(parts) == 3
    with tempfile.TemporaryFile() as at_once_rows, tempfile.TemporaryFile() as few_rows:
        at_once = questions.merge_parts(parts, rows=at_once_rows)
        monkeypatch.setattr(questions, "PARTS_PER_MERGE", 2)
        assert questions.merge_parts(iter(parts), rows=few_rows) == at_once
        assert not {"listing", "timeline", "members"} & at_once.keys()
        rows = [b"".join(questions.row_chunks(f)) for f in (at_once_rows, few_rows)]
    assert rows[0] == rows[1]
    lines = _lines_by_graph(rows[0])
    assert lines["claim-rows"] == at_once["claim_rows"] == sum(part["claim_rows"] for part in parts) > 0
    assert lines["timeline"] == len({str(row["document"]) for part in parts for row in part["timeline"]}) == 2
    # the members of each batch, some of them in several: the store keeps each once
    assert lines["members"] == sum(len(found) for part in parts for found in part["members"].values())


def _lines_by_graph(nquads: bytes) -> dict[str, int]:
    """How many lines of ``nquads`` go to each of the summary's graphs, by the name of its rows."""
    from pyoxigraph import RdfFormat, parse

    names = {Minter().summary_rows_graph(name): name for name in SUMMARY_ROWS} | {Minter().summary_graph(): "summary"}
    counted = dict.fromkeys(names.values(), 0)
    for quad in parse(nquads, format=RdfFormat.N_QUADS):
        counted[names[quad.graph_name]] += 1
    return counted


def test_a_build_whose_summary_helper_fails_computes_the_summary_anew(tmp_path, extractor, monkeypatch):
    """The helper computing the batches' parts dies at once: the build still ends with a
    summary, computed anew from the store."""
    import subprocess
    import sys

    import kg.build

    monkeypatch.setattr(kg.build, "BATCH_DOCUMENTS", 1)  # a helper starts with the second batch
    dead = lambda **_: subprocess.Popen([sys.executable, "-c", "pass"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # noqa: E731
    monkeypatch.setattr(kg.build, "_start_helper", dead)
    _assert_built_with_a_summary_computed_anew(tmp_path, monkeypatch)


def _assert_built_with_a_summary_computed_anew(tmp_path, monkeypatch):
    """Build two documents: the build ends without a merge, with a summary computed anew whose
    claim rows and answers are those the store gives live."""
    merges = _merges(monkeypatch)
    report = build([_write(tmp_path / "in", {"second.txt": SECOND, "third.txt": THIRD})], store=tmp_path / "s")
    assert report.built == 2 and report.failures == []
    assert merges == []  # nothing to merge: computed anew
    with open_store(tmp_path / "s") as store:
        assert questions.has_summary(store)
        assert questions._kept_claim_rows(store, None) == questions._claim_listing(questions._rows(store, "claims"))
        kept = _everything(store)
        questions.drop_summary(store)
        assert _everything(store) == kept


def test_a_build_whose_claim_rows_file_cannot_be_written_computes_the_summary_anew(tmp_path, extractor, monkeypatch):
    """A build of one batch writes its claim rows to the temporary file itself: when that
    fails (a full disk), the build still ends with a summary, computed anew from the store."""
    import errno
    import tempfile

    made = tempfile.TemporaryFile

    class Full:
        def __init__(self, **kwargs):
            self._file = made(**kwargs)

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def fileno(self):
            return self._file.fileno()

        def flush(self):
            self._file.flush()

        def close(self):
            self._file.close()

    monkeypatch.setattr("kg.build.tempfile.TemporaryFile", Full)
    _assert_built_with_a_summary_computed_anew(tmp_path, monkeypatch)


def test_merging_many_articles_gives_the_summary_computed_anew(tmp_path, extractor, eval_dir, monkeypatch):
    articles = sorted((eval_dir / "ukraine_news" / "articles").glob("*.txt"))[:15]  # named by date
    first = _write(tmp_path / "first", {p.name: p.read_text(encoding="utf-8") for p in articles[0::3] + articles[1::3]})
    then = _write(tmp_path / "then", {p.name: p.read_text(encoding="utf-8") for p in articles[2::3]})  # between them
    merges = _merges(monkeypatch)
    build([first], store=tmp_path / "s")
    build([then], store=tmp_path / "s")
    assert merges == [10, 5]
    with open_store(tmp_path / "s") as s:
        merged = _everything(s)
        assert merged["stats"]["documents"] == 15
        questions.refresh_summary(s)
        assert _everything(s) == merged
        questions.drop_summary(s)  # live
        assert _everything(s) == merged


def test_a_merge_redoes_the_conflicts_of_kept_denials(tmp_path, extractor, monkeypatch):
    """An assertion a later build adds pairs with a denial kept from an earlier one; then the
    same denial in a document published earlier, added later still, stands for its copies
    instead of the one kept. Merged each time, the conflicts are those computed anew and live."""
    denial = "MOSCOW (AP) - The Kremlin denied on Wednesday that Russian forces attacked Kharkiv.\n"
    assertion = "KYIV (Reuters) - Ukrainian President Volodymyr Zelensky said Russian forces attacked Kharkiv overnight.\n"
    earlier = "MOSCOW (Reuters) - " + denial.split(" - ", 1)[1] + "It gave no details.\n"
    merges = _merges(monkeypatch)
    denials = []
    for name, text in (("20241212T090000Z_denial.txt", denial), ("20241213T090000Z_assertion.txt", assertion),
                       ("20241210T090000Z_earlier.txt", earlier)):  # fmt: skip
        build([_write(tmp_path / name, {name: text})], store=tmp_path / "s")
        with open_store(tmp_path / "s") as store:
            merged = _everything(store, by=None)
            denials.append({c["a"]["claim"] for c in merged["conflicts"] if c["kind"] == "stance"})
            questions.refresh_summary(store)  # computed anew
            assert _everything(store, by=None) == merged
            questions.drop_summary(store)  # live
            assert _everything(store, by=None) == merged
            questions.refresh_summary(store)  # for the next build to merge into
    assert merges == [1, 1, 1]
    first, second, third = denials
    assert not first and len(second) == len(third) == 1 and second != third  # the earlier copy stands for both


def test_a_merge_reads_only_the_stance_records_that_can_pair(tmp_path, extractor, monkeypatch):
    """A new assertion pairs with a kept denial about the same actors, then a new denial with
    that assertion: each merge asks the store for the records the new one can pair with, and
    reads neither the assertion naming six actors (it cannot pair with a denial naming two)
    nor the records of unrelated actors, though it names the same ones. The conflicts are
    those computed anew and live."""
    denial = "MOSCOW (AP) - The Kremlin denied on Wednesday that North Korean troops were fighting in Russia.\n"
    wide = ("KYIV (Reuters) - Ukrainian President Volodymyr Zelensky said North Korean troops were fighting in "
            "Russia, Belarus, Georgia, Moldova and Poland.\n")  # fmt: skip
    other = "WARSAW (AP) - Poland's foreign minister said Belarus had moved troops to its border.\n"
    new = "KYIV (AFP) - Ukraine's military intelligence said on Thursday that North Korean troops were fighting in Russia.\n"
    later = "PYONGYANG (AP) - North Korea's foreign ministry denied on Friday that North Korean troops were fighting in Russia.\n"
    build([_write(tmp_path / "first", {"20241210T090000Z_denial.txt": denial, "20241211T090000Z_wide.txt": wide,
                                       "20241211T100000Z_other.txt": other})], store=tmp_path / "s")  # fmt: skip

    def stance_records():
        with open_store(tmp_path / "s") as store:
            return dict(questions._graph_literals(store, Minter().summary_rows_graph("stances")))

    kept = stance_records()
    assert sorted(r["stance"] for r in kept.values()) == ["Asserted", "Asserted", "Denied"]
    read: list[set[str]] = []  # the keys of the records each query of the index gave
    records = questions._StanceIndex._records

    def noted(self, groups):
        found = records(self, groups)
        read.append({key for got in found for key in got})
        return found

    monkeypatch.setattr(questions._StanceIndex, "_records", noted)
    merges = _merges(monkeypatch)
    # each new record's partners: the kept denial, then the assertion the first build added
    pairing = {k for k, r in kept.items() if r["stance"] == "Denied"}
    for name, text in (("20241212T090000Z_new.txt", new), ("20241213T090000Z_later.txt", later)):
        read.clear()
        build([_write(tmp_path / name, {name: text})], store=tmp_path / "s")
        assert set().union(*read) == pairing, name
        (added,) = stance_records().keys() - kept.keys()
        kept, pairing = stance_records(), {added}
    assert merges == [1, 1]
    monkeypatch.undo()
    with open_store(tmp_path / "s") as store:
        merged = _everything(store, by=None)
        stance = [(c["a"]["source"], c["b"]["claim"]) for c in merged["conflicts"] if c["kind"] == "stance"]
        assert len(stance) == 2 and len({claim for _, claim in stance}) == 1  # both denials against the new assertion
        assert "Kremlin" in {source for source, _ in stance}
        questions.refresh_summary(store)  # computed anew
        assert _everything(store, by=None) == merged
        questions.drop_summary(store)  # live
        assert _everything(store, by=None) == merged


def test_an_earlier_copy_of_an_assertion_takes_its_place_in_the_kept_conflicts(tmp_path, extractor, monkeypatch):
    """The same assertion published earlier, added later, stands for its copies: the merge
    removes the pairs of the copy kept and pairs the earlier one, leaving the conflicts those
    computed anew and live."""
    denial = "MOSCOW (AP) - The Kremlin denied on Wednesday that North Korean troops were fighting in Russia.\n"
    assertion = "Ukraine's military intelligence said on Thursday that North Korean troops were fighting in Russia.\n"
    build([_write(tmp_path / "first", {"20241210T090000Z_denial.txt": denial, "20241213T090000Z_late.txt": "KYIV (AFP) - " + assertion})],
          store=tmp_path / "s")  # fmt: skip
    merges = _merges(monkeypatch)
    build([_write(tmp_path / "then", {"20241211T090000Z_early.txt": "KYIV (Reuters) - " + assertion})], store=tmp_path / "s")
    assert merges == [1]
    with open_store(tmp_path / "s") as store:
        merged = _everything(store, by=None)
        (conflict,) = [c for c in merged["conflicts"] if c["kind"] == "stance"]
        early = {c["claim"] for c in merged["claims"] if str(c["published"]).startswith("2024-12-11")}
        assert conflict["b"]["claim"] in early
        questions.refresh_summary(store)  # computed anew
        assert _everything(store, by=None) == merged
        questions.drop_summary(store)  # live
        assert _everything(store, by=None) == merged


def test_a_merge_reads_and_writes_only_the_figure_records_it_adds(store, tmp_path, monkeypatch):
    """A casualty figure is a record by counted actor, figure, hedge and source: a merge reads
    the records of the figures it adds and writes those that are new (a relayed copy only when
    it comes first), leaving the actor's other records as they are (one here planted). The
    conflicts, paired from the records when asked, are those computed anew and live."""
    import json

    from pyoxigraph import Quad

    graph = Minter().summary_rows_graph("figures")
    kept = dict(questions._graph_literals(store, graph))
    (thirty,) = [k for k, row in kept.items() if row.get("minValue") == 30]
    (old,) = store.ox.quads_for_pattern(questions._keyed_node(graph, thirty), None, None, None)
    store.ox.remove(old)
    store.ox.add(Quad(old.subject, old.predicate, questions._json([thirty, {**kept[thirty], "evidence": "planted"}]), graph))
    touched: dict[str, list[str]] = {"get": [], "put": []}
    get, put = questions._Keyed.get, questions._Keyed.put

    def noted(name, method):
        def call(self, keys):
            keys = keys if isinstance(keys, dict) else list(keys)
            if self.graph == graph:
                touched[name].extend(keys)
            return method(self, keys)

        return call

    monkeypatch.setattr(questions._Keyed, "get", noted("get", get))
    monkeypatch.setattr(questions._Keyed, "put", noted("put", put))
    merges = _merges(monkeypatch)
    said = "Ukraine's military intelligence said on Wednesday that {} North Korean soldiers had been killed in Kursk.\n"
    build([_write(tmp_path / "more", {"20241218T090000Z_more.txt": "KYIV (Reuters) - " + said.format("at least 500"),
                                      "20241219T090000Z_relay.txt": "LONDON (AP) - " + said.format("an estimated 200")})],
          store=store)  # fmt: skip
    assert merges == [2]
    records = dict(questions._graph_literals(store, graph))
    new = records.keys() - kept.keys()
    (two_hundred,) = [k for k, row in kept.items() if row.get("value") == 200]
    assert len(new) == 1 and records[next(iter(new))]["minValue"] == 500
    assert sorted(touched["get"]) == sorted([*new, two_hundred])  # the relayed copy's record is read
    relayed_first = records[two_hundred] != kept[two_hundred]
    assert sorted(touched["put"]) == sorted([*new, *([two_hundred] if relayed_first else [])])
    figures = [c for c in questions.conflicts(store) if c["kind"] == "figures"]
    assert len(figures) == 3  # 200, 30 and 500 North Korean soldiers: the relayed copy is the same side
    assert "planted" in {side["evidence"] for c in figures for side in (c["a"], c["b"])}
    monkeypatch.undo()
    questions.refresh_summary(store)  # computed anew
    anew = questions.conflicts(store)
    assert "planted" not in json.dumps(anew)
    questions.drop_summary(store)  # live
    assert questions.conflicts(store) == anew
    assert [c for c in anew if c["kind"] == "figures"] == [
        {**c, **{s: {**c[s], "evidence": kept[thirty]["evidence"]} for s in "ab" if c[s]["evidence"] == "planted"}} for c in figures
    ]


def test_a_pair_written_as_nquads_is_the_literal_of_its_json():
    """The stance pairs go to the store as N-Quads lines: the literal parsed back is the JSON,
    whatever quotes, backslashes, line ends and letters it holds."""
    import json

    from pyoxigraph import RdfFormat, parse

    value = json.dumps({"said": 'he "denied" it \\ twice\r\n', "who": "Зеленський, Żółkiew, زيلينسكي"})
    (quad,) = parse(questions._json_nquad("https://example.org/n", value, "https://example.org/g").encode(), format=RdfFormat.N_QUADS)
    assert quad.object == questions._json(json.loads(value)) and quad.graph_name.value == "https://example.org/g"


def test_a_merge_naming_an_actor_by_a_new_label_shows_it_in_the_kept_conflicts(tmp_path, extractor):
    """The subject a stance conflict shows is its actors' labels, read with the conflicts:
    merged parts that give an actor another label change the subject of the kept ones."""
    denial = "MOSCOW (AP) - The Kremlin denied on Wednesday that North Korean troops were fighting in Russia.\n"
    assertion = "KYIV (AFP) - Ukraine's military intelligence said on Thursday that North Korean troops were fighting in Russia.\n"
    build([_write(tmp_path / "in", {"20241210T090000Z_denial.txt": denial, "20241212T090000Z_new.txt": assertion})],
          store=tmp_path / "s")  # fmt: skip
    with open_store(tmp_path / "s") as store:
        (conflict,) = [c for c in questions.conflicts(store) if c["kind"] == "stance"]
        assert conflict["subject"] == "North Korean soldiers, Russia"
        russia = Minter().entity("russia").value
        questions._merge_stances(store, {"stances": [], "named": {}, "labels": {russia: "the Russian Federation"}})
        (conflict,) = [c for c in questions._kept_conflicts(store) if c["kind"] == "stance"]
        assert conflict["subject"] == "North Korean soldiers, the Russian Federation"


def test_a_stale_summary_is_not_read(store):
    """A build marks the summary stale before its first write: from then on the questions
    answer live, the kept rows and answers unread (here a planted one)."""
    from pyoxigraph import Literal, NamedNode, Quad

    assert questions._kept_claim_rows(store, None) == questions._claim_listing(questions._rows(store, "claims"))
    questions.mark_summary_stale(store)
    assert not questions.has_summary(store)
    assert questions._kept_claim_rows(store, None) is None
    graph = Minter().summary_graph()
    planted = Quad(NamedNode(f"{graph.value}/stats"), questions.NKG.answer, Literal('{"documents": 99}', datatype=questions._JSON), graph)
    store.write_graph(graph, [planted], replace=True)
    assert questions.stats(store) == {"documents": 99}
    questions.mark_summary_stale(store)
    assert questions.stats(store) == questions._stats(store)


def test_a_build_cut_short_leaves_a_summary_computed_anew_by_the_next(store, tmp_path, monkeypatch):
    """Documents written by a build that did not reach its end are in no kept state: the next
    build does not merge into it, it computes the summary anew."""

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("kg.build.refresh_summary", killed)
    with pytest.raises(KeyboardInterrupt):
        build([_write(tmp_path / "second", {"second.txt": SECOND})], store=store)
    assert not questions.has_summary(store)
    assert questions.stats(store)["documents"] == 2  # live
    monkeypatch.undo()
    merges = _merges(monkeypatch)
    build([_write(tmp_path / "third", {"third.txt": THIRD})], store=store)
    assert merges == [None]
    kept = _everything(store)
    assert kept["stats"]["documents"] == 3
    questions.drop_summary(store)
    assert _everything(store) == kept


def test_a_merge_writes_the_rows_of_the_documents_it_adds_and_no_others(store, tmp_path, monkeypatch):
    """The kept rows of other documents (a claim's, a document's timeline) stay as they are
    (here planted); computed anew, every row is written again."""
    first = questions.claims(store)[0]
    _plant(store, questions._claim_row_nodes([str(first["claim"])])[0], "content")
    (timeline_node,) = {q.subject for q in store.ox.quads_for_pattern(None, None, None, Minter().summary_rows_graph("timeline"))}
    _plant(store, timeline_node, "summary")
    merges = _merges(monkeypatch)
    build([_write(tmp_path / "more", {"second.txt": SECOND})], store=store)
    assert merges == [1]
    listed = questions.claims(store)
    assert "planted" in {c["content"] for c in listed if c["claim"] == first["claim"]}
    assert {c["document"] for c in listed} == {c["document"] for c in questions._claim_listing(questions._rows(store, "claims"))}
    timeline = questions.timeline(store)
    assert "planted" in {r["summary"] for r in timeline}
    assert {r["document"] for r in timeline} == {r["document"] for r in questions._timeline(store)} == {c["document"] for c in listed}
    questions.refresh_summary(store)
    assert "planted" not in {c["content"] for c in questions.claims(store)}
    assert questions.timeline(store) == questions._timeline(store)


def test_a_merge_counts_the_quads_of_its_documents_not_the_store(store, tmp_path, monkeypatch):
    """The quads of each document's graph are summed over the merged parts and the shared and
    ontology graphs counted whole: no pass over the store's every quad, and the count is the
    one a pass gives."""
    from kg.store import EmbeddedStore

    passes = []
    count_quads = EmbeddedStore.count_quads
    monkeypatch.setattr(EmbeddedStore, "count_quads", lambda self, **kw: passes.append(self.location) or count_quads(self, **kw))
    merges = _merges(monkeypatch)
    build([_write(tmp_path / "more", {"second.txt": SECOND, "third.txt": THIRD})], store=store)
    assert merges == [2] and set(passes) <= {":memory:"}  # the parts' count: in a store of the batch only
    monkeypatch.undo()
    assert questions.stats(store)["quads"] == store.count_quads(without=Minter().cache_graphs()) == questions._stats(store)["quads"]


def _plant(store, node, key):
    """Replace the kept rows at ``node`` (in any of the summary's graphs of rows) by the same
    rows with "planted" as their ``key``."""
    import json

    from pyoxigraph import Literal, Quad

    (kept,) = store.ox.quads_for_pattern(node, None, None, None)
    store.ox.remove(kept)
    planted = [{**row, key: "planted"} for row in json.loads(kept.object.value)]
    store.ox.add(Quad(node, questions.NKG.answer, Literal(json.dumps(planted), datatype=questions._JSON), kept.graph_name))


def test_a_summary_of_the_older_layout_is_renewed_and_its_rows_unread(store, tmp_path):
    """A summary kept before the state and the graph of claim rows (its rows in the summary
    graph itself) answers the whole-store questions, lists claims live, and the next build
    renews it even when it writes nothing."""
    import json

    from pyoxigraph import Literal, NamedNode, Quad

    listing = questions.claims(store)
    graph = Minter().summary_graph()
    old = [Quad(NamedNode(f"{graph.value}/{name}"), questions.NKG.answer, Literal(json.dumps(getattr(questions, name)(store)), datatype=questions._JSON), graph)
           for name in ("stats", "entities", "sources", "conflicts", "timeline")]  # fmt: skip
    old.append(Quad(NamedNode(f"{graph.value}/claim-rows"), questions.NKG.answer, Literal("9", datatype=questions._JSON), graph))
    questions.drop_summary(store)
    store.write_graph(graph, old)
    assert not questions.has_summary(store)
    assert questions._kept_claim_rows(store, None) is None and questions.claims(store) == listing
    report = build([SEED], store=store)
    assert report.built == 0 and questions.has_summary(store)
    assert questions._kept_claim_rows(store, None) == listing


def _summary_writes(monkeypatch, *, stop: bool = False):
    """The writes of the summary's graphs, in order: for each, how many quads it wrote to each
    (by the name of its rows, or "summary"); with ``stop``, the build is cut short at the write
    of the summary graph itself."""
    from kg.store import EmbeddedStore

    found = []
    summary = Minter().summary_graph()
    caches = Minter().cache_graphs()
    write_graphs, write_documents = EmbeddedStore.write_graphs, EmbeddedStore.write_documents

    def noted(self, graphs, **kwargs):
        found.extend({"summary": len(quads)} for graph, quads in graphs if graph == summary)
        if stop and any(graph == summary for graph, _ in graphs):
            raise KeyboardInterrupt
        return write_graphs(self, graphs, **kwargs)

    def noted_text(self, documents, **kwargs):  # the rows go as N-Quads, a line each
        found.extend({k: n for k, n in _lines_by_graph(data).items() if n} for graph, data in documents if graph in caches)
        return write_documents(self, documents, **kwargs)

    monkeypatch.setattr(EmbeddedStore, "write_graphs", noted)
    monkeypatch.setattr(EmbeddedStore, "write_documents", noted_text)
    return found


def test_a_retired_graph_of_rows_is_a_cache_until_the_summary_computed_anew_drops_it(store):
    """A graph of rows an older layout kept (figure-conflicts) is left out of counts and
    exports like the others, and the next summary computed anew drops it."""
    from pyoxigraph import NamedNode, Quad

    graph = Minter().summary_rows_graph("figure-conflicts")
    counted = store.count_quads(without=Minter().cache_graphs())
    store.write_graph(graph, [Quad(NamedNode(f"{graph.value}/old"), questions.NKG.answer, questions._json(["old", []]), graph)])
    assert store.count_quads(without=Minter().cache_graphs()) == counted
    questions.refresh_summary(store)
    assert list(store.ox.quads_for_pattern(None, None, None, graph)) == []
    assert questions.stats(store)["quads"] == counted


def test_rows_are_written_in_parts_and_the_summary_last(tmp_path, extractor, monkeypatch):
    monkeypatch.setattr(questions, "ROWS_PER_WRITE", 2)
    writes = _summary_writes(monkeypatch)
    build([_write(tmp_path / "in", {SEED.name: SEED.read_text(encoding="utf-8"), "second.txt": SECOND})], store=tmp_path / "s")
    assert ["summary" in write for write in writes] == [False] * (len(writes) - 1) + [True]
    assert all(sum(write.values()) <= 2 for write in writes[:-1])
    written = {name: sum(write.get(name, 0) for write in writes) for name in SUMMARY_ROWS}
    with open_store(tmp_path / "s") as store:
        kept = _everything(store)
        assert written["claim-rows"] == len({c["claim"] for c in kept["claims"]}) > 4
        assert written["timeline"] == len({r["document"] for r in kept["timeline"]}) == 2
        # one batch: each member written once
        assert written["members"] == sum(kept["stats"][k] for k in ("entities", "places", "relations")) > 0
        questions.drop_summary(store)
        assert _everything(store) == kept


def test_a_build_cut_short_after_some_claim_rows_leaves_no_summary(tmp_path, extractor, monkeypatch):
    """Rows written without their summary are not read, and the next build computes the
    summary anew."""
    monkeypatch.setattr(questions, "ROWS_PER_WRITE", 2)
    _summary_writes(monkeypatch, stop=True)
    with pytest.raises(KeyboardInterrupt):
        build([_write(tmp_path / "in", {SEED.name: SEED.read_text(encoding="utf-8")})], store=tmp_path / "s")
    with open_store(tmp_path / "s") as store:
        assert not questions.has_summary(store)
        assert questions._claim_rows(store, None)  # some rows were written
        assert questions._kept_claim_rows(store, None) is None  # and are not read
        live = _everything(store)
    monkeypatch.undo()
    merges = _merges(monkeypatch)
    build([_write(tmp_path / "more", {"second.txt": SECOND})], store=tmp_path / "s")
    assert merges == [None]
    with open_store(tmp_path / "s") as store:
        kept = _everything(store)
        assert kept["stats"]["documents"] == live["stats"]["documents"] + 1
        questions.drop_summary(store)
        assert _everything(store) == kept
