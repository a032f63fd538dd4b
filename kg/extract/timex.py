"""Time expressions: find dates in the text and normalise them against the publication date.

Rules, not a model. Each expression keeps its exact characters (``TimeExpr.span``) and a value
in the lexical form of an XSD datatype (``TimeExpr.kind``):

- an explicit date stays as written: "December 14, 2024" → ``2024-12-14`` (xsd:date);
- with a publication date, a month and day gets the year that puts it nearest to publication,
  future dates penalised: "December 14" in an article of 2024-12-16 → ``2024-12-14``, in one of
  2025-01-03 → ``2024-12-14``; a date more than :data:`FUTURE_GRACE` days after publication moves
  back a year unless the clause is in the future tense ("will meet on March 3");
- without a publication date a month and day stays a month and day (``--12-14``, xsd:gMonthDay)
  and a month alone stays a month (``--11``, xsd:gMonth): never a guessed year;
- relative expressions ("yesterday", "on Monday", "last week", "two days ago") are resolved
  only when the publication date is known, and skipped otherwise;
- parts of a period are intervals with ``start`` and ``end``: "early November" is the 1st–10th,
  "mid-November" the 11th–20th, "late November" the 21st–end; "early 2023" January–April,
  "mid-2023" May–August, "late 2023" September–December. ``start``/``end`` share the datatype of
  ``kind`` and an interval's ``value`` is its start (so sorting by value orders a timeline).
"""

from __future__ import annotations

import calendar
import bisect
import re
from dataclasses import dataclass
from datetime import date, timedelta

from kg.extract.docs import doc_text, per_doc
from kg.model import Span, TimeExpr, TimeKind

#: Days after publication a past-tense date may still fall (an article dated late, a time zone).
FUTURE_GRACE = 7

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

# Month names are matched capitalised only: "may" the verb and "march" the noun stay out.
_MONTH = (
    r"(?P<month>(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.|\b))"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = r"(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)"
_WEEKDAY_NAME = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_WEEKDAY = r"(?:(?P<weekday>" + _WEEKDAY_NAME + r"),?\s+)?"
_RANGE = r"(?:\s*(?:-|–|to|through)\s*" + _DAY2 + r")?"
_PART = r"(?P<part>(?i:early|mid|late|(?:the\s+)?(?:end|beginning|start|middle)\s+of))"
_PART_SEP = r"(?:-|\s+)"  # "mid-November", "early November"
_MONTH_CUE = r"(?P<cue>(?i:in|since|until|till|by|during|from|through|throughout|before|after|of|last|next|this))\s+"
_YEAR_CUE = r"(?P<cue>(?i:in|since|until|till|by|during|from|through|throughout|before|after|of|year))\s+"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<m>\d\d)-(?P<day>\d\d)\b")),
    ("mdy", re.compile(r"\b" + _WEEKDAY + _MONTH + r"\s+" + _DAY + _RANGE + r"(?:,?\s+" + _YEAR + r")?\b")),
    ("dmy", re.compile(r"\b" + _WEEKDAY + _DAY + _RANGE + r"\s+" + _MONTH + r"(?:,?\s+" + _YEAR + r")?\b")),
    ("part_month", re.compile(r"\b" + _PART + _PART_SEP + _MONTH + r"(?:,?\s+" + _YEAR + r")?\b")),
    ("part_year", re.compile(r"\b" + _PART + _PART_SEP + _YEAR + r"\b")),
    ("month_year", re.compile(r"\b" + _MONTH + r",?\s+(?:of\s+)?" + _YEAR + r"\b")),
    ("month", re.compile(r"\b" + _MONTH_CUE + _MONTH + r"(?![\w.]*\s+[0-3]?\d\b)")),
    ("year", re.compile(r"\b" + _YEAR_CUE + _YEAR + r"\b(?!\s*(?:-|–)\s*\d)")),
    ("day_word", re.compile(
        r"\b(?P<word>today|tonight|yesterday|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening))\b", re.I
    )),
    ("weekday", re.compile(
        r"\b(?P<rel>(?i:last|next|this|on))?\s*(?P<weekday>" + _WEEKDAY_NAME + r")\b"
    )),
    ("period", re.compile(
        r"\b(?P<rel>last|this|next|earlier\s+this|later\s+this|past)\s+(?P<unit>week|month|year)\b", re.I
    )),
    ("ago", re.compile(
        r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
        r"(?P<unit>day|week|month|year)s?\s+ago\b",
        re.I,
    )),
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    kind: TimeKind
    value: str
    lo: str | None = None
    hi: str | None = None


