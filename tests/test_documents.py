"""Reading articles: formats, metadata, identity, and bad input reported per file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from datetime import date

import pytest

from conftest import WITHOUT_DAC, can_drop_dac
from kg.documents import content_hash, document_from_text, iter_documents, read_text_file
from kg.errors import InputError


def test_text_file_with_sidecar_metadata(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("HUR said on Monday that 30 soldiers were killed.\r\n", encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"title": "T", "published": "2024-12-16T08:00:00Z", "publisher": "Reuters"}))
    doc = read_text_file(article)
    assert doc.text.endswith("killed.\n")  # CRLF → LF
    assert doc.published == date(2024, 12, 16)
    assert doc.title == "T" and doc.publisher == "Reuters"
    assert doc.id == content_hash(doc.text) and len(doc.id) == 64


def test_folder_walk_reads_txt_md_jsonl_in_order_and_skips_sidecars(tmp_path):
    (tmp_path / "b.md").write_text("Second.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("First.", encoding="utf-8")
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"text": "Third.", "published": "2024-01-02"}) + "\n\n" + json.dumps({"text": "Fourth."}) + "\n",
        encoding="utf-8",
    )
    docs = list(iter_documents([tmp_path]))
    assert [d.text for d in docs] == ["First.", "Second.", "Third.", "Fourth."]
    assert docs[2].published == date(2024, 1, 2)
    assert docs[2].path.endswith("c.jsonl:1")


def test_timestamped_file_name_gives_publication_date(tmp_path):
    article = tmp_path / "20220420T130000Z_US_en_cb7d11f01c.txt"
    article.write_text("Text.", encoding="utf-8")
    assert read_text_file(article).published == date(2022, 4, 20)


def test_offsets_are_code_points_for_non_bmp_and_rtl_text():
    doc = document_from_text("🇺🇦 Київ — كييف\n")
    assert doc.text[3:7] == "Київ"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"   \n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        ("Caf\u00e9 in Kyiv".encode("latin-1"), "not valid UTF-8"),
        ("HUR said so.".encode("utf-16"), "UTF-16 text, not UTF-8; convert it first"),  # Windows' "Unicode"
    ],
)
def test_bad_files_are_reported_by_name(tmp_path, content, problem):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text("Fine.", encoding="utf-8")
    items = list(iter_documents([bad, good]))
    assert isinstance(items[0], InputError) and problem in items[0].problem and str(bad) in str(items[0])
    assert items[1].text == "Fine."


def test_missing_path_bad_jsonl_line_and_folder_loop(tmp_path):
    (tmp_path / "x.jsonl").write_text('{"text": "ok"}\nnot json\n{"title": "no text"}\n', encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    items = list(iter_documents([tmp_path / "missing.txt", tmp_path]))
    errors = [str(i) for i in items if isinstance(i, InputError)]
    texts = [i.text for i in items if not isinstance(i, InputError)]
    assert texts == ["ok"]
    assert any("missing.txt: no such file" in e for e in errors)
    assert any("x.jsonl:2: not valid JSON" in e for e in errors)
    assert any("x.jsonl:3" in e and "'text'" in e for e in errors)
    assert any("folder loop" in e for e in errors)


@pytest.mark.skipif(os.geteuid() == 0 and not can_drop_dac(), reason="root reads every file (setpriv drops that)")
def test_unreadable_file(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text("secret", encoding="utf-8")
    locked.chmod(0)
    code = "import sys; from kg.documents import iter_documents; (item,) = iter_documents([sys.argv[1]]); print(item)"
    as_user = WITHOUT_DAC if os.geteuid() == 0 else []
    read = subprocess.run([*as_user, sys.executable, "-c", code, str(locked)], capture_output=True, text=True, check=True)
    assert read.stdout == f"{locked}: permission denied: cannot read the file\n"


def test_too_long_article_is_refused_with_its_size(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("word " * 300_000, encoding="utf-8")
    (item,) = iter_documents([big])
    assert isinstance(item, InputError) and "too long: 1,500,000 characters" in item.problem


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    """A 4 GiB file (a log or dump in the folder: sparse here) is refused by its size; had it
    been read first, the build would have held it all in memory."""
    import kg.documents

    huge = tmp_path / "dump.txt"
    with huge.open("wb") as f:
        f.write(b"Russia said so. ")
        f.truncate(4 * 2**30)
    just_over = tmp_path / "over.txt"
    just_over.write_bytes(b"x" * (kg.documents.MAX_BYTES + 1))
    tracemalloc.start()
    try:
        big, over = iter_documents([huge, just_over])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(big, InputError) and big.problem.startswith("too large: 4,294,967,296 bytes (limit 33,554,432)")
    assert isinstance(over, InputError) and over.problem.startswith("too large: 33,554,433 bytes")
    assert peak < 2**20, "the files were read"


def test_a_jsonl_line_longer_than_the_limit_is_named_and_the_next_lines_are_read(tmp_path, monkeypatch):
    import kg.documents

    monkeypatch.setattr(kg.documents, "MAX_BYTES", 1000)
    lines = tmp_path / "feed.jsonl"
    good = json.dumps({"text": "HUR said so."})
    lines.write_text("\n".join([good, json.dumps({"text": "word " * 2000}), good.ljust(1000), json.dumps({"text": "Kyiv said so."})]) + "\n", encoding="utf-8")
    items = list(iter_documents([lines]))
    assert [getattr(i, "text", None) for i in items] == ["HUR said so.", None, "HUR said so.", "Kyiv said so."]
    assert items[1].path == f"{lines}:2" and items[1].problem == "line too long: over the limit of 1,000 bytes; split the article"


def test_a_bom_is_dropped_from_text_and_json_lines_files(tmp_path):
    """Editors on Windows begin UTF-8 files with a BOM: the JSON Lines' first line had failed."""
    (tmp_path / "a.txt").write_bytes(b"\xef\xbb\xbfHUR said so.\n")
    (tmp_path / "b.jsonl").write_bytes(b'\xef\xbb\xbf{"text": "Kyiv said so."}\n{"text": "\\ufeffHUR said so."}\n')
    (tmp_path / "a.txt.json").write_bytes(b'\xef\xbb\xbf{"title": "Kursk"}')
    found = list(iter_documents([tmp_path]))
    assert [getattr(d, "text", d) for d in found] == ["HUR said so.\n", "Kyiv said so.", "HUR said so."]
    assert found[0].title == "Kursk"


