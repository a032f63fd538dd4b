"""The analysts' common questions, each a named query from ``queries/`` plus light shaping.

Each public function here is what the ``kg`` command of the same name prints: a list of
plain dicts with stable keys (or one dict for ``entity`` and ``stats``).
Names are looked up case- and accent-insensitively through the ``nkg:nameKey`` of entities.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO, TypeVar

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

from kg.errors import QueryError
from kg.mapping import RETIRED_SUMMARY_ROWS, SUMMARY_ROWS, Minter
from kg.ontology import NKG, ONTOLOGY_GRAPH_IRI, PROV
from kg.model import Stance, name_key
from kg.queries import Param, query, rows
from kg.store import Store, open_store

Row = dict[str, object]
T = TypeVar("T")


def _rows(store: Store, name: str, **params: Param | None) -> list[Row]:
    return rows(query(store, name, params={k: v for k, v in params.items() if v is not None}))


def find_entities(store: Store, name: str) -> list[Row]:
    """Entities known by ``name`` (label or alias, any case or accents); the closest partial
    matches when no name matches exactly. Raises ``QueryError`` when nothing matches."""
    key = name_key(name)
    if not key:
        raise QueryError("empty entity name")
    found = _rows(store, "entity-lookup", key=key) or _rows(store, "entity-search", key=key)
    if not found:
        raise QueryError(f"no entity named {name!r} in the store (try `kg entities`)")
    return found


def _entity_iris(store: Store, name: str | None) -> list[NamedNode] | None:
    if name is None:
        return None
    found = find_entities(store, name)
    exact = [r for r in found if name_key(str(r["label"])) == name_key(name)]
    return [NamedNode(str(r["entity"])) for r in (exact or found)]


_STATS_ORDER = (
    "documents", "entities", "places", "claims", "claims with a named source", "claims relayed by an outlet",
    "relations", "events", "evidence spans",
)  # fmt: skip


def stats(store: Store) -> dict[str, int]:
    """Counts of what the store holds (documents, entities, claims, …) and its quads (the
    summary's graphs not counted)."""
    return _kept(store, "stats", _stats)


def _stats(store: Store) -> dict[str, int]:
    counted = {str(r["measure"]): int(r["count"]) for r in _rows(store, "stats")}  # type: ignore[call-overload]
    figures = {k: counted.get(k, 0) for k in _STATS_ORDER}
    figures["quads"] = store.count_quads(without=Minter().cache_graphs())
    return figures


def entities(store: Store, *, type: str | None = None) -> list[Row]:
    """Actors and places with type, aliases, mentions and documents, most mentioned first.
    ``type`` keeps one class (local name, any case: ``Person``, ``country``)."""
    found = _kept_rows(store, _entities, _kept_entities)
    if type is None:
        return found
    return [r for r in found if str(r["type"]).lower() == type.lower()]


def _entities(store: Store) -> list[Row]:
    found = _rows(store, "entities")
    for row in found:
        row["aliases"] = _split(row.get("aliases"))
    return _by_mentions(found)


def _by_mentions(found: list[Row]) -> list[Row]:
    """Most mentioned first, ties in one fixed order (stores break them each their own way)."""
    return sorted(found, key=lambda r: (-int(r["mentions"]), str(r["label"]), str(r["type"]), str(r["entity"])))  # type: ignore[call-overload]


def _split(value: object) -> list[str]:
    """A GROUP_CONCAT as a sorted list: stores concatenate in no fixed order."""
    return sorted(v for v in str(value or "").split("; ") if v)


_CLAIM_KEYS = (
    "claim", "source", "reporter", "stance", "hedge", "qualifier", "figure", "value", "minValue", "maxValue",
    "measure", "counts", "date", "published", "content", "evidence", "document",
)  # fmt: skip


def claims(
    store: Store,
    *,
    about: str | None = None,
    by: str | None = None,
    reported_by: str | None = None,
    stance: Stance | str | None = None,
) -> list[Row]:
    """Claims with source, relaying outlet, stance, hedge, figure, date and evidence.

    ``about``, ``by`` and ``reported_by`` are entity names; ``stance`` a ``Stance``.
    """
    stance_name = Stance(stance).value if stance is not None else None
    # Select the claims first, then list only those: a filter inside the listing query would
    # read every claim in the store.
    selected: set[object] | None = None
    for link, name in ((PROV.wasAttributedTo, by), (NKG.reportedBy, reported_by)):
        if name is not None:
            linked = {r["claim"] for r in _rows(store, "claim-ids", entity=_entity_iris(store, name), link=link)}
            selected = linked if selected is None else selected & linked
    if about is not None:
        selected = _about(store, about) if selected is None else selected & _about(store, about)
    if selected is not None and not selected:
        return []
    kept = _kept_claim_rows(store, None if selected is None else sorted(map(str, selected)))
    if kept is not None:
        return [row for row in kept if stance_name is None or str(row["stance"]).lower() == stance_name.lower()]
    if selected is None:
        found = _rows(store, "claims", stanceName=stance_name)
    else:
        found = _rows(store, "claims", claim=[NamedNode(c) for c in sorted(map(str, selected))], stanceName=stance_name)
    return _claim_listing(found)


def _claim_listing(found: list[Row]) -> list[Row]:
    return [{k: row.get(k) for k in _CLAIM_KEYS} for row in _dedupe(found, "claim", "figure")]


# The kept answer counting the claims whose rows are kept, named for the summary's layout: the
# rows of an older one (in the summary graph itself) are not read.
_CLAIM_ROWS = "claim-rows-v2"


def _claim_row_nodes(claims: Iterable[str]) -> list[NamedNode]:
    """Where the summary keeps each claim's listing rows: one node per claim in the graph of
    claim rows, named by a hash of its IRI (the claim itself gets no statement from the cache)."""
    graph = Minter().claim_rows_graph().value  # once: a Minter per claim made this five times slower
    return [NamedNode(f"{graph}/{hashlib.sha1(claim.encode()).hexdigest()}") for claim in claims]


def _kept_claim_rows(store: Store, claims: list[str] | None) -> list[Row] | None:
    """The kept listing rows of these claims (all claims for ``None``) in listing order, or
    ``None`` when the store keeps no summary (then the listing is computed live)."""
    if _answer(store, _CLAIM_ROWS) is None:  # no summary, or not a whole and current one
        return None
    return _claim_rows(store, claims)


def _claim_rows(store: Store, claims: list[str] | None) -> list[Row]:
    if claims is None:
        found = _graph_literals(store, Minter().claim_rows_graph())
    else:  # events selected by --about have no rows: the summary holds every claim's
        found = _parsed(query(store, f"SELECT ?answer WHERE {{ ?row {NKG.answer} ?answer }}",
                              params={"row": _claim_row_nodes(claims)}).rows)  # fmt: skip
    kept = [row for rows in found for row in rows]
    kept.sort(key=lambda row: (*_document_order(row), row["rank"]))
    for row in kept:
        del row["rank"]
    return kept


def _parsed(found: list[dict[str, Any]]) -> list[Any]:
    """The JSON values of the kept literals ``found`` (solutions binding ``answer``)."""
    # one parse of all the literals as a JSON array: a parse per literal took twice as long
    return json.loads(f"[{','.join(answer['answer'].value for answer in found)}]")  # type: ignore[no-any-return]


def _graph_literals(store: Store, graph: NamedNode) -> list[Any]:
    """The JSON values of every literal kept in one of the summary's graphs of rows."""
    return _parsed(store.query(f"SELECT ?answer WHERE {{ GRAPH {graph} {{ ?row {NKG.answer} ?answer }} }}").rows)


def _document_order(row: Row) -> tuple[bool, str, str]:
    """Where a listing row's document comes in the claims query's order: by publication date,
    none first, then by document. A document's rows keep their own order (their rank), so
    merging documents into a listing leaves the rows of the others as they are."""
    return _order_of(row.get("published"), row["document"])


def _order_of(published: object, document: object) -> tuple[bool, str, str]:
    return (published is not None, str(published or ""), str(document))


#: Rows (lines of N-Quads) that go to the summary's graphs of rows in one write: written all at
#: once, the claims' JSON literals were the peak of a large build's memory.
ROWS_PER_WRITE = 10_000


def _row_nquads(part: Parts) -> Iterator[bytes]:
    """What the documents of ``part`` add to the summary's graphs of rows (:data:`SUMMARY_ROWS
    <kg.mapping.SUMMARY_ROWS>`), as N-Quads, :data:`ROWS_PER_WRITE` lines at a time: each
    claim's listing rows, each document's timeline rows, the members of the distinct counts."""
    quads = itertools.chain(_claim_row_quads(part["listing"]), _timeline_quads(part["timeline"]),
                            _member_quads(part["members"]))  # fmt: skip
    while chunk := list(itertools.islice(quads, ROWS_PER_WRITE)):
        yield serialize(chunk, format=RdfFormat.N_QUADS)


def _claim_row_quads(listing: list[Row]) -> Iterator[Quad]:
    """The rows of ``listing`` in the graph of claim rows, a literal per claim, each row with
    its rank among its document's rows."""
    graph = Minter().claim_rows_graph()
    by_claim: dict[str, list[tuple[int, Row]]] = defaultdict(list)
    ranks: dict[str, int] = defaultdict(int)
    for row in listing:
        document = str(row["document"])
        by_claim[str(row["claim"])].append((ranks[document], row))
        ranks[document] += 1
    for node, found in zip(_claim_row_nodes(by_claim), by_claim.values()):
        yield Quad(node, NKG.answer, _json([{**row, "rank": rank} for rank, row in found]), graph)


def row_chunks(rows: BinaryIO) -> Iterator[bytes]:
    """The rows :func:`merge_parts` wrote to ``rows``, read from its start in writes of
    :data:`ROWS_PER_WRITE` lines, for :func:`refresh_summary`."""
    rows.seek(0)
    while chunk := b"".join(itertools.islice(rows, ROWS_PER_WRITE)):
        yield chunk


def _about(store: Store, name: str) -> set[object]:
    """Claims and events about the entity called ``name``."""
    return {r["item"] for r in _rows(store, "about", about=_entity_iris(store, name))}


def _dedupe(found: Iterable[Row], *keys: str) -> list[Row]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for row in found:
        marker = tuple(row.get(k) for k in keys)
        if marker not in seen:
            seen.add(marker)
            out.append(row)
    return out


def entity(store: Store, name: str) -> Row:
    """One actor's profile: card, merged surface forms, relations in and out, claims made
    by it and about it, each with its evidence sentence and document."""
    iris = _entity_iris(store, name)
    assert iris  # _entity_iris raises when nothing matches
    iri = iris[0]
    (card,) = _rows(store, "entity", entity=iri) or [{"entity": iri.value}]
    card["aliases"] = _split(card.get("aliases"))
    card["merged"] = _rows(store, "entity-merges", entity=iri)
    relations = _rows(store, "entity-relations", entity=iri)
    card["relations_out"] = [r for r in relations if r["subject"] == iri.value]
    card["relations_in"] = [r for r in relations if r["object"] == iri.value]
    label = str(card.get("label", name))
    card["claims_by"] = claims(store, by=label) if card.get("label") else []
    card["claims_about"] = [c for c in claims(store, about=label) if c not in card["claims_by"]] if card.get("label") else []
    if len(iris) > 1:
        card["also_matches"] = [i.value for i in iris[1:]]
    return card


# --- time ------------------------------------------------------------------------------------

def _time_sort_key(row: Row) -> tuple[int, str]:
    """Dated items first in date order; month-day items (year unknown) after them, by month-day."""
    when = str(row.get("start") or row.get("when") or "")
    if when.startswith("--"):
        return (1, when)
    return (0, when)


def timeline(store: Store, *, about: str | None = None) -> list[Row]:
    """Dated events and claims in time order. A date without a year (``--12-14``) is kept as
    a month and day and listed after the dated items; an interval shows its start and end."""
    every = _kept_rows(store, _timeline, _kept_timeline)
    if about is None:
        return every
    wanted = _about(store, about)
    return [r for r in every if r["item"] in wanted]


def _timeline(store: Store) -> list[Row]:
    # one row per item; an event with two agents comes twice: keep the same one on every store
    ordered = sorted(_rows(store, "timeline"), key=lambda r: (str(r["item"]), str(r.get("summary"))))
    found = _dedupe(ordered, "item")
    for row in found:
        row["year_known"] = not str(row.get("when", "")).startswith("--")
    keys = ("when", "start", "end", "year_known", "kind", "summary", "source", "evidence", "document", "item")
    return _in_time_order([{k: row.get(k) for k in keys} for row in found])


def _kept_timeline(store: Store) -> list[Row]:
    graph = Minter().summary_rows_graph("timeline")
    return _in_time_order([row for rows in _graph_literals(store, graph) for row in rows])


def _timeline_quads(found: list[Row]) -> Iterator[Quad]:
    """Timeline rows in the graph of timeline rows, a literal per document (named by a hash of
    its IRI): a merge adds those of new documents and leaves the others as they are."""
    graph = Minter().summary_rows_graph("timeline")
    by_document: dict[str, list[Row]] = defaultdict(list)
    for row in found:
        by_document[str(row["document"])].append(row)
    for document, rows_ in by_document.items():
        yield Quad(NamedNode(f"{graph.value}/{hashlib.sha1(document.encode()).hexdigest()}"), NKG.answer, _json(rows_), graph)


def _in_time_order(found: list[Row]) -> list[Row]:
    """Timeline rows in time order, ties by document, kind and item."""
    ordered = sorted(found, key=lambda r: str(r["item"]))
    ordered.sort(key=lambda r: (_time_sort_key(r), str(r.get("document")), str(r.get("kind"))))
    return ordered


# --- conflicts -------------------------------------------------------------------------------

_CASUALTY_WORDS = ("kill", "injur", "wound", "dead", "death", "casualt", "captur", "loss", "lost", "missing")


def _bounds(row: Row) -> tuple[float | None, float | None]:
    value, low, high = row.get("value"), row.get("minValue"), row.get("maxValue")
    if value is not None:
        return float(value), float(value)  # type: ignore[arg-type]
    return (None if low is None else float(low), None if high is None else float(high))  # type: ignore[arg-type]


def _differ(a: Row, b: Row) -> bool:
    return _bounds(a) != _bounds(b) or a.get("hedge") != b.get("hedge")


def conflicts(store: Store, *, about: str | None = None) -> list[Row]:
    """The same thing reported differently, side by side: different casualty figures for the
    same counted actor, and a denial (or refusal to confirm) against an assertion by another
    source about the same actors (the denial names every actor the assertion names, or at
    least half of them). ``about``: only those with a side involving that entity (as
    :func:`claims` selects them: it counts, names or makes the claim)."""
    wanted = None if about is None else _about(store, about)

    def live(s: Store) -> list[Row]:
        found = _conflicts(s)
        return found if wanted is None else [c for c in found if _involves(c, wanted)]

    return _kept_rows(store, live, lambda s: _kept_conflicts(s, wanted))


def _involves(conflict: Row, wanted: set[object]) -> bool:
    return conflict["a"]["claim"] in wanted or conflict["b"]["claim"] in wanted


def _conflicts(store: Store) -> list[Row]:
    """The conflicts computed from the store: each counted actor's figures, then the denials
    in listing order (:func:`_merge_figures` and :func:`_merge_stances` keep the same)."""
    listing = claims(store)
    first = _first_rows(listing)
    out = _figure_conflicts(sorted(_casualties(_rows(store, "figures")), key=_figure_order))
    stances = _stance_part(listing, _rows(store, "claim-entities"))
    found = _stance_pairs(stances["stances"], stances["named"], stances["labels"])
    out.extend(_pair("stance", subject, first[denial], first[assertion]) for subject, denial, assertion in found)
    return out


def _casualties(figures: list[Row]) -> list[Row]:
    return [r for r in figures if any(w in str(r.get("measure", "")).lower() for w in _CASUALTY_WORDS)]


def _first_rows(listing: Iterable[Row]) -> dict[str, Row]:
    """Each claim's first listing row: the one a conflict shows."""
    first: dict[str, Row] = {}
    for row in listing:
        first.setdefault(str(row["claim"]), row)
    return first


def _figure_order(row: Row) -> tuple[str, str, str]:
    """Where a casualty figure comes: the figures query's order, ties (a claim counting an actor
    twice) in one fixed order."""
    return (str(row["subjectLabel"]), str(row["claim"]), json.dumps(row, sort_keys=True))


#: What makes casualty figures one side of a conflict: the same report relayed by many
#: articles is one record, kept as its first figure.
_FIGURE_KEY = ("subject", "value", "minValue", "maxValue", "hedge", "source")


def _figure_conflicts(figures: list[Row]) -> list[Row]:
    """The conflicts among casualty figures (in :func:`_figure_order`): each counted actor's,
    the actors in the order of their first figure."""
    out: list[Row] = []
    for group in _grouped(figures, "subject").values():
        if group[0].get("subject") is not None:  # figures of no counted actor pair with none
            out.extend(_figure_pairs(group))
    return out


def _figure_pairs(group: list[Row]) -> list[Row]:
    """The conflicts among one counted actor's casualty figures (in :func:`_figure_order`)."""
    # one claim per figure, hedge and source: the same report relayed by many articles is
    # one side, not one pair per copy (pairs would grow with the square of the corpus)
    distinct = _dedupe(group, *_FIGURE_KEY[1:])
    subject = str(group[0].get("subjectLabel"))
    return [_pair("figures", subject, a, b) for a, b in itertools.combinations(distinct, 2) if a["claim"] != b["claim"] and _differ(a, b)]


def _pair(kind: str, subject: str, a: Row, b: Row) -> Row:
    return _conflict(kind, subject, _side(a), _side(b))


def _conflict(kind: str, subject: str, a: Row, b: Row) -> Row:
    """A conflict of two sides (:func:`_side`)."""
    return {"kind": kind, "subject": subject, "a": a, "b": b}


def _side(row: Row) -> Row:
    """What a conflict shows of one of its claims (its first listing row, or its figure's)."""
    return {
        "figure": row.get("figure"), "measure": row.get("measure"), "hedge": row.get("hedge"),
        "stance": row.get("stance"), "source": row.get("source"), "reporter": row.get("reporter"),
        "date": row.get("date") or row.get("published"), "evidence": row.get("evidence"), "claim": row.get("claim"),
    }  # fmt: skip


_NEGATIVE = (Stance.DENIED.value, Stance.NEITHER_CONFIRMED_NOR_DENIED.value)
_PAIRED = (Stance.ASSERTED.value, *_NEGATIVE)
# A stance record: [claim, source, stance, a key of its content]; a document's records:
# [published, document, [record, ...]], in listing order.
StanceDocument = list[Any]


def _stance_part(listing: list[Row], claim_entities: list[Row]) -> Parts:
    """What the stance conflicts are found from, small enough to keep for every claim of a
    large store (its listing rows are not): the claims a conflict can pair (asserted, denied,
    neither confirmed nor denied), one per source, stance and content, as stance records
    (:data:`StanceDocument`) by document in listing order; the entities each names
    (``claim_entities``: rows of the claim-entities query), and their labels."""
    documents: list[StanceDocument] = []
    for row in listing:
        if row.get("stance") not in _PAIRED:
            continue
        if not documents or documents[-1][1] != row["document"]:
            documents.append([row.get("published"), row["document"], []])
        content = row.get("content")
        key = None if content is None else hashlib.sha1(str(content).encode()).hexdigest()[:16]
        documents[-1][2].append([str(row["claim"]), row.get("source"), row["stance"], key])
    named: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for row in claim_entities:
        named[str(row["claim"])].add(str(row["entity"]))
        labels[str(row["entity"])] = str(row["label"])
    return _stances_kept(documents, {claim: sorted(found) for claim, found in named.items()}, labels)


def _stances_kept(documents: list[StanceDocument], named: dict[str, list[str]], labels: dict[str, str]) -> Parts:
    """The stance part of ``documents`` (in listing order) with one record per source, stance
    and content (the first), the entities each names and their labels."""
    seen: set[tuple[object, ...]] = set()
    kept: list[StanceDocument] = []
    for published, document, records in documents:
        fresh = []
        for record in records:
            if (key := tuple(record[1:])) not in seen:
                seen.add(key)
                fresh.append(record)
        if fresh:
            kept.append([published, document, fresh])
    named = {record[0]: found for _, _, records in kept for record in records if (found := named.get(record[0]))}
    entities = {e for found in named.values() for e in found}
    return {"stances": kept, "named": named, "labels": {e: label for e, label in labels.items() if e in entities}}


def _stance_pairs(stances: list[StanceDocument], named: dict[str, list[str]], labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """Each denial beside the assertions by other sources about the same actors, as (subject,
    denial, assertion) in listing order; ``named`` holds the entities each claim names,
    ``labels`` their labels."""
    every = [record for _, _, records in stances for record in records]
    # Assertions by the entities they name, in listing order: a denial is checked against the
    # assertions naming its rarest actor, not against every claim (that grew with denials
    # times claims: minutes on a store of thousands of distinct articles).
    naming: dict[str, list[list[Any]]] = defaultdict(list)
    for record in every:
        if record[2] == Stance.ASSERTED.value:
            for entity in named.get(record[0], ()):
                naming[entity].append(record)
    out = []
    for denial, source, stance, _ in every:
        topic = set(named.get(denial, ()))
        if stance not in _NEGATIVE or not topic:
            continue
        subject = ", ".join(sorted(labels[e] for e in topic))
        for claim, other, _, _ in min((naming[e] for e in topic), key=len):
            if other == source:
                continue
            if _can_pair(topic, set(named.get(claim, ()))):
                out.append((subject, denial, claim))
    return out


def sources(store: Store) -> list[Row]:
    """Who is cited, how often, with which stances, relayed by whom, and about what."""
    return _kept_rows(store, _sources, _kept_sources)


def _sources(store: Store) -> list[Row]:
    return _with_topics(_source_rows(store), _rows(store, "source-topics"))


def _source_rows(store: Store) -> list[Row]:
    found = _rows(store, "sources")
    for row in found:
        row["stances"] = _split(row.get("stances"))
        row["relayedBy"] = _split(row.get("relayedBy"))
    return found


def _with_topics(found: list[Row], topics: list[Row]) -> list[Row]:
    """Sources with the five entities their claims name most (``topics``: rows of the
    source-topics query), most cited first, ties in one fixed order."""
    about: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in topics:
        about[str(row["source"])].append((-int(row["claims"]), str(row["label"])))  # type: ignore[call-overload]
    out = [{**row, "about": [label for _, label in sorted(about.get(str(row["source"]), []))[:5]]} for row in found]
    out.sort(key=lambda r: (-int(r["claims"]), str(r["source"]), str(r.get("sourceEntity", ""))))  # type: ignore[call-overload]
    return out


# --- the summary: whole-store answers kept at build time ------------------------------------
#
# The summary graph keeps the stats and a state (the additive counts, the count of kept claim
# rows). Graphs of rows beside it keep what grows with the store: each claim's listing rows, each
# document's timeline rows and the members behind the distinct counts, which a merge only adds
# to (the store unites the members: a quad is stored once); and rows by key (an entity's, a
# source's, a casualty figure record, a stance record, an actor's label), which a merge reads
# and rewrites for the keys its documents touch (the figures' conflicts are paired from their
# records when asked: few, as relayed copies are one record); the stance records indexed
# by the actors they name, and the stance conflicts a row per pair, which a merge changes only
# for the records it changes. A build marks the summary stale before it writes, so the questions are
# answered live until it ends. While it writes, the parts of each batch it wrote are queried
# from that batch alone (summary_parts); at its end they are merged into the kept rows, or
# everything is computed anew when there is no usable state.

_JSON = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON")
# The kept state, named for its layout (a state of another is not merged into: the summary is
# computed anew), and the mark of a summary out of date.
_STATE, _STALE = "state-v5", "stale"
_ADDITIVE = ("documents", "claims", "claims with a named source", "claims relayed by an outlet", "events", "evidence spans",
             "document quads")  # fmt: skip
# The distinct counts of queries/stats.rq as their members, which a merge can unite.
_MEMBERS = {
    "entities": "SELECT DISTINCT ?m WHERE { ?c rdfs:subClassOf* prov:Agent . ?m a ?c ; rdfs:label ?l }",
    "places": "SELECT DISTINCT ?m WHERE { ?c rdfs:subClassOf* schema:Place . ?m a ?c ; rdfs:label ?l }",
    "relations": "SELECT DISTINCT ?m WHERE { ?st a nkg:RelationStatement ; rdf:subject ?s ; rdf:predicate ?p ; "
                 'rdf:object ?o BIND(CONCAT(STR(?s), " ", STR(?p), " ", STR(?o)) AS ?m) }',
}  # fmt: skip
Parts = dict[str, Any]
# What a part holds for the graphs of rows (written as they come, never merged in memory).
_ROW_PARTS = ("listing", "timeline", "members")


def _node(name: str) -> NamedNode:
    return NamedNode(f"{Minter().summary_graph().value}/{name}")


def _kept(store: Store, name: str, live: Callable[[Store], T]) -> T:
    """The answer kept in the summary graph, or computed now when there is none or it is stale
    (a build that writes marks it stale first and keeps new answers when it ends)."""
    found = _answer(store, name)
    return live(store) if found is None else found  # type: ignore[no-any-return]


def _if_current() -> str:
    """The filter that keeps a kept answer only while the summary is not marked stale."""
    return f"FILTER NOT EXISTS {{ {_node(_STALE)} {NKG.answer} ?stale }}"


def _answer(store: Store, name: str, *, stale: bool = False) -> Any:
    """The kept answer called ``name``, ``None`` when there is none; ``stale``: even from a
    summary marked out of date (a merge reads the state it is about to renew)."""
    sparql = f"SELECT ?answer WHERE {{ {_node(name)} {NKG.answer} ?answer {'' if stale else _if_current()} }} LIMIT 1"
    found = store.query(sparql).rows
    return json.loads(found[0]["answer"].value) if found else None


def refresh_summary(store: Store, *, added: Parts | None = None, rows: Iterable[bytes] = ()) -> None:
    """Keep the whole-store answers (stats, entities, sources, conflicts, timeline) and every
    claim's listing rows in the summary's graphs, in place of the old ones (the live answers never
    read the summary): asked on a large store, each answer then costs one lookup instead of a
    pass over every claim and mention, and a listing of selected claims one lookup per claim
    instead of some twenty.

    ``added``: the parts of the documents written since the summary was last kept (a
    build's), merged by :func:`merge_parts`, and ``rows`` what they add to the graphs of rows
    as it wrote them (:func:`row_chunks`). They are merged into the kept rows, reading and
    rewriting only the rows of what they name (their entities, sources, counted actors, the
    conflicts they can take part in), when the kept state covers every other document of the
    store or the store holds no others. Otherwise, and for ``None``, everything is computed
    anew from the store (and ``rows`` left unread).
    """
    kept = None if added is None else _kept_counts(store, added)
    # Dropped first: until the summary graph is written again, last, the questions are answered
    # live and a build cut short leaves no summary (the next one computes it anew).
    store.drop_graph(Minter().summary_graph())
    if not kept:  # none usable, or nothing to keep
        _drop_rows(store)  # every row is written again
    if kept is None:
        added, kept = _parts(store), {}
        rows = _row_nquads(added)
    for chunk in rows:
        store.write_documents([(Minter().claim_rows_graph(), chunk)])  # the chunk names its rows' graphs
    _merge_rows(store, added, fresh=not kept)
    counts = {k: kept.get(k, 0) + added["counts"].get(k, 0) for k in _ADDITIVE}
    counted = {**counts, **_member_counts(store)}
    stats = {k: counted.get(k, 0) for k in _STATS_ORDER}
    stats["quads"] = counts["document quads"] + sum(_graph_quads(store, graph) for graph in _added_to())
    answers = {"stats": stats, _STATE: {"counts": counts}, _CLAIM_ROWS: kept.get(_CLAIM_ROWS, 0) + added["claim_rows"]}
    graph = Minter().summary_graph()
    store.write_graphs([(graph, [Quad(_node(name), NKG.answer, _json(answer), graph) for name, answer in answers.items()])])


def _kept_counts(store: Store, added: Parts) -> dict[str, int] | None:
    """The kept state's counts (and of claim rows) when ``added`` can be merged into the kept
    rows: ``{}`` when the store holds no other documents, ``None`` when the summary keeps no
    usable state (none, another layout, or not covering every other document of the store)."""
    documents = added["counts"].get("documents", 0)
    counted = query(store, "SELECT (COUNT(?d) AS ?n) WHERE { ?d a schema:NewsArticle }").rows
    stored = int(counted[0]["n"].value)
    if stored == documents:  # the store holds these documents only: there is nothing to keep
        return {}
    state, claim_rows = _answer(store, _STATE, stale=True), _answer(store, _CLAIM_ROWS, stale=True)
    if state is None or claim_rows is None:
        return None
    if state["counts"]["documents"] + documents != stored:  # a build cut short wrote documents it did not merge
        return None
    return {**state["counts"], _CLAIM_ROWS: claim_rows}


def _drop_rows(store: Store) -> None:
    for name in (*SUMMARY_ROWS, *RETIRED_SUMMARY_ROWS):
        store.drop_graph(Minter().summary_rows_graph(name))


def summary_parts(documents: list[tuple[NamedNode, bytes]]) -> Parts:
    """The summary's parts of ``documents``, N-Quads as a build writes them (each document's
    graph and the shared facts of the entities it names), for :func:`refresh_summary` to merge.

    They are queried from a store in memory holding only these documents and the ontology:
    each document states the label and type of every entity it names, and what other
    documents say of an entity (aliases, mentions) is in their parts, so merged parts are
    those of the whole store. A build computes them in a process of its own while it extracts.
    """
    with open_store(":memory:", create=True) as batch:
        batch.ensure_ontology()
        batch.write_documents(documents)
        return _parts(batch)


#: Parts merged at a time by :func:`merge_parts`: merging each batch's into all before it
#: would cost the square of the batches.
PARTS_PER_MERGE = 8


def merge_parts(parts: Iterable[Parts], *, rows: BinaryIO) -> Parts:
    """Parts of several batches (:func:`summary_parts`) merged into one as they come, for
    :func:`refresh_summary`. What each batch adds to the graphs of rows (its claims' and
    timeline's rows, its members) goes to ``rows`` (a binary file, as N-Quads) instead: kept, a
    row per claim made the end of a long build its peak of memory (about 70 MiB per 1,000
    articles); what is merged holds the answers and the compact state only."""
    merged: list[Parts] = []
    pending: list[Parts] = []
    for part in parts:
        for chunk in _row_nquads(part):
            rows.write(chunk)
        pending.append({name: found for name, found in part.items() if name not in _ROW_PARTS})
        if len(pending) >= PARTS_PER_MERGE:
            merged, pending = [_merged(*merged, *pending)], []
    return _merged(*merged, *pending)


def _json(value: object) -> Literal:
    return Literal(json.dumps(value), datatype=_JSON)


def _parts(store: Store) -> Parts:
    """What the kept answers are derived from, queried from ``store``."""
    # here, not at the top: concurrent.futures brings logging, 8 ms on every question's start
    from concurrent.futures import ThreadPoolExecutor

    def members() -> dict[str, list[str]]:
        return {name: sorted({str(r["m"]) for r in rows(query(store, sparql))}) for name, sparql in _MEMBERS.items()}

    jobs: dict[str, Callable[[], Any]] = {
        "listing": lambda: _claim_listing(_rows(store, "claims")),  # the heaviest first
        "entities": functools.partial(_entities, store),
        "counts": lambda: {str(r["measure"]): int(r["count"]) for r in _rows(store, "stats")},  # type: ignore[call-overload]
        "sources": functools.partial(_source_rows, store),
        "topics": functools.partial(_rows, store, "source-topics"),
        "timeline": functools.partial(_timeline, store),
        "figures": lambda: _casualties(_rows(store, "figures")),
        "claim_entities": functools.partial(_rows, store, "claim-entities"),
        "members": members,
        "document_quads": lambda: store.count_quads(without=(*Minter().cache_graphs(), *_added_to())),
    }
    # The queries are independent: on the embedded store they run side by side, one core each.
    workers = min(len(jobs), os.cpu_count() or 1) if store.concurrent_queries else 1
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kg-summary") as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        parts = {name: future.result() for name, future in futures.items()}
    parts.update(_stance_part(parts["listing"], parts.pop("claim_entities")))
    parts["counts"]["document quads"] = parts.pop("document_quads")
    parts["claim_rows"] = len({str(row["claim"]) for row in parts["listing"]})
    return parts


def _member_quads(members: dict[str, list[str]]) -> Iterator[Quad]:
    """The members behind each distinct count, a quad each in the graph of members."""
    graph = Minter().summary_rows_graph("members")
    for name, found in members.items():
        node = NamedNode(f"{graph.value}/{name}")
        yield from (Quad(node, NKG.answer, _json(member), graph) for member in found)


# The graphs a build adds to or replaces (the shared facts, the ontology): their quads are
# counted whole at its end; those of every other graph but the summary's ("document quads",
# each document's graph written once) are summed over its batches' parts. Counting every quad
# at the end of each build had been a pass over the whole store (0.1 s at 520,000 quads).
def _added_to() -> tuple[NamedNode, ...]:
    return Minter().shared_graph(), ONTOLOGY_GRAPH_IRI


def _graph_quads(store: Store, graph: NamedNode) -> int:
    found = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}").rows
    return int(found[0]["n"].value)


def _member_counts(store: Store) -> dict[str, int]:
    """The distinct counts from the kept members (counted by the store: none is read)."""
    graph = Minter().summary_rows_graph("members")
    counted = {}
    for name in _MEMBERS:
        found = store.query(f"SELECT (COUNT(?m) AS ?n) WHERE {{ GRAPH {graph} {{ <{graph.value}/{name}> {NKG.answer} ?m }} }}")
        counted[name] = int(found.rows[0]["n"].value)
    return counted


#: Keys looked up by one query of a graph of keyed rows.
_KEYS_PER_QUERY = 1_000


class _Keyed:
    """One of the summary's graphs of keyed rows: a literal ``[key, value]`` per key, at a node
    named by a hash of the key, so that a merge reads and rewrites the rows of the keys it
    touches and no others."""

    def __init__(self, store: Store, name: str) -> None:
        self.store, self.graph = store, Minter().summary_rows_graph(name)
        self._kept: dict[str, Quad | None] = {}  # each key looked up: its kept quad, if any
        self._values: dict[str, Any] = {}  # the kept values parsed (a key put only is never parsed)

    def _node(self, key: str) -> NamedNode:
        return _keyed_node(self.graph, key)

    def _look_up(self, keys: Iterable[str]) -> None:
        wanted = [k for k in dict.fromkeys(keys) if k not in self._kept]
        for start in range(0, len(wanted), _KEYS_PER_QUERY):
            nodes = {self._node(k): k for k in wanted[start : start + _KEYS_PER_QUERY]}
            self._kept.update(dict.fromkeys(nodes.values()))
            sparql = f"SELECT ?row ?answer WHERE {{ GRAPH {self.graph} {{ ?row {NKG.answer} ?answer }} }}"
            for row in query(self.store, sparql, params={"row": list(nodes)}).rows:
                self._kept[nodes[row["row"]]] = Quad(row["row"], NKG.answer, row["answer"], self.graph)

    def get(self, keys: Iterable[str]) -> dict[str, Any]:
        """The kept values of ``keys`` (those that have one)."""
        keys = list(dict.fromkeys(keys))
        self._look_up(keys)
        unparsed = [k for k in keys if k not in self._values and self._kept[k] is not None]
        parsed = _parsed([{"answer": self._kept[k].object} for k in unparsed])  # type: ignore[union-attr]
        self._values.update((k, value) for k, (_, value) in zip(unparsed, parsed))
        return {k: self._values[k] for k in keys if self._kept[k] is not None}

    def put(self, values: dict[str, Any]) -> None:
        """Keep ``values`` in place of those kept for their keys (``None``: keep none)."""
        self._look_up(values)  # the kept quads, unparsed: a key must not be kept twice
        self.store.remove_quads([quad for k in values if (quad := self._kept[k]) is not None])
        quads = {k: Quad(self._node(k), NKG.answer, _json([k, v]), self.graph) for k, v in values.items() if v is not None}
        for k, v in values.items():
            self._kept[k] = quads.get(k)
            self._values[k] = v
        if quads:
            self.store.write_graphs([(self.graph, list(quads.values()))])


def _every_value(store: Store, name: str) -> list[Any]:
    """Every value kept in the graph of keyed rows ``name``."""
    return [value for _, value in _graph_literals(store, Minter().summary_rows_graph(name))]


def _kept_rows(store: Store, live: Callable[[Store], T], kept: Callable[[Store], T]) -> T:
    """``kept`` (an answer made of kept rows) while the summary is current, else ``live``."""
    return kept(store) if has_summary(store) else live(store)


def _merge_rows(store: Store, added: Parts, *, fresh: bool = False) -> None:
    """Merge the entities, sources, casualty figures and stance records of ``added`` into the
    summary's graphs of keyed rows, with the conflicts they change; ``fresh``: the graphs keep
    no rows of other documents (dropped, to be written anew)."""
    _merge_entities(store, added["entities"])
    _merge_sources(store, added["sources"], added["topics"])
    _merge_figures(store, added["figures"])
    _merge_stances(store, added, fresh=fresh)


def _grouped(found: Iterable[Row], key: str) -> dict[str, list[Row]]:
    """``found`` by the value of ``key`` as text, in the order each first comes."""
    by: dict[str, list[Row]] = defaultdict(list)
    for row in found:
        by[str(row.get(key))].append(row)
    return by


def _merge_entities(store: Store, found: list[Row]) -> None:
    rows_ = _Keyed(store, "entities")
    added = _grouped(found, "entity")
    kept = rows_.get(added)
    rows_.put({e: _merged_entities(kept.get(e, []), new) for e, new in added.items()})


def _kept_entities(store: Store) -> list[Row]:
    return _by_mentions([row for found in _every_value(store, "entities") for row in found])


def _merge_sources(store: Store, found: list[Row], topics: list[Row]) -> None:
    """A source's rows (one per entity it resolves to) and its topic counts, kept by its name."""
    rows_ = _Keyed(store, "sources")
    added, added_topics = _grouped(found, "source"), _grouped(topics, "source")
    kept = rows_.get([*added, *added_topics])
    merged = {}
    for source in dict.fromkeys([*added, *added_topics]):
        old = kept.get(source, {"rows": [], "topics": []})
        merged[source] = {"rows": _merged_sources(old["rows"], added.get(source, [])),
                          "topics": _summed([*old["topics"], *added_topics.get(source, [])], ("source", "label"), "claims")}  # fmt: skip
    rows_.put(merged)


def _kept_sources(store: Store) -> list[Row]:
    kept = _every_value(store, "sources")
    return _with_topics([row for found in kept for row in found["rows"]], [row for found in kept for row in found["topics"]])


def _merge_figures(store: Store, found: list[Row]) -> None:
    """Keep each casualty figure record of ``found`` (a counted actor's) that is new or comes
    before the figure kept for it; the conflicts are paired from the records when asked.

    A row of each actor's figures and one of their conflicts had been read and rewritten by
    every build adding a figure for it: they grew with the articles about the actor, and the
    conflicts with the square of its records."""
    records = _Keyed(store, "figures")
    new: dict[str, Row] = {}
    for row in found:
        key = json.dumps([row.get(k) for k in _FIGURE_KEY])
        if row.get("subject") is not None and (key not in new or _figure_order(row) < _figure_order(new[key])):
            new[key] = row
    kept = records.get(new)
    records.put({k: row for k, row in new.items() if k not in kept or _figure_order(row) < _figure_order(kept[k])})


def _merge_stances(store: Store, added: Parts, *, fresh: bool = False) -> None:
    """Merge the stance records of ``added`` (one per source, stance and content: the first in
    listing order) and the conflicts they change.

    Kept by record key in "stances", indexed by the actors they name in "stance-index"
    (:class:`_StanceIndex`), the actors' labels in "stance-labels", the conflicts a pair each
    (:class:`_StancePairs`). A denial pairs with an assertion by another source naming every
    actor it names and at most twice as many; the pairs of a record change when it is new or
    another claim now stands for it, and only those are removed and found anew. A pair keeps
    the claims and the denial's actors, not the rows and labels shown: those are read with the
    conflicts (a new label changes no pair). ``fresh``: no record is kept but those added, so
    every denial is new and its pairs are all found from its side."""
    records, labels = _Keyed(store, "stances"), _Keyed(store, "stance-labels")
    index, pairs = _StanceIndex(store, records), _StancePairs(store)
    new = _stance_records(added)
    kept = records.get(new)
    changed = {k: r for k, r in new.items() if k not in kept or r["order"] < kept[k]["order"]}
    records.put(changed)
    index.replace({k: kept[k] for k in changed if k in kept}, changed)
    asserted = {k: r for k, r in changed.items() if r["stance"] == Stance.ASSERTED.value}
    denied = {k: r for k, r in changed.items() if k not in asserted}
    pairs.remove(denials=[k for k in denied if k in kept], assertions=[k for k in asserted if k in kept])
    found: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}
    topics = sorted({frozenset(r["named"]) for r in denied.values() if r["named"]}, key=sorted)
    candidates = dict(zip(topics, index.assertions_pairing(topics)))
    for d, denial in denied.items():  # every pair of a changed denial
        for a, assertion in candidates.get(frozenset(denial["named"]), {}).items():
            found[(d, a)] = (denial, assertion)
    for (d, a), sides in ({} if fresh else index.denials_pairing(asserted)).items():  # a changed assertion's pairs
        if d not in denied:  # the other denials: a changed one's pairs are all found above
            found[(d, a)] = sides
    pairs.add({key: sides for key, sides in found.items() if sides[0]["source"] != sides[1]["source"]})
    known = labels.get(added["labels"])
    labels.put({e: label for e, label in added["labels"].items() if known.get(e) != label})


