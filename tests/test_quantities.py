"""kg.extract.quantities: casualty and force figures with hedges, with the real pipeline."""

from __future__ import annotations

import pytest

from kg.extract.mentions import find_mentions
from kg.extract.quantities import find_quantities
from kg.model import EntityKind, Hedge, Mention, Span


@pytest.fixture(scope="module")
def seed(nlp, seed_text):
    doc = nlp(seed_text)
    mentions = find_mentions(doc)
    return doc, mentions, {q.span.text: q for q in find_quantities(doc, mentions)}


def figures(nlp, text: str, mentions: list[Mention] | None = None):
    return [
        (q.span.text, q.value, q.min_value, q.max_value, q.hedge, q.measure, q.counts)
        for q in find_quantities(nlp(text), mentions or [])
    ]


def test_seed_an_estimated_200(seed):
    doc, _, found = seed
    q = found["an estimated 200"]
    assert (q.value, q.hedge, q.measure) == (200, Hedge.APPROXIMATELY, "killed")
    assert q.counts == "soldiers from mixed Russian and North Korean units"
    assert doc.text[q.span.start : q.span.end] == "an estimated 200"


def test_seed_at_least_30_killed_or_injured(seed):
    doc, mentions, found = seed
    q = found["at least 30"]
    assert (q.min_value, q.value, q.max_value, q.hedge) == (30, None, None, Hedge.AT_LEAST)
    assert (q.measure, q.counts) == ("killed or injured", "North Korean soldiers")
    assert mentions[q.counts_mention].span.text == "North Korean soldiers"


def test_seed_more_than_10000_gathered(seed):
    _, mentions, found = seed
    q = found["more than 10,000"]
    assert (q.min_value, q.hedge, q.measure) == (10000, Hedge.MORE_THAN, "gathered")
    assert mentions[q.counts_mention].kind is EntityKind.GROUP


def test_seed_eight_members_of_a_russian_unit(seed):
    _, mentions, found = seed
    q = found["8"]
    assert (q.value, q.hedge, q.measure, q.counts) == (8, None, "killed", "members of a Russian unit")
    assert mentions[q.counts_mention].span.text.endswith("Russian unit")  # the unit the members are of
    assert set(found) == {"8", "an estimated 200", "at least 30", "more than 10,000"}  # no dates


A, LT, GT, UPTO = Hedge.APPROXIMATELY, Hedge.LESS_THAN, Hedge.MORE_THAN, Hedge.AT_MOST


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Up to 40 soldiers went missing.", ("Up to 40", None, None, 40, UPTO, "missing", "soldiers")),
        ("Fewer than 100 troops were deployed.", ("Fewer than 100", None, None, 100, LT, "deployed", "troops")),
        ("Between 10 and 20 men were captured.", ("Between 10 and 20", None, 10, 20, None, "captured", "men")),
        ("Some 300 civilians were evacuated.", ("Some 300", 300, None, None, A, "evacuated", "civilians")),
        ("Nearly 1,200 soldiers were killed.", ("Nearly 1,200", 1200, None, 1200, A, "killed", "soldiers")),
        ("Eight marines were wounded.", ("Eight", 8, None, None, None, "wounded", "marines")),
        ("Two dozen tanks were destroyed.", ("Two dozen", 24, None, None, None, None, "tanks")),
        ("Dozens of civilians were injured.", ("Dozens", None, 24, 99, A, "injured", "civilians")),
        ("More than a dozen drones were launched.", ("More than a dozen", None, 12, None, GT, None, "drones")),
        ("Tens of thousands of people fled.", ("Tens of thousands", None, 20000, 99999, A, "fled", "people")),
        ("The death toll rose to 45.", ("45", 45, None, None, None, "killed", None)),
        ("The shelling left 12 dead.", ("12", 12, None, None, None, "killed", None)),
    ],
)
def test_hedges_ranges_and_measures(nlp, text, expected):
    assert figures(nlp, text) == [expected]


def test_ranges_with_a_dash(nlp):
    assert figures(nlp, "In all, 10-20 were hurt.") == [("10-20", None, 10, 20, None, "injured", None)]


def test_numbers_that_are_not_force_figures(nlp):
    text = (
        "On December 14, 2024, at 10:30, the 155th brigade's F-16 jets flew 300 km. The budget grew 20 percent "
        "to $5 million. John Smith, 50, of Boston said one of them left in 2023."
    )
    assert figures(nlp, text) == []


def test_counted_mention(nlp):
    doc = nlp("At least 12 Ukrainian soldiers were killed.")
    start = doc.text.index("Ukrainian soldiers")
    group = Mention(Span.of(doc.text, start, start + len("Ukrainian soldiers")), EntityKind.GROUP)
    (q,) = find_quantities(doc, [group])
    assert (q.counts, q.counts_mention, q.measure) == ("Ukrainian soldiers", 0, "killed")
