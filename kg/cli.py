"""The ``kg`` command: each subcommand is a thin call of the library function of the same name.

Only this module prints and turns errors into exit codes:
0 success; 1 the command ran and found problems (inputs that failed to build, SHACL
violations); 2 it could not run (bad option, missing store, invalid query, busy store).
Heavy modules are imported inside the commands that need them, so that querying never
imports spaCy.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from kg import __version__
from kg.config import DEFAULT_STORE
from kg.errors import KgError

EXIT_PROBLEMS = 1
EXIT_FAILED = 2
T = TypeVar("T")


def _fail(message: str, code: int = EXIT_FAILED) -> None:
    click.echo(f"kg: {message}", err=True)
    sys.exit(code)


def _abandonable(call: Callable[[], T], *, timeout: float | None = None, on_abandon: Callable[[], None] | None = None) -> T:
    """``call()`` in a thread while this one waits for it: pyoxigraph evaluates a query in Rust,
    where Ctrl-C is not seen until it ends (a query counting a cross product ran on for minutes
    after it). Interrupted, or out of ``timeout`` seconds, the process ends at once, after
    ``on_abandon``, since the thread cannot be stopped: for calls that only read the store
    (the kernel releases its lock)."""
    import os
    import threading
    import time

    done, box = threading.Event(), {}

    def work() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - raised again in this thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="kg-query", daemon=True).start()
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while not done.wait(0.1):  # short waits: Ctrl-C is seen between them
            if deadline is not None and time.monotonic() >= deadline:
                message, code = f"the query ran out of time ({timeout:g} s): narrow it or add a LIMIT", EXIT_FAILED
                break
        else:
            if "error" in box:
                raise box["error"]
            return box["value"]
    except KeyboardInterrupt:
        message, code = "interrupted", 130
    if on_abandon is not None:
        on_abandon()
    click.echo(f"kg: {message}", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one clear line on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KgError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted", 130)

    return wrapper


store_option = click.option(
    "--store",
    "store",
    envvar="KG_STORE",
    default=DEFAULT_STORE,
    show_default=True,
    show_envvar=True,
    help="Store folder (embedded pyoxigraph) or http(s):// SPARQL endpoint.",
)


def _open(location: str):
    from kg.store import open_store

    opened = open_store(location, writable=False)
    if opened.read_only is not None:  # the answers are what is stored: say why it cannot change
        click.echo(f"kg: {location}: opened read-only ({opened.read_only.lower()})", err=True)
    return opened


def format_option(*choices: str, default: str = "table") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default, show_default=True, help="Output format."
    )


def limit_option(help: str = "Show the first N rows only.") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Presentation only: the question's answer is whole, the output its first rows."""
    return click.option("--limit", type=click.IntRange(min=1), metavar="N", help=help)


def _rows_shown(total: int, shown: int) -> str:
    """``3 rows``, or ``the first 2 of 3 rows (--limit)``."""
    return _counted(total, "row") if shown == total else f"the first {shown} of {_counted(total, 'row')} (--limit)"


def _cell(value: object) -> str:
    """A plain value as one table or CSV cell: lists joined with "; ", nothing for None."""
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return "" if value is None else str(value)


