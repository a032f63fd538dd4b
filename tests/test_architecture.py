"""The module layers hold (data flows one way) and query paths never import spaCy."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import ROOT


def test_import_layers_contract():
    lint = shutil.which("lint-imports", path=str(ROOT / ".venv" / "bin")) or shutil.which("lint-imports")
    assert lint, "import-linter is a test dependency"
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_query_commands_import_neither_spacy_nor_the_build_machinery(tmp_path):
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from kg.cli import cli\n"
        f"store = {str(tmp_path / 'store')!r}\n"
        "from kg.store import open_store\n"
        "open_store(store, create=True).close()\n"
        "for args in (['stats'], ['query', 'ASK {?s ?p ?o}'], ['entities'], ['claims'], ['conflicts'], ['timeline'], ['sources']):\n"
        "    r = CliRunner().invoke(cli, [*args, '--store', store])\n"
        "    assert r.exit_code == 0, (args, r.output)\n"
        # nor the build's machinery: its module, its extraction, its thread pools (which bring logging)
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'spacy', 'thinc', 'torch', 'kg', 'concurrent'} and (m.startswith(('spacy', 'thinc', 'torch', 'concurrent')) or m.startswith('kg.extract') or m == 'kg.build'))\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
