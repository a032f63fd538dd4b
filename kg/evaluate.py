"""Readers for the public gold formats and the scores: the library function behind ``kg evaluate``.

``evaluate(dataset, data=..., split=...)`` reads a public gold corpus, builds one
``kg.model.Document`` per gold document, runs the extractor over them with ``.pipe``, turns each
``Extraction`` into predictions, matches them against the gold and returns ``Scores``
(micro precision, recall and F1, counts per type, extra figures). The gold data is never shipped:
``data`` is the folder holding ``conll2003/``, ``conll04/`` and ``polnear/`` (or the dataset's own
folder).

Matching rules
--------------
All scores are micro-averaged: true positives, false positives and false negatives are summed
over the documents, then P = tp/(tp+fp), R = tp/(tp+fn), F1 = 2PR/(P+R) (0 when undefined).
Predictions are sets: identical predictions in one document count once.

CoNLL-2003 (named entities; dev = ``eng.testa.normalized``, test = ``eng.testb.normalized``)
    Gold: the IOB1 tags read into PER/ORG/LOC/MISC spans. Text: each ``-DOCSTART-`` document is
    one ``Document``; its sentences are detokenised (no space before , . ; : ! ? % ) 's n't …,
    none after ( $ and opening quotes) and joined by newlines, so the extractor sees whole,
    ordinary-looking articles. A predicted entity is correct when its character span and its type
    are both exactly those of a gold entity. The headline score is micro F1 over PER, ORG and LOC;
    MISC is scored separately (``extra["MISC"]``; ``extra["all"]`` is micro F1 over all four).
    Project kinds map to CoNLL types: Person→PER; Country, Region, Settlement, Location→LOC;
    Organization, NewsOutlet, ArmedForces, MilitaryUnit, IntelligenceAgency, GovernmentAgency,
    InternationalOrganization→ORG; Group→MISC. Descriptive mentions ("Ukraine's intelligence
    agency", ``Mention.descriptive``) are not names and are left out.
    Baseline (``baseline=True`` without an ``extractor``): raw spaCy, run directly through
    ``kg.extract.pipeline.load_nlp(baseline=True)`` (its NER labels, not the project's kinds):
    PERSON→PER; GPE, LOC, FAC→LOC; ORG→ORG; NORP, EVENT, PRODUCT, WORK_OF_ART, LAW,
    LANGUAGE→MISC; other labels (dates, numbers…) are ignored.

CoNLL04 (relations, strict; dev = ``conll04_dev.json``, test = ``conll04_test.json``)
    Each sentence is one ``Document``, detokenised as above. A predicted relation is correct when
    the character spans of both arguments are exactly those of a gold relation's head and tail
    entities and the type is the same. Types: Kill, Work_For, OrgBased_In, Live_In, Located_In,
    from the project's relations killed, worksFor, basedIn, livesIn, locatedIn (subject = head,
    object = tail); other relations are ignored. Argument spans are the spans of the mentions the
    relation links. CoNLL04 counts a person's title of address as part of the name ("President
    Lincoln", "Dr. Martin Luther King Jr.", "Ms. Calico") while CoNLL-2003 and the graph do not:
    here a person mention is scored from the start of the title the extractor recorded right before
    the name (``Mention.title``: courtesy titles, President, royal and religious titles, not when a
    word before makes it a longer role, "US President Bill Clinton"), for entities and relations
    alike. Nothing from the gold decides it. ``extra["entities"]`` scores entities the CoNLL-2003
    way (exact span and type, Peop→PER, Org→ORG, Loc→LOC; "Other" is not scored). The raw spaCy baseline finds no
    relations (relation scores 0) but its entities are scored.

PolNeAR (attributions; dev = ``dev/``, test = ``test/``; brat standoff)
    Gold: every ``E`` line (Attribution or Attribution-no-source) with its Source, Cue and Content
    (plus Content2, a second content) spans; discontinuous spans ("s e;s e") keep all their
    fragments; Discuss/Discard flags are not attributions. Articles annotated by several
    annotators use one annotation: the alphabetically first annotator ID. (An ``E`` line with
    no arguments at all, once in dev, is skipped: dev has 2,192 gold attributions, test 2,044.)
    Predictions: each claim with a source (``Claim.source_span``, else the span of the mention
    ``Claim.source``) gives a pair (source span, content span); claims without a source count
    only for ``content_only``; the relaying outlet (``Claim.reporter``) is not scored.
    A predicted pair matches a gold attribution when (1) the predicted source span overlaps a
    gold source fragment by at least one character, and (2) the predicted content covers at least
    half of the gold content's tokens. Gold content tokens are its whitespace-separated tokens,
    trimmed of leading and trailing non-alphanumeric characters (quotes, commas; tokens with no
    letter or digit are not counted); a token is covered when its trimmed character range lies
    inside the predicted content span. Matching is one-to-one and greedy: candidate pairs are
    taken best first (highest content coverage, then largest source overlap) and each gold
    attribution and each prediction is used at most once; unmatched predictions are false
    positives and unmatched gold attributions false negatives.
    Gold attributions without a source (Attribution-no-source) are not scored: they are not
    false negatives, and a prediction whose content covers at least half of one (and matches
    nothing else) is neither right nor wrong (``extra["ignored_predictions"]``).
    ``extra["content_only"]`` scores contents alone (all claims, all gold attributions, rule 2
    only, one-to-one). The raw spaCy baseline has no claims: 0.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.model import Document, EntityKind, Extraction, Mention, RelationType


class Dataset(str, Enum):
    """The public gold corpora ``kg evaluate`` reads."""

    CONLL2003 = "conll2003"
    CONLL04 = "conll04"
    POLNEAR = "polnear"


class Split(str, Enum):
    """Tune on ``dev``; report ``test``."""

    DEV = "dev"
    TEST = "test"


#: Files (or folders) of each split, relative to the dataset folder.
SPLIT_FILES: dict[Dataset, dict[Split, str]] = {
    Dataset.CONLL2003: {Split.DEV: "eng.testa.normalized", Split.TEST: "eng.testb.normalized"},
    Dataset.CONLL04: {Split.DEV: "conll04_dev.json", Split.TEST: "conll04_test.json"},
    Dataset.POLNEAR: {Split.DEV: "dev", Split.TEST: "test"},
}

TITLES = {
    Dataset.CONLL2003: "CoNLL-2003 NER",
    Dataset.CONLL04: "CoNLL04 relations",
    Dataset.POLNEAR: "PolNeAR attributions",
}

#: Project entity kinds as CoNLL types.
KIND_TO_CONLL: dict[EntityKind, str] = {
    EntityKind.PERSON: "PER",
    EntityKind.COUNTRY: "LOC",
    EntityKind.REGION: "LOC",
    EntityKind.SETTLEMENT: "LOC",
    EntityKind.LOCATION: "LOC",
    EntityKind.ORGANIZATION: "ORG",
    EntityKind.NEWS_OUTLET: "ORG",
    EntityKind.ARMED_FORCES: "ORG",
    EntityKind.MILITARY_UNIT: "ORG",
    EntityKind.INTELLIGENCE_AGENCY: "ORG",
    EntityKind.GOVERNMENT_AGENCY: "ORG",
    EntityKind.INTERNATIONAL_ORGANIZATION: "ORG",
    EntityKind.GROUP: "MISC",
}

#: Raw spaCy (OntoNotes) labels as CoNLL types, for the baseline.
SPACY_TO_CONLL: dict[str, str] = {
    "PERSON": "PER",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ORG": "ORG",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}

#: Project relations as CoNLL04 relation types (subject = head, object = tail).
RELATION_TO_CONLL04: dict[RelationType, str] = {
    RelationType.KILLED: "Kill",
    RelationType.WORKS_FOR: "Work_For",
    RelationType.BASED_IN: "OrgBased_In",
    RelationType.LIVES_IN: "Live_In",
    RelationType.LOCATED_IN: "Located_In",
}

CONLL04_ENTITY_TYPES = {"Peop": "PER", "Org": "ORG", "Loc": "LOC"}
CONLL2003_SCORED = ("PER", "ORG", "LOC")
CONLL04_RELATIONS = ("Kill", "Work_For", "OrgBased_In", "Live_In", "Located_In")

Fragments = tuple[tuple[int, int], ...]


# --------------------------------------------------------------------------------------------
# Gold documents


@dataclass(frozen=True, slots=True)
class GoldEntity:
    """A gold entity: character span (end exclusive) into ``GoldDocument.text`` and its type."""

    start: int
    end: int
    type: str
    text: str


@dataclass(frozen=True, slots=True)
class GoldRelation:
    """A gold relation between two entities (indices into ``GoldDocument.entities``)."""

    type: str
    head: int
    tail: int


@dataclass(frozen=True, slots=True)
class GoldAttribution:
    """A gold attribution: source (``None`` when the annotation has none), cue and content, each a
    tuple of character fragments (brat discontinuous spans keep all their fragments)."""

    id: str
    source: Fragments | None
    cue: Fragments
    content: Fragments


@dataclass(slots=True)
class GoldDocument:
    """One gold document: its text and the annotations that hold for it."""

    name: str  # where it comes from: file#docN, file#sentence-id, article name
    text: str
    entities: list[GoldEntity] = field(default_factory=list)
    relations: list[GoldRelation] = field(default_factory=list)
    attributions: list[GoldAttribution] = field(default_factory=list)
    published: date | None = None
    publisher: str | None = None
    title: str | None = None

    def document(self) -> Document:
        """The ``kg.model.Document`` the extractor reads (its id is the content hash)."""
        return Document(
            id=hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            text=self.text,
            path=self.name,
            title=self.title,
            published=self.published,
            publisher=self.publisher,
        )

    def fragment_text(self, fragments: Fragments) -> str:
        """The text of a (possibly discontinuous) span, fragments joined by a space (as brat)."""
        return " ".join(self.text[s:e] for s, e in fragments)


# --------------------------------------------------------------------------------------------
# Detokenisation of the tokenised corpora

_NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "!", "?", "%", ")", "]", "}", "...", "''"})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "``"})
_CLITICS = frozenset({"'s", "'m", "'re", "'ve", "'ll", "'d", "'t", "n't"})
_BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}


class _Detokeniser:
    """Joins tokens into ordinary text and keeps each token's character span.

    ``"`` tokens alternate between opening and closing quotes over a whole document; the pairs
    `` ` ` `` and ``' '`` (CoNLL04's split LaTeX quotes) become one ``"``.
    """

    def __init__(self) -> None:
        self.quote_open = False

    def join(self, tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
        words = [_BRACKETS.get(t, t) for t in tokens]
        attach = [False] * len(words)  # no space before this word
        glue_next = False
        i = 0
        while i < len(words):
            w = words[i]
            nxt = words[i + 1] if i + 1 < len(words) else None
            attach[i] = glue_next
            glue_next = False
            if w in ("`", "'") and nxt == w:  # split LaTeX quotes: ` ` and ' '
                opening = w == "`"
                words[i], words[i + 1] = '"', ""
                attach[i + 1] = True
                if opening:
                    glue_next = True
                else:
                    attach[i] = True
                i += 2
                continue
            if w == '"':
                if self.quote_open:
                    attach[i] = True
                else:
                    glue_next = True
                self.quote_open = not self.quote_open
            elif w in _NO_SPACE_BEFORE or w.lower() in _CLITICS:
                attach[i] = True
            elif w.startswith("'") and w[1:2].isalpha() and i > 0 and words[i - 1] in ("O", "D"):
                attach[i] = True  # O 'Brien
            if w in _NO_SPACE_AFTER:
                glue_next = True
            i += 1
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        for k, w in enumerate(words):
            if k > 0 and not attach[k]:
                parts.append(" ")
                pos += 1
            spans.append((pos, pos + len(w)))
            parts.append(w)
            pos += len(w)
        return "".join(parts), spans


def detokenise(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join tokens into text; return it with each token's character span.

    >>> detokenise(["He", "said", "(", "Reuters", ")", "it", "wasn", "'t", "$", "5", "."])[0]
    "He said (Reuters) it wasn't $5."
    """
    return _Detokeniser().join(tokens)


# --------------------------------------------------------------------------------------------
# Readers


def _require(path: Path) -> Path:
    if not path.exists():
        raise InputError(path, "evaluation data not found")
    return path


def read_conll2003(path: str | Path, *, limit: int | None = None) -> list[GoldDocument]:
    """Read a CoNLL-2003 file (4 columns, IOB1 tags, ``-DOCSTART-`` boundaries) into one gold
    document per ``-DOCSTART-`` document, sentences detokenised and joined by newlines."""
    path = _require(Path(path))
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []

    def end_sentence() -> None:
        nonlocal sentence
        if sentence:
            if not docs:
                docs.append([])
            docs[-1].append(sentence)
            sentence = []

    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            cols = line.split()
            if not cols:
                end_sentence()
            elif cols[0] == "-DOCSTART-":
                end_sentence()
                docs.append([])
            elif len(cols) != 4:
                raise InputError(f"{path}:{number}", f"expected 4 columns, found {len(cols)}")
            else:
                sentence.append((cols[0], cols[3]))
    end_sentence()
    docs = [d for d in docs if d]
    if limit is not None:
        docs = docs[:limit]

    gold: list[GoldDocument] = []
    for index, sentences in enumerate(docs):
        detok = _Detokeniser()
        text_parts: list[str] = []
        entities: list[GoldEntity] = []
        offset = 0
        for sent in sentences:
            text, spans = detok.join([t for t, _ in sent])
            for first, last, etype in _iob1_chunks([tag for _, tag in sent]):
                start, end = offset + spans[first][0], offset + spans[last][1]
                entities.append(GoldEntity(start, end, etype, ""))
            text_parts.append(text)
            offset += len(text) + 1
        full = "\n".join(text_parts)
        entities = [GoldEntity(e.start, e.end, e.type, full[e.start : e.end]) for e in entities]
        gold.append(GoldDocument(name=f"{path.name}#doc{index}", text=full, entities=entities))
    return gold


def _iob1_chunks(tags: Sequence[str]) -> Iterator[tuple[int, int, str]]:
    """(first token, last token, type) of each entity in IOB1 (or IOB2) tags."""
    start: int | None = None
    etype = ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        continues = prefix == "I" and start is not None and kind == etype
        if start is not None and not continues:
            yield start, i - 1, etype
            start = None
        if prefix in ("B", "I") and not continues:
            start, etype = i, kind


def read_conll04(path: str | Path, *, limit: int | None = None) -> list[GoldDocument]:
    """Read a CoNLL04 split in SpERT JSON: one gold document per sentence (detokenised), with its
    entities (types Peop, Org, Loc, Other) and relations."""
    path = _require(Path(path))
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not SpERT JSON: {exc}") from exc
    if limit is not None:
        items = items[:limit]
    gold: list[GoldDocument] = []
    for index, item in enumerate(items):
        text, spans = detokenise(item["tokens"])
        entities = []
        for ent in item["entities"]:
            start, end = spans[ent["start"]][0], spans[ent["end"] - 1][1]
            entities.append(GoldEntity(start, end, ent["type"], text[start:end]))
        relations = [GoldRelation(r["type"], r["head"], r["tail"]) for r in item["relations"]]
        name = f"{path.name}#{item.get('orig_id', index)}"
        gold.append(GoldDocument(name=name, text=text, entities=entities, relations=relations))
    return gold


def _fragments(value: str) -> Fragments:
    out = []
    for part in value.split(";"):
        start, end = part.split()
        out.append((int(start), int(end)))
    return tuple(out)


def read_brat(text: str, ann: str, *, where: object = "<ann>") -> list[GoldAttribution]:
    """Attributions of one brat ``.ann`` file (PolNeAR's layout) over its text.

    Raises ``InputError`` when a span's recorded text differs from the text at its offsets.
    """
    spans: dict[str, tuple[str, Fragments]] = {}
    events: list[tuple[str, dict[str, list[str]]]] = []
    for number, line in enumerate(ann.splitlines(), 1):
        if line.startswith("T"):
            tid, head, surface = (line.split("\t") + [""])[:3]
            label, _, offsets = head.partition(" ")
            frags = _fragments(offsets)
            expected = " ".join(text[s:e] for s, e in frags)
            if expected != surface:
                problem = f"span text {surface!r} differs from the text {expected!r}"
                raise InputError(f"{where}:{number}", problem)
            spans[tid] = (label, frags)
        elif line.startswith("E"):
            eid, _, args = line.partition("\t")
            roles: dict[str, list[str]] = {}
            for arg in args.split():
                role, _, target = arg.partition(":")
                roles.setdefault(role.rstrip("0123456789"), []).append(target)
            events.append((eid, roles))
    out: list[GoldAttribution] = []
    for eid, roles in events:
        content = tuple(f for t in roles.get("Content", []) for f in spans[t][1])
        if not content:  # an unfinished annotation (an E line with no arguments)
            continue
        cue = tuple(f for t in roles.get("Cue", []) for f in spans[t][1])
        source_ids = roles.get("Source", [])
        source = tuple(f for t in source_ids for f in spans[t][1]) if source_ids else None
        out.append(GoldAttribution(eid, source, cue, tuple(sorted(content))))
    return out


def read_polnear(
    path: str | Path, *, metadata: str | Path | None = None, limit: int | None = None
) -> list[GoldDocument]:
    """Read a PolNeAR split folder (``text/*.txt`` and ``attributions/*_<annotator>.ann``): one gold
    document per article, with the attributions of its alphabetically first annotator.
    ``metadata`` (default: ``metadata.tsv`` beside the folder) gives date, publisher and title."""
    folder = _require(Path(path))
    meta: dict[str, dict[str, str]] = {}
    meta_path = Path(metadata) if metadata is not None else folder.parent / "metadata.tsv"
    if meta_path.is_file():
        with meta_path.open(encoding="utf-8", newline="") as handle:
            meta = {row["filename"]: row for row in csv.DictReader(handle, delimiter="\t")}
    annotations: dict[str, Path] = {}
    for ann in sorted(_require(folder / "attributions").glob("*.ann")):
        article, _, _annotator = ann.stem.rpartition("_")
        annotations.setdefault(article, ann)  # sorted: the alphabetically first annotator wins
    texts = sorted(_require(folder / "text").glob("*.txt"))
    if limit is not None:
        texts = texts[:limit]
    gold: list[GoldDocument] = []
    for txt in texts:
        with txt.open(encoding="utf-8", newline="") as handle:  # brat offsets: no newline translation
            text = handle.read()
        ann = annotations.get(txt.stem)
        attributions = read_brat(text, ann.read_text(encoding="utf-8"), where=ann) if ann else []
        row = meta.get(txt.stem, {})
        published = None
        if row.get("publication_date"):
            try:
                published = date.fromisoformat(row["publication_date"])
            except ValueError:
                published = None
        gold.append(
            GoldDocument(
                name=txt.stem,
                text=text,
                attributions=attributions,
                published=published,
                publisher=row.get("publisher") or None,
                title=row.get("title") or None,
            )
        )
    return gold


READERS = {
    Dataset.CONLL2003: read_conll2003,
    Dataset.CONLL04: read_conll04,
    Dataset.POLNEAR: read_polnear,
}


def read_gold(
    dataset: Dataset | str, *, data: str | Path, split: Split | str, limit: int | None = None
) -> list[GoldDocument]:
    """Read one split of a dataset; ``data`` is the folder holding the dataset folders (or the
    dataset folder itself)."""
    dataset, split = Dataset(dataset), Split(split)
    root = Path(data)
    folder = root / dataset.value if (root / dataset.value).is_dir() else root
    return READERS[dataset](_require(folder / SPLIT_FILES[dataset][split]), limit=limit)


# --------------------------------------------------------------------------------------------
# Counts and scores


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives, with the measures they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Counts) -> Counts:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _sum(counts: Iterable[Counts]) -> Counts:
    total = Counts()
    for c in counts:
        total.add(c)
    return total


