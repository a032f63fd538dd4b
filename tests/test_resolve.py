"""Within-document resolution: on hand-made mentions (no spaCy) and on the real pipeline."""

from __future__ import annotations

import doctest
import subprocess
import sys

import pytest

import kg.resolve as resolve_module
from kg.model import (
    Document,
    Entity,
    EntityKind,
    Extraction,
    Mention,
    Relation,
    RelationType,
    Resolution,
    Span,
)
from kg.resolve import ACRONYM, DESCRIPTIVE, PLACE_VARIANT, resolve

P, O, G = EntityKind.PERSON, EntityKind.ORGANIZATION, EntityKind.GROUP


def extraction(text: str, *marks: tuple[str, EntityKind] | tuple[str, EntityKind, dict], relations=()) -> Extraction:
    """Mentions of the given surface forms, in order of appearance (each found after the last)."""
    found, pos = [], 0
    for mark in marks:
        surface, kind, extra = (*mark, {})[:3]
        start = text.index(surface, pos)
        found.append(Mention(Span.of(text, start, start + len(surface)), kind, **extra))
        pos = start + len(surface)
    return Extraction(Document("doc", text), mentions=found, relations=list(relations))


def entity(res: Resolution, key: str) -> Entity:
    matches = [e for e in res.entities if e.key == key]
    assert len(matches) == 1, [e.key for e in res.entities]
    return matches[0]


def check_resolution(res: Resolution) -> None:
    """Keys unique, every kept mention inside its entity, relations well-formed."""
    keys = [e.key for e in res.entities]
    assert len(keys) == len(set(keys))
    assert len(res.mention_entity) == len(res.extraction.mentions)
    for mention, index in zip(res.extraction.mentions, res.mention_entity):
        if index is not None:
            assert mention.span in res.entities[index].mentions
    triples = [(r.subject, r.predicate, r.object) for r in res.relations]
    assert len(triples) == len(set(triples))
    for s, _, o in triples:
        assert s != o and 0 <= s < len(res.entities) and 0 <= o < len(res.entities)
    for e in res.entities:
        assert e.label not in e.aliases
        assert {form for form, _ in e.merges} == e.aliases


def test_doctests():
    assert doctest.testmod(resolve_module).failed == 0


def test_module_does_not_import_spacy():
    code = "import sys, kg.resolve; print(any(m.split('.')[0] in ('spacy', 'thinc') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


# ---- hand-made mentions -----------------------------------------------------------------------------


def test_unknown_acronym_in_parentheses():
    text = "The Kurdistan Democratic Party (KDP) said the KDP would fight."
    res = resolve(extraction(text, ("Kurdistan Democratic Party", O), ("KDP", O), ("KDP", O)))
    check_resolution(res)
    (kdp,) = res.entities
    assert kdp.key == "organization:kurdistan-democratic-party"
    assert kdp.label == "Kurdistan Democratic Party"
    assert kdp.aliases == {"KDP"} and ("KDP", ACRONYM) in kdp.merges
    assert len(kdp.mentions) == 3


def test_known_acronym_keeps_the_gazetteer_identity():
    text = "Military Intelligence Agency (HUR) said so."
    res = resolve(extraction(text, ("Military Intelligence Agency", EntityKind.INTELLIGENCE_AGENCY),
                             ("HUR", EntityKind.INTELLIGENCE_AGENCY, {"key": "hur"})))
    hur = entity(res, "hur")
    assert hur.label == "HUR" and ("Military Intelligence Agency", ACRONYM) in hur.merges


def test_surname_to_full_name_and_titles():
    text = "Jane Q. Hollister spoke. Mr. Hollister left. Later Hollister returned."
    res = resolve(extraction(text, ("Jane Q. Hollister", P), ("Hollister", P), ("Hollister", P)))
    check_resolution(res)
    (person,) = res.entities
    assert person.key == "person:jane-q-hollister" and person.label == "Jane Q. Hollister"
    assert {"Hollister", "Mr. Hollister"} <= person.aliases
    assert ("Hollister", "surname of Jane Q. Hollister") in person.merges


def test_ambiguous_surname_stays_apart():
    text = "Anna Smith met John Smith. Smith said no."
    res = resolve(extraction(text, ("Anna Smith", P), ("John Smith", P), ("Smith", P)))
    check_resolution(res)
    assert len(res.entities) == 3


def test_place_variants_of_an_unknown_region():
    text = "Shelling hit the Tavildara region. In Tavildara, houses burned."
    res = resolve(extraction(text, ("Tavildara region", EntityKind.REGION), ("Tavildara", EntityKind.SETTLEMENT)))
    (region,) = res.entities
    assert region.key == "region:tavildara" and region.kind is EntityKind.REGION
    assert ("Tavildara", PLACE_VARIANT) in region.merges


