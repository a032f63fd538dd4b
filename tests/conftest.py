"""Shared fixtures: the real spaCy pipeline is loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_c794c51306e8e6f4.txt"
EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture(scope="session")
def extractor():
    from kg.extract import load_extractor

    return load_extractor()


@pytest.fixture(scope="session")
def nlp(extractor):
    """The extractor's spaCy pipeline (with the entity ruler), for tests of single rule stages."""
    return extractor.nlp


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    """The public gold data beside the repository; tests needing it skip when it is absent."""
    if not EVAL.is_dir():
        pytest.skip(f"evaluation data not found at {EVAL}")
    return EVAL