@dataclass(slots=True)
class Scores:
    """The result of one evaluation: micro P/R/F1 of the headline measure and its counts, counts
    per type, and ``extra`` figures (JSON-ready dicts) such as CoNLL-2003's MISC."""

    dataset: Dataset
    split: Split
    n_docs: int
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    per_type: dict[str, Counts] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    baseline: bool = False  # raw spaCy, none of the project's rules
    extractor: str = ""
    model: str = ""
    seconds: float = 0.0

    @classmethod
    def from_counts(
        cls, dataset: Dataset, split: Split, n_docs: int, per_type: dict[str, Counts], **kw: Any
    ) -> Scores:
        """Scores whose headline figures are the micro sums of ``per_type``."""
        total = _sum(per_type.values())
        return cls(
            dataset=dataset,
            split=split,
            n_docs=n_docs,
            precision=total.precision,
            recall=total.recall,
            f1=total.f1,
            tp=total.tp,
            fp=total.fp,
            fn=total.fn,
            per_type=per_type,
            **kw,
        )

    def to_dict(self, *, baseline: Scores | None = None) -> dict[str, Any]:
        """JSON-ready: precision, recall, f1, counts, per_type, extra …; a ``baseline`` run's
        scores nest under ``"baseline"`` when given."""
        out: dict[str, Any] = {
            "dataset": self.dataset.value,
            "split": self.split.value,
            "n_docs": self.n_docs,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "counts": {"tp": self.tp, "fp": self.fp, "fn": self.fn},
            "per_type": {name: c.to_dict() for name, c in self.per_type.items()},
            "extra": self.extra,
            "extractor": self.extractor,
            "model": self.model,
            "is_baseline": self.baseline,
            "seconds": round(self.seconds, 1),
        }
        if baseline is not None:
            out["baseline"] = baseline.to_dict()
        return out


