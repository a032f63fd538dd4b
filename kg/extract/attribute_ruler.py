"""The model's attribute ruler, its rules found by index instead of spaCy's ``Matcher``.

spaCy's English pipelines map each fine-grained tag to its part of speech and morphology, and
fix a few words, with an ``attribute_ruler`` of some 180 patterns. Its ``Matcher`` tries every
pattern at every token: on news, 12-15 % of ``en_core_web_sm``'s time, as much as its parser.
Every one of its patterns tests the tag, lower-case form, dependency or space flag of a fixed
run of tokens, so here a token looks up the few patterns whose first token can be it (by its
lower-case form, its tag or its space flag) and checks those; a pattern of another form (an
operator, another attribute) goes to a ``Matcher`` of its own. The matches, the order they are
applied in (a later rule overrides an earlier one) and so the annotations are the stock ruler's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from spacy.attrs import IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id
from spacy.tokens._retokenize import set_token_attrs

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

FACTORY = "newskg_attribute_ruler_v1"

#: The token attributes an indexed pattern may test, in the order of the columns read per doc.
_COLUMNS = ("TAG", "LOWER", "DEP", "IS_SPACE")
_TAG, _LOWER, _DEP, _SPACE = range(len(_COLUMNS))

# A test of one column: ("eq", column, id), ("in", column, ids), ("not_in", column, ids) or
# ("regex", column, pattern), as the Matcher's plain values, IN, NOT_IN and REGEX predicates.
_Test = tuple[str, int, Any]
# An indexed pattern: its rule, the other tests of its first token, the tests of each token after.
_Entry = tuple[int, list[_Test], tuple[list[_Test], ...]]


class IndexedAttributeRuler(AttributeRuler):
    """An ``AttributeRuler`` whose ``match`` gives the stock ``match``'s list, found by index.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> ruler = nlp.add_pipe(FACTORY)
    >>> ruler.add_patterns([{"patterns": [[{"LOWER": "us"}]], "attrs": {"POS": "PRON"}}])
    >>> [t.pos_ for t in nlp("Tell US now")]
    ['', 'PRON', '']
    """

    def __init__(self, vocab: Vocab, name: str = "attribute_ruler", *, validate: bool = False) -> None:
        super().__init__(vocab, name, validate=validate)
        self._index_patterns()

    def clear(self) -> None:
        super().clear()
        self._index_patterns()

    def add(self, patterns: Iterable[Any], attrs: dict, index: int = 0) -> None:
        rule = len(self.attrs)
        super().add(patterns, attrs, index)  # the stock Matcher holds every pattern too (patterns, to_disk)
        self._match_ids.append(self.vocab.strings[str(rule)])
        for pattern in patterns:
            tokens = [_tests(token) for token in pattern]
            if not tokens or None in tokens:  # a form not indexed (an operator, another attribute): the Matcher's
                self._others.add(str(rule), [pattern])
            else:
                self._index(rule, tokens)  # type: ignore[arg-type]

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """``(rule, match id, start, end)`` of every match, sorted: the stock ``match``'s list."""
        found: set[tuple[int, int, int]] = set()  # a rule matching twice in one place is one match
        by_lower, by_tag, by_space, scan = self._by_lower, self._by_tag, self._by_space, self._scan
        strings = self.vocab.strings
        rows = doc.to_array(self._attr_ids).tolist()
        for i, row in enumerate(rows):
            for candidates in (by_lower.get(row[_LOWER]), by_tag.get(row[_TAG]), by_space.get(row[_SPACE]), scan):
                if not candidates:
                    continue
                for rule, first, following in candidates:
                    if first and not _passes(first, row, strings):
                        continue
                    end = i + 1 + len(following)
                    if following and (end > len(rows) or not all(
                        _passes(tests, rows[j], strings) for j, tests in enumerate(following, i + 1)
                    )):  # fmt: skip
                        continue
                    found.add((rule, i, end))
        if len(self._others):  # a rule found both ways in one place is still one match
            found.update((int(strings[m_id]), s, e) for m_id, s, e in self._others(doc, allow_missing=True))
        ids = self._match_ids
        return sorted((rule, ids[rule], start, end) for rule, start, end in found)

    def set_annotations(self, doc: Doc, matches: list[tuple[int, int, int, int]]) -> None:
        """The stock ``set_annotations``, without a ``Span`` for each one-token match."""
        attrs, indices = self.attrs, self.indices
        for rule, match_id, start, end in matches:
            index = indices[rule]
            if end - start == 1 and index in (0, -1):
                set_token_attrs(doc[start], attrs[rule])
            else:  # the stock way, and its error for an index outside the match
                super().set_annotations(doc, [(rule, match_id, start, end)])

    def _index_patterns(self) -> None:
        self._attr_ids = [IDS[name] for name in _COLUMNS]
        self._others = Matcher(self.vocab, validate=self.validate)
        self._match_ids: list[int] = []
        self._by_lower: dict[int, list[_Entry]] = {}
        self._by_tag: dict[int, list[_Entry]] = {}
        self._by_space: dict[int, list[_Entry]] = {}
        self._scan: list[_Entry] = []

    def _index(self, rule: int, tokens: list[list[_Test]]) -> None:
        """File the pattern under the most selective test of its first token: a lower-case
        form, a tag, a set of either, the space flag; with none of these it is tried at every
        token."""
        first, following = tokens[0], tuple(tokens[1:])
        for op, column, index in (("eq", _LOWER, self._by_lower), ("eq", _TAG, self._by_tag),
                                  ("in", _LOWER, self._by_lower), ("in", _TAG, self._by_tag),
                                  ("eq", _SPACE, self._by_space)):  # fmt: skip
            test = next((t for t in first if t[0] == op and t[1] == column), None)
            if test is not None:
                entry = (rule, [t for t in first if t is not test], following)
                for value in [test[2]] if op == "eq" else test[2]:
                    index.setdefault(value, []).append(entry)
                return
        self._scan.append((rule, first, following))


