"""Attribution: who claims what, relayed by whom, when, and with which stance.

Rules over spaCy's dependency parse, driven by the cue lexicon shipped in
``kg/data/attribution.v1.json``:

- reporting verbs, the source before or after the content ("X said that …", "…, X said",
  "“…,” X said. “…”", "X said: “…”", "X told Reuters …", "X, who said …", "…, adding that …"),
  and the passive ("was reported by X", "it is believed that …");
- "according to X" (also "according to X's announcement"): X is the source, or the relaying
  outlet (``reporter``) when the sentence names another source; "in a poll/statement, …";
- quotations: the content grows to the whole quote, across the sentence breaks inside it;
  transcript and headline lines ("PENCE: …", "Zelensky: …") and bylined quotes ("“…” ― Name");
- stance: denied ("denied", "rejected claims that", "called the reports false"), declined to
  comment ("has not commented", "declined to comment", "had no immediate comment"), neither
  confirmed nor denied; "initially"/"later" on the cue is kept as ``qualifier``, so a change of
  stance stays two claims.

A negated reporting verb ("did not give a figure", "did not say") is not a claim, nor is a
question. A claim reported inside another claim's content is left to the outer one. Sources are
kept as written (``source_span``) even when no mention covers them (pronouns, "officials").
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, fields, replace
from functools import lru_cache

from spacy.tokens import Doc, Token

from kg.config import read_data
from kg.extract.docs import (
    doc_text,
    expanded_range,
    token_deps,
    token_flags,
    token_lemmas,
    token_lowers,
    token_pos,
    token_starts,
    token_texts,
)
from kg.model import Claim, EntityKind, Mention, Quantity, Span, SpanIndex, Stance, TimeExpr

LEXICON_FILE = "attribution.v1.json"

CharSpan = tuple[int, int]

_QUOTE_MARK = re.compile(r"“|”|''|``|\"")
_DASHES = "―—–"
_SUBJECTS = ("nsubj", "csubj")
_RELATIVE_PRONOUNS = {"who", "that", "which", "whom"}
# How an unnamed source is tied to the entity it speaks for: "a Pyongyang official",
# "a spokesperson for the Kremlin", "HUR's announcement".
_TIE_DEPS = {"compound", "amod", "poss", "nmod", "appos"}
_TIE_PREPS = {"for", "of", "at", "from", "with", "in", "by"}
_NAMED = {"PERSON", "ORG", "GPE", "NORP"}


@dataclass(frozen=True)
class Lexicon:
    """The cue lexicon (lemmas, lower case) read from the shipped data file."""

    speech_verbs: frozenset[str]
    cognition_verbs: frozenset[str]
    object_content_verbs: frozenset[str]
    xcomp_content_verbs: frozenset[str]
    prep_content: dict[str, frozenset[str]]
    denial_verbs: frozenset[str]
    denial_labels: frozenset[str]
    claim_nouns: frozenset[str]
    cue_nouns: frozenset[str]
    medium_nouns: frozenset[str]
    speech_nouns: frozenset[str]
    comment_verbs: frozenset[str]
    comment_objects: frozenset[str]
    passive_sourceless: frozenset[str]
    role_nouns: frozenset[str]
    qualifiers: frozenset[str]
    outlets: frozenset[str]
    line_labels_ignored: frozenset[str]
    clause_advcl_verbs: frozenset[str]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read ``kg/data/attribution.v1.json`` once per process."""
    raw = read_data(LEXICON_FILE)
    values: dict[str, object] = {}
    for f in fields(Lexicon):
        if f.name == "prep_content":
            values[f.name] = {verb: frozenset(p) for verb, p in raw[f.name].items()}
        else:
            values[f.name] = frozenset(raw[f.name])
    return Lexicon(**values)  # type: ignore[arg-type]


@dataclass
class _Frame:
    """A claim under construction, in character offsets."""

    cue: CharSpan
    anchor: Token  # the token the cue hangs on (its verb, "according", the line's colon)
    content: CharSpan
    source: CharSpan | None = None
    source_head: Token | None = None
    stance: Stance = Stance.ASSERTED
    qualifier: str | None = None
    reporter: CharSpan | None = None
    reporter_cue: CharSpan | None = None
    according: bool = False  # "according to X": X may turn out to relay another source
    weak: bool = False  # "in a poll, …": only a claim when nothing else in the sentence is


def find_claims(
    doc: Doc, mentions: list[Mention], times: list[TimeExpr], quantities: list[Quantity]
) -> list[Claim]:
    """Attributed claims in ``doc``, in text order (see the module docstring for the patterns).

    ``source``/``reporter`` index ``mentions`` when a mention covers the source (or the entity an
    unnamed source speaks for); ``date`` is the time of the statement, ``quantities`` those
    inside the content and ``hedge`` the hedge of the first of them.
    """
    return _Attributor(doc, mentions, load_lexicon()).run(times, quantities)


