"""Entity mentions on the real spaCy pipeline: the seed article, other texts, real articles."""

from __future__ import annotations

import doctest
import re

import pytest

from kg.extract import mentions as mentions_module
from kg.extract.mentions import RULER_NAME, SPANS_KEY, add_entity_ruler, find_mentions
from kg.model import EntityKind, Mention

# Anything that looks like a date, time, number or ordinal.
_NOT_A_NAME = re.compile(
    r"^(\d[\d,.]*|first|second|third|\d+(st|nd|rd|th)|(January|February|March|April|May|June|July|August|"
    r"September|October|November|December)( \d+)?|\w+day|early \w+|an estimated \d+|at least \d+)$",
    re.IGNORECASE,
)


def mentions_in(nlp, text: str, *, baseline: bool = False) -> list[Mention]:
    found = find_mentions(nlp(text), baseline=baseline)
    check_invariants(text, found, trimmed=not baseline)
    return found


def check_invariants(text: str, found: list[Mention], *, trimmed: bool = True) -> None:
    """Offsets are code points into the text, mentions never overlap, names are trimmed."""
    last_end = -1
    for m in found:
        assert text[m.span.start : m.span.end] == m.span.text
        assert m.span.start >= last_end, f"overlap at {m.span}"
        last_end = m.span.end
        assert not _NOT_A_NAME.match(m.span.text), m.span.text
        if not trimmed:
            continue
        assert not m.span.text.lower().startswith("the "), m.span.text
        assert not m.span.text.endswith(("'s", "’s")), m.span.text


def by_text(found: list[Mention]) -> dict[str, Mention]:
    return {m.span.text: m for m in found}


def test_doctests():
    assert doctest.testmod(mentions_module).failed == 0


def test_ruler_is_in_the_pipeline_once(nlp):
    assert RULER_NAME in nlp.pipe_names
    assert nlp.pipe_names.index(RULER_NAME) > nlp.pipe_names.index("ner")
    add_entity_ruler(nlp)  # idempotent
    assert nlp.pipe_names.count(RULER_NAME) == 1
    assert SPANS_KEY in nlp("HUR said so.").spans


def test_ruler_finds_what_spacys_span_ruler_finds(nlp, seed_text):
    """The phrase-matcher ruler is a faster span_ruler: same patterns, same spans."""
    import spacy

    from kg.extract.gazetteer import load_gazetteer
    from kg.extract.mentions import gazetteer_patterns

    reference = spacy.blank("en")
    ruler = reference.add_pipe("span_ruler", config={"spans_key": SPANS_KEY, "validate": False})
    ruler.add_patterns(list(gazetteer_patterns(load_gazetteer(), lambda t: [w.text for w in nlp.make_doc(t)])))
    texts = [seed_text, "UKRAINE’S INTELLIGENCE AGENCY and Ukraine's military intelligence met the Russian "
             "military in the Kursk region; North Korean troops, Ukrainians and the Kremlin’s envoy."]
    for text in texts:
        doc, ref = nlp(text), reference(text)
        ours = [(s.start, s.end, s.label_) for s in doc.spans[SPANS_KEY]]
        theirs = [(s.start, s.end, s.label_) for s in ref.spans[SPANS_KEY]]
        assert ours == theirs
        assert {label.split("|")[0] for _, _, label in ours} >= {"name", "desc"}


# ---- the seed article ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed(nlp, seed_text):
    return mentions_in(nlp, seed_text)


def test_seed_named_actors(seed):
    keys = {m.key for m in seed}
    assert {"hur", "volodymyr-zelensky", "akhmat", "kursk-oblast", "russia", "north-korea", "ukraine",
            "reuters", "kyiv-independent"} <= keys
    kinds = {m.key: m.kind for m in seed if m.key}
    assert kinds["hur"] is EntityKind.INTELLIGENCE_AGENCY
    assert kinds["volodymyr-zelensky"] is EntityKind.PERSON
    assert kinds["akhmat"] is EntityKind.MILITARY_UNIT
    assert kinds["kursk-oblast"] is EntityKind.REGION
    assert kinds["north-korea"] is kinds["russia"] is kinds["ukraine"] is EntityKind.COUNTRY
    assert kinds["reuters"] is kinds["kyiv-independent"] is EntityKind.NEWS_OUTLET


