"""kg.extract.timex: dates normalised against the publication date, with the real pipeline."""

from __future__ import annotations

from datetime import date

import pytest

from kg.extract.timex import find_times
from kg.model import TimeKind

PUBLISHED = date(2024, 12, 16)  # a Monday


def times(nlp, text: str, published: date | None):
    return [(t.span.text, t.kind, t.value, t.start, t.end) for t in find_times(nlp(text), published=published)]


def test_seed_december_14_with_publication_date(nlp, seed_text):
    found = find_times(nlp(seed_text), published=PUBLISHED)
    dec14 = [t for t in found if t.span.text == "December 14"]
    assert len(dec14) == 2
    for t in dec14:
        assert (t.kind, t.value) == (TimeKind.DATE, "2024-12-14")
        assert seed_text[t.span.start : t.span.end] == "December 14"
    assert any(t.value == "2024-12-15" for t in found)


def test_seed_without_publication_date_keeps_month_and_day(nlp, seed_text):
    found = find_times(nlp(seed_text), published=None)
    dec14 = next(t for t in found if t.span.text == "December 14")
    assert (dec14.kind, dec14.value) == (TimeKind.MONTH_DAY, "--12-14")
    early = next(t for t in found if t.span.text == "early November")
    assert (early.kind, early.value, early.start, early.end) == (TimeKind.MONTH_DAY, "--11-01", "--11-01", "--11-10")
    assert all(t.kind is not TimeKind.DATE for t in found)  # never a guessed year


def test_seed_early_november_interval(nlp, seed_text):
    found = find_times(nlp(seed_text), published=PUBLISHED)
    early = next(t for t in found if t.span.text == "early November")
    assert seed_text[early.span.start : early.span.end] == "early November"
    assert (early.kind, early.start, early.end) == (TimeKind.DATE, "2024-11-01", "2024-11-10")
    assert early.value == early.start


def test_explicit_year_stays_as_written(nlp):
    assert times(nlp, "The strike came on December 14, 2024.", None) == [
        ("December 14, 2024", TimeKind.DATE, "2024-12-14", None, None)
    ]
    assert times(nlp, "It was signed on 3 March 2022.", PUBLISHED)[0][2] == "2022-03-03"
    assert times(nlp, "On 2024-11-03 the column moved.", None)[0][2] == "2024-11-03"


@pytest.mark.parametrize(
    ("text", "published", "value"),
    [
        ("The attack happened on December 28.", date(2025, 1, 3), "2024-12-28"),  # last year's December
        ("The attack happened on December 30.", date(2024, 12, 16), "2023-12-30"),  # not in the future
        ("The attack happened on December 20.", date(2024, 12, 16), "2024-12-20"),  # within FUTURE_GRACE
        ("The talks will be held on December 20.", date(2024, 12, 16), "2024-12-20"),  # future tense
        ("The meeting is scheduled for January 5.", date(2024, 12, 16), "2025-01-05"),
        ("Troops arrived on Monday.", date(2024, 12, 18), "2024-12-16"),
        ("Troops arrived last Monday.", date(2024, 12, 16), "2024-12-09"),
        ("Officials said so yesterday.", date(2024, 12, 16), "2024-12-15"),
        ("It happened two days ago.", date(2024, 12, 16), "2024-12-14"),
    ],
)
def test_relative_to_publication(nlp, text, published, value):
    assert times(nlp, text, published)[0][2] == value


def test_periods_and_parts(nlp):
    found = times(nlp, "Fighting grew in mid-November, eased in late November and stopped last week.", PUBLISHED)
    assert found == [
        ("mid-November", TimeKind.DATE, "2024-11-11", "2024-11-11", "2024-11-20"),
        ("late November", TimeKind.DATE, "2024-11-21", "2024-11-21", "2024-11-30"),
        ("last week", TimeKind.DATE, "2024-12-09", "2024-12-09", "2024-12-15"),
    ]


def test_years_months_and_words_that_are_not_dates(nlp):
    found = times(nlp, "The war began in 2022, intensified in early 2023 and may end in May.", None)
    assert found == [
        ("2022", TimeKind.YEAR, "2022", None, None),
        ("early 2023", TimeKind.YEAR_MONTH, "2023-01", "2023-01", "2023-04"),
        ("May", TimeKind.MONTH, "--05", None, None),
    ]
    # "may" the verb, "March" inside a name and a bare month without a cue are not dates
    assert times(nlp, "Troops in Mariupol may march on.", PUBLISHED) == []


def test_relative_expressions_need_a_publication_date(nlp):
    assert times(nlp, "Officials said yesterday that troops left on Monday and last week.", None) == []
    assert times(nlp, "In November the front moved.", None) == [("November", TimeKind.MONTH, "--11", None, None)]
    assert times(nlp, "In November the front moved.", PUBLISHED) == [
        ("November", TimeKind.YEAR_MONTH, "2024-11", None, None)
    ]
