"""kg.extract.relations: direct relations between mentions, with the real pipeline.

The seed article runs with the project's own mentions; the other sentences name their mentions
by hand, so that they test the relation rules alone.
"""

from __future__ import annotations

import pytest

from kg.extract.mentions import find_mentions
from kg.extract.relations import find_relations
from kg.model import EntityKind, Mention, RelationType, Span

R = RelationType
P, C, S, REG, ORG, GRP, UNIT = (
    EntityKind.PERSON,
    EntityKind.COUNTRY,
    EntityKind.SETTLEMENT,
    EntityKind.REGION,
    EntityKind.ORGANIZATION,
    EntityKind.GROUP,
    EntityKind.MILITARY_UNIT,
)


@pytest.fixture(scope="module")
def seed(nlp, seed_text):
    doc = nlp(seed_text)
    mentions = find_mentions(doc)
    found = {
        (mentions[r.subject].span.text, r.predicate, mentions[r.object].span.text)
        for r in find_relations(doc, mentions)
    }
    return doc, mentions, found


def relations(nlp, text: str, *named: tuple[str, EntityKind]) -> set[tuple[str, RelationType, str]]:
    """Relations of ``text`` with hand-made mentions: (surface form, kind), first occurrences."""
    doc = nlp(text)
    mentions = []
    for surface, kind in named:
        start = text.index(surface)
        mentions.append(Mention(Span.of(text, start, start + len(surface)), kind))
    found = find_relations(doc, mentions)
    for r in found:
        sentence = doc.char_span(r.evidence.start, r.evidence.end, alignment_mode="expand")
        assert sentence is not None and r.evidence.text == text[r.evidence.start : r.evidence.end]
    return {(mentions[r.subject].span.text, r.predicate, mentions[r.object].span.text) for r in found}


# --- the seed article ---------------------------------------------------------------------------


def test_seed_fights_alongside_and_for(seed):
    _, _, found = seed
    assert ("North Korean forces", R.FIGHTS_ALONGSIDE, "Russia") in found
    assert ("Akhmat unit", R.FIGHTS_FOR, "Russia") in found


def test_seed_located_in_and_deployed_in(seed):
    _, _, found = seed
    assert ("Kursk province", R.LOCATED_IN, "Russia") in found
    assert ("North Korean soldiers", R.DEPLOYED_IN, "Kursk") in found


def test_seed_leader_of_through_the_demonym(seed):
    doc, mentions, found = seed
    assert ("Volodymyr Zelensky", R.LEADER_OF, "Ukraine") in found


def test_seed_attacked(seed):
    _, _, found = seed
    assert ("North Korean soldiers", R.ATTACKED, "Akhmat unit") in found
    # "killing 8 members of a Russian unit" is an attack on the unit, not its killing
    assert ("North Korean forces", R.ATTACKED, "Russian unit") in found
    assert not any(p is R.KILLED for _, p, _ in found)


def test_seed_evidence_is_the_sentence(seed):
    doc, mentions, _ = seed
    for r in find_relations(doc, mentions):
        assert doc.text[r.evidence.start : r.evidence.end] == r.evidence.text
        assert r.evidence.start <= mentions[r.subject].span.start < r.evidence.end
        assert "\n" not in r.evidence.text


# --- general English ----------------------------------------------------------------------------


def test_works_for_by_apposition_title_and_possessive(nlp):
    assert relations(
        nlp, "Dmitry Peskov, a spokesman for the Kremlin, declined to comment.", ("Dmitry Peskov", P), ("Kremlin", ORG)
    ) == {("Dmitry Peskov", R.WORKS_FOR, "Kremlin")}
    assert relations(
        nlp, "Chevron spokesman Jonathan Lifa said the rig capsized.", ("Chevron", ORG), ("Jonathan Lifa", P)
    ) == {("Jonathan Lifa", R.WORKS_FOR, "Chevron")}
    assert relations(
        nlp, "NATO's secretary general, Jens Stoltenberg, arrived.", ("NATO", ORG), ("Jens Stoltenberg", P)
    ) >= {("Jens Stoltenberg", R.WORKS_FOR, "NATO")}
    assert relations(
        nlp, "Roger Crouch of NASA was chosen.", ("Roger Crouch", P), ("NASA", ORG)
    ) == {("Roger Crouch", R.WORKS_FOR, "NASA")}


def test_leader_of_and_lives_in(nlp):
    assert relations(
        nlp, "French President Emmanuel Macron met him.", ("French", C), ("Emmanuel Macron", P)
    ) == {("Emmanuel Macron", R.LEADER_OF, "French"), ("Emmanuel Macron", R.LIVES_IN, "French")}
    assert relations(
        nlp, "Gordon Hall, a resident of Boston, was hurt.", ("Gordon Hall", P), ("Boston", S)
    ) == {("Gordon Hall", R.LIVES_IN, "Boston")}
    assert relations(
        nlp, "Diver Brian Michaud of Millinocket hooked the men.", ("Brian Michaud", P), ("Millinocket", S)
    ) == {("Brian Michaud", R.LIVES_IN, "Millinocket")}
    assert relations(
        nlp, "Mary Smith, who lives in Leeds, said so.", ("Mary Smith", P), ("Leeds", S)
    ) == {("Mary Smith", R.LIVES_IN, "Leeds")}


