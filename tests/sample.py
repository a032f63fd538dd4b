"""A small hand-made resolution (no spaCy) for tests of the stages after extraction."""

from __future__ import annotations

from datetime import date

from kg.documents import document_from_text
from kg.model import (
    Claim, Entity, EntityKind, EntityRelation, Extraction, Hedge, Mention, Quantity, RelationType, Resolution, Span,
    Stance, TimeExpr, TimeKind,
)  # fmt: skip

TEXT = (
    "According to HUR, at least 30 North Korean soldiers were killed in Kursk, according to Reuters.\n"
    "Russia denied that North Korean soldiers fight in Kursk."
)


def span(text: str, needle: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Span.of(text, start, start + len(needle))


def sample_resolution(text: str = TEXT, published: date | None = date(2024, 12, 16)) -> Resolution:
    doc = document_from_text(text, path="sample.txt", published=published)
    t = doc.text
    mentions = [
        Mention(span(t, "HUR"), EntityKind.INTELLIGENCE_AGENCY, key="hur"),
        Mention(span(t, "North Korean soldiers"), EntityKind.GROUP, key="group:north-korea", affiliation="north-korea"),
        Mention(span(t, "Kursk"), EntityKind.REGION, key="kursk"),
        Mention(span(t, "Reuters"), EntityKind.NEWS_OUTLET, key="reuters"),
        Mention(span(t, "Russia"), EntityKind.COUNTRY, key="russia"),
        Mention(span(t, "North Korean soldiers", 1), EntityKind.GROUP, key="group:north-korea"),
        Mention(span(t, "Kursk", 1), EntityKind.REGION, key="kursk"),
    ]
    figure = Quantity(span(t, "at least 30"), min_value=30, hedge=Hedge.AT_LEAST, measure="killed",
                      counts="North Korean soldiers", counts_mention=1)  # fmt: skip
    claims = [
        Claim(content=span(t, "at least 30 North Korean soldiers were killed in Kursk"),
              evidence=Span.of(t, 0, t.index("\n")), source=0, source_span=span(t, "HUR"),
              cue=span(t, "According to"), reporter=3, hedge=Hedge.AT_LEAST, quantities=[figure],
              date=TimeExpr(span(t, "HUR"), TimeKind.DATE, "2024-12-15")),
        Claim(content=span(t, "that North Korean soldiers fight in Kursk"), evidence=Span.of(t, t.index("Russia"), len(t)),
              stance=Stance.DENIED, source=4, source_span=span(t, "Russia"), cue=span(t, "denied")),
    ]  # fmt: skip
    extraction = Extraction(doc, mentions=mentions, claims=claims, extractor="newskg.rules.v1", model="en_core_web_sm 3.8.0")
    entities = [
        Entity("hur", "HUR", EntityKind.INTELLIGENCE_AGENCY, {"Main Directorate of Intelligence"}, [mentions[0].span]),
        Entity("group:north-korea", "North Korean forces", EntityKind.GROUP, {"North Korean soldiers"},
               [mentions[1].span, mentions[5].span], merges=[("North Korean soldiers", "demonym group")]),
        Entity("kursk", "Kursk Oblast", EntityKind.REGION, {"Kursk"}, [mentions[2].span, mentions[6].span], geonames_id=538555),
        Entity("reuters", "Reuters", EntityKind.NEWS_OUTLET, set(), [mentions[3].span]),
        Entity("russia", "Russia", EntityKind.COUNTRY, set(), [mentions[4].span]),
    ]  # fmt: skip
    relations = [EntityRelation(1, RelationType.DEPLOYED_IN, 2, Span.of(t, 0, t.index("\n")))]
    return Resolution(extraction, entities, [0, 1, 2, 3, 4, 1, 2], relations)