def test_seed_possessive_name_is_split(seed):
    found = by_text(seed)
    assert found["Ukraine"].key == "ukraine"
    agency = found["Military Intelligence Agency"]
    assert agency.kind is EntityKind.INTELLIGENCE_AGENCY and agency.affiliation == "ukraine"
    assert not agency.descriptive
    assert found["HUR"].key == "hur"


def test_seed_place_variants(seed):
    kursk = [m.span.text for m in seed if m.key == "kursk-oblast"]
    assert {"Kursk province", "Kursk region", "Kursk"} <= set(kursk)


def test_seed_demonym_groups(seed):
    groups = [m for m in seed if m.kind is EntityKind.GROUP and m.affiliation == "north-korea"]
    troops = {m.span.text for m in groups if m.key == "group:north-korea-troops"}
    assert {"North Korean forces", "North Korean soldiers", "North Korean units"} <= troops
    assert {m.key for m in groups} == {"group:north-korea-troops", "group:north-korea-officials"}
    # "Russian and North Korean soldiers": the first demonym of a coordination is a group too
    assert "group:russia-troops" in {m.key for m in seed}
    ukrainian = by_text(seed)["Ukrainian forces"]
    assert ukrainian.kind is EntityKind.GROUP and ukrainian.affiliation == "ukraine"


def test_seed_descriptive_mentions(seed):
    found = by_text(seed)
    agency = found["Ukraine’s intelligence agency"]
    assert agency.descriptive and agency.kind is EntityKind.INTELLIGENCE_AGENCY and agency.affiliation == "ukraine"
    military = found["Russian military"]
    assert military.descriptive and military.key == "russian-armed-forces"


def test_seed_has_no_dates_or_numbers(seed):
    texts = {m.span.text for m in seed}
    assert not texts & {"December 14", "December 15", "8", "200", "30", "10,000", "first", "early November"}


def test_seed_source_like_groups(seed):
    # "a Pyongyang official" speaks for North Korea; "Ukrainian and Western officials" for Ukraine
    assert by_text(seed)["Pyongyang official"].key == "group:north-korea-officials"
    assert "group:ukraine-officials" in {m.key for m in seed}


# ---- other texts: the rules generalise ------------------------------------------------------------

OTHER = (
    "KYIV, Ukraine (Reuters) - Russia's Federal Security Service (FSB) said on Tuesday it had detained "
    "a man in the Belgorod region. The Kurdistan Democratic Party (KDP) said 300 KDP fighters were "
    "killed. Regional governor Oleh Syniehubov said shelling hit Kharkiv and the Kharkiv region on "
    "3 May. Syniehubov added that Ukrainian military intelligence had warned of the attack. Belarus's "
    "intelligence agency did not comment. The Pentagon said Lloyd Austin would meet NATO officials in "
    "Brussels, while Ukrainian forces pushed toward Vovchansk."
)


@pytest.fixture(scope="module")
def other(nlp):
    return by_text(mentions_in(nlp, OTHER))


def test_other_dateline_and_outlet(other):
    assert other["KYIV"].key == "kyiv" and other["KYIV"].kind is EntityKind.SETTLEMENT
    assert other["Reuters"].kind is EntityKind.NEWS_OUTLET


def test_other_agency_and_acronym(other):
    assert other["Russia"].key == "russia"
    assert other["Federal Security Service"].key == other["FSB"].key == "fsb"
    # an acronym the gazetteer does not know is found in brackets, then again in the text
    assert other["Kurdistan Democratic Party"].kind is EntityKind.ORGANIZATION
    assert other["KDP"].kind is EntityKind.ORGANIZATION


def test_other_regions_and_cities(other):
    assert other["Belgorod region"].key == "belgorod-oblast"
    assert other["Kharkiv region"].key == "kharkiv-oblast"
    assert other["Kharkiv"].key == "kharkiv" and other["Kharkiv"].kind is EntityKind.SETTLEMENT
    assert other["Vovchansk"].kind is EntityKind.SETTLEMENT


def test_other_persons_titles_stripped(other):
    assert other["Oleh Syniehubov"].kind is EntityKind.PERSON
    assert other["Syniehubov"].kind is EntityKind.PERSON
    assert other["Lloyd Austin"].key == "lloyd-austin"