class _StancePairs:
    """The stance conflicts, a quad per pair of a denial and an assertion: at the denial's node in
    "stance-conflicts" and again at the assertion's in "stance-pairs", the same literal, so that
    a merge finds the pairs of the records it changes from either side. A row of each denial's
    pairs had been rewritten whenever an assertion paired with it: it grew with the assertions
    about its actors (220 pairs a denial, 82,000 rewritten by a merge of 20 articles into 4,000
    whose every claim named one actor)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.graphs = (Minter().summary_rows_graph("stance-conflicts"), Minter().summary_rows_graph("stance-pairs"))

    def _quads(self, answer: Literal, pair: dict[str, Any]) -> tuple[Quad, Quad]:
        """The pair's quad at its denial's node and at its assertion's."""
        by_denial, by_assertion = self.graphs
        return (Quad(_keyed_node(by_denial, pair["d"]), NKG.answer, answer, by_denial),
                Quad(_keyed_node(by_assertion, pair["a"]), NKG.answer, answer, by_assertion))  # fmt: skip

    def of(self, *, denials: list[str], assertions: list[str]) -> list[tuple[Literal, dict[str, Any]]]:
        """Every pair of ``denials`` and of ``assertions`` (record keys), its literal and value
        (a pair of one of each comes twice)."""
        found: list[tuple[Literal, dict[str, Any]]] = []
        for graph, keys in zip(self.graphs, (denials, assertions)):
            for start in range(0, len(keys), _KEYS_PER_QUERY):
                nodes = [_keyed_node(graph, k) for k in keys[start : start + _KEYS_PER_QUERY]]
                rows_ = query(self.store, f"SELECT ?answer WHERE {{ GRAPH {graph} {{ ?row {NKG.answer} ?answer }} }}",
                              params={"row": nodes}).rows  # fmt: skip
                found.extend(zip((row["answer"] for row in rows_), _parsed(rows_)))
        return found

    def remove(self, *, denials: list[str], assertions: list[str]) -> None:
        """Remove every pair of ``denials`` and of ``assertions`` (record keys)."""
        found = self.of(denials=denials, assertions=assertions)
        self.store.remove_quads([quad for answer, pair in found for quad in self._quads(answer, pair)])

    def add(self, found: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]) -> None:
        """Keep the pairs ``found``: (denial key, assertion key) → their records. Written as
        N-Quads, :data:`ROWS_PER_WRITE` lines at a time: made and written as ``Quad`` objects, the
        89,000 pairs of a first build of 4,000 articles were most of its end (4.9 s; 2.6 s so)."""
        by_denial, by_assertion = (graph.value for graph in self.graphs)
        hashes: dict[str, str] = {}  # a record's, once: it takes part in many pairs

        def node(graph: str, key: str) -> str:
            if key not in hashes:
                hashes[key] = _key_hash(key)
            return f"{graph}/{hashes[key]}"  # as _keyed_node names it

        def lines() -> Iterator[str]:
            for (d, a), (denial, assertion) in found.items():
                pair = json.dumps({"d": d, "a": a, "order": [denial["order"], assertion["order"], assertion["claim"]],
                                   "denial": denial["claim"], "assertion": assertion["claim"], "named": denial["named"]})  # fmt: skip
                yield _json_nquad(node(by_denial, d), pair, by_denial)
                yield _json_nquad(node(by_assertion, a), pair, by_assertion)

        quads = lines()
        while chunk := list(itertools.islice(quads, ROWS_PER_WRITE)):
            self.store.write_documents([(self.graphs[0], "".join(chunk).encode())])  # the lines name their graphs