class _Attributor:
    """One document's attribution pass."""

    def __init__(self, doc: Doc, mentions: list[Mention], lex: Lexicon) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.mentions = mentions
        self.mentions_at = SpanIndex((m.span.start, m.span.end) for m in mentions)
        self.lex = lex
        self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        self.quotes = _quote_regions(self.text, self.newlines)  # in text order, none overlapping: their ends in order too
        self.quote_starts, self.quote_ends = [qs for qs, _ in self.quotes], [qe for _, qe in self.quotes]
        self.used: set[int] = set()  # cue tokens already consumed by a frame
        self.pos, self.lowers, self.lemmas = token_pos(doc), token_lowers(doc), token_lemmas(doc)
        self.words, self.starts = token_texts(doc), token_starts(doc)
        self.spaces, self.puncts = token_flags(doc, "IS_SPACE"), token_flags(doc, "IS_PUNCT")
        self.deps = token_deps(doc)
        # every lemma _verb_frame or _stance_frame tests for: other verbs never give a frame
        self.cue_verbs = (lex.speech_verbs | lex.cognition_verbs | lex.comment_verbs | lex.denial_verbs
                          | {"confirm", "deny", "decline", "refuse", "return", "have", "reach", "be", "call"})

    # -- driver ------------------------------------------------------------------------------

    def run(self, times: list[TimeExpr], quantities: list[Quantity]) -> list[Claim]:
        frames: list[_Frame] = self._line_frames()
        taken = [f.content for f in frames]
        for sent in self.doc.sents:
            found: list[_Frame] = []
            for i in range(sent.start, sent.end):
                if i in self.used or not self._may_cue(i):
                    continue
                tok = self.doc[i]
                frame = (
                    self._stance_frame(tok)
                    or self._according_frame(tok)
                    or self._verb_frame(tok)
                    or self._noun_frame(tok)
                )
                if frame is not None:
                    found.extend(self._split_sources(frame))
            frames.extend(f for f in self._assign_reporters(found) if not _inside_any(f.cue, taken))
        frames = [
            self._continue_quote(f) for f in frames
            if f.content[1] > f.content[0] and not self._quoted(f)
        ]
        frames = _outermost(frames)
        frames.sort(key=lambda f: (f.cue[0], f.source or (0, 0)))
        around = _Around.of(frames, times, quantities)
        return [self._claim(f, around) for f in frames]

    # -- cue patterns ------------------------------------------------------------------------

    def _may_cue(self, i: int) -> bool:
        """Whether token ``i`` passes the first tests of one of the cue patterns below (a verb of
        the lexicon, "according", "in", a cue noun): read from the word columns, so a ``Token``
        is built only for the few words that can start a frame."""
        pos = self.pos[i]
        return (pos in ("VERB", "AUX") and self.lemmas[i] in self.cue_verbs
                or self.lowers[i] in ("according", "in")
                or pos == "NOUN" and self.lemmas[i] in self.lex.cue_nouns)

    def _verb_frame(self, v: Token) -> _Frame | None:
        """A reporting or cognition verb with its source and content."""
        lemma = v.lemma_.lower()
        lex = self.lex
        if v.pos_ != "VERB" or v.dep_ in ("amod", "compound", "nmod"):
            return None
        speech = lemma in lex.speech_verbs
        if not speech and lemma not in lex.cognition_verbs:
            return None
        if lemma == "point" and not any(c.lower_ in ("out", "to") for c in v.children):
            return None
        if _negated(v) or any(c.text == "?" for c in v.children):
            return None  # "did not give a figure", "did not say", "do you think …?"
        passive = _is_passive(v)
        content, clausal = self._verb_content(v, speech=speech, passive=passive)
        if content is None:
            return None
        if v.dep_ == "acl" and not clausal:
            return None  # "tweets criticizing X", "polls showing X": a description, not a claim
        source_head = self._verb_source(v, passive=passive)
        if source_head is None and not (passive and lemma in lex.passive_sourceless):
            return None
        frame = _Frame(cue=self._cue_span(v), anchor=v, content=content)
        self._set_source(frame, source_head)
        frame.qualifier = self._qualifier(v)
        self._told_outlet(v, frame)
        self.used.add(v.i)
        return frame

    def _verb_content(self, v: Token, *, speech: bool, passive: bool) -> tuple[CharSpan | None, bool]:
        """What ``v`` reports, and whether it is a clause: its clause(s), the clause it
        interrupts, an adjacent quote, or (for some verbs) its object."""
        lemma = v.lemma_.lower()
        lex = self.lex
        children = list(v.children)
        comps = [c for c in children if c.dep_ == "ccomp"]
        comps += [c for c in children if c.dep_ == "xcomp" and lemma in lex.xcomp_content_verbs and not passive]
        if not comps and lemma in lex.clause_advcl_verbs:
            # "Trump said after the convention he would not …": a complement parsed as advcl
            comps = [c for c in children if c.dep_ == "advcl" and c.i > v.i and _bare_clause(c)][:1]
        if comps:
            if passive:
                subj = next((c for c in children if c.dep_ == "nsubjpass" and c.lower_ != "it"), None)
                if subj is not None:
                    comps.append(subj)
            elif all(c.i < v.i for c in comps):
                # "A, Mr. Clarke said, until B" / "A, the agency said, and B": the cue interrupts
                comps += [c for c in children if c.i > v.i and _continues(c, lex)]
            exclude = {v.i} | self._subtrees(v, ("nsubj", "agent")) | self._said_apart(comps)
            return self._content_of(comps, exclude, v), True
        if v.dep_ == "parataxis" or (v.dep_ == "ccomp" and v.head.i < v.i and _interrupts(v)):
            # "…, X said" / "A, X said, B": the clause the cue hangs on, the cue inside it
            return self._content_of([v.head, v], set(), v), True
        if not speech:
            return None, False
        quote = self._adjacent_quote(v)
        if quote is not None:
            return quote, True
        if passive:
            subj = next((c for c in children if c.dep_ == "nsubjpass"), None)
            xcomp = next((c for c in children if c.dep_ == "xcomp"), None)
            if subj is None or subj.lower_ == "it":
                return None, False
            if xcomp is not None:  # "North Korea is reported to have sent troops"
                return self._content_of([subj, xcomp], set(), v), True
            if lemma in lex.passive_sourceless | lex.object_content_verbs:
                return self._content_of([subj], set(), v), False
            return None, False
        dobj = next((c for c in children if c.dep_ in ("dobj", "obj")), None)
        if lemma == "call":
            return self._call_content(v), False
        if dobj is not None and lemma in lex.object_content_verbs:
            # "blasted the media for being dishonest", "cited X as an example of Y"
            inner = _unwrap_claim_noun(dobj, lex)
            if inner != dobj:
                return self._content_of([inner], set(), v), False
            tail = [c for c in children if c.i > dobj.i and c.dep_ in ("prep", "oprd", "xcomp", "advcl", "npadvmod")]
            return self._content_of([dobj, *tail], set(), v), False
        preps = lex.prep_content.get(lemma, frozenset())
        for c in children:
            if c.dep_ == "prep" and c.lower_ in preps:
                pobj = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
                if pobj is not None:
                    return self._content_of([pobj], set(), v), False
        return None, False

    def _call_content(self, v: Token) -> CharSpan | None:
        """"called X 'deplorables'", "called for X to Y", "called on X to Y": everything the
        verb takes after it; not "what he called X" (a label, not a claim)."""
        right = [c for c in v.children if c.i > v.i and c.dep_ not in ("punct", "cc", "conj", "advcl")]
        if v.dep_ == "relcl" or any(c.dep_ == "dobj" and c.lower_ == "what" for c in v.children):
            return None
        asks = any(c.dep_ == "prep" and c.lower_ in ("for", "on") for c in right)
        labels = any(c.dep_ in ("oprd", "xcomp", "ccomp", "attr", "acomp") for c in right)
        if not right or not (asks or labels):
            return None
        # from right after the verb (or its "for"/"on"), whatever the parse made of the object
        lo = v.i + 1
        if lo < len(self.doc) and self.doc[lo].lower_ in ("for", "on"):
            lo += 1
        hi = max(c.right_edge.i for c in right)
        return self._content_range(lo, hi, set(), v) if hi >= lo else None

    def _verb_source(self, v: Token, *, passive: bool) -> Token | None:
        """The head of the source: subject, agent, or inherited through conj/xcomp/advcl/acl."""
        for c in v.children:
            if c.dep_ == "agent":
                return next((g for g in c.children if g.dep_ == "pobj"), None)
        if passive:
            return None
        subjects = [c for c in v.children if c.dep_ in _SUBJECTS]
        if subjects:
            c = min(subjects, key=lambda s: abs(s.i - v.i))  # the nearest, when the parse has two
            if c.lower_ in _RELATIVE_PRONOUNS and v.dep_ == "relcl":
                return v.head  # "Clinton, who said …"
            return c
        head = v.head
        if head == v:
            return None
        if v.dep_ in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN", "PRON"):
            return head  # "officials saying …", "a statement saying …"
        if v.dep_ in ("conj", "xcomp", "advcl") and head.pos_ in ("VERB", "AUX"):
            for c in head.children:
                if c.dep_ in _SUBJECTS or (c.dep_ == "nsubjpass" and v.dep_ != "conj"):
                    if c.lower_ in _RELATIVE_PRONOUNS and head.dep_ == "relcl":
                        return head.head
                    return c
            if v.dep_ == "conj" or head.dep_ in ("xcomp", "conj"):
                return self._verb_source(head, passive=_is_passive(head))
        return None

    def _according_frame(self, tok: Token) -> _Frame | None:
        """"according to X, …", "…, according to X's announcement", "in a poll, …"."""
        lower = tok.lower_
        if lower == "according":
            to = next((c for c in tok.children if c.lower_ == "to"), None)
            if to is None and tok.i + 1 < len(self.doc) and self.doc[tok.i + 1].lower_ == "to":
                to = self.doc[tok.i + 1]
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if to is None or pobj is None:
                return None
            cue = (tok.idx, _tok_end(to))
            pp = {t.i for t in tok.subtree} | {tok.i} | {t.i for t in to.subtree}
            weak = False
        elif lower == "in" and tok.dep_ == "prep" and tok.i == tok.sent.start:
            pobj = next((c for c in tok.children if c.dep_ == "pobj"), None)
            medium = pobj.lemma_.lower() if pobj is not None else ""
            if medium not in self.lex.medium_nouns | self.lex.speech_nouns:
                return None
            cue = (tok.idx, _tok_end(pobj))
            pp = {t.i for t in tok.subtree}
            weak = True
            if medium in self.lex.speech_nouns:
                # "In a statement, Clinton was more circumspect …": the speaker is the subject
                head = tok.head
                subj = next((c for c in head.children if c.dep_ in _SUBJECTS), None)
                if subj is None or head.pos_ not in ("VERB", "AUX"):
                    return None
                exclude = pp | {t.i for t in subj.subtree}
                frame = _Frame(cue=cue, anchor=tok, content=self._content_of([head], exclude, tok), weak=True, according=True)
                self._set_source(frame, subj)
                self.used.add(tok.i)
                return frame
        else:
            return None
        source = pobj
        if pobj.lemma_.lower() in self.lex.cue_nouns | self.lex.medium_nouns:
            poss = next((c for c in pobj.children if c.dep_ == "poss"), None)
            by = next(
                (g for c in pobj.children if c.dep_ == "prep" and c.lower_ in ("by", "from")
                 for g in c.children if g.dep_ == "pobj"),
                None,
            )
            source = poss or by or pobj
        head = tok.head
        while head.pos_ not in ("VERB", "AUX") and head.head != head:
            head = head.head
        if head.i in pp:
            return None
        frame = _Frame(cue=cue, anchor=tok, content=self._content_of([head], pp, tok), according=True, weak=weak)
        self._set_source(frame, source)
        self.used.add(tok.i)
        return frame

    def _stance_frame(self, v: Token) -> _Frame | None:
        """Denied, declined to comment, neither confirmed nor denied."""
        lex = self.lex
        lemma = v.lemma_.lower()
        if v.pos_ not in ("VERB", "AUX"):
            return None
        children = list(v.children)
        # neither confirmed nor denied / would not confirm or deny / declined to confirm or deny
        if lemma in ("confirm", "deny", "decline", "refuse"):
            core = v
            if lemma in ("decline", "refuse"):
                core = next((c for c in children if c.dep_ == "xcomp" and c.lemma_ in ("confirm", "deny")), v)
            other = next(
                (c for c in core.children if c.dep_ == "conj" and {c.lemma_, core.lemma_} == {"confirm", "deny"}),
                None,
            )
            refused = core != v
            if other is not None and (refused or _negated(core) or any(c.dep_ == "preconj" for c in core.children)):
                content = self._object_of(other) or self._object_of(core)
                return self._make_stance(v, other, Stance.NEITHER_CONFIRMED_NOR_DENIED, content)
            if core.lemma_ == "confirm" and (refused or _negated(core)):
                return self._make_stance(v, core, Stance.NEITHER_CONFIRMED_NOR_DENIED, self._object_of(core))
        # declined to comment / refused to discuss / declined comment
        if lemma in ("decline", "refuse"):
            xc = next((c for c in children if c.dep_ == "xcomp" and c.lemma_ in lex.comment_verbs), None)
            if xc is not None:
                return self._make_stance(v, xc, Stance.DECLINED_TO_COMMENT, self._comment_topic(xc))
            dobj = next((c for c in children if c.dep_ == "dobj" and c.lemma_ == "comment"), None)
            if dobj is not None:
                return self._make_stance(v, dobj, Stance.DECLINED_TO_COMMENT, self._comment_topic(dobj))
        # has not commented / did not respond to a request for comment / did not return calls
        if _negated(v) and (
            lemma in lex.comment_verbs - {"say", "discuss", "speculate"}
            or (lemma == "return" and any(c.dep_ == "dobj" and c.lower_ in lex.comment_objects for c in children))
        ):
            return self._make_stance(v, v, Stance.DECLINED_TO_COMMENT, self._comment_topic(v))
        # had no (immediate) comment
        if lemma == "have":
            dobj = next((c for c in children if c.dep_ == "dobj" and c.lemma_ == "comment"), None)
            if dobj is not None and any(c.lower_ == "no" for c in dobj.children):
                return self._make_stance(v, dobj, Stance.DECLINED_TO_COMMENT, self._comment_topic(dobj))
        # could not be reached for comment / was not available for comment
        if lemma in ("reach", "be") and (_negated(v) or any(c.lemma_ == "unavailable" for c in children)):
            for_comment = any(
                c.lower_ == "for" and any(g.lemma_ == "comment" for g in c.children)
                for t in (v, *children) for c in t.children
            )
            if for_comment:
                subj = next((c for c in children if c.dep_ in ("nsubj", "nsubjpass")), None)
                return self._make_stance(v, v, Stance.DECLINED_TO_COMMENT, None, source_head=subj)
        # denied / rejected claims that … / dismissed reports of …
        if lemma in lex.denial_verbs and not _negated(v):
            for c in children:
                if c.dep_ in ("ccomp", "xcomp"):
                    return self._make_stance(v, v, Stance.DENIED, self._content_of([c], set(), v))
                if c.dep_ in ("dobj", "obj"):
                    inner = _unwrap_claim_noun(c, lex)
                    if lemma in ("deny", "refute", "rebut", "disavow") or inner != c or c.lemma_ in lex.claim_nouns:
                        return self._make_stance(v, v, Stance.DENIED, self._content_of([inner], set(), v))
                    break
        # called the reports false / baseless / a lie
        if lemma == "call" and not _negated(v):
            label = next((c for c in children if c.dep_ in ("oprd", "acomp", "ccomp", "xcomp")
                          and c.lemma_.lower() in lex.denial_labels), None)
            target = next((c for c in children if c.dep_ == "dobj"), None)
            if label is not None and target is None:
                target = next((c for c in label.children if c.dep_ == "nsubj"), None)
            if label is not None and target is not None:
                return self._make_stance(v, v, Stance.DENIED, self._content_of([_unwrap_claim_noun(target, lex)], set(), v))
        return None

    def _make_stance(
        self,
        v: Token,
        last: Token,
        stance: Stance,
        content: CharSpan | None,
        *,
        source_head: Token | None = None,
    ) -> _Frame | None:
        """A stance frame whose cue runs from the auxiliary/negation/"neither" before ``v`` to
        ``last`` ("neither confirmed nor denied", "has not commented", "declined to comment")."""
        head = source_head or self._verb_source(v, passive=False)
        if head is None:
            return None
        lead = [c for c in v.children if c.dep_ in ("neg", "preconj", "aux") and c.i < v.i]
        first = min([v, last, *lead], key=lambda t: t.i)
        end_tok = max(v, last, key=lambda t: t.i)
        cue = (first.idx, _tok_end(end_tok))
        if content is None:
            # nothing named: what was not commented on is the statement as a whole
            content = self._trimmed(cue[0], _tok_end(v.right_edge))
        frame = _Frame(cue=cue, anchor=v, content=content, stance=stance)
        self._set_source(frame, head)
        frame.qualifier = self._qualifier(v)
        self.used.update({v.i, last.i})
        return frame

    def _noun_frame(self, n: Token) -> _Frame | None:
        """"HUR's claim that …", "the announcement by X that …"."""
        if n.pos_ != "NOUN" or n.lemma_.lower() not in self.lex.cue_nouns:
            return None
        clause = next(
            (c for c in n.children if c.dep_ in ("acl", "ccomp")
             and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)),
            None,
        )
        if clause is None:
            return None
        source = next((c for c in n.children if c.dep_ == "poss"), None)
        if source is None:
            source = next(
                (g for c in n.children if c.dep_ == "prep" and c.lower_ in ("by", "from")
                 for g in c.children if g.dep_ == "pobj"),
                None,
            )
        if source is None:
            return None
        frame = _Frame(cue=(n.idx, _tok_end(n)), anchor=n, content=self._content_of([clause], set(), n))
        self._set_source(frame, source)
        self.used.add(n.i)
        return frame

    def _line_frames(self) -> list[_Frame]:
        """Whole-line attributions: "PENCE: …", "Zelensky: …" (transcripts and headlines), and
        a quote signed with a dash ("“…” ― Sonya Herridge")."""
        frames = []
        start = 0
        for end in [*self.newlines, len(self.text)]:
            frame = self._speaker_line(start, end) or self._signed_quote(start, end)
            if frame is not None:
                frames.append(frame)
            start = end + 1
        return frames

    def _speaker_line(self, start: int, end: int) -> _Frame | None:
        line = self.text[start:end]
        m = re.match(r"\s*[\"“]?\s*([^:\n]{1,40}?)\s*:\s+(\S.*)$", line)
        if m is None:
            return None
        label = m.group(1)
        if label.lower() in self.lex.line_labels_ignored or len(label.split()) > 5:
            return None
        ls, le = start + m.start(1), start + m.end(1)
        span = self.doc.char_span(ls, le, alignment_mode="expand")
        if span is None or not all(t.pos_ in ("PROPN", "NOUN") or t.is_punct for t in span):
            return None
        shouted = label.replace(" ", "").replace(".", "").isalpha() and label.isupper() and len(label) > 1
        named = any(e.label_ in _NAMED and e.start_char <= ls and le <= e.end_char for e in self.doc.ents) or any(
            m.kind.is_actor and m.span.start <= ls and le <= m.span.end for m in self.mentions
        )
        if not (shouted or named or span.root.lemma_.lower() in self.lex.medium_nouns):
            return None
        colon = self.doc.char_span(le, end, alignment_mode="expand")
        if colon is None:
            return None
        colon_tok = next((t for t in colon if t.text == ":"), None)
        if colon_tok is None:
            return None
        content = self._trimmed(start + m.start(2), end)
        frame = _Frame(cue=(colon_tok.idx, _tok_end(colon_tok)), anchor=colon_tok, content=content)
        frame.source, frame.source_head = (ls, le), span.root
        return frame

    def _signed_quote(self, start: int, end: int) -> _Frame | None:
        for qs, qe in self._quotes_sharing(start, end):
            if not (start <= qs and qe <= end):
                continue
            m = re.match(r"\s*([" + _DASHES + r"])\s*([^,\n]{2,60}?)[\s.,]*(,.*)?$", self.text[qe:end])
            if m is None:
                continue
            ds = qe + m.start(1)
            ss, se = qe + m.start(2), qe + m.end(2)
            src = self.doc.char_span(ss, se, alignment_mode="expand")
            if src is None or not any(t.pos_ == "PROPN" for t in src):
                continue
            dash = self.doc.char_span(ds, ds + 1, alignment_mode="expand")
            frame = _Frame(cue=(ds, ds + 1), anchor=dash[0], content=self._trimmed(qs, qe))
            frame.source, frame.source_head = (ss, se), src.root
            return frame
        return None

    # -- content -----------------------------------------------------------------------------

    def _content_of(self, heads: list[Token], exclude: set[int], cue: Token) -> CharSpan:
        """From the first to the last of ``heads``' subtrees, minus ``exclude`` (as one run, in
        the cue's paragraph), grown to whole quotations and trimmed."""
        lo = min(h.left_edge.i for h in heads)
        hi = max(h.right_edge.i for h in heads)
        # with several heads the cue between them stays inside: “A,” she wrote, “and B.”
        return self._content_range(lo, hi, exclude if len(heads) == 1 else set(), cue)

    def _content_range(self, lo: int, hi: int, exclude: set[int], cue: Token) -> CharSpan:
        """Tokens ``lo``..``hi`` minus ``exclude``, as one run in the cue's paragraph, grown to
        whole quotations and trimmed."""
        para = self._para(cue.idx)
        idx = [i for i in range(lo, hi + 1) if i not in exclude and self._para(self.starts[i]) == para]
        if not idx:
            return cue.idx, cue.idx
        runs: list[list[int]] = [[idx[0]]]
        for i in idx[1:]:
            if i == runs[-1][-1] + 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        run = max(runs, key=len)
        start, end = self.starts[run[0]], self.starts[run[-1]] + len(self.words[run[-1]])
        return self._trimmed(*self._grow_to_quotes(start, end, cue))

    def _grow_to_quotes(self, start: int, end: int, cue: Token) -> CharSpan:
        """Extend the content over the whole of any quotation it cuts into, unless that
        quotation holds the cue itself (someone quoted reporting someone else)."""
        for qs, qe in self._quotes_sharing(start, end):  # growing over one reaches no other
            if qe <= start or qs >= end or qs <= cue.idx < qe:
                continue
            start, end = min(start, qs), max(end, qe)
        return start, end

    def _quotes_sharing(self, start: int, end: int) -> list[CharSpan]:
        """The quotations sharing a character with ``start:end``, in order (found by bisection:
        a scan of all of them for each frame made a long article quadratic)."""
        return self.quotes[bisect.bisect_right(self.quote_ends, start) : bisect.bisect_left(self.quote_starts, end)]

    def _quoted(self, f: _Frame) -> bool:
        """Whether the cue and source sit inside one quotation ("… I think …," he said)."""
        src = f.source or f.cue
        return any(qs < f.cue[0] and f.cue[1] < qe and qs <= src[0] and src[1] <= qe for qs, qe in self._quotes_sharing(*f.cue))

    def _continue_quote(self, f: _Frame) -> _Frame:
        """“A,” he said. “B.” — the quote right after the cue's sentence goes on with the same
        statement: the content runs on to its end (the cue stays inside)."""
        if f.content[1] > f.cue[0] or not self._quotes_sharing(*f.content):
            return f
        sent_end = f.anchor.sent.end_char
        for qs, qe in itertools.islice(self.quotes, bisect.bisect_left(self.quote_starts, f.cue[1]), None):
            gap = self.text[f.cue[1] : qs]
            if "\n" in gap or (qs > sent_end and self.text[sent_end:qs].strip()):
                break
            between = self.doc.char_span(f.cue[1], qs, alignment_mode="contract")
            cues = self.lex.speech_verbs | self.lex.cognition_verbs
            if between is not None and any(t.pos_ == "VERB" and t.lemma_.lower() in cues for t in between):
                break  # "…,” he said, adding that “…”: a statement of its own
            return replace(f, content=self._trimmed(f.content[0], qe))
        return f

    def _trimmed(self, start: int, end: int) -> CharSpan:
        """Drop punctuation, spaces, a leading "that" or conjunction at the edges; keep a quote
        mark that pairs with one inside."""
        tokens = expanded_range(self.doc, start, end)
        if tokens is None:
            return start, start
        lo, hi = tokens  # the words lo .. hi - 1, read from the columns
        while lo < hi and (
            self.puncts[lo] or self.spaces[lo]
            or (self.deps[lo] in ("mark", "cc") and self.lowers[lo] in ("that", "and", "but", "so", "whether"))
        ):
            lo += 1
        while lo < hi and (self.puncts[hi - 1] or self.spaces[hi - 1]):
            hi -= 1
        if lo >= hi:
            return start, start
        s, e = self.starts[lo], self.starts[hi - 1] + len(self.words[hi - 1])
        inner = self.text[s:e]
        opens, closes = inner.count("“"), inner.count("”")
        if closes > opens and s > 0 and self.text[s - 1] == "“":
            s -= 1
        elif opens > closes and e < len(self.text) and self.text[e] == "”":
            e += 1
        return s, e

    def _adjacent_quote(self, v: Token) -> CharSpan | None:
        """A quotation right after "said:" / "said, “…”", or right before "…,” he said."."""
        sent = v.sent
        mods: set[int] = set()  # the cue's own modifiers: "said in a statement:", "said Monday:"
        for c in v.children:
            if c.i > v.i and c.dep_ in ("prep", "npadvmod", "advmod", "dative", "dobj", "agent", "nsubj"):
                mods.update(t.i for t in c.subtree)
        # the first word after the cue and its modifiers
        nxt = next((i for i in range(v.i + 1, sent.end) if i not in mods and not self.spaces[i]), None)
        if nxt is not None and self.words[nxt] in (":", ","):
            after = self.starts[nxt] + len(self.words[nxt])
            at = bisect.bisect_left(self.quote_starts, after)  # only the first after can follow at once
            if at < len(self.quotes) and not self.text[after : self.quote_starts[at]].strip():
                return self._trimmed(*self.quotes[at])
            if self.words[nxt] == ":":
                # "The Journal reports: …" runs to the end of the paragraph, or is the next one,
                # but not past its third sentence: a text of one line is one paragraph (a
                # claim that swallowed the rest of such an article hid every claim after it)
                end = self._para_end(after)
                if not self.text[after:end].strip():
                    end = self._para_end(end + 1)
                end = min(end, self._sentences_end(after, _COLON_SENTENCES))
                return self._trimmed(after, end) if end > after else None
        if nxt is not None and _QUOTE_MARK.fullmatch(self.words[nxt]):
            at = bisect.bisect_left(self.quote_starts, self.starts[nxt])
            if at < len(self.quotes) and self.quote_starts[at] == self.starts[nxt]:
                return self._trimmed(*self.quotes[at])
        # before: nothing but the source and punctuation between the quote and the cue
        src: set[int] = set()
        for c in v.children:
            if c.i < v.i and c.dep_ in ("nsubj", "aux", "advmod", "neg"):
                src.update(t.i for t in c.subtree)
        if all(self.puncts[i] or self.spaces[i] for i in range(sent.start, v.i) if i not in src):
            anchor = self.starts[min([v.i, *src])]
            at = bisect.bisect_right(self.quote_ends, anchor) - 1  # the last quotation ending before it
            if at >= 0:
                qs, qe = self.quotes[at]
                if anchor - qe < 6 and not self.text[qe:anchor].strip(" ,—–-"):
                    return self._trimmed(qs, qe)
        return None

    def _object_of(self, v: Token) -> CharSpan | None:
        for c in v.children:
            if c.dep_ in ("dobj", "ccomp", "xcomp", "obj"):
                return self._content_of([_unwrap_claim_noun(c, self.lex)], set(), v)
        return None

    def _comment_topic(self, t: Token) -> CharSpan | None:
        """What was not commented on: "commented on X", "respond to X" (not to a request)."""
        generic = self.lex.comment_objects | {"comment"}
        for c in t.children:
            if c.dep_ == "prep" and c.lower_ in ("on", "about", "to", "regarding"):
                pobj = next((g for g in c.children if g.dep_ == "pobj"), None)
                if pobj is not None and pobj.lemma_.lower() not in generic:
                    return self._content_of([pobj], set(), t)
        for c in t.children:
            if c.dep_ in ("dobj", "ccomp") and c.lemma_.lower() not in generic:
                return self._content_of([c], set(), t)
        return None

    # -- source, reporter, qualifier ---------------------------------------------------------

    def _cue_span(self, v: Token) -> CharSpan:
        """The verb with its particle ("pointed out")."""
        end = v
        for c in v.children:
            if c.dep_ == "prt" and c.i == end.i + 1:
                end = c
        return v.idx, _tok_end(end)

    def _qualifier(self, v: Token) -> str | None:
        for c in v.children:
            if c.dep_ in ("advmod", "npadvmod") and c.lower_ in self.lex.qualifiers:
                return c.lower_
        return None

    def _set_source(self, frame: _Frame, head: Token | None) -> None:
        if head is not None:
            head = _past_dateline(head)
            frame.source_head = head
            frame.source = _np_span(head)

    def _split_sources(self, frame: _Frame) -> list[_Frame]:
        """"Russia and North Korea have not commented": one claim per named source."""
        head = frame.source_head
        if head is None or head.pos_ != "PROPN":
            return [frame]
        conjs = [c for c in head.children if c.dep_ == "conj" and c.pos_ == "PROPN"]
        if not conjs:
            return [frame]
        return [
            replace(frame, source=_np_span(h, drop={"conj", "cc"}), source_head=h) for h in (head, *conjs)
        ]

    def _told_outlet(self, v: Token, frame: _Frame) -> None:
        """"X told Reuters", "X told CNN's Jake Tapper", "X said in an interview with the BBC":
        the outlet relays the claim."""
        cands: list[Token] = []
        for c in v.children:
            if v.lemma_ == "tell" and c.dep_ in ("dative", "dobj"):
                cands.append(c)
                cands.extend(g for g in c.children if g.dep_ == "poss")
            if c.dep_ == "prep" and c.lower_ in ("to", "in", "on"):
                for g in c.children:
                    if g.dep_ != "pobj":
                        continue
                    cands.append(g)
                    cands.extend(x for x in g.children if x.dep_ == "poss")
                    for p in g.children:
                        if p.dep_ == "prep" and p.lower_ == "with":
                            cands.extend(x for x in p.children if x.dep_ == "pobj")
        for c in cands:
            span = _np_span(c)
            if self._is_outlet(span):
                frame.reporter, frame.reporter_cue = span, frame.cue
                return

    def _is_outlet(self, span: CharSpan) -> bool:
        m = self._mention_at(span)
        if m is not None and self.mentions[m].kind is EntityKind.NEWS_OUTLET:
            return True
        name = self.text[span[0] : span[1]].lower()
        name = name.removeprefix("the ").removesuffix("'s").removesuffix("’s").strip()
        return name in self.lex.outlets

    def _assign_reporters(self, frames: list[_Frame]) -> list[_Frame]:
        """"Zelensky reported that …, according to The Kyiv Independent": an "according to X"
        in a sentence that names another source makes X the relaying outlet of that claim."""
        sourced = [f for f in frames if not f.according and f.source is not None]
        if not sourced:
            return frames
        out = []
        for f in frames:
            if not f.according or f.source is None:
                out.append(f)
                continue
            if f.weak:
                continue  # "In a statement, the ministry said …": the verb carries the claim
            pp = list(f.anchor.subtree)
            pp_chars = (pp[0].idx, _tok_end(pp[-1]))
            sent = f.anchor.sent
            at_edge = all(t.is_punct or t.is_space for t in sent if t.i > pp[-1].i) or all(
                t.is_punct or t.is_space for t in sent if t.i < pp[0].i
            )
            targets = [
                g for g in sourced
                if not _inside(f.cue, g.source) and (at_edge or not _inside(f.cue, g.content))
            ]
            if not targets:
                out.append(f)
                continue
            for g in targets:
                g.reporter, g.reporter_cue = f.source, f.cue
                g.content = self._cut(g.content, pp_chars)
        return out

    def _cut(self, content: CharSpan, piece: CharSpan) -> CharSpan:
        """Remove ``piece`` from an edge of ``content``."""
        s, e = content
        if s <= piece[0] < e and piece[1] >= e - 2:
            return self._trimmed(s, piece[0])
        if piece[0] <= s < piece[1]:
            return self._trimmed(piece[1], e)
        return content

    def _mention_at(self, span: CharSpan, head: Token | None = None) -> int | None:
        """The mention that is the source: the widest covering its head word, else (for an
        unnamed source: "a Pyongyang official", "a spokesperson for the Kremlin") the entity
        it speaks for."""
        s, e = span
        hs, he = (head.idx, _tok_end(head)) if head is not None else (s, e)
        best = None
        # only mentions starting inside the source can cover its head: bisect, not a scan
        for i in self.mentions_at.starting(s - 1, hs):
            ms, me = self.mentions[i].span.start, self.mentions[i].span.end
            if ms <= hs and he <= me and ms >= s - 1 and me <= e + 1:
                if best is None or me - ms > self.mentions[best].span.end - self.mentions[best].span.start:
                    best = i
        if best is not None or head is None:
            return best
        if head.lemma_.lower() not in self.lex.role_nouns and head.lower_ not in self.lex.role_nouns:
            return None
        ties: list[Token] = []
        for c in head.children:
            if c.dep_ in _TIE_DEPS:
                ties.append(c)
            elif c.dep_ == "prep" and c.lower_ in _TIE_PREPS:
                ties.extend(g for g in c.children if g.dep_ == "pobj")
        if any(g.dep_ == "conj" for t in ties for g in t.children):
            return None  # "Ukrainian and Western officials": more than one party, no one entity
        for t in ties:
            for i, m in enumerate(self.mentions):
                if m.span.start <= t.idx < m.span.end:
                    return i
        return None

    # -- output ------------------------------------------------------------------------------

    def _claim(self, f: _Frame, around: _Around) -> Claim:
        text = self.text
        inside = sorted(
            (q for q in (around.quantities[i] for i in around.quantities_at.near(*f.content))
             if f.content[0] <= q.span.start and q.span.end <= f.content[1]),
            key=lambda q: q.span.start,
        )  # fmt: skip
        reporter = None
        if f.reporter is not None:
            reporter = self._mention_at(f.reporter)
            if reporter is None:
                reporter = next(
                    (i for i, m in enumerate(self.mentions) if _overlaps((m.span.start, m.span.end), f.reporter)),
                    None,
                )
        return Claim(
            content=Span.of(text, *f.content),
            evidence=Span.of(text, *self._evidence(f, around)),
            stance=f.stance,
            source=self._mention_at(f.source, f.source_head) if f.source else None,
            source_span=Span.of(text, *f.source) if f.source else None,
            cue=Span.of(text, *f.cue),
            reporter=reporter,
            reporter_cue=Span.of(text, *f.reporter_cue) if f.reporter_cue else None,
            hedge=inside[0].hedge if inside else None,
            date=self._date(f, around),
            qualifier=f.qualifier,
            quantities=inside,
        )

    def _evidence(self, f: _Frame, around: _Around) -> CharSpan:
        """The whole sentence(s) when this is the only claim there, else just its parts."""
        parts = [p for p in (f.cue, f.content, f.source, f.reporter, f.reporter_cue) if p is not None]
        s, e = min(p[0] for p in parts), max(p[1] for p in parts)
        span = self.doc.char_span(s, e, alignment_mode="expand")
        if span is None:
            return s, e
        ss, se = span[0].sent.start_char, span[-1].sent.end_char
        if any(g is not f and g.cue != f.cue and ss <= g.cue[0] < se for g in (around.frames[i] for i in around.cues_at.near(ss, se))):
            return s, e
        while se > ss and self.text[se - 1].isspace():
            se -= 1
        return ss, se

    def _date(self, f: _Frame, around: _Around) -> TimeExpr | None:
        """A time in the cue's sentence, outside the content and source, that hangs on this cue
        rather than on another cue of the sentence ("announced on December 14 that …")."""
        sent = f.anchor.sent
        cues = around.cues
        best = None
        for t in (around.times[i] for i in around.times_at.near(sent.start_char, sent.end_char)):
            ts, te = t.span.start, t.span.end
            if not sent.start_char <= ts < sent.end_char:
                continue
            if any(p is not None and _overlaps(p, (ts, te)) for p in (f.content, f.source)):
                continue
            span = self.doc.char_span(ts, te, alignment_mode="expand")
            if span is None:
                continue
            node = span.root
            while node.i not in cues and node.head != node:
                node = node.head
            if node.i in cues and node.i != f.anchor.i:
                continue  # said of another claim in the sentence
            if best is None or abs(ts - f.cue[0]) < abs(best.span.start - f.cue[0]):
                best = t
        return best

    def _sentences_end(self, char: int, n: int) -> int:
        """Where the ``n``-th sentence from the one at character ``char`` ends."""
        i = bisect.bisect_right(self.starts, char) - 1
        if i < 0 or i >= len(self.doc):
            return len(self.text)
        sent = self.doc[i].sent
        for _ in range(n - 1):
            if sent.end >= len(self.doc):
                break
            sent = self.doc[sent.end].sent
        return sent.end_char

    def _para_end(self, char: int) -> int:
        i = bisect.bisect_left(self.newlines, char)
        return self.newlines[i] if i < len(self.newlines) else len(self.text)

    def _para(self, char: int) -> int:
        return bisect.bisect_left(self.newlines, char)

    def _said_apart(self, comps: list[Token]) -> set[int]:
        """Tokens of statements set beside the reported one inside its clause: "A said X,
        while B said Y" is two claims, not A reporting B's (spaCy hangs Y's cue on X's verb)."""
        cues = self.lex.speech_verbs | self.lex.cognition_verbs
        apart: set[int] = set()
        for c in comps:
            for t in c.subtree:
                # after the reported clause, with a speaker of its own ("While he understands
                # …, these are unfounded" is the speaker's own concession, part of the content)
                if (t.dep_ == "advcl" and t.i > c.i and t.lemma_.lower() in cues
                        and any(m.dep_ == "mark" and m.lower_ in _SET_BESIDE for m in t.children)
                        and any(n.dep_ == "nsubj" and n.pos_ != "PRON" for n in t.children)):  # fmt: skip
                    apart.update(x.i for x in t.subtree)
        return apart

    @staticmethod
    def _subtrees(v: Token, deps: tuple[str, ...]) -> set[int]:
        return {t.i for c in v.children if c.dep_ in deps for t in c.subtree}


