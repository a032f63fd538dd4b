"""The indexed attribute ruler gives exactly the stock ruler's annotations: on random patterns
and documents, on the model's own rules over real text, and in the extractor's pipeline."""

from __future__ import annotations

import doctest
import random

import pytest
import spacy
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from kg.extract import attribute_ruler as attribute_ruler_module
from kg.extract.attribute_ruler import IndexedAttributeRuler, index_attribute_ruler
from kg.extract.pipeline import load_nlp

WORDS = ["I", "it", "you", "gon", "na", "let", "'s", "there", "is", "was", "but", "the", "US", "run", "y'", "all"]
TAGS = ["NN", "NNP", "PRP", "VB", "VBZ", "DT", "CC", "IN", "TO", "_SP", ""]
DEPS = ["nsubj", "dobj", "ROOT", "expl", "aux", "det", "advmod", "mark", ""]


def annotations(doc: Doc) -> list[tuple[str, str, str, str, str]]:
    return [(t.pos_, t.tag_, str(t.morph), t.lemma_, t.dep_) for t in doc]


def random_token_pattern(rng: random.Random) -> dict:
    token: dict = {}
    for attr, pool in (("TAG", TAGS), ("LOWER", [w.lower() for w in WORDS]), ("DEP", DEPS)):
        kind = rng.choice(["none", "none", "eq", "in", "not_in"] + (["regex"] if attr == "LOWER" else []))
        if kind == "eq":
            token[attr] = rng.choice(pool)
        elif kind in ("in", "not_in"):
            token[attr] = {kind.upper(): rng.sample(pool, rng.randint(1, 3))}
        elif kind == "regex":
            token[attr] = {"REGEX": rng.choice(["^y'?$", "^n'?t$", "s$", "^[a-z]+$"])}
    if rng.random() < 0.15:
        token["IS_SPACE"] = rng.random() < 0.5
    if rng.random() < 0.05:  # forms the index leaves to spaCy's Matcher
        token["ORTH"] = rng.choice(WORDS)
    elif rng.random() < 0.05:
        token["OP"] = "+"  # a match never shorter than the pattern: the index stays inside
    return token or {"TAG": rng.choice(TAGS)}


