"""Files, folders, JSON Lines and metadata sidecars → ``Document`` (text, metadata, content hash).

Accepted inputs:

- ``.txt`` and ``.md`` files, UTF-8 (a BOM is dropped, CRLF and CR line ends become LF);
- ``.html``/``.htm`` files: their visible text (scripts, styles and markup dropped), so offsets
  refer to that text; a ``.txt`` file holding HTML markup is refused with a clear message;
- folders of them, walked recursively in name order (symlink loops are reported, not followed);
- ``.jsonl`` files with one article per line: ``text`` plus optional ``title``, ``url``,
  ``published`` (ISO date or date-time) and ``publisher``;
- a metadata sidecar beside a text file, ``NAME.json`` or ``NAME.txt.json``, with the same
  optional keys (it is metadata, not an article, when walked in a folder);
- a file name that starts with an ISO basic timestamp (``20220420T130000Z_…``) gives the
  publication date when no sidecar does.

The text is stored as it is; :func:`unwrapped` gives the extraction a hard-wrapped text's
paragraphs as lines of their own, with the same offsets.

Problems are values, not exceptions: ``iter_documents`` yields an ``InputError`` naming the file
for each unreadable input and goes on with the others.

>>> doc = document_from_text("Kyiv, Dec 14.\\r\\n")
>>> doc.text
'Kyiv, Dec 14.\\n'
>>> doc.id[:12]
'10c5f84b49ed'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

from kg.errors import InputError
from kg.model import Document

TEXT_SUFFIXES = frozenset({".txt", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
METADATA_KEYS = ("title", "url", "published", "publisher")
#: Longest article accepted, in characters (spaCy's default ``max_length`` is 1,000,000).
MAX_CHARS = 1_000_000
#: Largest file (or JSON line) read, in bytes: room for an article of ``MAX_CHARS`` characters
#: and the markup of its page. A larger one (a log, a dump) is refused before it is read, not
#: read whole into memory first.
MAX_BYTES = 32 * 2**20

_STAMPED_NAME = re.compile(r"^(\d{4})(\d{2})(\d{2})T\d{6}Z?_")


def content_hash(text: str) -> str:
    """Hex SHA-256 of the UTF-8 text: the identity of a document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_text(text: str) -> str:
    """Drop a BOM and make line ends LF, so offsets do not depend on the platform."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


#: Widths a hard-wrapped text is wrapped at (wire copy 69, mail 72-78): wider lines are
#: paragraphs; texts of narrower lines only are lists and tables.
WRAP_WIDTHS = range(60, 101)
#: Lines near the widest a text must have to be taken as hard-wrapped.
_WRAPPED_LINES = 3
_LIST_ITEM = re.compile(r"[-*•–—>]|\d{1,3}[.)]\s")
# A line that ends a sentence or announces what follows ("… on Friday :") keeps its break:
# a wrap there changes no sentence, and lines of results and tables end so.
_ENDED = re.compile(r"[.!?:;][\"'”’)\]]*\s*$")


def unwrapped(text: str) -> str:
    """``text`` with the line breaks of hard-wrapped paragraphs (wire copy, mail, ``fmt``) made
    spaces, for the extraction to read: a sentence broken over lines is one sentence. The text
    keeps its length, so every offset stays the same.

    A text is hard-wrapped when its widest line is one of :data:`WRAP_WIDTHS` and a few lines
    come near it. A break is a wrap when the next line's first word would not have fit on
    the line before it (what a wrapping program does) and that line ends no sentence; blank
    lines, indented lines and list items begin paragraphs of their own, and short lines (a
    headline, a paragraph's last line) keep their break.

    >>> unwrapped("Kremlin spokesman Dmitry Peskov said on Tuesday that Russian\\n"
    ...           "forces had not attacked the city, and that the reports were\\n"
    ...           "false, adding that no strikes had been ordered.\\n")[53:]
    'Russian forces had not attacked the city, and that the reports were false, adding that no strikes had been ordered.\\n'
    >>> unwrapped("Headline\\nA paragraph of its own.\\n")  # not hard-wrapped: unchanged
    'Headline\\nA paragraph of its own.\\n'
    """
    lines = text.split("\n")
    widths = [len(line.rstrip()) for line in lines]
    widest = max(widths)
    if widest not in WRAP_WIDTHS or sum(w >= 0.75 * widest for w in widths) < _WRAPPED_LINES:
        return text
    out = list(text)
    at = 0
    for line, width, following in zip(lines, widths, lines[1:]):
        at += len(line)  # the break after this line
        word = following.split(maxsplit=1)[0] if following.strip() else ""
        continues = word and not following[:1].isspace() and not _LIST_ITEM.match(following)
        if width and continues and width + 1 + len(word) > widest and not _ENDED.search(line):
            out[at] = " "
        at += 1
    return "".join(out)


def parse_date(value: object, *, where: object) -> date | None:
    """An ISO date or date-time (string) as a ``date``; ``None`` for ``None`` or ``""``."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise InputError(where, f"'published' must be an ISO date string, not {value!r}")
    try:
        return date.fromisoformat(value[:10]) if len(value) >= 10 else date.fromisoformat(value)
    except ValueError:
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            raise InputError(where, f"'published' is not an ISO date: {value!r}") from None


def document_from_text(text: str, *, path: str | None = None, **metadata: object) -> Document:
    """Build a ``Document`` from text and optional metadata (``title``, ``url``,
    ``published``, ``publisher``)."""
    where = path or "<text>"
    unknown = set(metadata) - set(METADATA_KEYS)
    if unknown:
        raise InputError(where, f"unknown metadata keys: {', '.join(sorted(unknown))}")
    text = normalise_text(text)
    if not text.strip():
        raise InputError(where, "empty document: no text to read")
    if len(text) > MAX_CHARS:
        raise InputError(where, f"too long: {len(text):,} characters (limit {MAX_CHARS:,}); split the article")
    if "\x00" in text:
        raise InputError(where, "contains NUL characters: binary data, not text")
    published = metadata.get("published")
    if not isinstance(published, date):
        published = parse_date(published, where=where)
    strings = {}
    for key in ("title", "url", "publisher"):
        value = metadata.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(where, f"{key!r} must be a string, not {value!r}")
        strings[key] = value or None
    return Document(id=content_hash(text), text=text, path=path, published=published, **strings)


def _read_text(path: Path) -> str:
    if path.exists() and not path.is_file():
        # a FIFO or device would block or never end
        raise InputError(path, "not a regular file (a folder, pipe or device)")
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = b"" if size > MAX_BYTES else handle.read(MAX_BYTES + 1)  # it may have grown
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, expected a file") from None
    except PermissionError:
        raise InputError(path, "permission denied: cannot read the file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if max(size, len(data)) > MAX_BYTES:
        raise InputError(path, f"too large: {max(size, len(data)):,} bytes (limit {MAX_BYTES:,}); split the article")
    if not data.strip():
        raise InputError(path, "empty file: no text to read")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # its NUL bytes would say binary
        raise InputError(path, "UTF-16 text, not UTF-8; convert it first, e.g. `iconv -f utf-16 -t utf-8`")
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it first, e.g. `iconv -f latin1 -t utf-8`",
        ) from None


def _sidecar(path: Path) -> dict[str, object]:
    for candidate in (path.with_name(path.name + ".json"), path.with_suffix(".json")):
        if candidate.is_file():
            try:
                meta = json.loads(candidate.read_text(encoding="utf-8-sig"))  # a BOM is dropped
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InputError(candidate, f"unreadable metadata sidecar: {exc}") from None
            if not isinstance(meta, dict):
                raise InputError(candidate, "metadata sidecar must hold a JSON object")
            return {k: v for k, v in meta.items() if k in METADATA_KEYS}
    stamped = _STAMPED_NAME.match(path.name)
    if stamped:
        return {"published": "-".join(stamped.groups())}
    return {}


_HTML_START = re.compile(r"\A\s*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
_BLOCKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote", "title"})


class _TextOfHtml(HTMLParser):
    """Visible text of an HTML page, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self._hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "noscript", "template"):
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def html_to_text(markup: str) -> str:
    r"""The visible text of an HTML page.

    >>> html_to_text("<html><script>x()</script><p>HUR said&nbsp;so.</p><p>Then</p></html>")
    'HUR said so.\nThen'
    """
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return parser.text()


def read_text_file(path: Path) -> Document:
    """One ``.txt``/``.md``/``.html`` file (and its sidecar) as a ``Document``; raises ``InputError``."""
    text = _read_text(path)
    if path.suffix.lower() in HTML_SUFFIXES:
        text = html_to_text(text)
    elif _HTML_START.match(text):
        raise InputError(path, "holds HTML markup, not plain text; name it .html to have its visible text read")
    return document_from_text(text, path=str(path), **_sidecar(path))


def read_jsonl(path: Path) -> Iterator[Document | InputError]:
    """One ``Document`` per line of a JSON Lines file; a bad line is an ``InputError``
    naming ``FILE:LINE`` and the other lines are still read."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield InputError(path, f"cannot read: {exc.strerror or exc}")
        return
    with handle:
        for number, raw in enumerate(_lines(handle), start=1):
            where = f"{path}:{number}"
            if raw is None:
                yield InputError(where, f"line too long: over the limit of {MAX_BYTES:,} bytes; split the article")
                continue
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")  # a BOM, as an editor on Windows writes it
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    raise InputError(where, "each line must be a JSON object with a string 'text'")
                meta = {k: record.get(k) for k in METADATA_KEYS}
                yield document_from_text(record["text"], path=where, **meta)
            except InputError as exc:
                yield exc
            except UnicodeDecodeError:
                yield InputError(where, "not valid UTF-8")
            except json.JSONDecodeError as exc:
                yield InputError(where, f"not valid JSON: {exc.msg} at column {exc.colno}")


def _lines(handle: BinaryIO) -> Iterator[bytes | None]:
    """The lines of ``handle``, ``None`` for one longer than ``MAX_BYTES``: skipped a piece at
    a time, never held whole."""
    while raw := handle.readline(MAX_BYTES + 1):
        if len(raw) <= MAX_BYTES or raw.endswith(b"\n"):
            yield raw
            continue
        while raw and not raw.endswith(b"\n"):
            raw = handle.readline(MAX_BYTES)
        yield None


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path | InputError]:
    """The files under ``folder``, each folder's in sorted order, depth first: a stack of the
    folders being read, not recursion (a folder nested 1,200 deep ended a build in a
    RecursionError)."""
    pending: list[Iterator[Path]] = [iter([folder])]
    while pending:
        path = next(pending[-1], None)
        if path is None:
            pending.pop()
        elif path is not folder and path.name.startswith("."):
            continue
        elif path is folder or path.is_dir():
            try:
                st = path.stat()  # which folder, links followed: one call, where realpath made one a level
                if (st.st_dev, st.st_ino) in seen:
                    yield InputError(path, "folder loop: this folder links back to one already read; skipped")
                    continue
                seen.add((st.st_dev, st.st_ino))
                pending.append(iter(sorted(path.iterdir())))
            except OSError as exc:
                yield InputError(path, f"cannot list the folder: {exc.strerror or exc}")
        elif path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES:
            yield path


def iter_sources(paths: Iterable[str | Path]) -> Iterator[Path | InputError]:
    """The files to read under ``paths``, in order; missing paths and folder loops are errors."""
    seen: set[tuple[int, int]] = set()  # the folders read, by device and inode
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(path, seen)
        elif path.exists() or path.is_symlink():
            yield path
        else:
            yield InputError(path, "no such file or folder")


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Document | InputError]:
    """Every document under ``paths``, streamed; problems come as ``InputError`` values.

    A file given by name is read whatever its suffix (``.jsonl`` as JSON Lines, ``.html`` as
    HTML, anything else as text); in folders only ``.txt``, ``.md``, ``.html``, ``.htm`` and
    ``.jsonl`` files are read.
    """
    for source in iter_sources(paths):
        if isinstance(source, InputError):
            yield source
        elif source.suffix.lower() in JSONL_SUFFIXES:
            yield from read_jsonl(source)
        else:
            try:
                yield read_text_file(source)
            except InputError as exc:
                yield exc
