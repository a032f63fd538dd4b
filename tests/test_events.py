"""kg.extract.events: events with roles, times, figures and causes, with the real pipeline."""

from __future__ import annotations

from datetime import date

import pytest

from kg.extract.claims import find_claims
from kg.extract.events import find_events
from kg.extract.mentions import find_mentions
from kg.extract.quantities import find_quantities
from kg.extract.timex import find_times
from kg.model import Claim, EntityKind, EventKind, Mention, Span

K = EventKind


@pytest.fixture(scope="module")
def seed(nlp, seed_text):
    doc = nlp(seed_text)
    mentions = find_mentions(doc)
    times = find_times(doc, published=date(2024, 12, 16))
    quantities = find_quantities(doc, mentions)
    claims = find_claims(doc, mentions, times, quantities)
    return doc, mentions, claims, find_events(doc, mentions, times, quantities, claims)


def names(mentions: list[Mention], indices: list[int]) -> list[str]:
    return [mentions[i].span.text for i in indices]


def events(nlp, text: str, *named: tuple[str, EntityKind], published: date | None = date(2024, 3, 20)):
    """Events of ``text`` with hand-made mentions: (surface form, kind), first occurrences."""
    doc = nlp(text)
    mentions = []
    for surface, kind in named:
        start = text.index(surface)
        mentions.append(Mention(Span.of(text, start, start + len(surface)), kind))
    times = find_times(doc, published=published)
    found = find_events(doc, mentions, times, find_quantities(doc, mentions), [])
    return mentions, found


# --- the seed article ---------------------------------------------------------------------------


def test_seed_attack_on_the_akhmat_unit_with_its_cause(seed):
    doc, mentions, _, found = seed
    attack = next(e for e in found if e.trigger.text == "opened fire")
    assert attack.kind is K.ATTACK
    assert names(mentions, attack.agents) == ["North Korean soldiers"]
    assert names(mentions, attack.targets) == ["Akhmat unit"]
    assert "language barrier" in attack.cause.text
    assert doc.text[attack.cause.start : attack.cause.end] == attack.cause.text
    assert attack.evidence.text.startswith("According to HUR, a group of North Korean soldiers opened fire")


def test_seed_shooting_and_killing(seed):
    _, mentions, _, found = seed
    shot = next(e for e in found if e.trigger.text == "shot")
    killing = next(e for e in found if e.trigger.text == "killing")
    assert (shot.kind, killing.kind) == (K.ATTACK, K.CASUALTIES)
    assert names(mentions, shot.agents) == names(mentions, killing.agents) == ["North Korean forces"]
    assert names(mentions, killing.targets) == ["Russian unit"]
    assert shot.targets == killing.targets  # "shot, killing 8 members of a Russian unit"
    assert killing.quantity.value == 8
    assert shot.time is None  # December 14 dates the announcement, not the shooting


def test_seed_casualties_with_hedged_figures(seed):
    _, mentions, _, found = seed
    injured = next(e for e in found if e.trigger.text == "killed or injured")
    assert injured.kind is K.CASUALTIES
    assert names(mentions, injured.targets) == ["North Korean soldiers"]
    assert (injured.quantity.min_value, injured.quantity.hedge.value) == (30, "AtLeast")
    estimated = next(e for e in found if e.quantity is not None and e.quantity.span.text == "an estimated 200")
    assert (estimated.kind, estimated.time.value) == (K.CASUALTIES, "2024-12-14")  # "as of December 14"
    losses = next(e for e in found if e.trigger.text == "losses")
    assert names(mentions, losses.targets) == ["North Korean forces"]


def test_seed_gathering_clash_and_regulation(seed):
    _, mentions, _, found = seed
    gathering = next(e for e in found if e.kind is K.GATHERING)
    assert names(mentions, gathering.agents) == ["North Korean soldiers"]
    assert names(mentions, gathering.places) == ["Kursk"]
    assert gathering.quantity.span.text == "more than 10,000"
    clash = next(e for e in found if e.kind is K.CLASH)
    assert clash.trigger.text == "clash"
    assert set(names(mentions, clash.agents)) >= {"Ukrainian forces"}
    assert names(mentions, clash.places) == ["Kursk province"]
    assert (clash.time.span.text, clash.time.start, clash.time.end) == ("early November", "2024-11-01", "2024-11-10")
    regulation = next(e for e in found if e.kind is K.REGULATION)
    assert names(mentions, regulation.agents) == ["Russian military"]