def test_gazetteer_city_is_not_its_region():
    text = "Kharkiv region and Kharkiv."
    res = resolve(extraction(text, ("Kharkiv region", EntityKind.REGION, {"key": "kharkiv-oblast"}),
                             ("Kharkiv", EntityKind.SETTLEMENT, {"key": "kharkiv"})))
    assert {e.key for e in res.entities} == {"kharkiv-oblast", "kharkiv"}
    assert entity(res, "kharkiv").geonames_id is not None


def test_descriptive_mention_resolves_to_the_unique_named_entity():
    text = "The SBU said so. Ukraine's intelligence agency added more."
    res = resolve(extraction(text, ("SBU", EntityKind.INTELLIGENCE_AGENCY, {"key": "sbu", "affiliation": "ukraine"}),
                             ("Ukraine's intelligence agency", EntityKind.INTELLIGENCE_AGENCY,
                              {"affiliation": "ukraine", "descriptive": True})))
    check_resolution(res)
    sbu = entity(res, "sbu")
    assert ("Ukraine's intelligence agency", DESCRIPTIVE) in sbu.merges
    # the description states the affiliation: it is the relation's evidence
    (rel,) = res.relations
    assert rel.predicate is RelationType.AFFILIATED_WITH and res.entities[rel.object].key == "ukraine"
    assert rel.evidence.text == "Ukraine's intelligence agency"


def test_ambiguous_description_is_its_own_entity():
    text = "HUR and SBU spoke. Ukraine's intelligence agency added more."
    agency = EntityKind.INTELLIGENCE_AGENCY
    res = resolve(extraction(text, ("HUR", agency, {"key": "hur", "affiliation": "ukraine"}),
                             ("SBU", agency, {"key": "sbu", "affiliation": "ukraine"}),
                             ("Ukraine's intelligence agency", agency, {"affiliation": "ukraine", "descriptive": True})))
    check_resolution(res)
    own = entity(res, "intelligenceagency:ukraine-intelligence-agency")
    assert own.label == "Ukraine's intelligence agency"
    # created from the gazetteer for the relation, the text naming it its evidence
    assert [m.text for m in entity(res, "ukraine").mentions] == ["Ukraine's intelligence agency"]


def test_demonym_group_and_its_state():
    text = "North Korean soldiers and North Korean forces fought."
    group = {"key": "group:north-korea-troops", "affiliation": "north-korea"}
    res = resolve(extraction(text, ("North Korean soldiers", G, group), ("North Korean forces", G, group)))
    check_resolution(res)
    troops = entity(res, "group:north-korea-troops")
    assert troops.kind is G and troops.label == "North Korean soldiers"
    assert troops.aliases == {"North Korean forces"}
    state = entity(res, "north-korea")
    assert state.kind is EntityKind.COUNTRY and state.geonames_id == 1873107
    (rel,) = res.relations
    assert (res.entities[rel.subject], rel.predicate, res.entities[rel.object]) == (troops, RelationType.AFFILIATED_WITH, state)
    assert rel.evidence.text == "North Korean soldiers"


def test_relations_are_lifted_deduplicated_and_cleaned():
    text = "Akhmat fought for Russia. Akhmat fought for Russia. Akhmat is Akhmat."
    marks = [("Akhmat", EntityKind.MILITARY_UNIT, {"key": "akhmat"}), ("Russia", EntityKind.COUNTRY, {"key": "russia"})] * 2
    marks += [("Akhmat", EntityKind.MILITARY_UNIT, {"key": "akhmat"})] * 2
    ex = extraction(text, *marks)
    ev = Span.of(text, 0, 25)
    ex.relations = [
        Relation(0, RelationType.FIGHTS_FOR, 1, ev),
        Relation(2, RelationType.FIGHTS_FOR, 3, ev),  # the same fact again
        Relation(4, RelationType.PART_OF, 5, ev),  # a self-relation once resolved
    ]
    res = resolve(ex)
    check_resolution(res)
    assert [(res.entities[r.subject].key, r.predicate, res.entities[r.object].key) for r in res.relations] == [
        ("akhmat", RelationType.FIGHTS_FOR, "russia")
    ]


def test_numbers_are_dropped_with_their_relations():
    text = "Russia lost 200 in Kursk."
    ex = extraction(text, ("Russia", EntityKind.COUNTRY, {"key": "russia"}), ("200", G),
                    ("Kursk", EntityKind.REGION, {"key": "kursk-oblast"}))
    ex.relations = [Relation(1, RelationType.DEPLOYED_IN, 2, Span.of(text, 0, len(text)))]
    res = resolve(ex)
    check_resolution(res)
    assert res.mention_entity[1] is None and res.relations == []
    assert {e.key for e in res.entities} == {"russia", "kursk-oblast"}


