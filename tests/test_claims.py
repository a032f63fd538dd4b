"""Attribution, claims and stance (kg.extract.claims) on the real spaCy pipeline.

The seed article runs through the whole extractor (real mentions); the pattern tests parse
sentences written here and hand ``find_claims`` mentions made from spaCy's own entities, plus
hand-made times and quantities, so they test this module alone.
"""

from __future__ import annotations

from datetime import date

import pytest

from kg.extract.claims import find_claims, load_lexicon
from kg.model import Claim, Document, EntityKind, Hedge, Mention, Quantity, Span, Stance, TimeExpr, TimeKind

_KINDS = {
    "PERSON": EntityKind.PERSON,
    "ORG": EntityKind.ORGANIZATION,
    "GPE": EntityKind.COUNTRY,
    "NORP": EntityKind.GROUP,
    "LOC": EntityKind.LOCATION,
}


def ent_mentions(doc) -> list[Mention]:
    """Mentions straight from spaCy's NER, so these tests do not depend on kg.extract.mentions."""
    return [
        Mention(Span.of(doc.text, e.start_char, e.end_char), _KINDS[e.label_])
        for e in doc.ents
        if e.label_ in _KINDS
    ]


def claims_of(nlp, text: str, *, times=(), quantities=()) -> tuple[list[Claim], list[Mention]]:
    doc = nlp(text)
    mentions = ent_mentions(doc)
    return find_claims(doc, mentions, list(times), list(quantities)), mentions


def only(claims: list[Claim]) -> Claim:
    assert len(claims) == 1, [(c.source_span and c.source_span.text, c.cue and c.cue.text) for c in claims]
    return claims[0]


def span_of(text: str, phrase: str) -> Span:
    start = text.index(phrase)
    return Span.of(text, start, start + len(phrase))


def assert_spans_exact(text: str, claims: list[Claim]) -> None:
    for c in claims:
        for s in (c.content, c.evidence, c.source_span, c.cue, c.reporter_cue):
            if s is not None:
                assert text[s.start : s.end] == s.text and s.text.strip() == s.text


# -- the seed article ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed(extractor, seed_text):
    result = extractor.extract(Document(id="seed", text=seed_text, published=date(2024, 12, 16)))
    return result


def claim_at(result, cue_context: str) -> list[Claim]:
    """The claims whose cue sits inside the first occurrence of ``cue_context``."""
    at = span_of(result.document.text, cue_context)
    return [c for c in result.claims if at.start <= c.cue.start and c.cue.end <= at.end]


def mention_text(result, index: int | None) -> str | None:
    return None if index is None else result.mentions[index].span.text


def test_seed_spans_are_exact(seed):
    assert_spans_exact(seed.document.text, seed.claims)
    assert all(c.content.text for c in seed.claims)


def test_seed_hur_announced(seed):
    c = only(claim_at(seed, "(HUR) announced on"))
    assert c.source_span.text == "Ukraine’s Military Intelligence Agency (HUR)"
    assert "Military Intelligence Agency" in mention_text(seed, c.source)
    assert c.cue.text == "announced" and c.stance is Stance.ASSERTED
    assert c.content.text.startswith("North Korean forces fighting alongside Russia")
    assert c.content.text.endswith("killing 8 members of a Russian unit")
    assert c.reporter is None


def test_seed_zelensky_reported_according_to_kyiv_independent(seed):
    c = only(claim_at(seed, "Zelensky reported that"))
    assert c.source_span.text == "Ukrainian President Volodymyr Zelensky"
    assert mention_text(seed, c.source).endswith("Zelensky")
    assert "Kyiv Independent" in mention_text(seed, c.reporter)
    assert c.reporter_cue.text == "according to"
    assert c.content.text.endswith("in the Kursk region")  # the relaying outlet is cut off
    assert "significant number" in c.content.text


def test_seed_according_to_hur(seed):
    c = only(claim_at(seed, "According to HUR, a group"))
    assert c.source_span.text == "HUR" and mention_text(seed, c.source) == "HUR"
    assert c.cue.text == "According to" and c.reporter is None
    assert c.content.text.startswith("a group of North Korean soldiers opened fire")


def test_seed_according_to_hurs_announcement(seed):
    c = only(claim_at(seed, "According to HUR’s announcement"))
    assert c.source_span.text == "HUR" and mention_text(seed, c.source) == "HUR"
    assert c.content.text.startswith("an estimated 200 soldiers")


