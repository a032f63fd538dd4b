"""kg.evaluate: gold readers on the real public data, the matchers, the scores, end to end."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from kg.errors import InputError
from kg.evaluate import (
    Counts,
    Dataset,
    GoldAttribution,
    PredictedAttribution,
    Scores,
    Split,
    content_coverage,
    content_tokens,
    detokenise,
    evaluate,
    format_table,
    match_attributions,
    match_exact,
    predicted_entities,
    predicted_relations,
    read_brat,
    read_conll04,
    read_conll2003,
    read_gold,
    read_polnear,
)


# --------------------------------------------------------------------------------------------
# Readers on the real data (figures from each dataset's SOURCE.txt)


@pytest.mark.parametrize(
    ("split", "name", "n_docs", "n_sentences", "n_tokens", "types"),
    [
        ("dev", "eng.testa.normalized", 216, 3250, 51362, {"LOC": 1837, "PER": 1842, "ORG": 1341, "MISC": 922}),
        ("test", "eng.testb.normalized", 231, 3453, 46435, {"LOC": 1668, "ORG": 1661, "PER": 1617, "MISC": 702}),
    ],
)
def test_read_conll2003_matches_source_counts(eval_dir, split, name, n_docs, n_sentences, n_tokens, types):
    docs = read_conll2003(eval_dir / "conll2003" / name)
    assert len(docs) == n_docs
    assert sum(len(d.text.split("\n")) for d in docs) == n_sentences
    assert Counter(e.type for d in docs for e in d.entities) == types
    for d in docs:
        for e in d.entities:
            assert e.text == d.text[e.start : e.end] and e.text == e.text.strip() and e.text
    # the token count is kept: every token of the file is in the text (split quotes merge)
    tokens = sum(1 for line in (eval_dir / "conll2003" / name).read_text().splitlines() if line.split() and not line.startswith("-DOCSTART-"))
    assert tokens == n_tokens


def test_read_conll2003_test_agrees_with_the_offset_jsonl(eval_dir):
    docs = read_conll2003(eval_dir / "conll2003" / "eng.testb.normalized")
    rows = [json.loads(line) for line in (eval_dir / "conll2003" / "eng.testb.docs.jsonl").open()]
    assert len(rows) == len(docs)

    def norm(text: str) -> str:  # the jsonl joins tokens by spaces and keeps ` ` and ' ' quotes
        return text.replace(" ", "").replace("''", '"').replace("``", '"')

    for doc, row in zip(docs, rows, strict=True):
        assert norm(doc.text) == norm(row["text"])
        ours = [(e.type, norm(e.text)) for e in doc.entities]
        theirs = [(e["type"], norm(e["text"])) for s in row["sentences"] for e in s["entities"]]
        assert ours == theirs


@pytest.mark.parametrize(
    ("split", "n_sent", "n_ent", "relations"),
    [
        ("dev", 231, 893, {"Live_In": 91, "OrgBased_In": 76, "Work_For": 69, "Located_In": 65, "Kill": 42}),
        ("test", 288, 1079, {"OrgBased_In": 105, "Live_In": 100, "Located_In": 94, "Work_For": 76, "Kill": 47}),
    ],
)
def test_read_conll04_matches_source_counts(eval_dir, split, n_sent, n_ent, relations):
    docs = read_conll04(eval_dir / "conll04" / f"conll04_{split}.json")
    assert len(docs) == n_sent
    assert sum(len(d.entities) for d in docs) == n_ent
    assert Counter(r.type for d in docs for r in d.relations) == relations
    raw = json.loads((eval_dir / "conll04" / f"conll04_{split}.json").read_text())
    for doc, item in zip(docs, raw, strict=True):
        for e, g in zip(doc.entities, item["entities"], strict=True):
            assert e.text == doc.text[e.start : e.end]
            # the detokenised span holds exactly the gold tokens (letters and digits compared)
            tokens = "".join(item["tokens"][g["start"] : g["end"]])
            assert [c for c in e.text if c.isalnum()] == [c for c in tokens if c.isalnum()]


def test_read_conll04_detokenises_sentences(eval_dir):
    first = read_conll04(eval_dir / "conll04" / "conll04_dev.json", limit=2)
    assert first[0].text == "John Wilkes Booth, who assassinated President Lincoln, was an actor."
    assert [e.text for e in first[0].entities] == ["John Wilkes Booth", "President Lincoln"]
    assert "Kevin O'Brien" in [e.text for e in first[1].entities]


@pytest.mark.parametrize(("split", "n_attr", "n_words"), [("dev", 2192, 67609), ("test", 2044, 63276)])
def test_read_polnear_matches_source_counts(eval_dir, split, n_attr, n_words):
    # SOURCE.txt: dev 2,193 E lines with one annotator per article; one of them (breitbart
    # 2016-10-03, E21) has no arguments at all and is not an attribution. Test: 2,044.
    docs = read_polnear(eval_dir / "polnear" / split)
    assert len(docs) == 84
    assert sum(len(d.text.split()) for d in docs) == n_words
    attributions = [a for d in docs for a in d.attributions]
    assert len(attributions) == n_attr
    assert Counter(d.publisher for d in docs) == dict.fromkeys(
        ["breitbart", "huff-post", "nyt", "politico", "usa-today", "wash-post", "west-journal"], 12
    )
    assert all(d.published is not None for d in docs)
    assert any(len(a.content) > 1 for a in attributions)  # discontinuous contents exist
    for d in docs:
        for a in d.attributions:
            assert a.cue and a.content
            for s, e in (*a.content, *a.cue, *(a.source or ())):
                assert 0 <= s < e <= len(d.text)


def test_polnear_span_texts_equal_text_slices_in_every_annotation_file(eval_dir):
    """All annotators' files, not only the chosen one: brat offsets index the UTF-8 text."""
    for split in ("dev", "test"):
        folder = eval_dir / "polnear" / split
        for ann in sorted((folder / "attributions").glob("*.ann")):
            article = ann.stem.rpartition("_")[0]
            text = (folder / "text" / f"{article}.txt").read_text(encoding="utf-8")
            read_brat(text, ann.read_text(encoding="utf-8"), where=ann)  # raises on any mismatch