# -- helpers without state ---------------------------------------------------------------------


def _tok_end(t: Token) -> int:
    return t.idx + len(t.text)


def _overlaps(a: CharSpan, b: CharSpan) -> bool:
    return a[0] < b[1] and b[0] < a[1]


#: Marks of a clause that sets another statement beside the one reported ("…, while B said …").
_SET_BESIDE = frozenset({"while", "whereas", "whilst"})


def _inside(a: CharSpan, b: CharSpan | None) -> bool:
    return b is not None and b[0] <= a[0] and a[1] <= b[1]


def _inside_any(a: CharSpan, spans: list[CharSpan]) -> bool:
    return any(_inside(a, s) for s in spans)


@dataclass(slots=True)
class _Around:
    """What a claim is made with, each indexed by where it is: a scan of every frame, time and
    figure for each claim made an article of one long line quadratic."""

    frames: list[_Frame]
    cues: set[int]  # the frames' anchor tokens
    cues_at: SpanIndex
    times: list[TimeExpr]
    times_at: SpanIndex
    quantities: list[Quantity]
    quantities_at: SpanIndex

    @classmethod
    def of(cls, frames: list[_Frame], times: list[TimeExpr], quantities: list[Quantity]) -> _Around:
        return cls(frames, {f.anchor.i for f in frames}, SpanIndex(f.cue for f in frames),
                   times, SpanIndex((t.span.start, t.span.end) for t in times),
                   quantities, SpanIndex((q.span.start, q.span.end) for q in quantities))  # fmt: skip