# A part every match of a pattern contains, as written in the pattern. The patterns open with
# \b and optional groups, so re tries them at every word; these start with a letter or digit
# from a small set, which re skips to directly: a text without one is not scanned for the pattern.
_MONTH_NAME = re.compile(_MONTH)
_YEAR_NUMBER = re.compile(_YEAR)
_NEEDS: dict[str, re.Pattern[str]] = {
    "iso": re.compile(r"\d{4}-\d\d-\d\d"),
    "mdy": _MONTH_NAME,
    "dmy": _MONTH_NAME,
    "part_month": _MONTH_NAME,
    "part_year": _YEAR_NUMBER,
    "month_year": _MONTH_NAME,
    "month": _MONTH_NAME,
    "year": _YEAR_NUMBER,
    "weekday": re.compile(_WEEKDAY_NAME),
    "ago": re.compile(r"ago", re.I),
}


def find_times(doc, *, published: date | None) -> list[TimeExpr]:
    """Time expressions of a spaCy ``doc``, normalised against ``published`` when known.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> [t.value for t in find_times(nlp("It began on December 14."), published=date(2024, 12, 16))]
    ['2024-12-14']
    >>> [(t.kind.value, t.value) for t in find_times(nlp("It began on December 14."), published=None)]
    [('gMonthDay', '--12-14')]
    """
    text = doc_text(doc)
    candidates: list[_Found] = []
    for name, match, tense in per_doc(doc, "time_matches", _matches):
        found = _normalise(name, match, published, tense)
        if found is not None:
            candidates.append(found)
    # Longest match wins; ties go to the earlier pattern (the more specific one).
    chosen: list[_Found] = []
    starts: list[int] = []  # of the chosen, in text order: they do not overlap, so their ends
    ends: list[int] = []  # are in order too, and only the two beside a candidate can overlap it
    for found in sorted(candidates, key=lambda f: (-(f.end - f.start), f.start)):
        at = bisect.bisect_right(starts, found.start)
        if (at == 0 or ends[at - 1] <= found.start) and (at == len(starts) or found.end <= starts[at]):
            chosen.append(found)
            starts.insert(at, found.start)
            ends.insert(at, found.end)
    return [
        TimeExpr(Span.of(text, f.start, f.end), f.kind, f.value, f.lo, f.hi)
        for f in sorted(chosen, key=lambda f: f.start)
    ]


def _matches(doc) -> list[tuple[str, re.Match[str], str | None]]:
    """Every pattern's matches with the tense of their clause: the same whatever the publication
    date, so kept per doc (quantities reads the times of the doc too)."""
    text = doc_text(doc)
    present: dict[str, bool] = {}
    found = []
    for name, pattern in _PATTERNS:
        need = _NEEDS.get(name)
        if need is not None:
            if need.pattern not in present:
                present[need.pattern] = need.search(text) is not None
            if not present[need.pattern]:
                continue  # the pattern cannot match: spare the scan
        found += [(name, m, _tense(doc, m.start())) for m in pattern.finditer(text)]
    return found