def test_read_gold_accepts_the_eval_root_or_the_dataset_folder(eval_dir):
    a = read_gold(Dataset.CONLL04, data=eval_dir, split=Split.DEV, limit=3)
    b = read_gold("conll04", data=eval_dir / "conll04", split="dev", limit=3)
    assert [d.text for d in a] == [d.text for d in b] and len(a) == 3


def test_missing_data_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        read_gold(Dataset.CONLL2003, data=tmp_path, split=Split.DEV)


# --------------------------------------------------------------------------------------------
# brat and detokenisation on hand-made input

BRAT_TEXT = "Officials said the bridge fell and the road closed. It rained."
BRAT_ANN = "\n".join(
    [
        "T1\tSource 0 9\tOfficials",
        "T2\tCue 10 14\tsaid",
        "T3\tContent 15 30;35 50\tthe bridge fell the road closed",
        "T4\tAttribution 10 14\tsaid",
        "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3",
        "T5\tCue 52 54\tIt",
        "T6\tContent 55 62\trained.",
        "T7\tContent 31 34\tand",
        "T8\tAttribution-no-source 52 54\tIt",
        "E2\tAttribution-no-source:T8 Cue:T5 Content:T6 Content2:T7",
        "T9\tDiscuss 0 9\tOfficials",
        "E3\tAttribution-no-source:T9 ",
    ]
)


def test_read_brat_discontinuous_spans_second_content_and_no_source():
    e1, e2 = read_brat(BRAT_TEXT, BRAT_ANN)
    assert e1.source == ((0, 9),) and e1.cue == ((10, 14),) and e1.content == ((15, 30), (35, 50))
    assert e2.source is None and e2.content == ((31, 34), (55, 62))


