"""Plain data handed from one pipeline stage to the next.

documents → extraction → resolution → mapping. Nothing here knows about spaCy or RDF.
Offsets are Unicode code-point offsets into ``Document.text`` (Python ``str`` indices),
end exclusive, and every ``Span.text`` equals ``document.text[span.start:span.end]``.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum


def name_key(name: str) -> str:
    """A name folded for lookup: case- and accent-insensitive, spaces and punctuation collapsed.

    >>> name_key("  Zelenskyy, Volodýmyr ")
    'zelenskyy volodymyr'
    >>> name_key("HUR’s") == name_key("hur's")
    True
    """
    decomposed = unicodedata.normalize("NFKD", name.replace("’", "'"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() or c == "'" else " " for c in bare).split())


@dataclass(frozen=True, slots=True)
class Span:
    """Evidence: the exact characters of the document a thing came from.

    >>> text = "HUR said so."
    >>> Span.of(text, 0, 3)
    Span(start=0, end=3, text='HUR')
    """

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        return cls(start, end, text[start:end])


class SpanIndex:
    """Stretches of text (start, end pairs) sorted by start, to find those near a place
    without scanning them all: a scan per mention or figure made an article of one long line
    quadratic (6,000 claims in 580,000 characters took 158 s).

    >>> index = SpanIndex([(0, 3), (9, 11), (4, 6)])
    >>> index.near(5, 9)
    [1, 2]
    >>> index.starting(4, 9)
    [1, 2]
    """

    __slots__ = ("_longest", "_order", "_starts")

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        pairs = list(spans)
        self._order = sorted(range(len(pairs)), key=lambda i: pairs[i][0])
        self._starts = [pairs[i][0] for i in self._order]
        self._longest = max((end - start for start, end in pairs), default=0)

    def starting(self, first: int, last: int) -> list[int]:
        """The indices, in input order, of the stretches starting from ``first`` to ``last``
        (both included)."""
        return sorted(self._order[bisect.bisect_left(self._starts, first) : bisect.bisect_right(self._starts, last)])

    def near(self, first: int, last: int) -> list[int]:
        """The indices, in input order, of every stretch that may share a character with
        ``first`` to ``last`` (both included): those starting from ``first`` less the longest
        one's length up to ``last``. The caller checks them exactly."""
        return self.starting(first - self._longest, last)


@dataclass(frozen=True, slots=True)
class Document:
    """One news article: its text, its metadata and its identity (SHA-256 of the text)."""

    id: str  # hex SHA-256 of the UTF-8 text: the content hash that keys ingest
    text: str
    path: str | None = None  # where it was read from (file, or file#line for jsonl)
    title: str | None = None
    url: str | None = None
    published: date | None = None
    publisher: str | None = None
    language: str = "en"


class EntityKind(str, Enum):
    """Kinds of entity. Each value is the local name of the ontology class (``nkg:<value>``)."""

    PERSON = "Person"
    COUNTRY = "Country"  # a state: both a place and an actor
    REGION = "Region"  # province, oblast, region, state of a country
    SETTLEMENT = "Settlement"  # city, town, village
    LOCATION = "Location"  # any other place (front line, river, border area)
    ARMED_FORCES = "ArmedForces"  # a state's military or one of its branches
    MILITARY_UNIT = "MilitaryUnit"  # a named unit, brigade, battalion, militia
    INTELLIGENCE_AGENCY = "IntelligenceAgency"
    GOVERNMENT_AGENCY = "GovernmentAgency"  # ministries, presidential office, agencies
    NEWS_OUTLET = "NewsOutlet"
    INTERNATIONAL_ORGANIZATION = "InternationalOrganization"
    ORGANIZATION = "Organization"  # any other organisation (company, party, NGO)
    GROUP = "Group"  # an unnamed group of people: "North Korean soldiers"

    @property
    def is_place(self) -> bool:
        return self in _PLACES

    @property
    def family(self) -> str:
        """Coarse type for matching and consistency votes: PER, LOC, ORG or GRP (a group)."""
        if self is EntityKind.PERSON:
            return "PER"
        if self.is_place:
            return "LOC"
        return "GRP" if self is EntityKind.GROUP else "ORG"

    @property
    def is_actor(self) -> bool:
        """Whether the kind can act and claim (is under ``prov:Agent``)."""
        return self not in (EntityKind.REGION, EntityKind.SETTLEMENT, EntityKind.LOCATION)


_PLACES = frozenset({EntityKind.COUNTRY, EntityKind.REGION, EntityKind.SETTLEMENT, EntityKind.LOCATION})


@dataclass(slots=True)
class Mention:
    """A surface mention of an entity, as found by extraction (before resolution)."""

    span: Span
    kind: EntityKind
    key: str | None = None  # gazetteer id when the gazetteer knows it ("hur", "north-korea")
    affiliation: str | None = None  # gazetteer id of the state a group/agency belongs to
    descriptive: bool = False  # "Ukraine's intelligence agency": resolve to a named entity
    title: Span | None = None  # a person's title of address right before the name: "President", "Dr."


class Stance(str, Enum):
    """The stance of a source towards a claim; values are ontology individuals (``nkg:<value>``)."""

    ASSERTED = "Asserted"
    DENIED = "Denied"
    DECLINED_TO_COMMENT = "DeclinedToComment"
    NEITHER_CONFIRMED_NOR_DENIED = "NeitherConfirmedNorDenied"


class Hedge(str, Enum):
    """How a figure is hedged; values are ontology individuals (``nkg:<value>``)."""

    APPROXIMATELY = "Approximately"  # "an estimated 200", "about", "some"
    AT_LEAST = "AtLeast"  # "at least 30"
    MORE_THAN = "MoreThan"  # "more than 10,000"
    AT_MOST = "AtMost"  # "at most", "up to"
    LESS_THAN = "LessThan"  # "fewer than", "less than"