# --------------------------------------------------------------------------------------------
# Matchers


def match_exact(
    predicted: Iterable[tuple], gold: Iterable[tuple], *, key: int = -1
) -> dict[str, Counts]:
    """Exact matching of tuples (spans, types …), sets on both sides; counts per type, the type
    being element ``key`` of each tuple.

    >>> c = match_exact({(0, 3, "PER"), (4, 9, "ORG")}, {(0, 3, "PER"), (4, 9, "LOC")})
    >>> {t: (x.tp, x.fp, x.fn) for t, x in sorted(c.items())}
    {'LOC': (0, 0, 1), 'ORG': (0, 1, 0), 'PER': (1, 0, 0)}
    """
    pred, gold_set = set(predicted), set(gold)
    counts: dict[str, Counts] = {}
    for item in pred | gold_set:
        c = counts.setdefault(item[key], Counts())
        if item in pred and item in gold_set:
            c.tp += 1
        elif item in pred:
            c.fp += 1
        else:
            c.fn += 1
    return counts


@dataclass(frozen=True, slots=True)
class PredictedAttribution:
    """A predicted (source, content) pair, character spans; ``source`` is ``None`` when the claim
    names no source."""

    source: tuple[int, int] | None
    content: tuple[int, int]


_ALNUM = re.compile(r"[^\W_]")