def test_seed_intelligence_agency_stated_according_to_reuters(seed):
    c = only(claim_at(seed, "clearly stated that"))
    assert c.source_span.text == "Ukraine’s intelligence agency"
    assert c.source is not None
    assert mention_text(seed, c.reporter) == "Reuters"
    assert c.content.text == "at least 30 North Korean soldiers were killed or injured"


def test_seed_zelensky_announced_previously(seed):
    c = only(claim_at(seed, "President Zelensky announced"))
    assert c.source_span.text == "President Zelensky"
    assert c.qualifier == "previously"
    assert "suffered “significant losses”" in c.content.text
    assert not claim_at(seed, "did not give a figure")  # negated reporting is no claim


def test_seed_russia_and_north_korea_have_not_commented(seed):
    cs = claim_at(seed, "Russia and North Korea have not commented")
    assert [c.source_span.text for c in cs] == ["Russia", "North Korea"]
    for c in cs:
        assert c.stance is Stance.DECLINED_TO_COMMENT
        assert c.cue.text == "have not commented"
        assert c.content.text == "the above information"
        assert mention_text(seed, c.source) == c.source_span.text


def test_seed_officials_warned(seed):
    c = only(claim_at(seed, "officials warned that"))
    assert c.source_span.text == "Ukrainian and Western officials"
    assert c.content.text.startswith("more than 10,000 North Korean soldiers had gathered in Kursk")


def test_seed_hur_said(seed):
    c = only(claim_at(seed, "HUR said the Russian military"))
    assert c.source_span.text == "HUR"
    assert c.content.text.startswith("the Russian military has established special regulations")


def test_seed_clash_was_reported(seed):
    c = only(claim_at(seed, "was reported in early November"))
    assert c.source is None and c.source_span is None  # reported, by no one named
    assert c.content.text.startswith("The first direct clash")


def test_seed_according_to_mr_zelensky(seed):
    c = only(claim_at(seed, "According to Mr. Zelensky"))
    assert c.source_span.text == "Mr. Zelensky"
    assert mention_text(seed, c.source).endswith("Zelensky")
    assert c.content.text.startswith("North Korean soldiers have not been deployed")


def test_seed_russia_neither_confirmed_nor_denied(seed):
    c = only(claim_at(seed, "neither confirmed nor denied"))
    assert c.source_span.text == "Russia" and mention_text(seed, c.source) == "Russia"
    assert c.stance is Stance.NEITHER_CONFIRMED_NOR_DENIED
    assert c.cue.text == "neither confirmed nor denied"
    assert c.content.text == "the presence of North Korean soldiers in the country"


def test_seed_north_korea_changed_its_stance(seed):
    denied = only(claim_at(seed, "North Korea initially denied"))
    assert denied.source_span.text == "North Korea" and mention_text(seed, denied.source) == "North Korea"
    assert denied.stance is Stance.DENIED and denied.qualifier == "initially"
    assert denied.content.text == "sending troops to Russia"
    later = only(claim_at(seed, "a Pyongyang official later said"))
    assert later.source_span.text == "a Pyongyang official"
    assert "Pyongyang" in mention_text(seed, later.source)
    assert later.stance is Stance.ASSERTED and later.qualifier == "later"
    assert later.content.text == "it would be legal if it happened"
    # two claims in one sentence: each keeps its own part of it as evidence
    assert denied.evidence.end <= later.evidence.start


def test_seed_every_attributed_statement_is_found(seed):
    cues = [c.cue.text for c in seed.claims]
    assert cues.count("According to") == 3
    assert len(seed.claims) == 15


def test_seed_dates_and_hedges(nlp, seed_text):
    """Dates and hedges with times and quantities given by hand (not by the other modules)."""
    doc = nlp(seed_text)
    dec14 = TimeExpr(span_of(seed_text, "December 14"), TimeKind.MONTH_DAY, "--12-14")
    dec15 = TimeExpr(span_of(seed_text, "December 15"), TimeKind.MONTH_DAY, "--12-15")
    as_of = seed_text.index("as of December 14") + len("as of ")
    dec14_content = TimeExpr(Span.of(seed_text, as_of, as_of + 11), TimeKind.MONTH_DAY, "--12-14")
    est = Quantity(span_of(seed_text, "an estimated 200"), value=200, hedge=Hedge.APPROXIMATELY)
    least = Quantity(span_of(seed_text, "at least 30"), min_value=30, hedge=Hedge.AT_LEAST)
    claims = find_claims(doc, ent_mentions(doc), [dec14, dec15, dec14_content], [est, least])
    announced = next(c for c in claims if c.cue.text == "announced" and c.qualifier is None)
    assert announced.date == dec14  # "announced on December 14"
    stated = next(c for c in claims if c.cue.text == "stated")
    assert stated.date == dec15  # "By December 15, … stated"
    assert stated.hedge is Hedge.AT_LEAST and stated.quantities == [least]
    hur = next(c for c in claims if c.content.text.startswith("an estimated 200"))
    assert hur.date is None  # "killed as of December 14" is inside the content: not when it was said
    assert hur.hedge is Hedge.APPROXIMATELY and hur.quantities == [est]


