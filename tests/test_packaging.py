"""The built wheel carries the ontology and the named queries: a non-editable install works."""

from __future__ import annotations

import json
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SEED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
    )
    (built,) = out.glob("newskg-*.whl")
    return built


def test_wheel_ships_ontology_queries_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"kg/_data/ontology/newskg.ttl", "kg/_data/ontology/shapes.ttl", "kg/_data/queries/claims.rq"} <= names
    assert any(n.startswith("kg/data/gazetteer") for n in names)


def test_installed_wheel_builds_and_queries(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    # Dependencies come from the test environment's site-packages (a plain path entry: its .pth
    # files, among them this checkout's editable hook, are not processed), so kg is the wheel's.
    purelib = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    Path(purelib, "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    kg = [py, "-m", "kg.cli"]
    where = subprocess.run([py, "-c", "import kg; print(kg.__file__)"], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert where.stdout.startswith(str(venv))
    store = tmp_path / "store"
    subprocess.run([*kg, "build", str(SEED), "--store", str(store)], check=True, cwd=tmp_path, capture_output=True)
    answer = subprocess.run([*kg, "query", "--store", str(store), "--format", "json", "claims"],
                            check=True, cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    bindings = json.loads(answer.stdout)["results"]["bindings"]
    assert any(b.get("source", {}).get("value") == "HUR" for b in bindings)