def content_tokens(text: str, fragments: Fragments) -> list[tuple[int, int]]:
    """Whitespace tokens of a gold content, trimmed of leading and trailing non-alphanumeric
    characters; tokens without a letter or digit are dropped.

    >>> content_tokens('He said "no, never."', ((8, 20),))
    [(9, 11), (13, 18)]
    """
    out = []
    for start, end in fragments:
        for tok in re.finditer(r"\S+", text[start:end]):
            letters = [m.start() for m in _ALNUM.finditer(tok.group())]
            if letters:
                out.append((start + tok.start() + letters[0], start + tok.start() + letters[-1] + 1))
    return out


def content_coverage(predicted: tuple[int, int], tokens: Sequence[tuple[int, int]]) -> float:
    """Share of the gold content tokens lying inside the predicted content span."""
    if not tokens:
        return 0.0
    start, end = predicted
    return sum(1 for s, e in tokens if start <= s and e <= end) / len(tokens)


def _overlap(span: tuple[int, int], fragments: Fragments) -> int:
    return sum(max(0, min(span[1], e) - max(span[0], s)) for s, e in fragments)


def _greedy(candidates: list[tuple[tuple, int, int]]) -> list[tuple[int, int]]:
    """One-to-one greedy assignment: candidates (sort key, pred, gold), best (smallest key) first."""
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, p, g in sorted(candidates):
        if p not in used_p and g not in used_g:
            used_p.add(p)
            used_g.add(g)
            pairs.append((p, g))
    return pairs