def _tests(token: dict[str, Any]) -> list[_Test] | None:
    """The tests of one token of a pattern, or ``None`` when it tests anything else (or anything
    in another way, or has an operator) than these columns and predicates."""
    tests: list[_Test] = []
    for attr, value in token.items():
        name = attr.upper()
        if name not in _COLUMNS:
            return None
        column = _COLUMNS.index(name)
        if isinstance(value, bool):  # before int: a bool is an int
            tests.append(("eq", column, int(value)))
        elif isinstance(value, str) and name != "IS_SPACE":
            tests.append(("eq", column, get_string_id(value)))
        elif isinstance(value, dict) and len(value) == 1:
            (op, arg), = value.items()
            if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
                tests.append((op.lower(), column, frozenset(get_string_id(v) for v in arg)))
            elif op == "REGEX" and isinstance(arg, str) and name != "IS_SPACE":
                tests.append(("regex", column, re.compile(arg)))
            else:
                return None
        else:
            return None
    return tests


def _passes(tests: list[_Test], row: list[int], strings: Any) -> bool:
    for op, column, value in tests:
        found = row[column]
        if op == "eq":
            if found != value:
                return False
        elif op == "in":
            if found not in value:
                return False
        elif op == "not_in":
            if found in value:
                return False
        elif not value.search(strings[found]):  # regex, on the attribute's text
            return False
    return True


@Language.factory(FACTORY, default_config={"validate": False})
def _make_indexed_attribute_ruler(nlp: Language, name: str, validate: bool) -> IndexedAttributeRuler:
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate)


def index_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> None:
    """Replace the pipeline's attribute ruler ``name`` by an :class:`IndexedAttributeRuler` with
    the same patterns; a pipeline without one, or with one already indexed, is left alone."""
    if name not in nlp.pipe_names or isinstance(nlp.get_pipe(name), IndexedAttributeRuler):
        return
    patterns = nlp.get_pipe(name).patterns
    ruler = nlp.replace_pipe(name, FACTORY)
    ruler.add_patterns(patterns)