# -- the patterns, on sentences written here ----------------------------------------------------


def test_quote_before_the_cue(nlp):
    c = only(claims_of(nlp, "“We will not back down,” the minister said on Monday.")[0])
    assert (c.source_span.text, c.cue.text, c.content.text) == ("the minister", "said", "We will not back down")
    assert c.evidence.text == "“We will not back down,” the minister said on Monday."


def test_quote_running_over_sentences_and_after_the_cue(nlp):
    text = "“This is a lie. We never sent troops,” he said. “Our army is at home.”"
    c = only(claims_of(nlp, text)[0])
    assert c.source_span.text == "he" and c.source is None
    assert c.content.text.startswith("This is a lie. We never sent troops")
    assert c.content.text.endswith("Our army is at home")


def test_quote_after_a_colon(nlp):
    text = "The ministry said in a statement: “Twelve drones were shot down over the region.”"
    c = only(claims_of(nlp, text)[0])
    assert c.source_span.text == "The ministry"
    assert c.content.text == "Twelve drones were shot down over the region"


def test_said_on_a_day_that(nlp):
    text = "The Pentagon said on Monday that 300 troops had arrived in Poland."
    monday = TimeExpr(span_of(text, "Monday"), TimeKind.DATE, "2024-03-04")
    troops = Quantity(span_of(text, "300"), value=300)
    claims, mentions = claims_of(nlp, text, times=[monday], quantities=[troops])
    c = only(claims)
    assert mentions[c.source].span.text == "Pentagon"
    assert c.content.text == "300 troops had arrived in Poland"
    assert c.date == monday and c.quantities == [troops] and c.hedge is None


def test_source_after_the_content(nlp):
    text = "The drone hit a fuel depot near the border, the governor said."
    c = only(claims_of(nlp, text)[0])
    assert (c.source_span.text, c.content.text) == ("the governor", "The drone hit a fuel depot near the border")


def test_cue_inside_the_content(nlp):
    text = "The strike, the regional governor said, destroyed two apartment blocks."
    c = only(claims_of(nlp, text)[0])
    assert c.source_span.text == "the regional governor"
    assert c.content.text.startswith("The strike") and c.content.text.endswith("two apartment blocks")


def test_told_an_outlet(nlp):
    text = "A senior official told Reuters that 20 soldiers were killed in the attack."
    claims, mentions = claims_of(nlp, text)
    c = only(claims)
    assert c.source_span.text == "A senior official"
    assert mentions[c.reporter].span.text == "Reuters" and c.reporter_cue.text == "told"
    assert c.content.text == "20 soldiers were killed in the attack"


def test_according_to_an_outlet_alone_is_the_source(nlp):
    text = "Ten civilians were killed in the shelling, according to Reuters."
    claims, mentions = claims_of(nlp, text)
    c = only(claims)
    assert mentions[c.source].span.text == "Reuters" and c.reporter is None
    assert c.content.text == "Ten civilians were killed in the shelling"


def test_according_to_an_outlet_relays_another_source(nlp):
    text = "The army said it had retaken the village, according to the Associated Press."
    claims, mentions = claims_of(nlp, text)
    c = only(claims)
    assert c.source_span.text == "The army"
    assert "Associated Press" in mentions[c.reporter].span.text
    assert c.content.text == "it had retaken the village"


def test_passive_with_agent(nlp):
    c = only(claims_of(nlp, "The attack on the convoy was reported by local media.")[0])
    assert (c.source_span.text, c.content.text) == ("local media", "The attack on the convoy")


def test_passive_without_agent_has_no_source(nlp):
    c = only(claims_of(nlp, "It is believed that 3,000 troops have arrived.")[0])
    assert c.source_span is None and c.content.text == "3,000 troops have arrived"


