"""Extraction: Document → mentions, claims, events, relations. The only place spaCy is imported.

Extractors are pluggable parts with versioned names (spaCy style); ``load_extractor`` returns
one by name, so a model-based extractor can be added later without touching the other stages.
spaCy itself is imported lazily, when an extractor is loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from kg.errors import ConfigError, ExtractionError
from kg.model import Document, Extraction

#: The default extractor: spaCy's English pipeline plus the rules of this package.
DEFAULT_EXTRACTOR = "newskg.rules.v1"


class Extractor(Protocol):
    """What every extractor offers: a versioned name and one extraction per document."""

    name: str
    model: str

    def extract(self, document: Document) -> Extraction: ...

    def pipe(
        self, documents: Iterable[Document], *, batch_size: int = 16, errors: bool = False
    ) -> Iterator[Extraction | ExtractionError]: ...


def load_extractor(name: str = DEFAULT_EXTRACTOR, *, baseline: bool = False) -> Extractor:
    """Load an extractor by its versioned name.

    ``baseline=True`` gives raw spaCy with none of the project's rules, for measuring gains.
    """
    if name != DEFAULT_EXTRACTOR:
        raise ConfigError(f"unknown extractor {name!r}; known: {DEFAULT_EXTRACTOR}")
    from kg.extract.pipeline import RulesExtractor

    return RulesExtractor(baseline=baseline)