_ANSWER = str(NKG.answer)  # once: the namespace builds a NamedNode per lookup


def _json_nquad(node: str, value: str, graph: str) -> str:
    """The N-Quads line of ``node``'s answer ``value`` (JSON text from ``json.dumps``: ASCII
    without control characters, so quotes and backslashes are all a literal must escape)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'<{node}> {_ANSWER} "{escaped}"^^{_JSON} <{graph}> .\n'


def _keyed_node(graph: NamedNode, key: str) -> NamedNode:
    """The node of ``key`` in one of the summary's graphs of rows."""
    return NamedNode(f"{graph.value}/{_key_hash(key)}")


def _key_hash(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()


#: Groups of index nodes joined by one query of the stance index.
_GROUPS_PER_QUERY = 200


class _StanceIndex:
    """The stance records naming each actor, for a merge to ask the store for those that can
    pair with the records it adds instead of reading all of an actor's: a row of every record
    naming an actor had grown with the actor (1.4 KB per article for Ukraine over the evaluation
    articles), read and rewritten by each build naming it.

    A quad per record and actor it names, at a node for the actor, the record's side
    (assertions, denials) and how many actors it names, whose object is the record's node in
    "stances". A denial naming ``t`` actors pairs only with assertions naming them all and at most
    ``2t``: a join of ``t`` nodes for each size from ``t`` to ``2t``."""

    def __init__(self, store: Store, records: _Keyed) -> None:
        self.store, self.records = store, records
        self.graph = Minter().summary_rows_graph("stance-index")

    def _node(self, actor: str, side: str, size: int) -> NamedNode:
        return NamedNode(f"{_keyed_node(self.graph, actor).value}/{side}/{size}")

    def _quads(self, records: dict[str, dict[str, Any]]) -> list[Quad]:
        quads = []
        for key, record in records.items():
            named, row = record["named"], self.records._node(key)
            side = "assertions" if record["stance"] == Stance.ASSERTED.value else "denials"
            quads.extend(Quad(self._node(e, side, len(named)), NKG.answer, row, self.graph) for e in named)
        return quads

    def replace(self, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> None:
        """Index the records ``new`` in place of ``old`` (the kept records of the same keys)."""
        self.store.remove_quads(self._quads(old))
        if quads := self._quads(new):
            self.store.write_graphs([(self.graph, quads)])

    def _records(self, groups: list[list[NamedNode]]) -> list[dict[str, dict[str, Any]]]:
        """For each group of index nodes, the records indexed at every node of it, by key."""
        found: list[dict[str, dict[str, Any]]] = [{} for _ in groups]
        for start in range(0, len(groups), _GROUPS_PER_QUERY):
            union = " UNION ".join(
                f"{{ BIND({n} AS ?group) {' . '.join(f'{node} {NKG.answer} ?row' for node in group)} }}"
                for n, group in enumerate(groups[start : start + _GROUPS_PER_QUERY], start)
            )
            sparql = (f"SELECT ?group ?answer WHERE {{ GRAPH {self.graph} {{ {union} }} "
                      f"GRAPH {self.records.graph} {{ ?row {NKG.answer} ?answer }} }}")  # fmt: skip
            rows_ = self.store.query(sparql).rows
            for row, (key, record) in zip(rows_, _parsed(rows_)):
                found[int(row["group"].value)][key] = record
        return found

    def assertions_pairing(self, topics: list[frozenset[str]]) -> list[dict[str, dict[str, Any]]]:
        """For each topic (the actors a denial names), the assertions it can pair with."""
        groups = [(i, [self._node(e, "assertions", size) for e in sorted(topic)])
                  for i, topic in enumerate(topics) for size in range(len(topic), 2 * len(topic) + 1)]  # fmt: skip
        found: list[dict[str, dict[str, Any]]] = [{} for _ in topics]
        for (i, _), records in zip(groups, self._records([nodes for _, nodes in groups])):
            found[i].update(records)
        return found

    def denials_pairing(self, assertions: dict[str, dict[str, Any]]) -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]:
        """The denials each of ``assertions`` (records by key) can pair with, as (denial key,
        assertion key) → (denial, assertion): those naming some of its actors and at least half."""
        naming: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # the assertions naming each actor
        for a, assertion in assertions.items():
            for e in assertion["named"]:
                naming[e][a] = assertion
        groups = sorted({(e, size) for assertion in assertions.values() for e in assertion["named"]
                         for size in range((len(assertion["named"]) + 1) // 2, len(assertion["named"]) + 1)})  # fmt: skip
        found = {k: r for records in self._records([[self._node(e, "denials", size)] for e, size in groups]) for k, r in records.items()}
        # a pair's assertion names every actor of the denial: its first among them
        return {(d, a): (denial, assertion) for d, denial in found.items() for a, assertion in naming[denial["named"][0]].items()
                if _can_pair(set(denial["named"]), set(assertion["named"]))}  # fmt: skip


def _stance_records(added: Parts) -> dict[str, dict[str, Any]]:
    """The stance records of ``added`` by key (source, stance, content), each with its place in
    the listing order, its claim and the actors it names."""
    found: dict[str, dict[str, Any]] = {}
    for published, document, records in added["stances"]:
        for rank, (claim, source, stance, content) in enumerate(records):
            found[json.dumps([source, stance, content])] = {
                "order": [*_order_of(published, document), rank], "claim": claim, "source": source,
                "stance": stance, "named": added["named"].get(claim, []),
            }  # fmt: skip
    return found


def _can_pair(topic: set[str], said: set[str]) -> bool:
    """Whether a denial naming ``topic`` is about the same actors as an assertion naming
    ``said``, not a wider story that merely names them."""
    return bool(topic) and topic.issubset(said) and 2 * len(topic) >= len(said)


def _kept_conflicts(store: Store, wanted: set[object] | None = None) -> list[Row]:
    """The kept conflicts; ``wanted``: only those with a claim of it, the stance pairs read from
    the nodes of the stance records standing for those claims (the others are not read)."""
    figures = _figure_conflicts(sorted(_every_value(store, "figures"), key=_figure_order))
    if wanted is not None:
        figures = [c for c in figures if _involves(c, wanted)]
    if wanted is None:
        stances = _graph_literals(store, Minter().summary_rows_graph("stance-conflicts"))
    else:
        records = [(k, r) for k, r in _graph_literals(store, Minter().summary_rows_graph("stances")) if r["claim"] in wanted]
        found = _StancePairs(store).of(denials=[k for k, r in records if r["stance"] != Stance.ASSERTED.value],
                                       assertions=[k for k, r in records if r["stance"] == Stance.ASSERTED.value])  # fmt: skip
        stances = list({(pair["d"], pair["a"]): pair for _, pair in found}.values())
    stances.sort(key=lambda pair: pair["order"])
    labels = _Keyed(store, "stance-labels").get({e for pair in stances for e in pair["named"]})
    shown = {c for pair in stances for c in (pair["denial"], pair["assertion"])}
    # each claim's side and each set of actors' subject made once: a claim takes part in many pairs
    sides = {c: _side(row) for c, row in _first_rows(_claim_rows(store, sorted(shown))).items()} if shown else {}
    subjects = {named: ", ".join(sorted(labels[e] for e in named)) for named in {tuple(pair["named"]) for pair in stances}}
    return [*figures,
            *(_conflict("stance", subjects[tuple(pair["named"])], sides[pair["denial"]], sides[pair["assertion"]]) for pair in stances)]  # fmt: skip


def _merged(*parts: Parts) -> Parts:
    """The parts of several sets of documents, as the queries would give them for all together
    (their listing rows aside: a merge writes them as they are)."""

    def every(name: str) -> list[Row]:
        return [row for part in parts for row in part[name]]

    return {
        "counts": {k: sum(part["counts"].get(k, 0) for part in parts) for k in _ADDITIVE},
        "entities": _merged_entities(*(part["entities"] for part in parts)),
        "sources": _merged_sources(*(part["sources"] for part in parts)),
        "topics": _summed(every("topics"), ("source", "label"), "claims"),
        "figures": sorted(every("figures"), key=_figure_order),
        "claim_rows": sum(part["claim_rows"] for part in parts),
        # a claim is named in its document's part only; a later part's label wins, as in one query's rows
        **_stances_kept(sorted(every("stances"), key=lambda d: _order_of(d[0], d[1])),
                        {c: found for part in parts for c, found in part["named"].items()},
                        {e: label for part in parts for e, label in part["labels"].items()}),  # fmt: skip
    }


def _merged_entities(*answers: list[Row]) -> list[Row]:
    merged: dict[str, dict[str, Any]] = {}
    for found in answers:
        counted: set[str] = set()
        for row in found:
            entity = str(row["entity"])
            m = merged.setdefault(entity, {"labels": set(), "types": set(), "aliases": set(), "mentions": 0, "documents": 0})
            m["labels"].add(row["label"])
            m["types"].add(row["type"])
            m["aliases"].update(row["aliases"])  # type: ignore[arg-type]
            if entity not in counted:  # each of an entity's rows (one per label and type) holds its totals
                counted.add(entity)
                m["mentions"] += row["mentions"]
                m["documents"] += row["documents"]
    return [
        {"entity": e, "label": label, "type": kind, "aliases": sorted(m["aliases"]), "mentions": m["mentions"], "documents": m["documents"]}
        for e, m in merged.items() for label in sorted(m["labels"]) for kind in sorted(m["types"])
    ]  # fmt: skip


def _merged_sources(*found: list[Row]) -> list[Row]:
    merged: dict[tuple[object, object], Row] = {}
    for rows_ in found:
        for row in rows_:
            key = (row["source"], row.get("sourceEntity"))
            if (m := merged.get(key)) is None:
                merged[key] = dict(row)
                continue
            m["claims"] += row["claims"]  # type: ignore[operator]
            m["documents"] += row["documents"]  # type: ignore[operator]
            for k in ("stances", "relayedBy"):
                m[k] = sorted({*m[k], *row[k]})  # type: ignore[misc]
    return list(merged.values())


def _summed(found: list[Row], keys: tuple[str, ...], count: str) -> list[Row]:
    merged: dict[tuple[object, ...], Row] = {}
    for row in found:
        key = tuple(row[k] for k in keys)
        merged[key] = {**row, count: merged[key][count] + row[count]} if key in merged else row  # type: ignore[operator]
    return list(merged.values())


def has_summary(store: Store) -> bool:
    """Whether the store keeps whole-store answers that are current, in this layout (a build
    that writes nothing renews a summary of an older one)."""
    return store.query(f"ASK {{ {_node(_STATE)} {NKG.answer} ?state {_if_current()} }}").boolean is True


def mark_summary_stale(store: Store) -> None:
    """Say the kept answers are out of date (before the store changes): the questions are then
    answered live until :func:`refresh_summary` runs, and the kept state stays for it."""
    graph = Minter().summary_graph()
    store.write_graph(graph, [Quad(_node(_STALE), NKG.answer, _json(True), graph)])


def drop_summary(store: Store) -> None:
    """Forget the kept answers, state and claim rows."""
    for graph in Minter().cache_graphs():
        store.drop_graph(graph)
