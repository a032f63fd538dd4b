"""Resolution: one document's mentions → entities, each a node however many surface forms.

Within a document, mentions are merged when

- they carry the same gazetteer key ("Zelenskyy" and "Volodymyr Zelensky"): *gazetteer alias*,
  or *place variant* for "Kursk province" / "the Kursk region" / "Kursk";
- a name is followed by its acronym in brackets, "Military Intelligence Agency (HUR)", or the
  other way round: *acronym in parentheses*; other mentions of either form follow;
- a person's surname or given name alone matches exactly one full name: *surname of <name>*;
- a region's bare name matches a region mention not known as a city ("Tavildara region" and
  "Tavildara"): *place variant*;
- a descriptive re-mention ("Ukraine’s intelligence agency") has exactly one named entity of the
  same kind and state in the document: *descriptive re-mention*. Unresolved, it stays an entity
  of its own ("Ukraine's intelligence agency", tied to Ukraine), so the claims it makes keep a
  source;
- demonym groups share a key ("North Korean soldiers", "North Korean forces"): *demonym group*.

Keys are stable across documents: the gazetteer id when known, else ``<kind>:<slug>`` of the
canonical name ("person:john-smith"), so the same actor in many articles is one node.
Groups and descriptive mentions are tied to their state by an ``affiliatedWith`` relation whose
evidence is their own text; the state entity is created from the gazetteer when the document
does not name it, with the first such text as its evidence. The mention-level relations of the
extraction are lifted to entities, deduplicated, without self-relations or relations to dropped
mentions.

This module works on :mod:`kg.model` dataclasses only (no spaCy).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from kg.extract.gazetteer import (
    REGION_WORDS,
    Gazetteer,
    GazetteerEntry,
    geo_place,
    group_label,
    load_gazetteer,
    normalise,
    slugify,
)
from kg.model import (
    Entity,
    EntityKind,
    EntityRelation,
    Extraction,
    Mention,
    RelationType,
    Resolution,
    Span,
)

# Merge reasons, as recorded in ``Entity.merges``.
GAZETTEER_ALIAS = "gazetteer alias"
ACRONYM = "acronym in parentheses"
PLACE_VARIANT = "place variant"
DESCRIPTIVE = "descriptive re-mention"
DEMONYM_GROUP = "demonym group"
SAME_NAME = "same name"

_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9.&\-]{1,9}")
_TITLE_BEFORE = re.compile(
    r"(?:^|\s)((?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Sen|Rep|Gov|Prof)\.?|President|Prime Minister|Minister|"
    r"General|Commander|Chancellor|Governor|Mayor|Senator|Colonel)\s+$"
)
_REGION_SUFFIX = re.compile(r"\s+(?:" + "|".join(REGION_WORDS) + r")$", re.IGNORECASE)


def resolve(extraction: Extraction, *, gazetteer: Gazetteer | None = None) -> Resolution:
    """Resolve one document's mentions to entities and lift its relations to them.

    >>> from kg.model import Document
    >>> text = "Volodymyr Zelensky spoke. Later Zelensky left."
    >>> ms = [Mention(Span.of(text, 0, 18), EntityKind.PERSON, key="volodymyr-zelensky"),
    ...       Mention(Span.of(text, 32, 40), EntityKind.PERSON, key="volodymyr-zelensky")]
    >>> res = resolve(Extraction(Document("x", text), mentions=ms))
    >>> [(e.key, e.label, sorted(e.aliases)) for e in res.entities]
    [('volodymyr-zelensky', 'Volodymyr Zelensky', ['Zelensky'])]
    """
    return _Resolver(extraction, gazetteer or load_gazetteer()).run()


class _Resolver:
    """One document's resolution: union-find over mention indices, then entities."""

    def __init__(self, extraction: Extraction, gaz: Gazetteer) -> None:
        self.extraction = extraction
        self.text = extraction.document.text
        self.mentions = extraction.mentions
        self.gaz = gaz
        self.parent = list(range(len(self.mentions)))
        self.reason: dict[int, str] = {}  # mention → why it joined its cluster
        self.forced_label: dict[int, str] = {}  # cluster root hint: long form of an acronym
        # numbers and dates are never entities, whoever produced the mention
        self.dropped = {i for i, m in enumerate(self.mentions) if not any(c.isalpha() for c in m.span.text)}

    # ---- union-find ----------------------------------------------------------------------------
    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, keep: int, other: int, reason: str) -> None:
        if keep in self.dropped or other in self.dropped:
            return
        a, b = self.find(keep), self.find(other)
        if a != b:
            self.parent[b] = a
            self.reason.setdefault(other, reason)

    # ---- steps -----------------------------------------------------------------------------------
    def run(self) -> Resolution:
        named = [i for i, m in enumerate(self.mentions) if not m.descriptive and i not in self.dropped]
        self._same_key_or_name(named)
        self._acronyms()
        self._surnames()
        self._place_variants()
        self._descriptive()
        return self._build()

    def _identity(self, m: Mention) -> tuple[str, str]:
        """What makes two named mentions the same without further evidence."""
        if m.key:
            return ("key", m.key)
        return ("name", f"{m.kind.family}:{normalise(m.span.text)}")

    def _same_key_or_name(self, named: list[int]) -> None:
        first: dict[tuple[str, str], int] = {}
        for i in named:
            m = self.mentions[i]
            ident = self._identity(m)
            if ident in first:
                j = first[ident]
                reason = SAME_NAME if normalise(m.span.text) == normalise(self.mentions[j].span.text) else (
                    DEMONYM_GROUP if m.kind is EntityKind.GROUP else self._alias_reason(m))
                self.union(j, i, reason)
            else:
                first[ident] = i

    def _alias_reason(self, m: Mention) -> str:
        entry = self.gaz.get(m.key)
        if entry is not None and entry.kind.is_place and _REGION_SUFFIX.search(m.span.text):
            return PLACE_VARIANT
        if entry is not None and entry.base and normalise(m.span.text) == normalise(entry.base):
            return PLACE_VARIANT
        return GAZETTEER_ALIAS

    def _acronyms(self) -> None:
        """"Military Intelligence Agency (HUR)" and "HUR (Military Intelligence Agency)"."""
        order = sorted(range(len(self.mentions)), key=lambda i: self.mentions[i].span.start)
        for a, b in zip(order, order[1:]):
            long, short = self.mentions[a], self.mentions[b]
            between = self.text[long.span.end : short.span.start]
            after = self.text[short.span.end : short.span.end + 2].lstrip()
            if between.strip() != "(" or not after.startswith(")"):
                continue
            if long.descriptive or short.descriptive or long.kind.family != short.kind.family:
                continue
            if long.kind.family == "PER":
                continue
            if _is_acronym(short.span.text) and not _is_acronym(long.span.text):
                self._merge_acronym(long=a, short=b)
            elif _is_acronym(long.span.text) and not _is_acronym(short.span.text):
                self._merge_acronym(long=b, short=a)

    def _merge_acronym(self, *, long: int, short: int) -> None:
        keyed = short if self.mentions[short].key else long
        other = long if keyed == short else short
        self.union(keyed, other, ACRONYM)
        root = self.find(keyed)
        if not self.mentions[keyed].key:
            self.forced_label[root] = self.mentions[long].span.text

    def _surnames(self) -> None:
        """A one-word person mention is the only full name in the document it ends or starts."""
        persons = [i for i, m in enumerate(self.mentions) if m.kind is EntityKind.PERSON and not m.descriptive]
        full = [i for i in persons if len(self.mentions[i].span.text.split()) > 1]
        for i in persons:
            words = self.mentions[i].span.text.split()
            if len(words) != 1:
                continue
            word = words[0]
            owners = {self.find(j) for j in full
                      if self.mentions[j].span.text.split()[-1] == word or self.mentions[j].span.text.split()[0] == word}
            if len(owners) == 1:
                (owner,) = owners
                if self.find(i) != owner:
                    full_name = self._full_name(owner)
                    self.union(owner, i, f"surname of {full_name}")

    def _full_name(self, root: int) -> str:
        names = [self.mentions[j].span.text for j in self._members(root)]
        entry = self.gaz.get(self.mentions[root].key)
        return entry.label if entry else max(names, key=lambda n: (len(n.split()), len(n)))

    def _place_variants(self) -> None:
        """"Tavildara region" and "Tavildara": one region unless the gazetteer knows a city."""
        regions: dict[str, int] = {}
        for i, m in enumerate(self.mentions):
            if m.kind is EntityKind.REGION and not m.descriptive and _REGION_SUFFIX.search(m.span.text):
                regions.setdefault(normalise(_REGION_SUFFIX.sub("", m.span.text)), i)
        for i, m in enumerate(self.mentions):
            if not m.kind.is_place or m.descriptive or _REGION_SUFFIX.search(m.span.text):
                continue
            region = regions.get(normalise(m.span.text))
            if region is None or self.find(region) == self.find(i):
                continue
            entry = self.gaz.get(m.key)
            if entry is not None and entry.kind is not EntityKind.REGION:
                continue  # the gazetteer says the bare name is a city (or a country)
            self.union(region, i, PLACE_VARIANT)

    def _descriptive(self) -> None:
        """Descriptive re-mentions join their gazetteer entity or the one matching named entity."""
        clusters = self._named_clusters()
        for i, m in enumerate(self.mentions):
            if not m.descriptive:
                continue
            if m.key:
                match = [root for root, info in clusters.items() if info[0] == m.key]
                if match:
                    self.union(match[0], i, DESCRIPTIVE)
                continue
            candidates = [root for root, (key, kind, affiliation) in clusters.items()
                          if kind is m.kind and affiliation == m.affiliation and m.affiliation]
            if len(candidates) == 1:
                self.union(candidates[0], i, DESCRIPTIVE)

    def _named_clusters(self) -> dict[int, tuple[str | None, EntityKind, str | None]]:
        """Root → (key, kind, affiliation) of clusters with at least one named mention."""
        info: dict[int, tuple[str | None, EntityKind, str | None]] = {}
        for i, m in enumerate(self.mentions):
            if m.descriptive or m.kind is EntityKind.GROUP:
                continue
            root = self.find(i)
            entry = self.gaz.get(m.key)
            key = m.key if m.key else (info.get(root, (None,))[0])
            affiliation = m.affiliation or (entry.affiliation if entry else None) or info.get(root, (None, None, None))[2]
            info[root] = (key, entry.kind if entry else m.kind, affiliation)
        return info

    def _members(self, root: int) -> list[int]:
        return [i for i in range(len(self.mentions)) if self.find(i) == root]

    # ---- entities --------------------------------------------------------------------------------
    def _build(self) -> Resolution:
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.mentions)):
            if i not in self.dropped:
                groups[self.find(i)].append(i)
        roots = sorted(groups, key=lambda r: self.mentions[groups[r][0]].span.start)
        entities: list[Entity] = []
        index_of_key: dict[str, int] = {}
        mention_entity: list[int | None] = [None] * len(self.mentions)
        affiliations: list[tuple[int, str, Span]] = []  # (entity, state id, evidence)
        for root in roots:
            members = groups[root]
            entity = self._entity(root, members)
            if entity.key in index_of_key:  # two clusters, one key: merge them
                target = entities[index_of_key[entity.key]]
                _absorb(target, entity)
                index = index_of_key[entity.key]
            else:
                index = len(entities)
                index_of_key[entity.key] = index
                entities.append(entity)
            for i in members:
                mention_entity[i] = index
                m = self.mentions[i]
                state = m.affiliation if (m.kind is EntityKind.GROUP or m.descriptive) else None
                if state:
                    affiliations.append((index, state, m.span))
        relations = self._lift_relations(mention_entity)
        relations += self._affiliation_relations(entities, index_of_key, affiliations)
        return Resolution(self.extraction, entities, mention_entity, _dedupe(relations))

    def _entity(self, root: int, members: list[int]) -> Entity:
        ms = [self.mentions[i] for i in members]
        keyed = next((m for m in ms if m.key and not m.key.startswith("group:")), None)
        group = next((m for m in ms if m.kind is EntityKind.GROUP and m.key), None)
        entry = self.gaz.get(keyed.key) if keyed else None
        named = [m for m in ms if not m.descriptive] or ms
        if entry is not None:
            key, label, kind, geonames = entry.id, entry.label, entry.kind, entry.geonames_id
        elif keyed is not None:  # a key from elsewhere than the gazetteer: kept as given
            kind = _majority_kind(named)
            key, label, geonames = keyed.key, _canonical_label(named, kind), None
        elif group is not None:
            key, kind, geonames = group.key, EntityKind.GROUP, None
            state = self.gaz.get(group.affiliation)
            label = group_label(state, group.key.rsplit("-", 1)[-1]) if state else group.span.text
        elif all(m.descriptive for m in ms):
            key, label, kind, geonames = self._unresolved_description(ms[0])
        else:
            kind = _majority_kind(named)
            label = self.forced_label.get(root) or _canonical_label(named, kind)
            base = _REGION_SUFFIX.sub("", label) if kind is EntityKind.REGION else label
            key = f"{kind.value.lower()}:{slugify(normalise(base))}"
            place = geo_place(base) if kind.is_place else None
            geonames = place.geonames_id if place and place.kind is kind else None
        entity = Entity(key=key, label=label, kind=kind, geonames_id=geonames)
        for i in sorted(members, key=lambda i: self.mentions[i].span.start):
            m = self.mentions[i]
            entity.mentions.append(m.span)
            self._add_form(entity, m.span.text, self.reason.get(i) or self._own_reason(m))
            if m.kind is EntityKind.PERSON:
                titled = _TITLE_BEFORE.search(self.text[max(0, m.span.start - 20) : m.span.start])
                if titled:
                    self._add_form(entity, f"{titled.group(1)} {m.span.text}", f"title and name of {label}")
        return entity

    def _own_reason(self, m: Mention) -> str:
        """Why the first mention of a cluster is a form of its entity."""
        if m.descriptive:
            return DESCRIPTIVE
        if m.kind is EntityKind.GROUP:
            return DEMONYM_GROUP
        return self._alias_reason(m) if m.key else SAME_NAME

    def _add_form(self, entity: Entity, form: str, reason: str) -> None:
        if form != entity.label and form not in entity.aliases:
            entity.aliases.add(form)
            entity.merges.append((form, reason))

    def _unresolved_description(self, m: Mention) -> tuple[str, str, EntityKind, None]:
        """An entity for "Ukraine’s intelligence agency" when no named entity matches it."""
        state = self.gaz.get(m.affiliation)
        rest = _strip_state(m.span.text, state)
        owner = state.label if state else ""
        label = f"{owner}'s {rest}" if owner else m.span.text
        key = f"{m.kind.value.lower()}:{slugify(' '.join(filter(None, (m.affiliation, rest))))}"
        return key, label, m.kind, None

    def _lift_relations(self, mention_entity: list[int | None]) -> list[EntityRelation]:
        lifted = []
        for rel in self.extraction.relations:
            if not (0 <= rel.subject < len(mention_entity) and 0 <= rel.object < len(mention_entity)):
                continue
            s, o = mention_entity[rel.subject], mention_entity[rel.object]
            if s is None or o is None or s == o:
                continue
            lifted.append(EntityRelation(s, rel.predicate, o, rel.evidence))
        return lifted

    def _affiliation_relations(self, entities: list[Entity], index_of_key: dict[str, int],
                               affiliations: list[tuple[int, str, Span]]) -> list[EntityRelation]:
        out = []
        for index, state_id, evidence in affiliations:
            state = self.gaz.get(state_id)
            if state is None:
                continue
            if state.id not in index_of_key:  # the state is not named: create it from the gazetteer
                index_of_key[state.id] = len(entities)
                # its evidence is the text naming it by its demonym ("Russian forces"): every
                # entity points to where the document mentions it
                entities.append(Entity(key=state.id, label=state.label, kind=state.kind, geonames_id=state.geonames_id,
                                       mentions=[evidence]))  # fmt: skip
            target = index_of_key[state.id]
            if target != index:
                out.append(EntityRelation(index, RelationType.AFFILIATED_WITH, target, evidence))
        return out


