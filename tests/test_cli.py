"""The command line end to end on the seed article, in-process, with the real pipeline."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from conftest import SEED
from kg.cli import cli


def run(*args: str, code: int = 0, stdout_only: bool = False) -> str:
    """Run ``kg ARGS`` in-process; the output (stdout and stderr, or stdout only)."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, result.output + (repr(result.exception) if result.exception else "")
    return result.stdout if stdout_only else result.output


@pytest.fixture(scope="module")
def store(tmp_path_factory, extractor) -> str:  # extractor: the model is loaded once per session
    path = str(tmp_path_factory.mktemp("kg") / "store")
    run("build", str(SEED), "--store", path)
    return path


def as_json(*args: str):
    return json.loads(run(*args, "--format", "json", stdout_only=True))


EXPECTED = {
    # any name of the entity → the class it must have
    "HUR": "IntelligenceAgency",
    "Zelensky": "Person",
    "Akhmat": "MilitaryUnit",
    "Kursk": "Region",
    "Russia": "Country",
    "North Korea": "Country",
    "Ukraine": "Country",
    "Reuters": "NewsOutlet",
    "The Kyiv Independent": "NewsOutlet",
    "North Korean soldiers": "Group",
}


@pytest.mark.parametrize(("name", "kind"), EXPECTED.items())
def test_seed_entities_have_the_right_kind_once(store, name, kind):
    card = as_json("entity", name, "--store", store)
    assert card["type"] == kind
    assert "also_matches" not in card, f"{name} is more than one entity"


def test_aliases_are_merged(store):
    zelensky = as_json("entity", "Mr. Zelensky", "--store", store)
    assert zelensky["label"] == "Volodymyr Zelensky"
    assert {"Zelensky", "Mr. Zelensky", "President Zelensky"} <= set(zelensky["aliases"])
    assert {m["surface"] for m in zelensky["merged"]} >= {"Mr. Zelensky", "Zelensky"}  # and why
    hur = as_json("entity", "Ukraine's intelligence agency", "--store", store)
    assert hur["type"] == "IntelligenceAgency" and hur["entity"] == as_json("entity", "HUR", "--store", store)["entity"]
    assert as_json("entity", "Kursk province", "--store", store)["entity"] == as_json("entity", "Kursk", "--store", store)["entity"]


def test_no_date_or_number_is_an_entity(store):
    for e in as_json("entities", "--store", store):
        for name in [e["label"], *e["aliases"]]:
            assert not re.search(r"\d|December|November|months", name), name


def test_casualty_claims_with_source_and_relaying_outlet(store):
    result = as_json("query", "casualty-claims", "--store", store)
    rows = [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]
    by_figure = {r["figure"]: r for r in rows}
    thirty = next(r for f, r in by_figure.items() if "30" in f)
    assert thirty["source"] == as_json("entity", "HUR", "--store", store)["label"]
    assert thirty["reporter"] == "Reuters" and thirty["hedge"] == "AtLeast"
    two_hundred = next(r for f, r in by_figure.items() if "200" in f)
    assert two_hundred["hedge"] == "Approximately" and two_hundred["source"] == thirty["source"]


def test_claims_filters_and_stances(store):
    denied = as_json("claims", "--stance", "denied", "--store", store)
    assert any(c["source"] == "North Korea" and c["qualifier"] == "initially" for c in denied)
    declined = as_json("claims", "--stance", "declined", "--store", store)
    assert {c["source"] for c in declined} >= {"Russia", "North Korea"}
    ncnd = as_json("claims", "--stance", "ncnd", "--store", store)
    assert [c["source"] for c in ncnd] == ["Russia"]
    relayed = as_json("claims", "--reported-by", "Reuters", "--store", store)
    assert relayed and all(c["reporter"] == "Reuters" for c in relayed)
    for claim in as_json("claims", "--store", store):
        assert {"source", "reporter", "stance", "hedge", "date", "evidence"} <= set(claim)


def test_conflicting_figures_side_by_side(store):
    found = as_json("conflicts", "--store", store)
    pairs = [{c["a"]["figure"], c["b"]["figure"]} for c in found if c["kind"] == "figures"]
    assert any(any("200" in f for f in p) and any("30" in f for f in p) for p in pairs), found


def test_conflicts_about_one_entity(store):
    """--about keeps the conflicts with a side whose claim involves the entity: the figures
    HUR gives for North Korean soldiers, and Russia's denial against Zelensky's assertions."""
    every = as_json("conflicts", "--store", store)
    korean = as_json("conflicts", "--about", "North Korean soldiers", "--store", store)
    assert [c for c in every if c["kind"] == "figures"] == [c for c in korean if c["kind"] == "figures"] != []
    zelensky = as_json("conflicts", "--about", "Zelensky", "--store", store)
    assert zelensky and all(c["kind"] == "stance" and "Volodymyr Zelensky" in (c["a"]["source"], c["b"]["source"]) for c in zelensky)
    assert len(zelensky) < len(every) and all(c in every for c in zelensky)
    assert "no entity named" in run("conflicts", "--about", "Atlantis", "--store", store, code=2)


@pytest.mark.parametrize("command", [["claims"], ["entities"], ["timeline"], ["sources"], ["conflicts"]])
def test_a_limit_shows_the_first_rows_and_says_how_many_there_are(store, command):
    every = as_json(*command, "--store", store)
    assert len(every) > 2
    assert as_json(*command, "--limit", "2", "--store", store) == every[:2]
    result = CliRunner().invoke(cli, [*command, "--limit", "2", "--store", store])
    assert result.exit_code == 0 and f"the first 2 of {len(every)} rows (--limit)" in result.stderr
    assert len(as_json(*command, "--limit", str(len(every) + 5), "--store", store)) == len(every)
    assert "--limit" in run(*command, "--limit", "0", "--store", store, code=2)