class TimeKind(str, Enum):
    """XSD datatype of a normalised time expression (or an interval)."""

    DATE = "date"  # 2024-12-14
    MONTH_DAY = "gMonthDay"  # --12-14: month and day, year unknown
    YEAR_MONTH = "gYearMonth"  # 2024-11
    YEAR = "gYear"  # 2024
    MONTH = "gMonth"  # --11: a month, year unknown


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """A normalised time expression. ``value`` is the lexical form of ``kind``'s datatype.

    An interval ("early November") has ``start`` and ``end`` as well (same datatype).
    Without a publication date a month and day stays a month and day, never a guessed year.
    """

    span: Span
    kind: TimeKind
    value: str
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A figure with its hedge: "an estimated 200" (value 200, Approximately),
    "at least 30" (min 30, AtLeast), "between 10 and 20" (min 10, max 20)."""

    span: Span
    value: float | None = None
    min_value: float | None = None
    max_value: float | None = None
    hedge: Hedge | None = None
    measure: str | None = None  # what happened to them: killed, injured, "killed or injured", captured, gathered
    counts: str | None = None  # what is counted, as written: "North Korean soldiers"
    counts_mention: int | None = None  # index into Extraction.mentions of what is counted


class RelationType(str, Enum):
    """Direct entity-to-entity relations; values are ontology properties (``nkg:<value>``)."""

    ATTACKED = "attacked"
    FIGHTS_FOR = "fightsFor"
    FIGHTS_ALONGSIDE = "fightsAlongside"
    FIGHTS_AGAINST = "fightsAgainst"
    LOCATED_IN = "locatedIn"
    PART_OF = "partOf"
    LEADER_OF = "leaderOf"
    MEMBER_OF = "memberOf"
    DEPLOYED_IN = "deployedIn"
    AFFILIATED_WITH = "affiliatedWith"  # a group or agency and the state it belongs to
    WORKS_FOR = "worksFor"
    BASED_IN = "basedIn"  # organisation based in a place
    LIVES_IN = "livesIn"
    KILLED = "killed"


@dataclass(frozen=True, slots=True)
class Relation:
    """A direct relation between two mentions (indices into ``Extraction.mentions``)."""

    subject: int
    predicate: RelationType
    object: int
    evidence: Span  # the clause or sentence stating it


class EventKind(str, Enum):
    """Kinds of event; values are ontology classes (``nkg:<value>``)."""

    ATTACK = "Attack"
    CLASH = "Clash"
    DEPLOYMENT = "Deployment"
    CASUALTIES = "Casualties"
    STATEMENT = "Statement"
    GATHERING = "Gathering"
    REGULATION = "Regulation"


@dataclass(slots=True)
class Event:
    """Who did what to whom, where and when. Roles hold mention indices."""

    kind: EventKind
    trigger: Span
    evidence: Span
    agents: list[int] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    places: list[int] = field(default_factory=list)
    time: TimeExpr | None = None
    cause: Span | None = None
    quantity: Quantity | None = None


@dataclass(slots=True)
class Claim:
    """Who claims what, relayed by whom, when, with which stance and hedge, from which text.

    ``source``/``reporter`` are mention indices; ``source_span`` keeps the source as written
    even when it is unnamed ("a Pyongyang official"). ``events`` and ``relations`` are indices
    into the extraction's lists: what the claim is about.
    """

    content: Span
    evidence: Span  # the whole attributed statement: source, cue and content
    stance: Stance = Stance.ASSERTED
    source: int | None = None
    source_span: Span | None = None
    cue: Span | None = None
    reporter: int | None = None
    reporter_cue: Span | None = None
    hedge: Hedge | None = None
    date: TimeExpr | None = None
    qualifier: str | None = None  # "initially", "later", "previously": a change of stance over time
    quantities: list[Quantity] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    relations: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Extraction:
    """Everything the extractor found in one document."""

    document: Document
    mentions: list[Mention] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    times: list[TimeExpr] = field(default_factory=list)
    extractor: str = ""  # versioned name of the extractor, e.g. "newskg.rules.v1"
    model: str = ""  # name and version of the statistical model, e.g. "en_core_web_sm 3.8.0"


@dataclass(slots=True)
class Entity:
    """A resolved entity: one node, however many surface forms."""

    key: str  # stable identity across documents: gazetteer id or kind + normalised name
    label: str  # canonical name
    kind: EntityKind
    aliases: set[str] = field(default_factory=set)  # other surface forms
    mentions: list[Span] = field(default_factory=list)
    merges: list[tuple[str, str]] = field(default_factory=list)  # (surface form, why it was merged)
    geonames_id: int | None = None
    wikidata_id: str | None = None  # only when shipped in the gazetteer: never invented


@dataclass(frozen=True, slots=True)
class EntityRelation:
    """A relation between two resolved entities (indices into ``Resolution.entities``)."""

    subject: int
    predicate: RelationType
    object: int
    evidence: Span


@dataclass(slots=True)
class Resolution:
    """The extraction with its mentions resolved to entities.

    ``relations`` holds the extraction's relations lifted to entities (deduplicated) plus the
    ones resolution itself knows, such as a group tied to its state ("North Korean soldiers"
    affiliatedWith North Korea).
    """

    extraction: Extraction
    entities: list[Entity]
    mention_entity: list[int | None]  # for each mention, index into ``entities`` (None: dropped)
    relations: list[EntityRelation] = field(default_factory=list)