def _normalise(name: str, m: re.Match[str], published: date | None, tense: str | None) -> _Found | None:
    """One regex match → a normalised expression (None when it cannot be normalised)."""
    groups = m.groupdict()
    start, end = m.span()
    if name == "iso":
        try:
            day = date(int(groups["year"]), int(groups["m"]), int(groups["day"]))
        except ValueError:
            return None
        return _Found(start, end, TimeKind.DATE, day.isoformat())
    if name in ("mdy", "dmy"):
        return _month_day(m, published, tense)
    if name == "part_month":
        month = _MONTHS[groups["month"].lower().rstrip(".")]
        first, last = _part_days(groups["part"])
        year = _year_of_month(month, groups["year"], published, tense)
        if year is None:
            lo, hi = f"--{month:02d}-{first:02d}", f"--{month:02d}-{min(last, _days_in(month, None)):02d}"
            return _Found(start, end, TimeKind.MONTH_DAY, lo, lo, hi)
        last = min(last, _days_in(month, year))
        lo, hi = date(year, month, first).isoformat(), date(year, month, last).isoformat()
        return _Found(start, end, TimeKind.DATE, lo, lo, hi)
    if name == "part_year":
        year = int(groups["year"])
        first, last = _part_months(groups["part"])
        lo, hi = f"{year:04d}-{first:02d}", f"{year:04d}-{last:02d}"
        return _Found(start, end, TimeKind.YEAR_MONTH, lo, lo, hi)
    if name == "month_year":
        month = _MONTHS[groups["month"].lower().rstrip(".")]
        return _Found(start, end, TimeKind.YEAR_MONTH, f"{int(groups['year']):04d}-{month:02d}")
    if name == "month":
        start = m.start("month")
        if groups["month"].endswith(".") or groups["month"] == "May" and groups["cue"] in ("this", "of"):
            return None  # an abbreviation alone, or "this May" that may be the verb after a demonstrative
        month = _MONTHS[groups["month"].lower().rstrip(".")]
        if groups["cue"] in ("last", "next", "this"):
            start = m.start("cue")
        year = _year_of_month(month, None, published, tense, relative=groups["cue"].lower())
        if year is None:
            return _Found(start, end, TimeKind.MONTH, f"--{month:02d}")
        return _Found(start, end, TimeKind.YEAR_MONTH, f"{year:04d}-{month:02d}")
    if name == "year":
        return _Found(m.start("year"), end, TimeKind.YEAR, groups["year"])
    if published is None:
        return None  # relative expressions need an anchor
    if name == "day_word":
        word = " ".join(groups["word"].lower().split())
        offset = {"yesterday": -1, "tomorrow": 1, "last night": -1}.get(word, 0)
        return _Found(start, end, TimeKind.DATE, (published + timedelta(days=offset)).isoformat())
    if name == "weekday":
        rel = (groups["rel"] or "").lower()
        if rel not in ("on", "last", "next", "this"):
            start = m.start("weekday")
        day = _weekday(published, groups["weekday"], rel, tense == "future")
        return _Found(start, end, TimeKind.DATE, day.isoformat())
    if name == "period":
        return _period(start, end, " ".join(groups["rel"].lower().split()), groups["unit"].lower(), published)
    if name == "ago":
        n = _NUMBER_WORDS.get(groups["n"].lower()) or int(groups["n"])
        unit = groups["unit"].lower()
        if unit == "day":
            return _Found(start, end, TimeKind.DATE, (published - timedelta(days=n)).isoformat())
        if unit == "week":
            return _Found(start, end, TimeKind.DATE, (published - timedelta(weeks=n)).isoformat())
        if unit == "month":
            year, month = divmod(published.year * 12 + published.month - 1 - n, 12)
            return _Found(start, end, TimeKind.YEAR_MONTH, f"{year:04d}-{month + 1:02d}")
        return _Found(start, end, TimeKind.YEAR, f"{published.year - n:04d}")
    raise AssertionError(name)


def _month_day(m: re.Match[str], published: date | None, tense: str | None) -> _Found | None:
    groups = m.groupdict()
    start, end = m.span()
    month = _MONTHS[groups["month"].lower().rstrip(".")]
    day = int(groups["day"])
    day2 = int(groups["day2"]) if groups["day2"] else None  # "December 14-15", "14-15 December"
    if not 1 <= day <= _days_in(month, None) or (day2 and not day < day2 <= _days_in(month, None)):
        return None
    if groups["year"]:
        year: int | None = int(groups["year"])
    elif published is not None:
        year = _nearest_year(month, day, published, tense)
    else:
        year = None
    if year is None:
        lo = f"--{month:02d}-{day:02d}"
        hi = f"--{month:02d}-{day2:02d}" if day2 else None
        return _Found(start, end, TimeKind.MONTH_DAY, lo, lo if hi else None, hi)
    try:
        first = date(year, month, day)
        last = date(year, month, day2) if day2 else None
    except ValueError:  # 29 February in a common year
        return None
    if last:
        return _Found(start, end, TimeKind.DATE, first.isoformat(), first.isoformat(), last.isoformat())
    return _Found(start, end, TimeKind.DATE, first.isoformat())