@dataclass(slots=True)
class AttributionMatch:
    """Counts of one document's attribution matching (see the module's rules)."""

    counts: Counts
    content_only: Counts
    ignored: int = 0


def match_attributions(
    predicted: Iterable[PredictedAttribution], gold: Sequence[GoldAttribution], text: str
) -> AttributionMatch:
    """Match predicted (source, content) pairs to gold attributions one-to-one (module rules).

    >>> text = "Kyiv said the bridge fell."
    >>> gold = [GoldAttribution("E1", ((0, 4),), ((5, 9),), ((10, 25),))]
    >>> m = match_attributions([PredictedAttribution((0, 4), (10, 20))], gold, text)
    >>> (m.counts.tp, m.counts.fp, m.counts.fn)
    (1, 0, 0)
    """
    preds = list(dict.fromkeys(predicted))  # identical predictions count once
    tokens = [content_tokens(text, g.content) for g in gold]
    sourced = [i for i, g in enumerate(gold) if g.source is not None]

    # main score: pairs with a source against gold attributions with a source
    candidates = []
    for p, pred in enumerate(preds):
        if pred.source is None:
            continue
        for g in sourced:
            overlap = _overlap(pred.source, gold[g].source or ())
            cover = content_coverage(pred.content, tokens[g])
            if overlap and cover >= 0.5:
                candidates.append(((-cover, -overlap, p, g), p, g))
    matched = _greedy(candidates)
    matched_p = {p for p, _ in matched}
    ignored = 0
    unsourced = [i for i, g in enumerate(gold) if g.source is None]
    fp = 0
    for p, pred in enumerate(preds):
        if pred.source is None or p in matched_p:
            continue
        if any(content_coverage(pred.content, tokens[g]) >= 0.5 for g in unsourced):
            ignored += 1
        else:
            fp += 1
    counts = Counts(tp=len(matched), fp=fp, fn=len(sourced) - len(matched))

    # content only: every prediction against every gold attribution
    contents = list(dict.fromkeys(p.content for p in preds))
    candidates = []
    for p, content in enumerate(contents):
        for g in range(len(gold)):
            cover = content_coverage(content, tokens[g])
            if cover >= 0.5:
                candidates.append(((-cover, p, g), p, g))
    n = len(_greedy(candidates))
    content_only = Counts(tp=n, fp=len(contents) - n, fn=len(gold) - n)
    return AttributionMatch(counts, content_only, ignored)