def test_read_brat_rejects_offsets_that_do_not_match_the_text():
    with pytest.raises(InputError, match="differs"):
        read_brat(BRAT_TEXT, "T1\tSource 1 10\tOfficials")


def test_detokenise_keeps_token_spans():
    text, spans = detokenise(["`", "`", "Hi", ",", "'", "'", "said", "Kevin", "O", "'Brien", "(", "AP", ")", "."])
    assert text == '"Hi," said Kevin O\'Brien (AP).'
    assert text[spans[7][0] : spans[9][1]] == "Kevin O'Brien"
    assert text[spans[11][0] : spans[11][1]] == "AP"


# --------------------------------------------------------------------------------------------
# Matchers


def test_match_exact_span_and_type():
    gold = {(0, 5, "PER"), (10, 15, "ORG"), (20, 25, "LOC")}
    pred = {(0, 5, "PER"), (10, 15, "LOC"), (20, 24, "LOC")}  # exact; type mismatch; span off by one
    counts = match_exact(pred, gold)
    assert (counts["PER"].tp, counts["PER"].fp, counts["PER"].fn) == (1, 0, 0)
    assert (counts["ORG"].tp, counts["ORG"].fp, counts["ORG"].fn) == (0, 0, 1)
    assert (counts["LOC"].tp, counts["LOC"].fp, counts["LOC"].fn) == (0, 2, 1)


def test_conll04_scores_persons_with_the_title_the_extractor_recorded():
    from kg.model import Document, EntityKind, Extraction, Mention, Relation, RelationType, Span

    text = "John Wilkes Booth, who assassinated President Lincoln, was an actor."
    booth = Mention(Span.of(text, 0, 17), EntityKind.PERSON)
    lincoln = Mention(Span.of(text, 46, 53), EntityKind.PERSON, title=Span.of(text, 36, 45))
    assert (lincoln.span.text, lincoln.title.text) == ("Lincoln", "President")
    x = Extraction(document=Document(id="d", text=text), mentions=[booth, lincoln],
                   relations=[Relation(0, RelationType.KILLED, 1, Span.of(text, 0, len(text)))])
    assert predicted_relations(x, titled=True) == {(0, 17, 36, 53, "Kill")}
    assert predicted_relations(x) == {(0, 17, 46, 53, "Kill")}  # CoNLL-2003 and the graph: the name only
    assert (36, 53, "PER") in predicted_entities(x, titled=True) and (46, 53, "PER") in predicted_entities(x)


def test_match_exact_duplicates_are_not_double_counted():
    counts = match_exact([(0, 5, "PER"), (0, 5, "PER")], [(0, 5, "PER")])
    assert (counts["PER"].tp, counts["PER"].fp, counts["PER"].fn) == (1, 0, 0)


TEXT = 'Kyiv said "the bridge over the river fell at dawn."'
#       0    5    10   15   20   25   30   35   40   45   50
GOLD = [GoldAttribution("E1", ((0, 4),), ((5, 9),), ((10, 51),))]  # 8 content tokens


def _counts(pred, gold=GOLD, text=TEXT):
    m = match_attributions(pred, gold, text)
    return m.counts.tp, m.counts.fp, m.counts.fn


def test_content_tokens_are_trimmed_whitespace_tokens():
    tokens = content_tokens(TEXT, GOLD[0].content)
    assert [TEXT[s:e] for s, e in tokens] == ["the", "bridge", "over", "the", "river", "fell", "at", "dawn"]
    assert content_coverage((11, 36), tokens) == 5 / 8


def test_attribution_exact_match():
    assert _counts([PredictedAttribution((0, 4), (10, 51))]) == (1, 0, 0)


def test_attribution_content_overlapping_at_least_half_matches():
    # "the bridge over the" = 4 of 8 tokens: exactly half
    assert _counts([PredictedAttribution((0, 4), (11, 30))]) == (1, 0, 0)
    # punctuation outside the predicted span does not matter
    assert _counts([PredictedAttribution((0, 4), (11, 49))]) == (1, 0, 0)