def _nearest_year(month: int, day: int, published: date, tense: str | None) -> int:
    """The year putting month/day nearest to ``published``: in a past-tense clause no later than
    :data:`FUTURE_GRACE` days after it, in a future-tense one not before it."""
    options = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            delta = (date(year, month, day) - published).days
        except ValueError:  # 29 February
            continue
        if tense == "past" and delta > FUTURE_GRACE or tense == "future" and delta < 0:
            delta += 100_000  # implausible: only if nothing else is possible
        options.append((abs(delta), year))
    return min(options)[1]


def _year_of_month(
    month: int, written: str | None, published: date | None, tense: str | None, relative: str | None = None
) -> int | None:
    """Year of a month without a day: as written, else from the publication date, else None."""
    if written:
        return int(written)
    if published is None:
        return None
    if relative == "next" or relative != "last" and tense == "future":
        later = month > published.month or month == published.month and relative != "next"
        return published.year if later else published.year + 1
    if relative == "last":
        return published.year if month < published.month else published.year - 1
    return published.year if month <= published.month else published.year - 1


def _part_days(part: str) -> tuple[int, int]:
    part = part.lower()
    if "early" in part or "beginning" in part or "start" in part:
        return 1, 10
    if "mid" in part or "middle" in part:
        return 11, 20
    return 21, 31  # late, the end of: clipped to the month's length by the caller


def _part_months(part: str) -> tuple[int, int]:
    first, _ = _part_days(part)
    return {1: (1, 4), 11: (5, 8), 21: (9, 12)}[first]


def _days_in(month: int, year: int | None) -> int:
    return calendar.monthrange(year if year is not None else 2024, month)[1]  # 2024: a leap year


def _weekday(published: date, name: str, rel: str, future: bool) -> date:
    """The weekday nearest before publication ("on Monday", "last Monday"), after it when the
    clause is in the future tense or says "next"."""
    target = _WEEKDAYS.index(name.lower())
    back = (published.weekday() - target) % 7
    ahead = (target - published.weekday()) % 7
    if rel == "next":
        return published + timedelta(days=ahead or 7)
    if rel == "last":
        return published - timedelta(days=back or 7)
    if future:
        return published + timedelta(days=ahead)
    return published - timedelta(days=back)


def _period(start: int, end: int, rel: str, unit: str, published: date) -> _Found:
    """"last week" (Monday–Sunday before), "this month", "next year", "earlier this week"…"""
    step = {"last": -1, "past": -1, "next": 1}.get(rel, 0)
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
        if rel == "earlier this":
            lo, hi = monday, published
        elif rel == "later this":
            lo, hi = published, monday + timedelta(days=6)
        else:
            lo, hi = monday, monday + timedelta(days=6)
        return _Found(start, end, TimeKind.DATE, lo.isoformat(), lo.isoformat(), hi.isoformat())
    if unit == "month":
        year, month = divmod(published.year * 12 + published.month - 1 + step, 12)
        return _Found(start, end, TimeKind.YEAR_MONTH, f"{year:04d}-{month + 1:02d}")
    return _Found(start, end, TimeKind.YEAR, f"{published.year + step:04d}")


_FUTURE_AUX = {"will", "shall", "'ll", "wo"}
_FUTURE_VERBS = {"schedule", "plan", "expect", "due", "set", "intend", "postpone", "delay", "reschedule"}


def _tense(doc, char: int) -> str | None:
    """"future", "past" or None (present or unknown) for the clause holding ``char``."""
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    token = span[0]
    for _ in range(6):  # up to the governing verb
        if token.pos_ in ("VERB", "AUX") or token.dep_ == "ROOT":
            break
        token = token.head
    aux = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
    if any(c.lower_ in _FUTURE_AUX for c in aux) or token.lemma_ in _FUTURE_VERBS:
        return "future"
    if any(c.lower_ == "going" and any(g.lower_ == "to" for g in c.children) for c in token.children):
        return "future"
    if token.tag_ == "VBD" or any(c.tag_ == "VBD" or c.lower_ in ("has", "have", "had") for c in aux):
        return "past"
    return None
