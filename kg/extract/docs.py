"""What the rule stages read from a spaCy ``Doc`` more than once, computed once per document.

spaCy rebuilds ``Doc.text`` from its tokens on every access (a new ``Token`` per token), and
every rule stage needs the text: reading it once per document saves most of the rules' cost.
Likewise a pass over the tokens that only tests a word against a word list reads a column of
plain strings here, and builds a ``Token`` only for the few words that pass.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from spacy.tokens import Doc

_TEXT = "newskg.text"
T = TypeVar("T")


def doc_text(doc: Doc) -> str:
    """``doc.text``, kept in ``doc.user_data`` after the first call (a plain string: no
    reference cycle back to the doc). Joined from the word column and the trailing-space flags,
    as ``Doc.text`` joins ``Token.text_with_ws``, but without a ``Token`` per word."""
    text = doc.user_data.get(_TEXT)
    if text is None:
        spaces = doc.to_array("SPACY").tolist()
        text = doc.user_data[_TEXT] = "".join(
            word + " " if space else word for word, space in zip(token_texts(doc), spaces)
        )
    return text


def per_doc(doc: Doc, key: str, make: Callable[[Doc], T]) -> T:
    """``make(doc)``, computed once per doc and kept in ``doc.user_data`` under ``key``: for
    work two stages share. Keep only values that hold no spaCy object (those point back to
    the doc, and a cycle would keep every doc alive until the garbage collector runs)."""
    key = f"newskg.{key}"
    if key not in doc.user_data:
        doc.user_data[key] = make(doc)
    return doc.user_data[key]


def token_lemmas(doc: Doc) -> list[str]:
    """Every token's ``lemma_.lower()``: the word lists of several stages are keyed by lowercased
    lemma, and reading it from a ``Token`` costs a Token and a string-store lookup each time."""
    return per_doc(doc, "lemmas", lambda d: _column(d, "LEMMA", str.lower))


def token_texts(doc: Doc) -> list[str]:
    """Every token's ``text``."""
    return per_doc(doc, "words", lambda d: _column(d, "ORTH", None))


def token_lowers(doc: Doc) -> list[str]:
    """Every token's ``lower_``."""
    return per_doc(doc, "lowers", lambda d: _column(d, "LOWER", None))


def token_pos(doc: Doc) -> list[str]:
    """Every token's ``pos_``."""
    return per_doc(doc, "pos", lambda d: _column(d, "POS", None))


def token_tags(doc: Doc) -> list[str]:
    """Every token's ``tag_``."""
    return per_doc(doc, "tags", lambda d: _column(d, "TAG", None))


def token_deps(doc: Doc) -> list[str]:
    """Every token's ``dep_``."""
    return per_doc(doc, "deps", lambda d: _column(d, "DEP", None))


def token_starts(doc: Doc) -> list[int]:
    """Every token's ``idx``: its first character in the text."""
    return per_doc(doc, "starts", lambda d: d.to_array("IDX").tolist())


def token_flags(doc: Doc, attr: str) -> list[bool]:
    """A lexical flag of every token: ``"IS_SPACE"`` gives each ``is_space``, and so on."""
    return per_doc(doc, f"flag.{attr}", lambda d: [bool(x) for x in d.to_array(attr).tolist()])


def span_chars(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """``(span.start_char, span.end_char)`` of a non-empty ``doc[start:end]``, without building
    the span."""
    _, starts, ends = _offsets(doc)
    return starts[start], ends[end - 1]


def span_text(doc: Doc, start: int, end: int) -> str:
    """``doc[start:end].text``: the text from the span's first character to its last."""
    if start >= end:
        return ""
    text, starts, ends = _offsets(doc)
    return text[starts[start] : ends[end - 1]]


def expanded_range(doc: Doc, start_char: int, end_char: int) -> tuple[int, int] | None:
    """``(span.start, span.end)`` of ``doc.char_span(start_char, end_char, alignment_mode="expand")``
    (``None`` where that is ``None``), found by bisection in the token offset column instead of
    building the span."""
    if start_char >= end_char:  # an empty range: leave spaCy's edge cases to spaCy
        span = doc.char_span(start_char, end_char, alignment_mode="expand")
        return None if span is None else (span.start, span.end)
    text, starts, ends = _offsets(doc)
    if start_char < 0 or end_char > len(text):
        return None
    # the tokens tile the text: token i holds its word and trailing space, starts[i] up to starts[i + 1]
    start = bisect.bisect_right(starts, start_char) - 1
    end = bisect.bisect_right(starts, end_char - 1) - 1
    if start_char == ends[start]:  # the trailing space is not part of the token before
        start += 1
    return start, end + 1


def _offsets(doc: Doc) -> tuple[str, list[int], list[int]]:
    """The text and each token's first and end character, in one entry: span helpers are called
    thousands of times per document."""
    return per_doc(doc, "offsets", lambda d: (
        doc_text(d), token_starts(d), [s + len(w) for s, w in zip(token_starts(d), token_texts(d))]))


def token_heads(doc: Doc) -> list[int]:
    """Every token's ``head.i`` (spaCy stores the head as an offset, in an unsigned array)."""
    return per_doc(doc, "heads", lambda d: [i + offset for i, offset in enumerate(
        d.to_array("HEAD").astype("int64").tolist())])


def _column(doc: Doc, attr: str, convert: Callable[[str], str] | None) -> list[str]:
    hashes = doc.to_array(attr).tolist()
    strings = doc.vocab.strings
    names = {h: strings[h] for h in set(hashes)}  # a doc repeats its words: look each up once
    if convert is not None:
        names = {h: convert(name) for h, name in names.items()}
    return [names[h] for h in hashes]
