"""The per-document columns of ``kg.extract.docs`` equal what spaCy's own objects give."""

from __future__ import annotations

import random

import pytest

from kg.extract import docs as D

TEXTS = [
    "",
    " ",
    "\n",
    "a",
    "  x  \n\n y ",
    "Hello\nworld\t!  ",
    "KYIV, Ukraine (Reuters) - Ukraine’s HUR said on Dec. 14 that 200 North Korean soldiers were killed.\n\n"
    "“We will not comment,” a Pyongyang official told the Kremlin-backed TASS news agency.",
]

COLUMNS = {
    "token_texts": lambda t: t.text,
    "token_lowers": lambda t: t.lower_,
    "token_lemmas": lambda t: t.lemma_.lower(),
    "token_pos": lambda t: t.pos_,
    "token_tags": lambda t: t.tag_,
    "token_deps": lambda t: t.dep_,
    "token_heads": lambda t: t.head.i,
    "token_starts": lambda t: t.idx,
}
FLAGS = ["IS_SPACE", "IS_ALPHA", "IS_UPPER", "IS_TITLE", "IS_LOWER", "IS_PUNCT"]


@pytest.fixture(scope="module")
def docs(nlp, seed_text):
    return list(nlp.pipe([*TEXTS, seed_text]))


def test_every_column_is_checked():
    helpers = {name for name in dir(D) if name.startswith("token_") and name != "token_flags"}
    assert helpers == set(COLUMNS)


def test_columns_equal_token_attributes(docs):
    for doc in docs:
        assert D.doc_text(doc) == doc.text
        for name, attribute in COLUMNS.items():
            assert getattr(D, name)(doc) == [attribute(t) for t in doc], name
        for flag in FLAGS:
            assert D.token_flags(doc, flag) == [getattr(t, flag.lower()) for t in doc], flag


def test_spans_equal_spacy_spans(docs):
    rng = random.Random(0)
    for doc in docs:
        for _ in range(200 if len(doc) else 0):
            start = rng.randrange(len(doc))
            end = rng.randrange(start, min(len(doc), start + 8) + 1)
            span = doc[start:end]
            assert D.span_text(doc, start, end) == span.text
            if end > start:
                assert D.span_chars(doc, start, end) == (span.start_char, span.end_char)


def test_expanded_range_equals_char_span(docs):
    rng = random.Random(0)
    for doc in docs:
        size = len(doc.text)
        ranges = [(a, a + rng.randrange(0, 30)) for a in (rng.randrange(-2, size + 3) for _ in range(300))]
        ranges += [(t.idx, t.idx + len(t)) for t in doc] + [(t.idx + len(t), t.idx + len(t) + 1) for t in doc]
        for a, b in ranges:
            try:
                span = doc.char_span(a, b, alignment_mode="expand")
                want = None if span is None else (span.start, span.end)
            except Exception as exc:  # spaCy refuses some empty ranges: so must the helper
                want = type(exc)
            try:
                got = D.expanded_range(doc, a, b)
            except Exception as exc:
                got = type(exc)
            assert got == want, (a, b)