# --------------------------------------------------------------------------------------------
# Predictions from extractions


def scored_span(mention: Mention, *, titled: bool = False) -> tuple[int, int]:
    """The character span a mention is scored with: its own span, or with ``titled`` (CoNLL04)
    from the start of the title of address the extractor recorded before it
    (``Mention.title``: "President Lincoln")."""
    start = mention.title.start if titled and mention.title is not None else mention.span.start
    return start, mention.span.end


def predicted_entities(extraction: Extraction, *, titled: bool = False) -> set[tuple[int, int, str]]:
    """(start, end, CoNLL type) of each named (not descriptive) mention of a mapped kind."""
    out = set()
    for m in extraction.mentions:
        etype = KIND_TO_CONLL.get(m.kind)
        if etype and not m.descriptive:
            out.add((*scored_span(m, titled=titled), etype))
    return out


def predicted_relations(extraction: Extraction, *, titled: bool = False) -> set[tuple[int, int, int, int, str]]:
    """(head start, head end, tail start, tail end, CoNLL04 type) of each mapped relation."""
    out = set()
    mentions = extraction.mentions
    for rel in extraction.relations:
        rtype = RELATION_TO_CONLL04.get(rel.predicate)
        if rtype is None:
            continue
        head = scored_span(mentions[rel.subject], titled=titled)
        tail = scored_span(mentions[rel.object], titled=titled)
        out.add((*head, *tail, rtype))
    return out