def test_seed_negated_deployment_is_no_event(seed):
    _, _, _, found = seed
    assert not any(e.trigger.text == "deployed" for e in found)  # "have not been deployed"


def test_seed_claims_point_to_their_events(seed):
    _, _, claims, found = seed
    attack = found.index(next(e for e in found if e.trigger.text == "opened fire"))
    claim = next(c for c in claims if "opened fire" in c.content.text)
    assert attack in claim.events
    for c in claims:
        for i in c.events:
            assert c.content.start <= found[i].trigger.start and found[i].trigger.end <= c.content.end


# --- general English ----------------------------------------------------------------------------


def test_attack_with_time_and_casualties(nlp):
    ms, found = events(
        nlp,
        "Russian forces shelled Kharkiv on Monday, killing at least 12 civilians.",
        ("Russian forces", EntityKind.GROUP), ("Kharkiv", EntityKind.SETTLEMENT),
    )
    attack, killing = found
    assert attack.kind is K.ATTACK and attack.time.value == "2024-03-18"
    assert (names(ms, attack.agents), names(ms, attack.targets)) == (["Russian forces"], ["Kharkiv"])
    assert (killing.kind, killing.quantity.min_value) == (K.CASUALTIES, 12)
    assert names(ms, killing.agents) == ["Russian forces"]


def test_clash_between_two_sides(nlp):
    ms, (clash,) = events(
        nlp,
        "Ukrainian troops clashed with Russian units near Bakhmut in late March.",
        ("Ukrainian troops", EntityKind.GROUP), ("Russian units", EntityKind.GROUP), ("Bakhmut", EntityKind.SETTLEMENT),
    )
    assert clash.kind is K.CLASH
    assert names(ms, clash.agents) == ["Ukrainian troops", "Russian units"]
    assert names(ms, clash.places) == ["Bakhmut"]
    assert (clash.time.start, clash.time.end) == ("2024-03-21", "2024-03-31")


def test_deployment_with_a_figure(nlp):
    ms, (deployment,) = events(
        nlp,
        "The Kremlin has deployed about 5,000 paratroopers to Belarus.",
        ("Kremlin", EntityKind.GOVERNMENT_AGENCY), ("Belarus", EntityKind.COUNTRY),
    )
    assert deployment.kind is K.DEPLOYMENT
    assert names(ms, deployment.agents) == ["Kremlin"] and names(ms, deployment.places) == ["Belarus"]
    assert (deployment.quantity.value, deployment.quantity.hedge.value) == (5000, "Approximately")


def test_causes(nlp):
    _, (strike, killed) = events(nlp, "A missile strike on Odesa killed eight people due to a failure of air defences.")
    assert (strike.kind, killed.kind) == (K.ATTACK, K.CASUALTIES)
    assert killed.cause.text == "failure of air defences"
    _, (attack,) = events(nlp, "The attack was caused by a faulty drone.")
    assert attack.cause.text == "faulty drone"
    _, (clash,) = events(nlp, "Troops clashed near the border. The reason for the clash was a navigation error.")
    assert clash.cause.text == "navigation error"


def test_no_event_when_negated_or_hypothetical(nlp):
    for text in (
        "Israel may attack Iran next week, officials warned.",
        "Troops were not deployed to the border.",
        "The efforts to fight corruption failed.",
        "He hit a record high and fired the director.",
    ):
        assert events(nlp, text)[1] == [], text


def test_regulation(nlp):
    ms, (curfew,) = events(
        nlp,
        "The army imposed a curfew in Khartoum.",
        ("army", EntityKind.ARMED_FORCES), ("Khartoum", EntityKind.SETTLEMENT),
    )
    assert curfew.kind is K.REGULATION and curfew.trigger.text == "curfew"
    assert names(ms, curfew.agents) == ["army"] and names(ms, curfew.places) == ["Khartoum"]


def test_claims_get_the_events_in_their_content(nlp):
    text = "Officials said Russian forces shelled Kharkiv."
    doc = nlp(text)
    start = text.index("Russian forces")
    claim = Claim(content=Span.of(text, start, len(text) - 1), evidence=Span.of(text, 0, len(text)))
    found = find_events(doc, [], [], [], [claim])
    assert [found[i].trigger.text for i in claim.events] == ["shelled"]
    find_events(doc, [], [], [], [claim])
    assert claim.events == [0]  # not appended twice