def _print_rows(
    rows: Sequence[dict[str, object]], columns: Sequence[str], fmt: str, *, title: str | None = None, limit: int | None = None
) -> None:
    """Rows of plain values as a terminal table, JSON (a list of objects) or CSV/TSV; with
    ``limit``, the first rows only. How many rows there are goes to stderr: after a table
    always, after the other formats when some were left out."""
    shown = rows if limit is None else rows[:limit]
    if fmt == "json":
        click.echo(json.dumps(list(shown), ensure_ascii=False, indent=2, default=str))
    elif fmt in ("csv", "tsv"):
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        for row in shown:
            writer.writerow([_cell(row.get(c)) for c in columns])
        click.echo(out.getvalue(), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False, header_style="bold")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in shown:
            table.add_row(*(_cell(row.get(c)) for c in columns))
        Console(soft_wrap=False).print(table)
    if fmt == "table" or len(shown) < len(rows):
        click.echo(_rows_shown(len(rows), len(shown)), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """newskg: news reports → a knowledge graph of attributed claims (RDF, SPARQL, Gephi)."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@store_option
@click.option("--force", is_flag=True, help="Rebuild documents already in the store.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True, help="Extraction processes.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@format_option("table", "json", default="table")
@handle_errors
def build(paths: tuple[str, ...], store: str, force: bool, jobs: int, progress: bool | None, fmt: str) -> None:
    """Build the graph of PATHS (.txt/.md files, folders, .jsonl) into the store."""
    from kg.build import build as build_graph

    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True)
        bar.start()
        task = bar.add_task("building")

        def tick(report, path):  # noqa: ANN001 - callback of kg.build.Progress
            bar.update(task, description=f"{report.built} built, {report.skipped} skipped, {len(report.failures)} failed")
    try:
        report = build_graph(paths, store=store, force=force, jobs=jobs, progress=tick if bar else None)
    finally:
        if bar:
            bar.stop()
    for failure in report.failures:
        click.echo(f"kg: {failure}", err=True)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        held = report.totals
        click.echo(
            f"{_counted(report.documents, 'document')} read: {report.built} built, {report.skipped} already stored, "
            f"{len(report.failures)} failed; {_counted(report.claims, 'claim')}, {_counted(report.events, 'event')} and "
            f"{_counted(report.quads, 'quad')} written in {report.seconds:.1f} s → {report.store}\n"
            f"the store holds {_counted(held['documents'], 'document')}: {_counted(held['entities'], 'entity', 'entities')}, "
            f"{_counted(held['places'], 'place')}, {_counted(held['claims'], 'claim')}, {_counted(held['relations'], 'relation')}, "
            f"{_counted(held['events'], 'event')} ({_counted(held['quads'], 'quad')})"
        )
    if report.failures:
        sys.exit(EXIT_PROBLEMS)


def _counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 document``, ``2 documents``: the build's summary is read by people (JSON by tools)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


@cli.command()
@click.argument("query_text", metavar="QUERY")
@store_option
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Bind ?NAME to VALUE (a string literal).")
@format_option("table", "json", "csv", "tsv", "turtle", "ntriples", default="table")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Give up on a query still running after SECONDS (exit code 2).")
@handle_errors
def query(query_text: str, store: str, params: tuple[str, ...], fmt: str, timeout: float | None) -> None:
    """Run QUERY: SPARQL text, a .rq file, or the name of a named query (see `kg queries`).

    JSON output is SPARQL 1.1 Query Results JSON for SELECT and ASK. Ctrl-C stops a query at
    once, however long it has been running.
    """
    from kg.queries import query as run_query
    from kg.queries import rows, to_delimited, to_sparql_json
    from kg.store import ResultKind

    bound = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        bound[name] = value
    with _open(store) as opened:
        results = _abandonable(lambda: run_query(opened, query_text, params=bound), timeout=timeout)
    if results.kind is ResultKind.GRAPH:
        from pyoxigraph import RdfFormat, serialize

        rdf = RdfFormat.N_TRIPLES if fmt == "ntriples" else RdfFormat.TURTLE
        from kg.ontology import PREFIXES

        kwargs = {"prefixes": PREFIXES} if rdf is RdfFormat.TURTLE else {}
        click.echo(serialize(results.triples, format=rdf, **kwargs).decode("utf-8"), nl=False)
    elif fmt == "json":
        click.echo(to_sparql_json(results))
    elif fmt in ("csv", "tsv"):
        click.echo(to_delimited(results, delimiter="," if fmt == "csv" else "\t"), nl=False)
    elif results.boolean is not None:
        click.echo("true" if results.boolean else "false")
    else:
        _print_rows(rows(results), results.variables, "table")


@cli.command()
@format_option("table", "json", default="table")
def queries(fmt: str) -> None:
    """List the named queries with their descriptions and parameters."""
    from kg.queries import named_queries

    listed = [
        {"name": q.name, "description": q.description, "parameters": [f"{k}: {v}" for k, v in q.params.items()]}
        for q in named_queries().values()
    ]
    _print_rows(listed, ["name", "description", "parameters"], fmt)


@cli.command()
@store_option
@format_option("table", "json", "csv", default="table")
@handle_errors
def stats(store: str, fmt: str) -> None:
    """Counts of documents, entities by type, claims by stance, relations, events, quads."""
    from kg.questions import stats as get_stats

    with _open(store) as opened:
        figures = get_stats(opened)
    if fmt == "json":
        click.echo(json.dumps(figures, indent=2))
    else:
        _print_rows([{"measure": k, "count": v} for k, v in figures.items()], ["measure", "count"], fmt)


@cli.command()
@store_option
@format_option("text", "json", default="text")
@handle_errors
def validate(store: str, fmt: str) -> None:
    """Check the store against the SHACL shapes: exit 0 conforms, 1 violations, 2 could not run."""
    from kg.validate import validate as run_validate

    with _open(store) as opened:
        report = run_validate(opened)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for violation in report.violations:
            click.echo(str(violation))
        verdict = "conforms" if report.conforms else f"does not conform: {len(report.violations)} violations"
        click.echo(f"{report.triples} triples checked against the SHACL shapes: {verdict}")
    if not report.conforms:
        sys.exit(EXIT_PROBLEMS)


EXPORT_FORMATS = ("nquads", "trig", "turtle", "ntriples", "jsonld", "gexf", "graphml", "csv")
PROJECTIONS = ("actors", "claims", "events")


@cli.command()
@store_option
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="nquads", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write (for csv: NAME.nodes.csv and NAME.edges.csv).")
@click.option("--projection", type=click.Choice(PROJECTIONS), default="actors", show_default=True,
              help="Graph formats: which nodes and edges (actors; actors with claims; actors with events).")
@click.option("--query", "construct", metavar="QUERY", help="Export the triples of this CONSTRUCT query instead.")
@handle_errors
def export(store: str, fmt: str, output: Path, projection: str, construct: str | None) -> None:
    """Export the graph as RDF (nquads, trig, turtle, ntriples, jsonld) or for Gephi and friends."""
    from kg.export import ExportFormat, Projection, discard_partial_files
    from kg.export import export as run_export

    with _open(store) as opened:  # in a thread: Ctrl-C stops a long CONSTRUCT at once
        report = _abandonable(lambda: run_export(opened, format=ExportFormat(fmt), output=output, projection=Projection(projection),
                                                 query=construct), on_abandon=discard_partial_files)  # fmt: skip
    click.echo(f"{report} → {output}", err=True)


@cli.command()
@click.argument("dataset", type=click.Choice(["conll2003", "conll04", "polnear"]))
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path), required=True,
              help="Folder of the dataset (e.g. ../shared/eval/conll2003).")
@click.option("--split", type=click.Choice(["dev", "test"]), default="dev", show_default=True)
@click.option("--baseline", is_flag=True, help="Also score raw spaCy (no project rules) in the same run.")
@click.option("--limit", type=click.IntRange(1), help="Only the first N documents (quick checks).")
@format_option("table", "json")
@handle_errors
def evaluate(dataset: str, data: Path, split: str, baseline: bool, limit: int | None, fmt: str) -> None:
    """Score the extraction on public gold data: precision, recall and F1 (per type and micro)."""
    from kg.evaluate import Dataset, Split, format_table
    from kg.evaluate import evaluate as run_evaluate

    scores = run_evaluate(Dataset(dataset), data=data, split=Split(split), limit=limit)
    base = run_evaluate(Dataset(dataset), data=data, split=Split(split), limit=limit, baseline=True) if baseline else None
    if fmt == "json":
        out = scores.to_dict()
        if base is not None:
            out["baseline"] = base.to_dict()
        click.echo(json.dumps(out, indent=2))
    else:
        click.echo(format_table(scores, baseline=base))


STANCES = {"asserted": "Asserted", "denied": "Denied", "declined": "DeclinedToComment", "ncnd": "NeitherConfirmedNorDenied"}


@cli.command()
@store_option
@click.option("--type", "type_", metavar="T", help="Only entities of this class (Person, Country, Group, NewsOutlet…).")
@format_option("table", "json", "csv")
@limit_option()
@handle_errors
def entities(store: str, type_: str | None, fmt: str, limit: int | None) -> None:
    """Actors and places with type, aliases and how often they are mentioned."""
    from kg.questions import entities as list_entities

    with _open(store) as opened:
        found = list_entities(opened, type=type_)
    columns = ["label", "type", "aliases", "mentions", "documents"]
    _print_rows(found, columns if fmt == "table" else [*columns, "entity"], fmt, limit=limit)


#: The lists of an entity's profile, each a table: (title, key, columns).
_PROFILE_TABLES = (
    ("Relations out", "relations_out", ["predicate", "objectLabel", "evidence"]),
    ("Relations in", "relations_in", ["subjectLabel", "predicate", "evidence"]),
    ("Claims by it", "claims_by", ["stance", "hedge", "figure", "date", "reporter", "evidence"]),
    ("Claims about it", "claims_about", ["source", "stance", "hedge", "figure", "date", "reporter", "evidence"]),
)


@cli.command()
@click.argument("name")
@store_option
@format_option("table", "json")
@limit_option("Show the first N rows of each list only.")
@handle_errors
def entity(name: str, store: str, fmt: str, limit: int | None) -> None:
    """Profile of the entity called NAME (any of its names, any case or accents)."""
    from kg.questions import entity as profile

    with _open(store) as opened:
        card = profile(opened, name)
    if fmt == "json":
        cut = {key: card[key][:limit] for _, key, _ in _PROFILE_TABLES if limit is not None and len(card[key]) > limit}
        click.echo(json.dumps({**card, **cut}, ensure_ascii=False, indent=2, default=str))
        for key in cut:
            click.echo(f"{key}: {_rows_shown(len(card[key]), len(cut[key]))}", err=True)
        return
    click.echo(f"{card.get('label')} ({card.get('type')})  {card.get('entity')}")
    click.echo(f"  aliases: {'; '.join(card.get('aliases') or []) or '-'}")
    click.echo(f"  mentions: {card.get('mentions')} in {card.get('documents')} documents")
    for merge in card["merged"]:
        click.echo(f"  merged {merge['surface']!r}: {merge['reason']}")
    for title, key, columns in _PROFILE_TABLES:
        if card[key]:
            _print_rows(card[key], columns, "table", title=title, limit=limit)


@cli.command()
@store_option
@click.option("--about", metavar="NAME", help="Only claims about this entity.")
@click.option("--by", metavar="NAME", help="Only claims made by this entity.")
@click.option("--reported-by", metavar="NAME", help="Only claims relayed by this outlet.")
@click.option("--stance", type=click.Choice(sorted(STANCES)), help="Only claims with this stance.")
@format_option("table", "json", "csv")
@limit_option()
@handle_errors
def claims(
    store: str, about: str | None, by: str | None, reported_by: str | None, stance: str | None, fmt: str, limit: int | None
) -> None:
    """Claims with source, relaying outlet, stance, hedge, figure, date and evidence."""
    from kg.questions import claims as list_claims

    with _open(store) as opened:
        found = list_claims(opened, about=about, by=by, reported_by=reported_by, stance=STANCES.get(stance or ""))
    columns = ["source", "reporter", "stance", "hedge", "figure", "date", "qualifier", "evidence"]
    _print_rows(found, columns if fmt == "table" else list(found[0]) if found else columns, fmt, limit=limit)


@cli.command()
@store_option
@click.option("--about", metavar="NAME", help="Only events and claims involving this entity.")
@format_option("table", "json", "csv")
@limit_option()
@handle_errors
def timeline(store: str, about: str | None, fmt: str, limit: int | None) -> None:
    """Dated events and claims in time order (dates without a year are listed after, as month-day)."""
    from kg.questions import timeline as get_timeline

    with _open(store) as opened:
        found = get_timeline(opened, about=about)
    _print_rows(found, ["when", "start", "end", "kind", "summary", "source", "evidence"], fmt, limit=limit)


@cli.command()
@store_option
@click.option("--about", metavar="NAME", help="Only conflicts with a claim involving this entity.")
@format_option("table", "json")
@limit_option()
@handle_errors
def conflicts(store: str, about: str | None, fmt: str, limit: int | None) -> None:
    """The same quantity or event reported differently by different sources, side by side."""
    from kg.questions import conflicts as find_conflicts

    with _open(store) as opened:
        found = find_conflicts(opened, about=about)
    if fmt == "json":
        _print_rows(found, [], fmt, limit=limit)
        return
    flat = [
        {"kind": c["kind"], "subject": c["subject"],
         "A": f"{c['a']['figure'] or c['a']['stance']} — {c['a']['source']}" + (f" via {c['a']['reporter']}" if c["a"]["reporter"] else ""),
         "B": f"{c['b']['figure'] or c['b']['stance']} — {c['b']['source']}" + (f" via {c['b']['reporter']}" if c["b"]["reporter"] else "")}
        for c in found
    ]  # fmt: skip
    _print_rows(flat, ["kind", "subject", "A", "B"], "table", limit=limit)


@cli.command()
@store_option
@format_option("table", "json", "csv")
@limit_option()
@handle_errors
def sources(store: str, fmt: str, limit: int | None) -> None:
    """Who is cited, how often, with which stances, about what, and relayed by whom."""
    from kg.questions import sources as list_sources

    with _open(store) as opened:
        found = list_sources(opened)
    _print_rows(found, ["source", "claims", "stances", "about", "relayedBy", "documents"], fmt, limit=limit)


@cli.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port to listen on (0: any free port).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds a query may run before the client gets 503.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows (or triples) per answer; the rest is cut and the answer says X-Result-Truncated: true.",
)
@handle_errors
def serve(store: str, host: str, port: int, timeout: float, max_rows: int) -> None:
    """Serve the store as a read-only SPARQL 1.1 endpoint on http://HOST:PORT/sparql until Ctrl-C.

    The store stays open (and busy for `kg build`) while the endpoint runs.
    """
    from kg.serve import serve as run_endpoint

    with _open(store) as opened:
        run_endpoint(opened, host=host, port=port, timeout=timeout, max_rows=max_rows)


def main() -> None:
    """Entry point of the ``kg`` command."""
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