def _outermost(frames: list[_Frame]) -> list[_Frame]:
    """Drop a claim whose cue sits inside another claim's content (a statement quoted or
    reported within someone else's): the outer claim carries it."""
    contents = SpanIndex(f.content for f in frames)  # the contents that can hold a cue: not all
    keep = []
    for g in frames:
        nested = any(
            f is not g and _inside(g.cue, f.content) and not _inside(f.cue, g.content)
            for f in (frames[i] for i in contents.near(g.cue[0], g.cue[0]))
        )
        if not nested:
            keep.append(g)
    return keep


def _negated(v: Token) -> bool:
    return any(c.dep_ == "neg" and c.lower_ != "never" for c in v.children)


def _is_passive(v: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in v.children)


def _interrupts(v: Token) -> bool:
    """Whether a comma, quote mark or dash separates the cue from the clause before it."""
    i = v.left_edge.i - 1
    while i >= v.sent.start and (v.doc[i].is_punct or v.doc[i].is_space):
        if v.doc[i].text in (",", "”", '"', "''", "—", "–", "-", "--", "’"):
            return True
        i -= 1
    return False


def _bare_clause(c: Token) -> bool:
    """A clause with its own subject and no subordinating word but "that"."""
    marks = [g for g in c.children if g.dep_ == "mark"]
    return any(g.dep_ in _SUBJECTS for g in c.children) and all(g.lower_ == "that" for g in marks)