def test_a_folder_nested_deeper_than_python_recurses_is_read(tmp_path):
    """1,200 folders deep: the walk had ended in a RecursionError (and took 9 s of realpath calls)."""
    deep = tmp_path
    try:
        for _ in range(1200):  # one level at a time: mkdir(parents=True) recurses too
            deep = deep / "a"
            deep.mkdir()
        (deep / "x.txt").write_text("HUR said so.", encoding="utf-8")
        (tmp_path / "b.txt").write_text("Kyiv said so.", encoding="utf-8")
        (deep / "up").symlink_to(tmp_path / "a", target_is_directory=True)
        found = list(iter_documents([tmp_path]))
        assert [getattr(d, "text", None) for d in found] == [None, "HUR said so.", "Kyiv said so."]
        assert "folder loop" in found[0].problem and found[0].path.endswith("/up")
    finally:  # taken down a level at a time: pytest's clean-up (shutil.rmtree) recurses too
        (deep / "up").unlink(missing_ok=True)
        (deep / "x.txt").unlink(missing_ok=True)
        while deep != tmp_path:
            if deep.exists():
                deep.rmdir()
            deep = deep.parent


def test_bad_metadata_is_named():
    with pytest.raises(InputError, match="not an ISO date"):
        document_from_text("x", published="14 December")


WRAPPED = """North Korean troops reach Kursk

KYIV (Reuters) - Ukrainian President Volodymyr Zelensky said on Tuesday that
Russian forces had attacked Kharkiv overnight with drones and missiles.
The Russian Defence Ministry denied that its forces had attacked Kharkiv,
and regional governor Oleh Syniehubov said at least 12 people were killed.

Key points:
- Zelensky spoke in Kyiv on Tuesday evening after the attack on the city
- the ministry
"""


def test_unwrapped_joins_the_lines_of_hard_wrapped_paragraphs_and_keeps_the_rest():
    from kg.documents import unwrapped

    text = unwrapped(WRAPPED)
    assert len(text) == len(WRAPPED) and [i for i, c in enumerate(WRAPPED) if c != text[i]] == [
        i for i, c in enumerate(WRAPPED) if c == "\n" and text[i] == " "
    ]  # only breaks become spaces
    assert "said on Tuesday that Russian forces" in text and "attacked Kharkiv, and regional governor" in text
    assert text.startswith("North Korean troops reach Kursk\n\n")  # a short line keeps its break
    assert "drones and missiles.\nThe Russian" in text  # a line ending a sentence too
    assert "Key points:\n- Zelensky" in text and "the city\n- the ministry" in text  # list items


@pytest.mark.parametrize(
    "text",
    [
        "A headline\nA paragraph of its own, as wide as the text gets in this article.\n",  # no wrapped lines
        "One paragraph per line, as most articles come. " * 4 + "\nAnd another line, much shorter.\n" * 3,  # too wide
        "Bath 35 Harlequins 20\nGloucester 29 London Irish 19\nLeicester 40 Sale 12\nWasps 25 Orrell 15\n",  # a table
    ],
)
def test_unwrapped_leaves_texts_that_are_not_hard_wrapped(text):
    from kg.documents import unwrapped

    assert unwrapped(text) == text
