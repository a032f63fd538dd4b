"""The exception hierarchy of newskg. Only the CLI turns these into messages and exit codes."""

from __future__ import annotations


class KgError(Exception):
    """Base class of every error newskg raises on purpose."""


class InputError(KgError):
    """An input file or folder cannot be read as a document.

    >>> str(InputError("notes.bin", "binary file, not text"))
    'notes.bin: binary file, not text'
    """

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class ConfigError(KgError):
    """A setting, option or parameter has an unusable value."""


class OutputError(KgError):
    """An output file cannot be written (a full disk, a folder one may not write)."""


class StoreError(KgError):
    """The triple store cannot be opened, read or written."""


class StoreBusyError(StoreError):
    """Another process holds the store (for example a running build)."""


class QueryError(KgError):
    """A SPARQL query is malformed, unknown, or was refused."""


class ExtractionError(KgError):
    """The extraction pipeline could not be loaded or failed on a document."""