def _continues(c: Token, lex: Lexicon) -> bool:
    """Whether ``c``, after the cue and a comma, goes on with the content ("…, until B",
    "…, and B") rather than adding another statement ("…, adding that B")."""
    if c.dep_ not in ("advcl", "conj", "ccomp", "parataxis"):
        return False
    if c.lemma_.lower() in lex.speech_verbs | lex.cognition_verbs:
        return False
    prev = c.left_edge.i - 1
    while prev >= 0 and c.doc[prev].dep_ == "cc":
        prev -= 1
    return prev >= 0 and c.doc[prev].text in (",", ";", "—", "–")


def _unwrap_claim_noun(n: Token, lex: Lexicon) -> Token:
    """"claims that X" → X, "reports of X" → X: what the claim noun says."""
    if n.lemma_.lower() not in lex.claim_nouns:
        return n
    for c in n.children:
        if c.dep_ in ("acl", "ccomp") and any(g.dep_ == "mark" for g in c.children):
            return c
        if c.dep_ == "prep" and c.lower_ in ("of", "about", "that"):
            pobj = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
            if pobj is not None:
                return pobj
    return n


#: What parts a dateline from the story: "SEOUL (AFP) - ...", with a long dash or a hyphen.
_DATELINE_DASHES = frozenset({*_DASHES, "-", "--"})