def test_spokesperson_speaks_for_an_organisation(nlp):
    text = "A spokesperson for the United Nations said the convoy had been attacked."
    claims, mentions = claims_of(nlp, text)
    c = only(claims)
    assert c.source_span.text == "A spokesperson for the United Nations"
    assert "United Nations" in mentions[c.source].span.text


def test_relative_clause_source(nlp):
    text = "Smith, who said the election was rigged, lost the appeal."
    c = only(claims_of(nlp, text)[0])
    assert c.source_span.text == "Smith" and c.content.text == "the election was rigged"


def test_adding_that_is_a_second_claim_by_the_same_source(nlp):
    text = "The governor said the drone hit a depot, adding that no one was hurt."
    claims = claims_of(nlp, text)[0]
    assert [(c.source_span.text, c.cue.text, c.content.text) for c in claims] == [
        ("The governor", "said", "the drone hit a depot"),
        ("The governor", "adding", "no one was hurt"),
    ]


def test_declined_to_comment(nlp):
    c = only(claims_of(nlp, "The Kremlin declined to comment on the report.")[0])
    assert c.stance is Stance.DECLINED_TO_COMMENT
    assert (c.source_span.text, c.cue.text, c.content.text) == ("The Kremlin", "declined to comment", "the report")


@pytest.mark.parametrize(
    "text, source",
    [
        ("The company did not respond to a request for comment.", "The company"),
        ("The Pentagon had no immediate comment.", "The Pentagon"),
        ("The ministry could not be reached for comment.", "The ministry"),
    ],
)
def test_no_comment_phrases(nlp, text, source):
    c = only(claims_of(nlp, text)[0])
    assert c.stance is Stance.DECLINED_TO_COMMENT and c.source_span.text == source


def test_would_neither_confirm_nor_deny(nlp):
    c = only(claims_of(nlp, "Moscow would neither confirm nor deny the reports.")[0])
    assert c.stance is Stance.NEITHER_CONFIRMED_NOR_DENIED
    assert (c.source_span.text, c.content.text) == ("Moscow", "the reports")


@pytest.mark.parametrize(
    "text, source, content",
    [
        ("Officials rejected claims that the plant was damaged.", "Officials", "the plant was damaged"),
        ("The army dismissed reports of heavy losses.", "The army", "heavy losses"),
        ("The Kremlin called the reports false.", "The Kremlin", "the reports"),
        ("The government denied that its troops had crossed the border.", "The government",
         "its troops had crossed the border"),
    ],
)
def test_denials(nlp, text, source, content):
    c = only(claims_of(nlp, text)[0])
    assert c.stance is Stance.DENIED and (c.source_span.text, c.content.text) == (source, content)


@pytest.mark.parametrize(
    "text",
    [
        "The minister did not give a figure.",
        "He did not say whether troops were sent.",
        "Do you think the war will end soon?",
        "An estimated 200 soldiers were killed.",
    ],
)
def test_not_claims(nlp, text):
    assert claims_of(nlp, text)[0] == []


def test_claim_reported_inside_a_claim_is_left_to_the_outer_one(nlp):
    text = "He said that officials had told him the bridge was destroyed."
    c = only(claims_of(nlp, text)[0])
    assert c.source_span.text == "He" and c.content.text == "officials had told him the bridge was destroyed"


def test_speech_inside_a_quote_is_the_speakers(nlp):
    text = "“I think we will win, and I know the voters agree,” Smith said."
    c = only(claims_of(nlp, text)[0])
    assert c.source_span.text == "Smith"


def test_initially_and_later_are_two_claims(nlp):
    text = "The ministry initially denied the strike, but officials later confirmed that it happened."
    denied, confirmed = claims_of(nlp, text)[0]
    assert (denied.stance, denied.qualifier, denied.content.text) == (Stance.DENIED, "initially", "the strike")
    assert (confirmed.stance, confirmed.qualifier, confirmed.source_span.text) == (Stance.ASSERTED, "later", "officials")
    assert confirmed.content.text == "it happened"


def test_transcript_speaker_line(nlp):
    text = "ZELENSKY: We will not give up our land.\nHOST: Thank you."
    claims = claims_of(nlp, text)[0]
    assert [(c.source_span.text, c.cue.text, c.content.text) for c in claims] == [
        ("ZELENSKY", ":", "We will not give up our land"),
        ("HOST", ":", "Thank you"),
    ]