def test_a_limit_cuts_each_list_of_an_entity_profile(store):
    whole = as_json("entity", "HUR", "--store", store)
    assert len(whole["claims_by"]) > 1
    cut = as_json("entity", "HUR", "--limit", "1", "--store", store)
    assert cut == {**whole, **{k: v[:1] for k, v in whole.items() if k in {"relations_out", "relations_in", "claims_by", "claims_about"}}}
    result = CliRunner().invoke(cli, ["entity", "HUR", "--limit", "1", "--store", store])
    assert result.exit_code == 0 and f"the first 1 of {len(whole['claims_by'])} rows (--limit)" in result.stderr


def test_validate_conforms_and_evidence_matches_text(store):
    assert "conforms" in run("validate", "--store", store)
    text = SEED.read_text(encoding="utf-8")
    spans = as_json("query", "SELECT ?b ?e ?a WHERE { ?s a nkg:Span ; nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?a }", "--store", store)
    bindings = spans["results"]["bindings"]
    assert len(bindings) > 30
    for b in bindings:
        assert text[int(b["b"]["value"]) : int(b["e"]["value"])] == b["a"]["value"]


def test_building_again_adds_nothing(store):
    held = as_json("stats", "--store", store)
    out = run("build", str(SEED), "--store", store)
    assert "1 document read: 0 built, 1 already stored" in out and "0 quads written" in out
    # the summary ends with what the store holds, as kg stats counts it
    assert (f"the store holds {held['documents']} document: {held['entities']} entities, {held['places']} places, "
            f"{held['claims']} claims, {held['relations']} relations, {held['events']} events ({held['quads']} quads)") in out  # fmt: skip
    assert as_json("stats", "--store", store) == held


def test_query_forms_fixed_by_the_design(store, tmp_path):
    ask = json.loads(run("query", "--store", store, "--format", "json", "ASK { ?c a nkg:Claim }", stdout_only=True))
    assert ask == {"head": {}, "boolean": True}
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?c a nkg:Claim }")
    assert int(json.loads(run("query", "--store", store, "--format", "json", str(rq), stdout_only=True))["results"]["bindings"][0]["n"]["value"]) >= 10
    out = tmp_path / "all.nq"
    said = run("export", "--store", store, "--format", "nquads", "--output", str(out))
    quads = as_json("stats", "--store", store)["quads"]
    assert out.read_text(encoding="utf-8").count("\n") == quads
    assert said == f"nquads: {quads:,} quads → {out}\n"
    said = run("export", "--store", store, "--format", "gexf", "--output", str(tmp_path / "g.gexf"))
    assert re.fullmatch(rf"gexf, actors: \d+ nodes, \d+ edges → {re.escape(str(tmp_path))}/g.gexf\n", said)


CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # minutes in Rust, no row meanwhile


def _kg(*args: str) -> subprocess.Popen[str]:
    """``kg ARGS`` in a process of its own: giving up on a query ends the process."""
    return subprocess.Popen([sys.executable, "-c", "from kg.cli import cli; cli()", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)  # fmt: skip


def default_sigint() -> None:
    """Ctrl-C as in a terminal: a test run from a background job ignores SIGINT, and so would kg."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_a_query_past_its_timeout_is_given_up_with_a_message(store):
    started = time.monotonic()
    proc = _kg("query", "--store", store, "--timeout", "0.5", CROSS_PRODUCT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and out == ""
    assert err == "kg: the query ran out of time (0.5 s): narrow it or add a LIMIT\n"
    assert time.monotonic() - started < 30
    assert "0 is not in the range" in run("query", "--store", store, "--timeout", "0", "ASK {}", code=2)


def test_ctrl_c_stops_a_long_query_at_once(store):
    """pyoxigraph evaluates in Rust, where Ctrl-C was not seen until the query ended."""
    proc = _kg("query", "--store", store, CROSS_PRODUCT)
    time.sleep(2)  # well into the query
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 130 and err == "kg: interrupted\n" and out == ""


def test_ctrl_c_stops_an_export_of_a_long_construct_and_leaves_no_file(store, tmp_path):
    counted = "CONSTRUCT { ?a ?b ?n } WHERE { { SELECT ?a ?b (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } GROUP BY ?a ?b } }"
    proc = _kg("export", "--store", store, "--format", "nquads", "--output", str(tmp_path / "out.nq"), "--query", counted)
    time.sleep(2)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 130 and err == "kg: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_store_defaults_to_environment(store, monkeypatch):
    monkeypatch.setenv("KG_STORE", store)
    result = CliRunner().invoke(cli, ["stats", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["documents"] == 1


def test_errors_are_messages_not_tracebacks(store, tmp_path):
    assert "no store here" in run("stats", "--store", str(tmp_path / "nope"), code=2)
    assert "invalid SPARQL" in run("query", "SELECT WHERE {", "--store", store, code=2)
    assert "no entity named" in run("entity", "Atlantis", "--store", store, code=2)
    out = run("build", str(tmp_path / "missing.txt"), str(SEED), "--store", store, code=1)
    assert "missing.txt: no such file" in out and "1 already stored" in out