def _past_dateline(head: Token) -> Token:
    """The source the parser hung on a dateline: in "SEOUL (AFP) - South Korea's spy agency
    said", SEOUL is the subject and the agency its apposition after the dash."""
    doc = head.doc
    if not (len(head.text) > 1 and head.text.isupper() and (head.i == 0 or "\n" in doc[head.i - 1].text)):
        return head
    dash = next((t.i for t in doc[head.i + 1 : head.i + 8] if t.text in _DATELINE_DASHES), None)
    if dash is None:
        return head
    return next((c for c in reversed(list(head.children)) if c.dep_ == "appos" and c.i > dash), head)


def _np_span(head: Token, drop: set[str] | frozenset[str] = frozenset()) -> CharSpan:
    """The source noun phrase as written, without its relative and other clauses."""
    cut = {"relcl", "acl", "advcl", "ccomp"} | set(drop)
    keep = {head.i}
    stack = [head]
    while stack:
        t = stack.pop()
        for c in t.children:
            if t == head and c.dep_ in cut:
                continue
            keep.add(c.i)
            stack.append(c)
    idx = sorted(keep)
    lo = hi = idx.index(head.i)  # the contiguous run holding the head
    while lo > 0 and idx[lo - 1] == idx[lo] - 1:
        lo -= 1
    while hi + 1 < len(idx) and idx[hi + 1] == idx[hi] + 1:
        hi += 1
    doc = head.doc
    toks = [doc[i] for i in idx[lo : hi + 1]]
    while len(toks) > 1 and (toks[-1].is_space or toks[-1].is_punct and toks[-1].text != ")"):
        toks.pop()
    while len(toks) > 1 and (toks[0].is_punct or toks[0].is_space):
        toks.pop(0)
    if len(toks) > 1 and toks[-1].text == ")" and not any(t.text == "(" for t in toks):
        toks.pop()
    if len(toks) > 1 and toks[-1].dep_ == "case":  # "HUR’s announcement": the source is HUR
        toks.pop()
    return toks[0].idx, _tok_end(toks[-1])