def test_in_a_poll(nlp):
    text = "In a Gallup poll, 60 percent of voters backed the plan."
    c = only(claims_of(nlp, text)[0])
    assert c.source_span.text == "a Gallup poll" and c.content.text == "60 percent of voters backed the plan"


def test_in_a_statement_names_the_speaker(nlp):
    text = "In a statement, the ministry said 40 drones were shot down."
    c = only(claims_of(nlp, text)[0])
    assert (c.source_span.text, c.cue.text) == ("the ministry", "said")


def test_lexicon_ships_with_the_package():
    lex = load_lexicon()
    assert {"say", "announce", "warn", "claim"} <= lex.speech_verbs
    assert "reuters" in lex.outlets and "deny" in lex.denial_verbs


def test_a_hard_wrapped_article_gives_the_claims_of_the_same_text_unwrapped(extractor):
    """Wire copy and mail come wrapped at some 70 characters: a claim whose sentence runs over
    a line break is found whole (its content was cut at the break, or lost), and its spans are
    the exact characters of the wrapped text."""
    from test_documents import WRAPPED

    wrapped = extractor.extract(Document(id="wrapped", text=WRAPPED))
    flat = extractor.extract(Document(id="flat", text=WRAPPED.replace(" that\nRussian", " that Russian").replace(",\nand", ", and")))
    contents = [c.content.text.replace("\n", " ") for c in wrapped.claims]
    assert "Russian forces had attacked Kharkiv overnight with drones and missiles" in contents
    assert contents == [c.content.text for c in flat.claims]
    for c in wrapped.claims:
        for s in (c.content, c.source_span, c.cue):
            if s is not None:
                assert " ".join(WRAPPED[s.start : s.end].split()) == " ".join(s.text.split())


def test_a_statement_set_beside_another_is_a_claim_of_its_own(nlp):
    """"A said X, while B said Y": two claims (spaCy hangs B's cue inside X's clause, which had
    made Y part of A's claim); a concession the speaker makes inside the content stays in it."""
    text = ("Ukraine's General Staff said at least 40 Belarusian soldiers were killed near Kharkiv, "
            "while Belarus's Defence Ministry said 3 Belarusian soldiers were killed.")  # fmt: skip
    claims, _ = claims_of(nlp, text)
    assert [(c.source_span.text, c.content.text) for c in claims] == [
        ("Ukraine's General Staff", "at least 40 Belarusian soldiers were killed near Kharkiv"),
        ("Belarus's Defence Ministry", "3 Belarusian soldiers were killed"),
    ]
    assert_spans_exact(text, claims)
    text = "Wallace said that while he understands the concerns of Berlin, these are unfounded."
    (claim,) = claims_of(nlp, text)[0]
    assert claim.content.text == "while he understands the concerns of Berlin, these are unfounded"


def test_a_source_after_a_dateline_is_the_source_not_the_dateline(nlp):
    """spaCy makes the dateline the subject of "said" and the source its apposition."""
    text = "SEOUL (AFP) - South Korea's spy agency said on Thursday that North Korean troops were fighting in Russia.\n"
    claims, _ = claims_of(nlp, text)
    assert only(claims).source_span.text == "South Korea's spy agency"
    text = "KYIV, Ukraine (AP) — Ukrainian officials said Russian forces shelled the city overnight.\n"
    assert only(claims_of(nlp, text)[0]).source_span.text == "Ukrainian officials"


def test_a_colon_claim_in_an_article_of_one_line_stops_at_its_third_sentence(nlp):
    """"…agreed: …" runs to its paragraph's end, and an article of one line is one paragraph:
    the claim had swallowed the rest of the article, and every claim after it was dropped as
    nested in it (8 claims of 300 news sentences, 155 now; 172 with the paragraphs kept)."""
    text = ("Evacuation corridor for Mariupol agreed: Ukrainian Deputy Prime Minister Iryna Vereshchuk said Wednesday "
            "that a corridor would open. "
            "Residents left the city on foot. Buses waited at the edge of the city. The mayor said buses were ready. "
            "Police said the roads were safe. Ukraine's army said Russian forces shelled Kharkiv overnight.")
    claims, _ = claims_of(nlp, text)
    colon = next(c for c in claims if c.cue.text == "agreed")
    assert "Kharkiv" not in colon.content.text and "roads" not in colon.content.text
    said = [c.content.text for c in claims if c.cue.text == "said"]
    assert any("roads were safe" in t for t in said) and any("shelled Kharkiv" in t for t in said)