def test_keys_are_stable_across_documents():
    a = resolve(extraction("Jane Hollister met Zelenskyy.", ("Jane Hollister", P),
                           ("Zelenskyy", P, {"key": "volodymyr-zelensky"})))
    b = resolve(extraction("Zelensky thanked Jane Hollister.", ("Zelensky", P, {"key": "volodymyr-zelensky"}),
                           ("Jane Hollister", P)))
    assert {e.key for e in a.entities} == {e.key for e in b.entities} == {"person:jane-hollister", "volodymyr-zelensky"}
    assert {e.label for e in a.entities} == {e.label for e in b.entities}


# ---- the real pipeline ------------------------------------------------------------------------------


def resolve_text(nlp, text: str) -> Resolution:
    from kg.extract.mentions import find_mentions

    res = resolve(Extraction(Document("doc", text), mentions=find_mentions(nlp(text))))
    check_resolution(res)
    return res


@pytest.fixture(scope="module")
def seed(nlp, seed_text) -> Resolution:
    return resolve_text(nlp, seed_text)


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("hur", EntityKind.INTELLIGENCE_AGENCY),
        ("volodymyr-zelensky", EntityKind.PERSON),
        ("akhmat", EntityKind.MILITARY_UNIT),
        ("kursk-oblast", EntityKind.REGION),
        ("russia", EntityKind.COUNTRY),
        ("north-korea", EntityKind.COUNTRY),
        ("ukraine", EntityKind.COUNTRY),
        ("reuters", EntityKind.NEWS_OUTLET),
        ("kyiv-independent", EntityKind.NEWS_OUTLET),
        ("group:north-korea-troops", EntityKind.GROUP),
    ],
)
def test_seed_actor_is_one_entity(seed, key, kind):
    assert entity(seed, key).kind is kind


def test_seed_aliases_are_merged(seed):
    hur = entity(seed, "hur")
    assert {"Military Intelligence Agency", "Ukraine’s intelligence agency"} <= hur.aliases
    assert len(hur.mentions) == 6
    zelensky = entity(seed, "volodymyr-zelensky")
    assert zelensky.label == "Volodymyr Zelensky"
    assert {"Zelensky", "Mr. Zelensky", "President Zelensky"} <= zelensky.aliases
    kursk = entity(seed, "kursk-oblast")
    assert {"Kursk province", "Kursk region", "Kursk"} <= kursk.aliases
    assert all(reason == PLACE_VARIANT for _, reason in kursk.merges)
    assert entity(seed, "kyiv-independent").label == "The Kyiv Independent"
    assert entity(seed, "akhmat").aliases == {"Akhmat unit"}


def test_seed_group_is_affiliated_with_north_korea(seed):
    troops = entity(seed, "group:north-korea-troops")
    assert troops.label == "North Korean soldiers"
    assert {"North Korean forces", "North Korean units"} <= troops.aliases
    rels = [r for r in seed.relations if seed.entities[r.subject] is troops]
    assert [(r.predicate, seed.entities[r.object].key) for r in rels] == [(RelationType.AFFILIATED_WITH, "north-korea")]
    assert rels[0].evidence in troops.mentions


def test_seed_geonames_and_no_dates(seed):
    assert entity(seed, "ukraine").geonames_id == 690791
    assert entity(seed, "north-korea").geonames_id == 1873107
    labels = {e.label for e in seed.entities} | {a for e in seed.entities for a in e.aliases}
    assert not labels & {"December 14", "December 15", "8", "200", "30", "10,000", "early November"}
    assert not any(any(c.isdigit() for c in label) for label in labels)


def test_other_text(nlp):
    text = (
        "Regional governor Oleh Syniehubov said shelling hit the Kharkiv region. Syniehubov added that "
        "the Security Service of Ukraine (SBU) had detained a suspect. The Kurdistan Democratic Party "
        "(KDP) said KDP fighters held the town."
    )
    res = resolve_text(nlp, text)
    person = entity(res, "person:oleh-syniehubov")
    assert ("Syniehubov", "surname of Oleh Syniehubov") in person.merges
    assert "Security Service of Ukraine" in entity(res, "sbu").aliases
    kdp = entity(res, "organization:kurdistan-democratic-party")
    assert "KDP" in kdp.aliases and len(kdp.mentions) == 3
    assert entity(res, "kharkiv-oblast").kind is EntityKind.REGION


def test_full_extraction_of_real_articles(extractor, eval_dir, seed_text):
    """The default extractor's relations are lifted cleanly on the seed and real articles."""
    from kg.documents import document_from_text

    texts = [seed_text]
    folder = eval_dir / "ukraine_news" / "articles"
    texts += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))[3:5]]
    for text in texts:
        res = resolve(extractor.extract(document_from_text(text)))
        check_resolution(res)
        assert res.entities