def test_attribution_content_overlapping_less_than_half_does_not_match():
    # "the bridge over" = 3 of 8 tokens
    assert _counts([PredictedAttribution((0, 4), (11, 26))]) == (0, 1, 1)


def test_attribution_source_must_overlap():
    assert _counts([PredictedAttribution((5, 9), (10, 51))]) == (0, 1, 1)  # the cue, not the source
    assert _counts([PredictedAttribution((2, 9), (10, 51))]) == (1, 0, 0)  # partial source overlap


def test_attribution_duplicates_are_not_double_counted():
    same = PredictedAttribution((0, 4), (10, 51))
    assert _counts([same, same]) == (1, 0, 0)  # identical predictions count once
    other = PredictedAttribution((0, 4), (15, 51))
    assert _counts([same, other]) == (1, 1, 0)  # one gold, two different predictions: one is wrong
    two_gold = GOLD + [GoldAttribution("E2", ((0, 4),), ((5, 9),), ((10, 51),))]
    assert _counts([same], gold=two_gold) == (1, 0, 1)  # one prediction matches one gold at most


def test_attribution_greedy_assignment_prefers_the_best_cover():
    text = "A said x y z w. B said p q r s."
    gold = [
        GoldAttribution("E1", ((0, 1),), ((2, 6),), ((7, 14),)),
        GoldAttribution("E2", ((16, 17),), ((18, 22),), ((23, 30),)),
    ]
    preds = [PredictedAttribution((0, 1), (7, 14)), PredictedAttribution((16, 17), (23, 30))]
    assert _counts(preds, gold, text) == (2, 0, 0)


def test_attribution_without_gold_source_is_not_scored():
    gold = [GoldAttribution("E1", None, ((5, 9),), ((10, 51),))]
    m = match_attributions([PredictedAttribution((0, 4), (10, 51))], gold, TEXT)
    assert (m.counts.tp, m.counts.fp, m.counts.fn, m.ignored) == (0, 0, 0, 1)
    assert (m.content_only.tp, m.content_only.fp, m.content_only.fn) == (1, 0, 0)


def test_prediction_without_source_only_counts_for_content():
    m = match_attributions([PredictedAttribution(None, (10, 51))], GOLD, TEXT)
    assert (m.counts.tp, m.counts.fp, m.counts.fn) == (0, 0, 1)
    assert m.content_only.tp == 1


# --------------------------------------------------------------------------------------------
# Scores


def test_counts_measures_and_zero_division():
    assert (Counts().precision, Counts().recall, Counts().f1) == (0.0, 0.0, 0.0)
    c = Counts(tp=3, fp=1, fn=2)
    assert c.precision == 0.75 and c.recall == 0.6 and c.f1 == pytest.approx(2 / 3)


def test_scores_to_dict_and_table():
    per_type = {"PER": Counts(2, 1, 1), "ORG": Counts(1, 0, 2)}
    scores = Scores.from_counts(Dataset.CONLL2003, Split.DEV, 4, per_type, extra={"MISC": Counts(1, 1, 1).to_dict()})
    base = Scores.from_counts(Dataset.CONLL2003, Split.DEV, 4, {"PER": Counts(1, 1, 2)}, baseline=True)
    d = scores.to_dict(baseline=base)
    json.dumps(d)
    assert (d["precision"], d["recall"], d["f1"]) == (0.75, 0.5, 0.6)
    assert d["counts"] == {"tp": 3, "fp": 1, "fn": 3}
    assert d["per_type"]["PER"]["tp"] == 2 and d["extra"]["MISC"]["f1"] == 0.5
    assert d["baseline"]["is_baseline"] is True and "baseline" not in d["baseline"]
    table = format_table(scores, baseline=base)
    assert "micro" in table and "MISC" in table and "base F1" in table


# --------------------------------------------------------------------------------------------
# End to end


