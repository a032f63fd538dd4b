"""Shared fixtures: the real spaCy pipeline is loaded once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
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


@pytest.fixture
def small_disk(tmp_path) -> Iterator[tuple[Path, Callable[[str], None]]]:
    """A real file system of 8 MiB (a tmpfs) to fill or make read-only, and a function that
    remounts it with options (``"ro"``, ``"rw"``); skipped where mounting is not allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small file system: {made.stderr.decode(errors='replace').strip()}")

    def remount(options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(disk)], check=True, capture_output=True)

    try:
        yield disk, remount
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], capture_output=True)


def fill(disk: Path, *, leave: int) -> Path:
    """A file filling ``disk`` but for ``leave`` bytes (grown, if filled before)."""
    st = os.statvfs(disk)
    filler = disk / "filler"
    with filler.open("ab") as f:
        f.write(bytes(max(0, st.f_bavail * st.f_frsize - leave)))
    return filler


#: Runs a command with root's power to read and write any file dropped, as a user's would be.
WITHOUT_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]


def can_drop_dac() -> bool:
    return os.geteuid() == 0 and shutil.which("setpriv") is not None