def _absorb(target: Entity, other: Entity) -> None:
    """Fold a second cluster with the same key into the first."""
    target.mentions = sorted([*target.mentions, *other.mentions], key=lambda s: s.start)
    for form, reason in [(other.label, SAME_NAME), *other.merges]:
        if form != target.label and form not in target.aliases:
            target.aliases.add(form)
            target.merges.append((form, reason))


def _dedupe(relations: list[EntityRelation]) -> list[EntityRelation]:
    seen: set[tuple[int, RelationType, int]] = set()
    out = []
    for rel in relations:
        triple = (rel.subject, rel.predicate, rel.object)
        if triple not in seen:
            seen.add(triple)
            out.append(rel)
    return out




def _majority_kind(mentions: list[Mention]) -> EntityKind:
    """The most frequent kind; the more specific one wins a tie (not plain Organization)."""
    counts = Counter(m.kind for m in mentions)
    return max(counts, key=lambda k: (counts[k], k is not EntityKind.ORGANIZATION))


def _canonical_label(mentions: list[Mention], kind: EntityKind) -> str:
    """The longest form for persons ("Volodymyr Zelensky"), else the most frequent, then longest."""
    forms = [m.span.text for m in mentions]
    if kind is EntityKind.PERSON:
        return max(forms, key=lambda f: (len(f.split()), len(f)))
    counts = Counter(forms)
    return max(counts, key=lambda f: (counts[f], len(f), -forms.index(f)))


def _is_acronym(text: str) -> bool:
    """ "HUR", "U.N.", "PwC" — short, no spaces, mostly capitals.

    >>> _is_acronym("HUR"), _is_acronym("Military Intelligence Agency")
    (True, False)
    """
    letters = [c for c in text if c.isalpha()]
    return (_ACRONYM.fullmatch(text) is not None and bool(letters)
            and sum(c.isupper() for c in letters) >= max(2, len(letters) - 1))


def _strip_state(text: str, state: GazetteerEntry | None) -> str:
    """ "Ukraine’s intelligence agency" → "intelligence agency"."""
    text = re.sub(r"^the\s+", "", text.replace("’", "'"), flags=re.IGNORECASE)
    if state is not None:
        for name in sorted((*state.names, *state.demonyms), key=len, reverse=True):
            if text.lower().startswith(name.lower()):
                text = text[len(name) :]
                break
    return re.sub(r"^'s?\s*", "", text).strip()