def predicted_attributions(extraction: Extraction) -> list[PredictedAttribution]:
    """A (source, content) pair per claim; the source is ``source_span``, else the span of the
    source mention, else ``None``."""
    out = []
    for claim in extraction.claims:
        source = claim.source_span
        if source is None and claim.source is not None:
            source = extraction.mentions[claim.source].span
        source_range = (source.start, source.end) if source else None
        out.append(PredictedAttribution(source_range, (claim.content.start, claim.content.end)))
    return out


@dataclass(slots=True)
class _Prediction:
    entities: set[tuple[int, int, str]]
    relations: set[tuple[int, int, int, int, str]]
    attributions: list[PredictedAttribution]


def _from_extraction(extraction: Extraction, *, titled: bool = False) -> _Prediction:
    return _Prediction(
        predicted_entities(extraction, titled=titled),
        predicted_relations(extraction, titled=titled),
        predicted_attributions(extraction),
    )


class _RawSpacy:
    """The baseline: spaCy's own NER labels, read straight from the pipeline (no project rules)."""

    def __init__(self) -> None:
        from kg.extract.pipeline import load_nlp

        self.nlp = load_nlp(baseline=True)
        self.name = "spacy (raw baseline)"
        self.model = f"{self.nlp.meta['lang']}_{self.nlp.meta['name']} {self.nlp.meta['version']}"

    def predict(self, documents: Iterable[Document]) -> Iterator[_Prediction]:
        # NER has its own tok2vec in the small English pipelines: the others do not change it.
        disable = [name for name in self.nlp.pipe_names if name != "ner"]
        for doc in self.nlp.pipe((d.text for d in documents), batch_size=32, disable=disable):
            ents = {
                (e.start_char, e.end_char, SPACY_TO_CONLL[e.label_])
                for e in doc.ents
                if e.label_ in SPACY_TO_CONLL
            }
            yield _Prediction(ents, set(), [])


# --------------------------------------------------------------------------------------------
# evaluate


def evaluate(
    dataset: Dataset | str,
    *,
    data: str | Path,
    split: Split | str = Split.DEV,
    baseline: bool = False,
    limit: int | None = None,
    extractor: Any = None,
) -> Scores:
    """Score an extractor on one split of a public gold corpus (matching rules: module docstring).

    ``data`` holds the dataset folders; ``limit`` keeps the first N gold documents (sentences for
    CoNLL04, articles otherwise). Without ``extractor``, the default extractor is loaded, or raw
    spaCy when ``baseline`` (which then reads spaCy's NER labels directly).
    """
    dataset, split = Dataset(dataset), Split(split)
    gold = read_gold(dataset, data=data, split=split, limit=limit)
    started = time.perf_counter()
    documents = (g.document() for g in gold)
    if extractor is None and baseline:
        raw = _RawSpacy()
        name, model = raw.name, raw.model
        predictions: Iterator[_Prediction] = raw.predict(documents)
    else:
        if extractor is None:
            from kg.extract import load_extractor

            extractor = load_extractor()
        name, model = getattr(extractor, "name", ""), getattr(extractor, "model", "")
        titled = dataset is Dataset.CONLL04  # CoNLL04 spans hold a person's title of address
        predictions = (_from_extraction(x, titled=titled) for x in extractor.pipe(documents))

    per_type, extra = _SCORERS[dataset](gold, predictions)
    return Scores.from_counts(
        dataset,
        split,
        len(gold),
        per_type,
        extra=extra,
        baseline=baseline,
        extractor=name,
        model=model,
        seconds=time.perf_counter() - started,
    )