def test_other_descriptions(other):
    hur = other["Ukrainian military intelligence"]
    assert hur.descriptive and hur.key == "hur"
    belarus = other["Belarus's intelligence agency"]
    assert belarus.descriptive and belarus.key is None and belarus.affiliation == "belarus"
    assert other["Ukrainian forces"].key == "group:ukraine-troops"
    assert other["Pentagon"].kind is EntityKind.GOVERNMENT_AGENCY


def test_descriptions_need_their_head(nlp):
    found = by_text(mentions_in(nlp, "A Ukrainian military commander said Russian military equipment was lost."))
    assert "Ukrainian military" not in found and "Russian military" not in found


def test_headline_acronyms_are_words(nlp):
    found = mentions_in(nlp, "THE MAN WHO KNEW TOO MUCH IS NAMED .\nThe WHO said nothing on Friday.")
    assert [m.span.text for m in found if m.key == "who"] == ["WHO"]
    assert all(m.span.start > 30 for m in found if m.key == "who")


def test_wire_layout(nlp):
    text = "LONDON 1996-08-30\nResults on Friday :\nAtlanta 6 CHICAGO 5\nSurrey v Kent\nJ. Russell scored 75 ."
    found = by_text(mentions_in(nlp, text))
    assert found["LONDON"].kind.is_place
    assert found["Atlanta"].kind is found["CHICAGO"].kind is EntityKind.ORGANIZATION  # teams
    assert found["Surrey"].kind is found["Kent"].kind is EntityKind.ORGANIZATION
    assert found["J. Russell"].kind is EntityKind.PERSON


def test_one_reading_per_document(nlp):
    text = "Neil Jordan directed the film. Jordan said the film was true. Jordan defended it."
    found = mentions_in(nlp, text)
    assert all(m.kind is EntityKind.PERSON for m in found if "Jordan" in m.span.text)


def test_baseline_maps_raw_labels_only(nlp, seed_text):
    found = mentions_in(nlp, seed_text, baseline=True)
    assert all(m.key is None and not m.descriptive for m in found)
    texts = {m.span.text for m in found}
    assert "Ukraine’s Military Intelligence Agency" in texts  # raw NER span, not split
    assert "North Korean" in texts  # NORP as a group
    assert not texts & {"December 14", "8", "first"}


# ---- real articles ---------------------------------------------------------------------------------


def test_real_articles(nlp, eval_dir):
    folder = eval_dir / "ukraine_news" / "articles"
    paths = sorted(folder.glob("*.txt"))[:3]
    if not paths:
        pytest.skip("no articles")
    for path in paths:
        text = path.read_text(encoding="utf-8")
        found = mentions_in(nlp, text)
        assert found, path.name
        # the war's states are recognised as countries whenever they are mentioned by name
        for m in found:
            if m.span.text in ("Ukraine", "Russia"):
                assert m.kind is EntityKind.COUNTRY, (path.name, m)


def test_titles_of_address_are_recorded_not_spanned(nlp):
    found = by_text(mentions_in(nlp, "John Wilkes Booth, who assassinated President Lincoln, was an actor."))
    lincoln = found["Lincoln"]
    assert lincoln.kind is EntityKind.PERSON and lincoln.title is not None and lincoln.title.text == "President"
    assert found["John Wilkes Booth"].title is None
    king = by_text(mentions_in(nlp, "Ray was convicted of killing the Rev. Martin Luther King Jr. in 1968."))
    assert king["Martin Luther King Jr."].title.text == "Rev."
    # a word before makes the title a role of something else
    clinton = by_text(mentions_in(nlp, "US President Bill Clinton spoke in Washington."))["Bill Clinton"]
    assert clinton.title is None
    # an honorific is no role, even after an abbreviation that ends a sentence
    found = by_text(mentions_in(nlp, "The hiker went missing near Taos, N.M. Mrs. Ortega, his aunt, called police."))
    assert found["Ortega"].title is not None and found["Ortega"].title.text == "Mrs."


def test_dateline_on_a_line_of_its_own(nlp):
    found = by_text(mentions_in(nlp, "BANGKOK, Thailand (AP)"))
    assert found["BANGKOK"].kind is EntityKind.SETTLEMENT and found["AP"].kind is EntityKind.NEWS_OUTLET
    found = by_text(mentions_in(nlp, "GRAND RAPIDS, Mich."))
    assert found["GRAND RAPIDS"].kind is EntityKind.SETTLEMENT and found["Mich."].kind is EntityKind.REGION