def test_based_in(nlp):
    assert relations(
        nlp, "The Kyiv-based Razumkov Centre ran the poll.", ("Kyiv", S), ("Razumkov Centre", ORG)
    ) == {("Razumkov Centre", R.BASED_IN, "Kyiv")}
    assert relations(
        nlp, "Rosatom, headquartered in Moscow, denied it.", ("Rosatom", ORG), ("Moscow", S)
    ) == {("Rosatom", R.BASED_IN, "Moscow")}
    assert relations(
        nlp, "BANGKOK, Thailand (AP) Rain fell.", ("BANGKOK", S), ("Thailand", C), ("AP", ORG)
    ) >= {("AP", R.BASED_IN, "BANGKOK"), ("AP", R.BASED_IN, "Thailand"), ("BANGKOK", R.LOCATED_IN, "Thailand")}


def test_located_in_addresses_but_not_lists(nlp):
    assert relations(
        nlp, "She was born in Bethany, Conn., in 1950.", ("Bethany", S), ("Conn.", REG)
    ) == {("Bethany", R.LOCATED_IN, "Conn.")}
    assert relations(
        nlp, "Rockets fell on Kassala in eastern Sudan.", ("Kassala", S), ("Sudan", C)
    ) == {("Kassala", R.LOCATED_IN, "Sudan")}
    assert relations(
        nlp, "Ministers from Colombia, Bolivia, Ecuador and Peru met.",
        ("Colombia", C), ("Bolivia", C), ("Ecuador", C), ("Peru", C),
    ) == set()
    # an address chain carries the relations of its first place
    assert relations(
        nlp, "Marie Ferraro of Bethany, Conn., was hurt.", ("Marie Ferraro", P), ("Bethany", S), ("Conn.", REG)
    ) == {
        ("Marie Ferraro", R.LIVES_IN, "Bethany"),
        ("Marie Ferraro", R.LIVES_IN, "Conn."),
        ("Bethany", R.LOCATED_IN, "Conn."),
    }


def test_killed(nlp):
    assert relations(
        nlp, "John Wilkes Booth, who assassinated Abraham Lincoln, was an actor.",
        ("John Wilkes Booth", P), ("Abraham Lincoln", P),
    ) == {("John Wilkes Booth", R.KILLED, "Abraham Lincoln")}
    assert relations(
        nlp, "Gavrilo Princip, the assassin of Franz Ferdinand, was arrested.",
        ("Gavrilo Princip", P), ("Franz Ferdinand", P),
    ) == {("Gavrilo Princip", R.KILLED, "Franz Ferdinand")}
    assert relations(
        nlp, "Sirhan Sirhan was convicted of killing Robert Kennedy.", ("Sirhan Sirhan", P), ("Robert Kennedy", P)
    ) == {("Sirhan Sirhan", R.KILLED, "Robert Kennedy")}
    assert relations(nlp, "Smith did not kill Jones.", ("Smith", P), ("Jones", P)) == set()
    assert relations(nlp, "Police shot Jones.", ("Police", ORG), ("Jones", P)) == {("Police", R.ATTACKED, "Jones")}


def test_fighting_and_deployment(nlp):
    assert relations(
        nlp, "Wagner fighters fighting against Ukraine took Soledar.", ("Wagner fighters", GRP), ("Ukraine", C)
    ) == {("Wagner fighters", R.FIGHTS_AGAINST, "Ukraine")}
    assert relations(
        nlp, "Belarusian troops were deployed to Gomel.", ("Belarusian troops", GRP), ("Gomel", S)
    ) == {("Belarusian troops", R.DEPLOYED_IN, "Gomel")}
    # negated or denied: no relation
    assert relations(
        nlp, "Belarusian troops have not been deployed to Ukraine.", ("Belarusian troops", GRP), ("Ukraine", C)
    ) == set()
    assert relations(
        nlp, "The brigade denied fighting for Russia.", ("brigade", UNIT), ("Russia", C)
    ) == set()


def test_member_and_part_of(nlp):
    assert relations(
        nlp, "Anna Kowalska, a member of the Sejm, voted.", ("Anna Kowalska", P), ("Sejm", ORG)
    ) >= {("Anna Kowalska", R.MEMBER_OF, "Sejm")}
    assert relations(
        nlp,
        "The 155th Brigade, a unit of the Pacific Fleet, lost men.",
        ("155th Brigade", UNIT), ("Pacific Fleet", UNIT),
    ) == {("155th Brigade", R.PART_OF, "Pacific Fleet")}


def test_headquarters_in_a_place(nlp):
    found = relations(nlp, "NATO headquarters in Brussels issued a statement.", ("NATO", ORG), ("Brussels", S))
    assert ("NATO", R.BASED_IN, "Brussels") in found
    found = relations(nlp, "At NRC headquarters in nearby Rockville, Md., Bernero spoke.",
                      ("NRC", ORG), ("Rockville", S), ("Md.", REG), ("Bernero", P))
    assert {("NRC", R.BASED_IN, "Rockville"), ("NRC", R.BASED_IN, "Md.")} <= found