_SPACES = re.compile(r"\s*")
#: The most sentences a "reports: …" content runs to (its paragraph's, when shorter).
_COLON_SENTENCES = 3


def _quote_regions(text: str, newlines: list[int]) -> list[CharSpan]:
    """Spans of quotations, marks included. “…” pair up; straight marks (" and '') toggle.
    A quotation left open at the end of a paragraph goes on when the next paragraph opens with
    a quote mark (the newspaper convention) and ends there otherwise. A stray ” opening a
    paragraph opens a quotation."""
    regions: list[CharSpan] = []
    start: int | None = None
    since = 0  # where the open quotation was (re)opened (``newlines``: where the text's are)
    first_words: dict[int, int] = {}  # a line's start → where its first word is
    for m in _QUOTE_MARK.finditer(text):
        mark, i = m.group(), m.start()
        # nothing but spaces before the mark on its line (a line's start and first word found
        # once: read back from each mark, one long line made this quadratic)
        at = bisect.bisect_left(newlines, i)
        line_start = newlines[at - 1] + 1 if at else 0
        if line_start not in first_words:
            first_words[line_start] = _SPACES.match(text, line_start).end()
        line_opening = first_words[line_start] >= i
        if start is not None:
            nl = text.find("\n", since, i)
            if nl >= 0:
                if line_opening and not text[nl:i].strip():
                    since = i  # continuation mark of a quotation running over paragraphs
                    continue
                regions.append((start, nl))
                start = None
        if start is None:
            if mark in ("“", "``", '"', "''") or (mark == "”" and line_opening):
                start = since = i
        elif mark == "“":  # a second opening mark: the first was never closed
            regions.append((start, i))
            start = since = i
        else:
            regions.append((start, m.end()))
            start = None
    if start is not None:
        end = text.find("\n", since)
        regions.append((start, len(text) if end < 0 else end))
    return regions