def test_a_known_place_ner_takes_for_a_person_once_stays_a_place(nlp):
    """NER and the gazetteer disagree about a name said once: a tie, and the gazetteer's reading
    stands ("attacked Kharkiv" is the city, not a person called Kharkiv)."""
    found = by_text(mentions_in(nlp, "MOSCOW (AP) - The Kremlin denied on Wednesday that Russian forces attacked Kharkiv.\n"))
    assert (found["Kharkiv"].kind, found["Kharkiv"].key) == (EntityKind.SETTLEMENT, "kharkiv")
    found = by_text(mentions_in(nlp, "Zelensky said Russian forces attacked Kharkiv, Odesa, Dnipro, Sumy and Poltava overnight."))
    assert {name: found[name].kind for name in ("Sumy", "Poltava")} == dict.fromkeys(("Sumy", "Poltava"), EntityKind.SETTLEMENT)


def test_names_typed_by_their_context(nlp):
    def kind(text: str, name: str) -> EntityKind:
        return by_text(mentions_in(nlp, text))[name].kind

    forest = "Ocala National Forest"
    assert kind(f"The fire spread in the {forest} on Tuesday.", forest) is EntityKind.LOCATION
    assert kind("The agency said in a report from Yerevan, the capital of Armenia.", "Yerevan").is_place
    ferraro = "Marie Magdefrau Ferraro"
    assert kind(f"{ferraro}, 50, of Bethany, Conn., was shot.", ferraro) is EntityKind.PERSON
    assert kind("Harrington, a professor of political science, died Monday.", "Harrington") is EntityKind.PERSON
    assert kind("A chart was found years after the assassination of Lincoln.", "Lincoln") is EntityKind.PERSON
    # a state that goes on is no address: "X, Poland's defence minister" is a person
    text = "“We will help,” Władysław Kosiniak-Kamysz, Poland’s defence minister, told the paper."
    assert kind(text, "Kosiniak-Kamysz") is EntityKind.PERSON


def test_addresses_sources_and_described_names(nlp):
    # "Wyo." keeps its full stop when the tokenizer splits it off
    found = by_text(mentions_in(nlp, "Lows ranged from 3 degrees at Cody, Wyo., to 80 at Yuma, Ariz."))
    assert found["Wyo."].kind is EntityKind.REGION
    # a birthplace given with its state is one place; elsewhere an address is two
    found = by_text(mentions_in(nlp, "Author Ray Bradbury was born in Waukegan, Ill., in 1920."))
    assert found["Waukegan, Ill."].kind is EntityKind.SETTLEMENT
    found = by_text(mentions_in(nlp, "Author Ray Bradbury lived in Waukegan, Ill., for years."))
    assert "Waukegan" in found and "Ill." in found
    # a monitoring service's source line: place, outlet, language
    found = by_text(mentions_in(nlp, "AU1204081595 Vienna ORF Television Network in German 0700 GMT 12 Apr 95"))
    assert found["Vienna"].kind is EntityKind.SETTLEMENT
    assert found["ORF Television Network"].kind is EntityKind.NEWS_OUTLET
    # a company and its town are two names
    found = by_text(mentions_in(nlp, "Shares of Kellwood Co. of St. Louis rose."))
    assert found["Kellwood Co."].kind.family == "ORG" and found["St. Louis"].kind.is_place
    # an acronym in brackets is its organisation, even when NER took it for a place
    found = by_text(mentions_in(nlp, "In Ottawa, the Canadian Wheat Board (CWB) said exports rose."))
    assert found["CWB"].kind.family == "ORG"
    # names NER missed: an age or a role after it
    found = by_text(mentions_in(nlp, "Hale, 61, a retired navy officer, testified on Monday."))
    assert found["Hale"].kind is EntityKind.PERSON


def test_a_known_person_at_the_end_of_an_organisation_name_is_split_off(nlp):
    """NER runs a body and the person who holds a post in it together: "the Russian Security
    Council Dmitry Medvedev" is the council, then Medvedev (a person the gazetteer knows)."""
    text = "Deputy Chairman of the Russian Security Council Dmitry Medvedev made new threats."
    found = by_text(mentions_in(nlp, text))
    assert found["Dmitry Medvedev"].kind is EntityKind.PERSON
    assert found["Dmitry Medvedev"].key == "dmitry-medvedev"
    assert found["Russian Security Council"].kind.family == "ORG"
    assert found["Russian Security Council"].key is None