def random_rules(rng: random.Random, n: int) -> list[dict]:
    rules = []
    for _ in range(n):
        patterns = [[random_token_pattern(rng) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
                    for _ in range(rng.choice([1, 1, 2]))]  # fmt: skip
        size = min(len(p) for p in patterns)
        attrs = rng.choice([{"POS": "NOUN"}, {"POS": "VERB", "LEMMA": "be"}, {"MORPH": "Number=Sing"},
                            {"LEMMA": "go"}, {"TAG": "XX", "POS": "X"}, {"POS": "PRON", "MORPH": "Case=Nom"}])  # fmt: skip
        rules.append({"patterns": patterns, "attrs": attrs, "index": rng.randint(-size, size - 1)})
    return rules


def random_doc(rng: random.Random, vocab) -> Doc:
    n = rng.randint(1, 30)
    words = [rng.choice(WORDS + ["  ", "\n"]) for _ in range(n)]
    return Doc(vocab, words=words, spaces=[rng.random() < 0.8 for _ in words],
               tags=[rng.choice(TAGS) for _ in words], deps=[rng.choice(DEPS) for _ in words],
               heads=[rng.randrange(n) for _ in words])  # fmt: skip


def test_doctests():
    assert doctest.testmod(attribute_ruler_module).failed == 0


def test_random_rules_and_documents_annotate_as_the_stock_ruler():
    rng = random.Random(20261207)
    vocab = spacy.blank("en").vocab
    indexed_forms = other_forms = 0
    for _ in range(60):
        rules = random_rules(rng, rng.randint(1, 25))
        stock, indexed = AttributeRuler(vocab), IndexedAttributeRuler(vocab)
        stock.add_patterns(rules)
        indexed.add_patterns(rules)
        other_forms += len(indexed._others)
        indexed_forms += len(rules) - len(indexed._others)
        for _ in range(10):
            doc = random_doc(rng, vocab)
            a, b = doc.copy(), doc.copy()
            assert indexed.match(b) == stock.match(a)
            stock(a)
            indexed(b)
            assert annotations(b) == annotations(a)
    assert indexed_forms > 500 and other_forms > 20  # both ways were exercised


def test_a_later_rule_overrides_an_earlier_one_and_duplicates_match_once():
    vocab = spacy.blank("en").vocab
    rules = [
        {"patterns": [[{"LOWER": "it"}]], "attrs": {"POS": "NOUN"}},
        {"patterns": [[{"TAG": "PRP"}], [{"LOWER": "it"}]], "attrs": {"POS": "PRON"}},
        {"patterns": [[{"LOWER": "gon"}, {"LOWER": "na"}]], "attrs": {"LEMMA": "to"}, "index": 1},
        # one pattern indexed, one left to the Matcher: both find "rain", one match
        {"patterns": [[{"LOWER": "rain"}], [{"ORTH": "rain"}]], "attrs": {"POS": "VERB"}},
    ]
    stock, indexed = AttributeRuler(vocab), IndexedAttributeRuler(vocab)
    stock.add_patterns(rules)
    indexed.add_patterns(rules)
    doc = Doc(vocab, words=["it", "is", "gon", "na", "rain"], tags=["PRP", "VBZ", "VBG", "TO", "VB"])
    assert indexed.match(doc.copy()) == stock.match(doc.copy())
    assert len(indexed._others) == 1  # the ORTH pattern went to the Matcher
    assert [m[0] for m in indexed.match(doc)] == [0, 1, 2, 3]  # "it" matches rule 1 twice, "rain" rule 3: once each
    indexed(doc)
    assert doc[0].pos_ == "PRON" and doc[3].lemma_ == "to" and doc[4].pos_ == "VERB"


def test_an_index_outside_the_match_fails_as_in_the_stock_ruler():
    vocab = spacy.blank("en").vocab
    rules = [{"patterns": [[{"LOWER": "it"}]], "attrs": {"POS": "PRON"}, "index": 2}]
    for ruler in (AttributeRuler(vocab), IndexedAttributeRuler(vocab)):
        ruler.add_patterns(rules)
        with pytest.raises(ValueError, match="E1001"):
            ruler(Doc(vocab, words=["it"]))


def test_the_extractor_pipeline_holds_the_indexed_ruler_and_the_baseline_the_stock_one(nlp):
    assert isinstance(nlp.get_pipe("attribute_ruler"), IndexedAttributeRuler)
    baseline = load_nlp(baseline=True)
    assert type(baseline.get_pipe("attribute_ruler")) is AttributeRuler
    assert nlp.get_pipe("attribute_ruler").patterns == baseline.get_pipe("attribute_ruler").patterns
    indexed = nlp.get_pipe("attribute_ruler")
    index_attribute_ruler(nlp)  # a second call changes nothing
    assert nlp.get_pipe("attribute_ruler") is indexed and nlp.pipe_names.count("attribute_ruler") == 1


TRICKY = (
    "I said it. You saw it and it saw you.  There is a dog; there was one. But the US gon na run, "
    "y' all know it. We're gonna go, ain't we? Let's go, c'mon.\n\nHe does n't.\tDo it, did he?"
)


def test_the_model_rules_annotate_as_the_stock_ruler_on_text(nlp, seed_text):
    baseline = load_nlp(baseline=True)
    for text in (TRICKY, seed_text):
        assert annotations(nlp(text)) == annotations(baseline(text))


def test_the_model_rules_annotate_as_the_stock_ruler_on_real_articles(nlp, eval_dir):
    baseline = load_nlp(baseline=True)
    texts = [p.read_text(encoding="utf-8") for p in sorted((eval_dir / "ukraine_news" / "articles").glob("*.txt"))]
    for ours, theirs in zip(nlp.pipe(texts), baseline.pipe(texts)):
        assert annotations(ours) == annotations(theirs)
