"""The plain data between the stages, and the index of where stretches of text are."""

from __future__ import annotations

import doctest
import random

import kg.model
from kg.model import SpanIndex


def test_doctests():
    assert doctest.testmod(kg.model).failed == 0


def test_near_holds_every_stretch_sharing_a_character_in_input_order():
    """What the rule stages count on: they check the stretches ``near`` gives exactly, and
    find all those a scan of every stretch would (6,000 claims of one long line had made each
    scan quadratic)."""
    rng = random.Random(5)
    for _ in range(200):
        spans = [(s, s + rng.randint(0, 40)) for s in (rng.randint(0, 500) for _ in range(rng.randint(0, 60)))]
        index = SpanIndex(spans)
        first = rng.randint(-20, 520)
        last = first + rng.randint(0, 60)
        near = index.near(first, last)
        assert near == sorted(near) and len(set(near)) == len(near)
        sharing = [i for i, (s, e) in enumerate(spans) if s <= last and first < e or s == first]
        assert set(sharing) <= set(near), (spans, first, last)
        assert index.starting(first, last) == [i for i, (s, _) in enumerate(spans) if first <= s <= last]