_Scored = tuple[dict[str, Counts], dict[str, Any]]  # counts per type, extra figures


def _accumulate(into: dict[str, Counts], counts: dict[str, Counts]) -> None:
    for name, c in counts.items():
        into.setdefault(name, Counts()).add(c)


def _score_conll2003(gold: list[GoldDocument], predictions: Iterable[_Prediction]) -> _Scored:
    per_type: dict[str, Counts] = {t: Counts() for t in (*CONLL2003_SCORED, "MISC")}
    for g, pred in zip(gold, predictions, strict=True):
        _accumulate(per_type, match_exact(pred.entities, {(e.start, e.end, e.type) for e in g.entities}))
    misc = per_type.pop("MISC")
    extra = {"MISC": misc.to_dict(), "all": _sum([*per_type.values(), misc]).to_dict()}
    return per_type, extra


def _score_conll04(gold: list[GoldDocument], predictions: Iterable[_Prediction]) -> _Scored:
    per_type: dict[str, Counts] = {t: Counts() for t in CONLL04_RELATIONS}
    entities: dict[str, Counts] = {t: Counts() for t in CONLL2003_SCORED}
    for g, pred in zip(gold, predictions, strict=True):
        ents = g.entities
        gold_rel = {
            (ents[r.head].start, ents[r.head].end, ents[r.tail].start, ents[r.tail].end, r.type)
            for r in g.relations
        }
        _accumulate(per_type, match_exact(pred.relations, gold_rel))
        gold_ent = {
            (e.start, e.end, CONLL04_ENTITY_TYPES[e.type])
            for e in ents if e.type in CONLL04_ENTITY_TYPES
        }
        found = {e for e in pred.entities if e[2] in CONLL2003_SCORED}
        _accumulate(entities, match_exact(found, gold_ent))
    total = _sum(entities.values()).to_dict()
    extra = {"entities": {**total, "per_type": {t: c.to_dict() for t, c in entities.items()}}}
    return per_type, extra


def _score_polnear(gold: list[GoldDocument], predictions: Iterable[_Prediction]) -> _Scored:
    main, content_only = Counts(), Counts()
    ignored = without_source = 0
    for g, pred in zip(gold, predictions, strict=True):
        m = match_attributions(pred.attributions, g.attributions, g.text)
        main.add(m.counts)
        content_only.add(m.content_only)
        ignored += m.ignored
        without_source += sum(1 for a in g.attributions if a.source is None)
    extra = {
        "content_only": content_only.to_dict(),
        "gold_without_source": without_source,
        "ignored_predictions": ignored,
    }
    return {"Attribution": main}, extra


_SCORERS = {
    Dataset.CONLL2003: _score_conll2003,
    Dataset.CONLL04: _score_conll04,
    Dataset.POLNEAR: _score_polnear,
}


# --------------------------------------------------------------------------------------------
# Plain-text table


def format_table(scores: Scores, *, baseline: Scores | None = None) -> str:
    """The scores as a plain-text table (with the baseline's F1 beside each row when given)."""
    title = (
        f"{TITLES[scores.dataset]}, {scores.split.value}: {scores.n_docs} documents, "
        f"{scores.extractor} ({scores.model}), {scores.seconds:.1f} s"
    )
    header = ["", "P", "R", "F1", "tp", "fp", "fn"] + (["base F1"] if baseline else [])
    rows: list[list[str]] = []

    def row(name: str, c: dict[str, Any], base: dict[str, Any] | None) -> None:
        measures = [f"{c[key]:.3f}" for key in ("precision", "recall", "f1")]
        cells = [name, *measures, str(c["tp"]), str(c["fp"]), str(c["fn"])]
        if baseline is not None:
            cells.append(f"{base['f1']:.3f}" if base else "-")
        rows.append(cells)

    d = scores.to_dict()
    b = baseline.to_dict() if baseline is not None else {}
    for name, c in d["per_type"].items():
        row(name, c, b.get("per_type", {}).get(name))
    total = {"precision": d["precision"], "recall": d["recall"], "f1": d["f1"], **d["counts"]}
    btotal = {"f1": b["f1"]} if b else None
    row("micro", total, btotal)
    for name, value in d["extra"].items():
        if isinstance(value, dict) and "f1" in value:
            row(name, value, b.get("extra", {}).get(name))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [title]
    for r in [header, *rows]:
        cells = [cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells))
    notes = [f"{k}: {v}" for k, v in d["extra"].items() if not isinstance(v, dict)]
    return "\n".join(lines + notes)