def test_evaluate_baseline_conll2003_with_raw_spacy(eval_dir):
    scores = evaluate(Dataset.CONLL2003, data=eval_dir, split=Split.DEV, baseline=True, limit=5)
    assert scores.n_docs == 5 and scores.baseline
    assert 0.3 < scores.f1 <= 1.0 and set(scores.per_type) == {"PER", "ORG", "LOC"}
    assert "MISC" in scores.extra
    assert scores.tp + scores.fn == sum(
        1 for d in read_conll2003(eval_dir / "conll2003" / "eng.testa.normalized", limit=5) for e in d.entities if e.type != "MISC"
    )


@pytest.mark.parametrize("dataset", [Dataset.CONLL04, Dataset.POLNEAR])
def test_evaluate_baseline_has_no_relations_or_attributions(eval_dir, dataset):
    scores = evaluate(dataset, data=eval_dir, split=Split.DEV, baseline=True, limit=3)
    assert (scores.tp, scores.fp, scores.f1) == (0, 0, 0.0) and scores.fn > 0


@pytest.mark.parametrize(("dataset", "limit"), [(Dataset.CONLL2003, 3), (Dataset.CONLL04, 20), (Dataset.POLNEAR, 2)])
def test_evaluate_with_the_project_extractor(eval_dir, dataset, limit, extractor):
    scores = evaluate(dataset, data=eval_dir, split=Split.DEV, limit=limit, extractor=extractor)
    assert scores.n_docs == limit and not scores.baseline
    for value in (scores.precision, scores.recall, scores.f1):
        assert 0.0 <= value <= 1.0
    assert scores.tp + scores.fn > 0
    json.dumps(scores.to_dict())


class OracleExtractor:
    """Turns the gold back into an ``Extraction``: checks the path extraction → predictions →
    scores without the rule modules (every figure must be perfect)."""

    name = "oracle"
    model = "gold"
    KINDS = {"PER": "PERSON", "Peop": "PERSON", "ORG": "ORGANIZATION", "Org": "ORGANIZATION"}
    KINDS |= {"LOC": "LOCATION", "Loc": "LOCATION", "MISC": "GROUP"}

    def __init__(self, gold):
        self.gold = {g.document().id: g for g in gold}

    def pipe(self, documents):
        from kg.evaluate import RELATION_TO_CONLL04
        from kg.model import Claim, EntityKind, Extraction, Mention, Relation, Span

        predicates = {v: k for k, v in RELATION_TO_CONLL04.items()}
        for document in documents:
            g = self.gold[document.id]
            text = g.text
            result = Extraction(document=document)
            index = {}
            for i, e in enumerate(g.entities):
                if e.type in self.KINDS:
                    index[i] = len(result.mentions)
                    kind = EntityKind[self.KINDS[e.type]]
                    result.mentions.append(Mention(Span.of(text, e.start, e.end), kind))
            for r in g.relations:
                evidence = Span.of(text, 0, len(text))
                result.relations.append(Relation(index[r.head], predicates[r.type], index[r.tail], evidence))
            for a in g.attributions:
                content = Span.of(text, a.content[0][0], max(e for _, e in a.content))
                source = Span.of(text, *a.source[0]) if a.source else None
                result.claims.append(Claim(content=content, evidence=content, source_span=source))
            yield result


@pytest.mark.parametrize("dataset", list(Dataset))
def test_evaluate_an_oracle_extractor_scores_perfectly(eval_dir, dataset):
    gold = read_gold(dataset, data=eval_dir, split=Split.DEV, limit=30)
    scores = evaluate(dataset, data=eval_dir, split=Split.DEV, limit=30, extractor=OracleExtractor(gold))
    assert (scores.precision, scores.recall, scores.f1, scores.fp, scores.fn) == (1.0, 1.0, 1.0, 0, 0)
    assert scores.n_docs == 30 and scores.extractor == "oracle"
    if dataset is Dataset.CONLL2003:
        assert scores.extra["MISC"]["f1"] == 1.0
    if dataset is Dataset.CONLL04:
        assert scores.extra["entities"]["f1"] == 1.0
    if dataset is Dataset.POLNEAR:
        assert scores.extra["content_only"]["recall"] > 0.95
