"""Entity mentions: spaCy NER, corrected and extended by a gazetteer-fed ruler and rules.

:func:`add_entity_ruler` adds a ruler after ``ner`` that writes every gazetteer match
(names, region variants, descriptors, demonyms) to ``doc.spans[SPANS_KEY]``; ``doc.ents`` is
left as NER made it. :func:`find_mentions` merges NER entities, gazetteer matches and rules into
non-overlapping :class:`~kg.model.Mention` objects:

- a gazetteer name gives the kind and key ("HUR" → ``hur``); a longer NER name around it wins
  ("Bank of Russia" stays an organisation), a crossing NER span loses;
- "Ukraine’s Military Intelligence Agency" splits into "Ukraine" and "Military Intelligence
  Agency" (affiliated with Ukraine); leading "the", titles of persons, trailing possessives and
  stray numbers are trimmed off names;
- "Kursk province", "the Kursk region", "Kursk oblast" are region mentions ("Kursk …");
- demonym groups: "North Korean soldiers/forces/troops/units" is a :attr:`EntityKind.GROUP`
  mention affiliated with North Korea, key ``group:north-korea-troops``. "Ukrainian forces" is
  treated the same way (a group of Ukrainian troops tied to Ukraine): the text names a body of
  soldiers, not the institution, and an analyst reaches the Armed Forces of Ukraine through
  Ukraine. "The Ukrainian military/army/armed forces" is a descriptive mention of the Armed
  Forces of Ukraine instead. Officials ("Ukrainian officials", "a Pyongyang official"),
  civilians and prisoners of war form groups the same way;
- descriptive re-mentions ("Ukraine’s intelligence agency", "the Russian military") are
  ``descriptive=True`` mentions with the affiliation of the state they name, and the key of the
  gazetteer entry when the phrase is one of its unambiguous descriptors;
- a person's title of address right before the name ("President Lincoln", "the Rev. Martin
  Luther King Jr.") is kept on the mention (``Mention.title``), outside its span;
- context corrects NER's type of names the gazetteer does not know: "Ocala National Forest" is
  a place, so is "Rockville" in "Rockville, Md." or "Yerevan" after "from"; "Ferraro, 50,",
  "Smith, who…", "commandos killed Abu Jihad" and "the assassination of Lincoln" are persons;
  in "General Accounting Office (GAO)" the acronym is the organisation, whatever NER took it
  for; a single word NER missed is a person when an age, a person's role ("Tal, a senior
  Defense Ministry official") or "who" follows it;
- "Pittsburgh-Corning Corp. of Pittsburgh" is a company and its town; "Wyo." keeps its full
  stop; a birthplace with its state or country, "born in Lubbock, Texas", is one place (the
  town's kind and key), elsewhere an address is two names;
- layout of news wires: a dateline ("KYIV, Ukraine (Reuters) -", "LONDON 1996-08-30",
  "BANGKOK, Thailand (AP)", "GRAND RAPIDS, Mich." on a line of its own, "(Text) Sofia,
  February 15 (BTA) --") starts with a place; a monitoring service's source line
  ("LD2804174994 Moscow INTERFAX in English 1601 GMT 28 Apr 94", "Tokyo MAINICHI SHIMBUN")
  names a town and an outlet; names in sports tables, results and fixtures ("Atlanta 6
  CHICAGO 5", "Surrey v Kent") are teams, i.e. organisations; "J. Smith" is a person;
- one document, one reading: a string keeps the type most evidence gives it everywhere in the
  document, unlabelled repeats of a found name are mentions too, and a surname alone is the
  person named in full elsewhere in the document;
- dates, times, numbers, money, percentages and ordinals are never mentions.

With ``baseline=True`` only raw NER labels are mapped, to measure what the rules add.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language

from kg.extract.docs import doc_text, per_doc, span_chars, span_text, token_flags, token_lowers, token_texts
from kg.extract.gazetteer import (
    US_STATE_ABBREVIATIONS,
    Gazetteer,
    GazetteerEntry,
    geo_place,
    group_key,
    group_noun_class,
    load_gazetteer,
)
from kg.model import EntityKind, Mention, Span

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

#: Name of the ruler component and of the span group it writes.
RULER_NAME = "newskg_gazetteer"
SPANS_KEY = "newskg_gazetteer"
#: Versioned name of the ruler's spaCy factory.
RULER_FACTORY = "newskg_gazetteer_ruler_v1"

# Labels of ruler matches are "<type>|<gazetteer id>".
NAME, DESCRIPTOR, DEMONYM, PLURAL = "name", "desc", "dem", "plural"

#: NER labels that are never entity mentions.
NOT_ENTITIES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})

_BASELINE_KINDS = {
    "PERSON": EntityKind.PERSON,
    "ORG": EntityKind.ORGANIZATION,
    "LOC": EntityKind.LOCATION,
    "FAC": EntityKind.LOCATION,
    "NORP": EntityKind.GROUP,
}
_POSSESSIVES = frozenset({"'s", "’s", "'", "’"})
_TITLES = frozenset(
    """mr mr. mrs mrs. ms ms. dr dr. president gen. gen general lt lt. col col. maj maj. sgt sgt. capt
    capt. adm adm. taoiseach
    minister premier chancellor senator sen. rep. governor gov. mayor commander chief spokesman
    spokeswoman spokesperson ambassador secretary prof. prof sir lord lady king queen prince
    princess pope colonel major lieutenant sergeant captain admiral marshal""".split()
)
# Titles of address written before a person's name ("President Lincoln", "the Rev. Martin Luther
# King Jr."): recorded on the mention (``Mention.title``), never part of its span.
_ADDRESS_TITLES = frozenset(
    """mr. mrs. ms. miss dr. rev. sir dame president prince princess king queen emperor empress pope
    sultan sheikh emir""".split()
)
# Titles of address that are never a role of something before them: "… N.M. Ms. Calico".
_HONORIFICS = frozenset("mr. mrs. ms. miss dr. rev.".split())
_REGION_WORDS = frozenset({"oblast", "province", "region", "krai"})
# NER labels of names that may contain a place or country name: "U.S. Open", "Kyiv Post".
_NAME_LABELS = frozenset({"EVENT", "WORK_OF_ART", "LAW", "PRODUCT", "ORG", "FAC"})
# Organisation name words → kind, checked in this order (first hit wins).
_ORG_WORDS: tuple[tuple[EntityKind, frozenset[str]], ...] = (
    (EntityKind.INTELLIGENCE_AGENCY, frozenset({"intelligence", "espionage"})),
    (EntityKind.NEWS_OUTLET, frozenset(
        """news times post journal herald gazette tribune daily radio tv television broadcasting
        pravda izvestia telegraph chronicle observer independent express mirror newspaper
        magazine press""".split())),
    (EntityKind.MILITARY_UNIT, frozenset(
        "brigade battalion regiment division corps legion squadron unit detachment militia".split())),
    (EntityKind.ARMED_FORCES, frozenset("army navy forces force fleet marines military".split())),
    (EntityKind.GOVERNMENT_AGENCY, frozenset(
        """ministry department office agency administration parliament senate cabinet government
        police prosecutor prosecutors bureau directorate inspectorate service guard kremlin
        council commission committee court""".split())),
)
# First words of international bodies' names: "European Council", "World Bank".
_INTERNATIONAL = frozenset({"international", "european", "world", "global", "un", "u.n."})
_INTERNATIONAL_HEADS = frozenset(
    """council commission court committee agency organization organisation union fund bank
    programme program parliament office tribunal""".split()
)
# Heads of descriptive re-mentions after "<State>'s" or a demonym: kind of what they denote.
_DESCRIPTIVE_HEADS: dict[str, EntityKind] = {
    "intelligence": EntityKind.INTELLIGENCE_AGENCY,
    "military": EntityKind.ARMED_FORCES,
    "army": EntityKind.ARMED_FORCES,
    "navy": EntityKind.ARMED_FORCES,
    "ministry": EntityKind.GOVERNMENT_AGENCY,
    "government": EntityKind.GOVERNMENT_AGENCY,
    "parliament": EntityKind.GOVERNMENT_AGENCY,
    "presidency": EntityKind.GOVERNMENT_AGENCY,
}
# "agency"/"service" denote an intelligence agency only after these words.
_INTELLIGENCE_MODIFIERS = frozenset({"intelligence", "spy", "security", "counterintelligence"})
# Tokens of a score or table cell: "6", "2-1", ".629", "1/2", "81-3".
_SCORE = re.compile(r"\d+(?:[-/:.]\d+)*|\.\d+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A wire dateline: an all-caps place, maybe ", Country", then an ISO date or "(Outlet) -".
_DATELINE = re.compile(
    r"(?P<city>[A-Z][A-Z.'\- ]*[A-Z.])"
    r"(?:\s?,\s?(?P<place>[A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*){0,3}))?"
    r"(?:\s+\d{4}-\d{2}-\d{2}\s*$|\s?\((?P<outlet>[^)]{2,40})\)\s?(?:[-—–]|$)|(?P<alone>\.?\s*$))"
)
# A dateline in mixed case with its date: "(Text) Saint-Gall, Switzerland, Feb 2 (AFP) --".
_DATED_DATELINE = re.compile(
    r"(?:\(Text\)\s+)?(?P<city>[A-Z][\w'\-]+(?: [A-Z][\w'\-]+){0,2}),\s?"
    r"(?:(?P<place>[A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*){0,2}),\s?)?"
    r"(?:[A-Z][a-z]{2,8}\.?\s\d{1,2}|\d{1,2}\s[A-Z][a-z]{2,8}\.?)\s?\((?P<outlet>[^)]{2,40})\)\s?(?:--|[-—–])"
)
# A monitoring service's source line: reference number, place and outlet, language, time, date.
_SOURCE_LINE = re.compile(
    r"(?:^|\b[A-Z]{2}\d{10}\s+)(?![A-Z]{2}\d{10}\b)(?P<source>[A-Z][a-z][\w.'\-]*(?: [A-Z][\w.'\-]*){1,7}?)"
    r"(?:\s+in\s+(?P<language>[A-Z][a-z]+)\s+(?:\d{4}\s+GMT\s+)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{2}\b"
    r"|(?P<alone>\s*$))"
)
_INITIAL = re.compile(r"[A-Z]\.")
_FIXTURE_WORDS = frozenset({"v", "v.", "vs", "vs.", "at"})
_TABLE_FILLERS = frozenset({"and", ",", ";", ":", ".", "-", "points", "pts"})
_DASHES = frozenset({"-", "--", "—", "–"})

# Last words of names of geographic features and of divisions below a state.
_GEO_HEADS = frozenset(
    """Forest Forests River Mountain Mountains Lake Desert Canyon Island Islands Valley Bay Sea Ocean
    Channel Range Peninsula Plateau Gulf Strait Coast Beach Creek Hills Glacier Reservoir""".split()
)
_DIVISION_HEADS = frozenset({"county", "counties", "parish", "district", "province", "prefecture"})
# Words of organisations' names beyond those that give a kind: no town or person is called that.
_INSTITUTION_WORDS = frozenset(
    """university college institute school academy hospital foundation association society union
    party club company bank church museum center centre laboratory laboratories group network
    corporation federation league""".split()
)
# Nouns in apposition that make a name a person's: "Harrington, a professor of political science".
_PERSON_NOUNS = frozenset(
    """professor lawyer attorney official spokesman spokeswoman director executive chairman president
    minister senator governor mayor king queen prince emperor general colonel commander officer actor
    actress singer writer author poet composer businessman businesswoman reporter journalist editor
    columnist economist analyst scientist doctor physician teacher student diplomat ambassador envoy
    leader founder deputy secretary aide adviser advisor priest bishop judge prosecutor""".split()
)
# Verbs whose object is a person when it is a name.
_KILL_VERBS = frozenset({"kill", "assassinate", "murder", "slay", "behead", "strangle", "stab"})
# Nouns whose "of" names a person killed: "the assassination of Lincoln".
_ASSASSINATION = frozenset({"assassination", "assassin", "murder", "murderer", "killer", "killing", "slaying"})

#: Towns at least this big (GeoNames) are places even when NER takes their name for a firm.
CITY_POPULATION = 20_000

# How much one mention's type counts when a document's names are given one reading.
_VOTE_WEIGHTS = {"ner": 1, "ner+gazetteer": 3, "gazetteer": 3, "team": 3, "dateline": 5, "venue": 3}
_COMPANY_SUFFIXES = frozenset(
    "Inc Inc. Corp Corp. Corporation Co Co. Ltd Ltd. Plc PLC plc SpA AG SA NV BV GmbH Holdings Group Bancorp".split()
)
_FAMILY_KINDS = {"PER": EntityKind.PERSON, "LOC": EntityKind.LOCATION, "ORG": EntityKind.ORGANIZATION,
                 "GRP": EntityKind.GROUP}
_NER_FAMILIES = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}

# Priorities: lower wins an overlap before length does.
_RULE, _GAZ, _NER, _FILL = 0, 1, 2, 3


def add_entity_ruler(nlp: Language, *, gazetteer: Gazetteer | None = None) -> None:
    """Add the gazetteer ruler to ``nlp`` (after ``ner``); a second call does nothing."""
    if RULER_NAME in nlp.pipe_names:
        return
    gaz = gazetteer or load_gazetteer()
    ruler = nlp.add_pipe(RULER_FACTORY, name=RULER_NAME, after="ner" if "ner" in nlp.pipe_names else None)
    ruler.add_patterns(gazetteer_patterns(gaz, lambda text: [t.text for t in nlp.make_doc(text)]))


class GazetteerRuler:
    """Writes every match of the gazetteer patterns to ``doc.spans[SPANS_KEY]``, sorted and
    without duplicates, as spaCy's ``span_ruler`` would; but patterns of exact words go to
    phrase matchers (a hash lookup per token) and only the rest to the token Matcher, which
    tries every pattern at every token: with 2,500 names that was half of the pipeline's time.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        self.vocab = nlp.vocab
        self.name = name
        self.orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.tokens = Matcher(nlp.vocab, validate=False)

    def add_patterns(self, patterns: Iterable[dict]) -> None:
        """Add span-ruler style patterns: ``{"label": str, "pattern": [token dicts]}``."""
        from spacy.tokens import Doc

        for entry in patterns:
            label, pattern = entry["label"], entry["pattern"]
            self.vocab.strings.add(label)
            attrs = {key for token in pattern for key in token}
            if attrs == {"ORTH"} and all(isinstance(t["ORTH"], str) for t in pattern):
                self.orth.add(label, [Doc(self.vocab, words=[t["ORTH"] for t in pattern])])
            elif attrs == {"LOWER"}:
                # {"IN": [...]} alternatives become one phrase per combination
                choices = [v["IN"] if isinstance(v := t["LOWER"], dict) else [v] for t in pattern]
                self.lower.add(label, [Doc(self.vocab, words=list(w)) for w in itertools.product(*choices)])
            else:
                self.tokens.add(label, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span as SpacySpan

        found = {(start, end, match_id) for matcher in (self.orth, self.lower, self.tokens)
                 for match_id, start, end in matcher(doc)}  # fmt: skip
        doc.spans[SPANS_KEY] = sorted(SpacySpan(doc, start, end, label=label) for start, end, label in found)
        return doc


@Language.factory(RULER_FACTORY)
def _make_gazetteer_ruler(nlp: Language, name: str) -> GazetteerRuler:
    return GazetteerRuler(nlp, name)


def gazetteer_patterns(gaz: Gazetteer, tokenize: Callable[[str], list[str]]) -> Iterator[dict]:
    """Span-ruler patterns for every gazetteer name, region variant, descriptor and demonym.

    Names match case-sensitively (plus an all-caps variant for headlines), descriptors in any
    case; a possessive matches with a straight or curly apostrophe.

    >>> from kg.extract.gazetteer import Gazetteer, GazetteerEntry
    >>> gaz = Gazetteer([GazetteerEntry("hur", "HUR", EntityKind.INTELLIGENCE_AGENCY)])
    >>> next(gazetteer_patterns(gaz, str.split))
    {'label': 'name|hur', 'pattern': [{'ORTH': 'HUR'}]}
    """
    seen: set[tuple[str, str]] = set()

    def emit(label: str, text: str, *, lower: bool = False) -> Iterator[dict]:
        words = tokenize(_strip_article(text))
        for variant in ([words] if lower else [words, [w.upper() for w in words]]):
            pattern = [_token_pattern(w, lower=lower) for w in variant]
            signature = (label, repr(pattern))
            if signature not in seen:
                seen.add(signature)
                yield {"label": label, "pattern": pattern}

    for entry in gaz:
        for name in (*entry.names, *entry.place_variants()):
            yield from emit(f"{NAME}|{entry.id}", name)
        for descriptor in entry.descriptors:
            yield from emit(f"{DESCRIPTOR}|{entry.id}", descriptor, lower=True)
        for demonym in entry.demonyms:
            yield from emit(f"{DEMONYM}|{entry.id}", demonym)
            if demonym[-1] in "ni":  # Ukrainians, Israelis; "Chinese", "British" have no plural
                yield from emit(f"{PLURAL}|{entry.id}", demonym + "s")


def _token_pattern(word: str, *, lower: bool) -> dict:
    if word in _POSSESSIVES:
        return {"LOWER": {"IN": sorted(_POSSESSIVES)}}
    return {"LOWER": word.lower()} if lower else {"ORTH": word}


def _strip_article(text: str) -> str:
    return text[4:] if text[:4].lower() == "the " else text


def find_mentions(doc: Doc, *, baseline: bool = False) -> list[Mention]:
    """Entity mentions of a parsed document, sorted by position and never overlapping.

    ``baseline=True`` maps raw spaCy NER labels only (PERSON, GPE, LOC, FAC, ORG, NORP).
    Without the ruler in the pipeline the gazetteer-based rules simply find nothing.
    """
    if baseline:
        return _baseline_mentions(doc)
    return _Finder(doc, load_gazetteer()).mentions()


def _baseline_mentions(doc: Doc) -> list[Mention]:
    found = []
    for ent in doc.ents:
        if ent.label_ == "GPE":
            kind = _place_kind(ent.text, EntityKind.SETTLEMENT)
        elif ent.label_ in _BASELINE_KINDS:
            kind = _BASELINE_KINDS[ent.label_]
        else:
            continue
        found.append(Mention(Span.of(doc_text(doc), ent.start_char, ent.end_char), kind))
    return found


def _place_kind(text: str, default: EntityKind) -> EntityKind:
    place = geo_place(text)
    return place.kind if place else default


@dataclass(slots=True)
class _Candidate:
    """A token range (end exclusive) and what it denotes; merged into non-overlapping mentions."""

    start: int
    end: int
    kind: EntityKind
    key: str | None = None
    affiliation: str | None = None
    descriptive: bool = False
    priority: int = _NER
    origin: str = "ner"
    ner_family: str | None = None  # what NER took a gazetteer name for, when they disagree

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: _Candidate) -> bool:
        return self.start < other.end and other.start < self.end


class _Finder:
    """One document's mention finding (a class only to share the doc and gazetteer)."""

    def __init__(self, doc: Doc, gaz: Gazetteer) -> None:
        self.doc = doc
        self.gaz = gaz
        self.text = doc_text(doc)
        # Doc.ents builds new spans on every access: read them once, index them by token
        self.ents = list(doc.ents)
        self.ent_at = {t: ent for ent in self.ents for t in range(ent.start, ent.end)}
        self.matches = self._gazetteer_matches()
        self.names = [(s, e) for s, e, k, _ in self.matches if k == NAME]
        self.names_at: dict[int, list[tuple[int, int]]] = {}
        for s, e in self.names:
            for t in range(s, e):
                self.names_at.setdefault(t, []).append((s, e))
        self.ner_labels = {(e.start, e.end): e.label_ for e in self.ents}
        # names of known persons by their end: an organisation's name may run into one
        self.person_names_to: dict[int, list[tuple[int, int]]] = {}
        for s, e, kind, entry in self.matches:
            if kind == NAME and entry.kind is EntityKind.PERSON:
                self.person_names_to.setdefault(e, []).append((s, e))
        self._cased: set[str] | None = None  # words written capitalised (not all caps) in the document

    def mentions(self) -> list[Mention]:
        candidates = [
            *self._state_candidates(),
            *self._layout_candidates(),
            *self._gazetteer_candidates(),
            *self._ner_candidates(),
            *self._person_candidates(),
        ]
        chosen = _choose(candidates)
        chosen = _choose([*chosen, *self._bracketed_acronyms(chosen)])
        chosen = [self._in_context(c) for c in chosen]
        chosen = self._consistent(chosen)
        chosen = self._birthplaces(chosen)
        return [m for c in chosen if (m := self._to_mention(c)) is not None]

    def _birthplaces(self, chosen: list[_Candidate]) -> list[_Candidate]:
        """"born in Lubbock, Texas": a birthplace given with its state or country is one place,
        the town (its kind and key), named in full."""
        doc = self.doc
        out: list[_Candidate] = []
        for cand in chosen:
            town = out[-1] if out else None
            if (
                town is not None and cand.start == town.end + 1 and doc[town.end].text == ","
                and town.kind in (EntityKind.SETTLEMENT, EntityKind.LOCATION) and cand.kind.is_place
                and self._is_state_at(cand.start) and self._born_in(town.start)
            ):
                out[-1] = _Candidate(town.start, cand.end, town.kind, key=town.key, priority=town.priority,
                                     origin="birthplace")
                continue
            out.append(cand)
        return out

    def _born_in(self, start: int) -> bool:
        """Whether the name at ``start`` follows "in" said of a birth: "was born in", "born on
        Feb. 5, 1907, in", "was born Charles Hardin Holley in"."""
        if start == 0 or self.doc[start - 1].lower_ != "in":
            return False
        token = self.doc[start - 1]
        for _ in range(4):
            if token.head.i == token.i:
                return False
            token = token.head
            if token.pos_ in ("VERB", "AUX"):
                return token.lower_ == "born"
        return False

    def _to_mention(self, cand: _Candidate) -> Mention | None:
        text = span_text(self.doc, cand.start, cand.end)
        if not any(c.isalpha() for c in text):
            return None
        return Mention(
            Span(*span_chars(self.doc, cand.start, cand.end), text),
            cand.kind,
            key=cand.key,
            affiliation=cand.affiliation,
            descriptive=cand.descriptive,
            title=self._title(cand.start) if cand.kind is EntityKind.PERSON else None,
        )

    def _title(self, start: int) -> Span | None:
        """The capitalised titles of address right before a person's name: "President" of
        "President Lincoln", "Rev." of "the Rev. Martin Luther King Jr.". Not when a word before
        makes the title a role of something else: "US President Bill Clinton", "China's Premier";
        an honorific ("Ms.", "Dr.") is never that: "… near Belen, N.M. Ms. Calico"."""
        doc = self.doc
        first = start
        while first > 0 and doc[first - 1].lower_ in _ADDRESS_TITLES and doc[first - 1].text[:1].isupper():
            first -= 1
        if first == start:
            return None
        before = doc[first - 1] if first > 0 else None
        honorific = all(t.lower_ in _HONORIFICS for t in doc[first:start])  # "Ms." is no one's role
        if before is not None and not honorific and (
            before.text in _POSSESSIVES
            or before.text[:1].isupper() and any(c.isalpha() for c in before.text)
            and (not before.is_sent_start or before.pos_ == "PROPN")  # "The President" is fine
        ):
            return None
        span = doc[first:start]
        return Span(span.start_char, span.end_char, span.text)

    # ---- gazetteer ---------------------------------------------------------------------------
    def _gazetteer_matches(self) -> list[tuple[int, int, str, GazetteerEntry]]:
        """(start, end, type, entry) of every ruler match but caps stop words."""
        out = []
        words = token_texts(self.doc)
        for span in self.doc.spans.get(SPANS_KEY, []):
            start, end = span.start, span.end
            kind, _, entry_id = span.label_.partition("|")
            entry = self.gaz.get(entry_id)
            # "US", "WHO", "IT" in an all-caps headline are words, not acronyms
            if entry is None or (end - start == 1 and words[start].lower() in STOP_WORDS
                                 and _caps_line(self.doc, start, end)):
                continue
            if kind == NAME and self._inside_other_name(start, end):
                continue
            out.append((start, end, kind, entry))
        return out

    def _inside_other_name(self, start: int, end: int) -> bool:
        """"U.S." in "the U.S. Open", "Kyiv" in "Kyiv Post" when NER saw a longer name (tokens
        ``start:end`` matched)."""
        ent = self.ent_at.get(start)
        if ent is not None and end < ent.end and ent.label_ in _NAME_LABELS:
            following = self.doc[end]
            return following.is_title and following.lower_ not in _REGION_WORDS
        return False

    def _gazetteer_candidates(self) -> Iterator[_Candidate]:
        for start, end, kind, entry in self.matches:
            if kind == NAME:
                cand = self._region_variant(start, end, entry) or self._entry_candidate(
                    start, end, entry, priority=_GAZ, origin="gazetteer")
                cand.ner_family = _NER_FAMILIES.get(self.ner_labels.get((start, end), ""))
                yield cand
            elif kind == PLURAL:  # "Ukrainians": a state's people
                yield _Candidate(start, end, EntityKind.GROUP, key=group_key(entry.id, "people"),
                                 affiliation=entry.id, priority=_GAZ, origin="group")
            elif kind == DESCRIPTOR:
                if self.doc[end - 1].is_title and not _caps_line(self.doc, start, end):
                    continue  # "Ukraine’s Military Intelligence Agency" is a name, not a description
                if self._head_further(end):
                    continue  # "Ukrainian military commander" is a person
                cand = self._entry_candidate(start, end, entry, priority=_GAZ, origin="descriptor")
                cand.descriptive = True
                cand.affiliation = entry.affiliation
                yield cand

    def _entry_candidate(self, start: int, end: int, entry: GazetteerEntry, **kw) -> _Candidate:
        actor = not entry.kind.is_place and entry.kind is not EntityKind.PERSON
        return _Candidate(start, end, entry.kind, key=entry.id, affiliation=entry.affiliation if actor else None, **kw)

    def _region_variant(self, start: int, end: int, entry: GazetteerEntry) -> _Candidate | None:
        """A place name and a region word: "Belgorod" + "region" is Belgorod Oblast, not the
        city; a region the gazetteer does not know is a region all the same."""
        if entry.kind is EntityKind.COUNTRY or not entry.kind.is_place:
            return None
        if end >= len(self.doc) or self.doc[end].lower_ not in _REGION_WORDS:
            return None
        name = self.doc[start:end].text
        region = self.gaz.lookup(f"{name} {self.doc[end].lower_}") or self.gaz.lookup(f"{name} oblast")
        if region is not None and region.kind is EntityKind.REGION:
            return self._entry_candidate(start, end + 1, region, priority=_GAZ, origin="gazetteer")
        return _Candidate(start, end + 1, EntityKind.REGION, priority=_GAZ, origin="gazetteer")

    # ---- NER ---------------------------------------------------------------------------------
    def _ner_candidates(self) -> Iterator[_Candidate]:
        breaks = _line_breaks(self.doc)
        for ent in self.ents:
            if ent.label_ in NOT_ENTITIES:
                continue
            # a name never runs over a line break: "Rolf Soderlind\nLONGYEAR" is the byline's name
            end = next((i + 1 for i in range(ent.start, ent.end) if breaks[i]), ent.end)
            yield from self._from_ner(ent.label_, ent.start, end)

    def _from_ner(self, label: str, start: int, end: int) -> Iterator[_Candidate]:
        words = token_texts(self.doc)
        # names hold no commas or brackets: "Kherson, Zaporizhzhia", "[Vladimir] Putin"
        for i in range(start, end):
            if words[i] in (",", ";", "[", "]", "(", ")"):
                if words[i] in (",", ";"):
                    yield from self._from_ner(label, start, i)
                    yield from self._from_ner(label, i + 1, end)
                elif words[i] in ("]", ")"):
                    yield from self._from_ner(label, i + 1, end)
                else:
                    yield from self._from_ner(label, start, i)
                return
        if label == "ORG":  # "Pittsburgh-Corning Corp. of Pittsburgh": a company and its town
            lowers = token_lowers(self.doc)
            for i in range(start + 1, end - 1):
                if lowers[i] == "of" and words[i - 1] in _COMPANY_SUFFIXES:
                    town = span_text(self.doc, i + 1, end)
                    entry = self.gaz.lookup(town)
                    if (entry is not None and entry.kind.is_place) or geo_place(town, min_population=CITY_POPULATION):
                        yield from self._from_ner(label, start, i)
                        yield from self._from_ner("GPE", i + 1, end)
                        return
        if label != "PERSON":  # "the Russian Security Council Dmitry Medvedev": a body, then a known person
            for s, e in self.person_names_to.get(end, ()):
                if start < s and e - s >= 2:
                    yield from self._from_ner(label, start, s)
                    yield from self._from_ner("PERSON", s, end)
                    return
        person = label == "PERSON"
        start, end = self._trim(start, end, person=person)
        if start >= end or self._unconfirmed_caps(start, end):
            return
        first = self.doc[start]
        if end - start == 1 and first.tag_ in ("NN", "NNS") and (first.is_sent_start or _line_openers(self.doc)[start]):
            return  # a capitalised common noun opening a line: "Attendance :", "Extras"
        if person and start > 0 and _INITIAL.fullmatch(self.doc[start - 1].text):
            start -= 1  # "J." + "Russell"
        # "Ukraine’s Military Intelligence Agency": possessor and possessed name are two mentions
        for i in range(start + 1, end - 1):
            if words[i] in _POSSESSIVES and self.doc[i + 1].is_title and self.gaz.lookup(span_text(self.doc, start, i)):
                owner = self._typed(start, i, "GPE")
                owned = self._typed(i + 1, end, label)
                if owner and owned:
                    if owner.kind is EntityKind.COUNTRY and owned.affiliation is None:
                        owned.affiliation = owner.key
                    yield owner
                    yield owned
                    return
        cand = self._typed(start, end, label)
        if cand is not None:
            yield cand

    def _unconfirmed_caps(self, start: int, end: int) -> bool:
        """NER reads all-caps headings badly ("UKRAINE SECURES", "FIRE"): there a name counts only
        if the document writes it in mixed case too ("KEVIN BROWN" … "Kevin Brown")."""
        if not span_text(self.doc, start, end).isupper() or not _caps_line(self.doc, start, end):
            return False
        lowers, alpha = token_lowers(self.doc), token_flags(self.doc, "IS_ALPHA")
        if self._cased is None:
            title = token_flags(self.doc, "IS_TITLE")
            self._cased = {lower for lower, a, t in zip(lowers, alpha, title) if a and t}
        return not all(lowers[i] in self._cased for i in range(start, end) if alpha[i])

    def _typed(self, start: int, end: int, label: str) -> _Candidate | None:
        """A candidate for tokens ``start:end`` that NER labelled ``label``."""
        text = span_text(self.doc, start, end)
        entry = self.gaz.lookup(text)
        if entry is None and (self.gaz.by_demonym(text) or self.gaz.by_demonym(text.removesuffix("s"))):
            if label != "NORP":
                return None  # "Ukrainian" tagged GPE is an adjective, not a place
        if entry is not None:
            cand = self._entry_candidate(start, end, entry, origin="ner+gazetteer")
            cand.ner_family = _NER_FAMILIES.get(label)
        elif label == "PERSON":
            cand = _Candidate(start, end, EntityKind.PERSON)
        elif label == "ORG" and end - start == 1 and (place := geo_place(text, min_population=CITY_POPULATION)):
            cand = _Candidate(start, end, place.kind)  # "Kremenchuk", "Soledar": NER took a town for a firm
        elif label == "ORG":
            cand = _Candidate(start, end, _org_kind(text))
        elif label == "GPE":
            region = self.doc[end - 1].lower_ in _REGION_WORDS or text in US_STATE_ABBREVIATIONS  # "Md."
            cand = _Candidate(start, end, EntityKind.REGION if region else _place_kind(text, EntityKind.SETTLEMENT))
        elif label in ("LOC", "FAC"):
            cand = _Candidate(start, end, EntityKind.LOCATION)
        elif label == "NORP" and self.doc[end - 1].tag_ in ("NNPS", "NNS"):
            cand = self._plural_group(start, end)
        else:
            return None
        # a longer NER name around a gazetteer name ("Bank of Russia") wins as gazetteer names
        # do, unless another gazetteer name crosses it ("Chechen Akhmat" vs "Akhmat unit")
        near = {n for t in range(start, end) for n in self.names_at.get(t, ())}  # names it touches
        inside = any(start <= s and e <= end and (s, e) != (start, end) for s, e in near)
        crossing = any(s < start < e < end or start < s < end < e for s, e in near)
        if cand is not None and inside and not crossing:
            cand.priority = _GAZ
        return cand

    def _plural_group(self, start: int, end: int) -> _Candidate | None:
        """"Ukrainians", "the Russians": a group of that state's people."""
        state = self.gaz.by_demonym(self.doc[start:end].text.rstrip("s"))
        if state is None:
            return None
        return _Candidate(start, end, EntityKind.GROUP, key=group_key(state.id, "people"), affiliation=state.id)

    def _trim(self, start: int, end: int, *, person: bool = False) -> tuple[int, int]:
        """Drop leading articles (and titles of persons), numbers and trailing possessives."""
        doc = self.doc

        def junk_start(token: Token) -> bool:
            return (token.lower_ == "the" or token.is_punct or _SCORE.fullmatch(token.text) is not None
                    or (person and (token.lower_ in _TITLES or token.tag_ in ("NN", "NNS"))))

        def junk_end(token: Token) -> bool:
            # "Interfax news agency" → "Interfax"; a region word stays ("Belgorod region")
            return (token.text in _POSSESSIVES or token.is_punct or _SCORE.fullmatch(token.text) is not None
                    or (token.is_lower and token.is_alpha and token.lower_ not in _REGION_WORDS))

        while start < end and junk_start(doc[start]):
            start += 1
        while start < end and junk_end(doc[end - 1]):
            if end - start >= 2 and doc[end - 1].text == "." and not doc[end - 2].whitespace_ \
                    and doc[end - 2].text + "." in US_STATE_ABBREVIATIONS:
                break  # "Wyo." split as "Wyo" "." keeps its full stop
            end -= 1
        return start, end

    # ---- states: demonym groups, descriptive re-mentions ------------------------------------
    def _state_candidates(self) -> Iterator[_Candidate]:
        states = sorted(
            ((s, e, entry, kind) for s, e, kind, entry in self.matches
             if kind == DEMONYM or (kind == NAME and entry.kind.is_place)),
            key=lambda m: (m[0], -m[1]),
        )
        used_end = -1
        for index, (start, end, entry, kind) in enumerate(states):
            if start < used_end:
                continue
            state = entry if entry.kind is EntityKind.COUNTRY else self.gaz.get(entry.affiliation) or entry
            if kind == DEMONYM:
                head = self._group_head(end, states[index + 1 :])
                if head is not None:
                    head_end, noun_class, coordinated = head
                    span_end = end if coordinated else head_end
                    yield _Candidate(start, span_end, EntityKind.GROUP, key=group_key(state.id, noun_class),
                                     affiliation=state.id, priority=_RULE, origin="group")
                    used_end = span_end
                    continue
            described = self._descriptive(start, end, state, possessive=kind == NAME)
            if described is not None:
                used_end = described.end
                yield described
            elif kind == NAME and entry.kind is not EntityKind.COUNTRY and entry.affiliation:
                # a capital or city as its state's metonym: "a Pyongyang official"
                head = self._group_head(end, [])
                if head is not None and head[1] == "officials":
                    yield _Candidate(start, head[0], EntityKind.GROUP, key=group_key(entry.affiliation, "officials"),
                                     affiliation=entry.affiliation, priority=_RULE, origin="group")
                    used_end = head[0]

    def _group_head(self, i: int, later: list) -> tuple[int, str, bool] | None:
        """After a demonym ending at token ``i``: (end of the group noun phrase, its class,
        whether the demonym is the first of a coordination: "Russian and North Korean soldiers")."""
        doc = self.doc
        if i + 1 < len(doc) and doc[i].lower_ in ("and", "or", ","):
            nxt = later[0] if later else None
            if nxt and nxt[0] == i + 1 and nxt[3] == DEMONYM:
                head = self._group_head(nxt[1], later[1:])
            elif doc[i + 1].is_title and doc[i + 1].pos_ in ("ADJ", "PROPN"):  # "and Western officials"
                head = self._group_head(i + 2, [])
            else:
                head = None
            return (head[0], head[1], True) if head else None
        for j in range(i, min(i + 3, len(doc))):
            token = doc[j]
            noun_class = group_noun_class(token.lower_)
            if noun_class and not token.is_title:
                return j + 1, noun_class, False
            # modifiers before the group noun: "special forces", "military personnel"
            if not (token.is_lower and token.pos_ in ("ADJ", "NOUN", "VERB") and token.tag_ != "NNS"):
                return None
        return None

    def _descriptive(self, start: int, end: int, state: GazetteerEntry, *, possessive: bool) -> _Candidate | None:
        """"Ukraine’s intelligence agency", "the Russian military" (when not in the gazetteer)."""
        doc = self.doc
        i = end
        if possessive:
            if i >= len(doc) or doc[i].text not in _POSSESSIVES:
                return None
            i += 1
        words: list[str] = []
        for j in range(i, min(i + 4, len(doc))):
            token = doc[j]
            if not token.is_lower or token.pos_ not in ("NOUN", "ADJ", "PROPN"):
                break
            words.append(token.lower_)
        # the longest run of words that ends in a head noun
        for n in range(len(words), 0, -1):
            kind = _descriptive_kind(words[:n])
            if kind is not None:
                j = i + n
                if self._head_further(j):
                    return None  # "Russian military equipment": the head is further on
                described = self.gaz.by_descriptor(doc[start:j].text)
                return _Candidate(start, j, kind, key=described.id if described else None,
                                  affiliation=state.id, descriptive=True, priority=_RULE, origin="descriptive")
        return None

    def _head_further(self, i: int) -> bool:
        """Whether token ``i`` is a common noun continuing the phrase before it."""
        doc = self.doc
        return i < len(doc) and doc[i].is_lower and doc[i].pos_ == "NOUN" and not doc[i].is_stop

    # ---- layout: datelines, tables, results, fixtures ------------------------------------------
    def _layout_candidates(self) -> Iterator[_Candidate]:
        for line in _token_lines(self.doc):
            yield from self._dateline(line)
            yield from self._source_line(line)
            yield from self._teams(line)

    def _dateline(self, line: list[int]) -> Iterator[_Candidate]:
        """The place a wire story starts with: "LONDON 1996-08-30", "AL-AIN , United Arab
        Emirates 1996-12-06", "KYIV, Ukraine (Reuters) -"."""
        offset, end = span_chars(self.doc, line[0], line[-1] + 1)
        text = self.text[offset:end]
        found = _DATELINE.match(text)
        if found is None:
            found = _DATED_DATELINE.match(text)  # "(Text) Sofia, February 15 (BTA) --"
        elif found["outlet"] and not self._is_outlet(found["outlet"]) and not found["place"]:
            return
        elif found["alone"] is not None and not (found["place"] and self._is_state(found["place"])):
            return  # a line of its own is a dateline only as "GRAND RAPIDS, Mich.", "PERUGIA, Italy"
        if found is None:
            return
        for group in ("city", "place"):
            if not found[group]:
                continue
            span = self.doc.char_span(offset + found.start(group), offset + found.end(group))
            if span is None:
                continue
            entry = self.gaz.lookup(span.text)
            if entry is not None and entry.kind.is_place:
                yield self._entry_candidate(span.start, span.end, entry, priority=_RULE, origin="dateline")
            else:
                default = EntityKind.SETTLEMENT if group == "city" else EntityKind.REGION
                yield _Candidate(span.start, span.end, _place_kind(span.text.title(), default),
                                 priority=_RULE, origin="dateline")

    def _source_line(self, line: list[int]) -> Iterator[_Candidate]:
        """The source line of a monitoring service's report: the place of the outlet, the outlet
        and the language, "LD2804174994 Moscow INTERFAX in English 1601 GMT 28 Apr 94", "Paris
        Radio Monte Carlo in Arabic 1700 GMT 7 Apr 94", or alone on its line "Tokyo MAINICHI
        SHIMBUN". The place is a known city; the outlet is what follows it."""
        offset, end = span_chars(self.doc, line[0], line[-1] + 1)
        text = self.text[offset:end]
        found = _SOURCE_LINE.search(text)
        if found is None:
            return
        start = offset + found.start("source")
        words = found["source"].split(" ")
        for n in (3, 2, 1):
            if n >= len(words):
                continue
            city, outlet = " ".join(words[:n]), " ".join(words[n:])
            entry = self.gaz.lookup(city)
            place = entry if entry is not None and entry.kind.is_place else geo_place(
                city, min_population=CITY_POPULATION)
            if place is None or place.kind is not EntityKind.SETTLEMENT or len(words) - n > 5:
                continue
            if found["language"] is None and (not outlet.replace(" ", "").replace("-", "").isupper()
                                              or self.gaz.lookup(outlet) is not None):
                return  # alone on its line the outlet is written in capitals and is no place
            city_span = self.doc.char_span(start, start + len(city))
            outlet_span = self.doc.char_span(start + len(city) + 1, start + len(found["source"]))
            if city_span is None or outlet_span is None:
                return
            if entry is not None and entry.kind.is_place:
                yield self._entry_candidate(city_span.start, city_span.end, entry, priority=_RULE, origin="dateline")
            else:
                yield _Candidate(city_span.start, city_span.end, EntityKind.SETTLEMENT, priority=_RULE,
                                 origin="dateline")
            known = self.gaz.lookup(outlet)
            if known is not None and not known.kind.is_place:
                yield self._entry_candidate(outlet_span.start, outlet_span.end, known, priority=_RULE,
                                            origin="dateline")
            else:
                yield _Candidate(outlet_span.start, outlet_span.end, EntityKind.NEWS_OUTLET, priority=_RULE,
                                 origin="dateline")
            return

    def _is_state(self, name: str) -> bool:
        """A country or a first-level division ("Italy", "Ohio", "Mich."): what qualifies a city."""
        entry = self.gaz.lookup(name)
        if entry is not None:
            return entry.kind in (EntityKind.COUNTRY, EntityKind.REGION)
        place = geo_place(name)
        return name in US_STATE_ABBREVIATIONS or (place is not None and place.kind is not EntityKind.SETTLEMENT)

    def _is_outlet(self, name: str) -> bool:
        entry = self.gaz.lookup(name)
        return entry is not None and entry.kind is EntityKind.NEWS_OUTLET

    def _teams(self, line: list[int]) -> Iterator[_Candidate]:
        """Names in a line made only of names, scores and fixture words: sports results,
        tables and fixtures ("Atlanta 6 CHICAGO 5", "Barnsley 3 3 0 0 8 2 9", "Surrey v Kent",
        "HOUSTON AT PITTSBURGH"). A leading "Bristol :" or "At Hove :" is the venue, and so is
        the name after "at": places, not teams."""
        doc = self.doc
        words, lowers = token_texts(doc), token_lowers(doc)
        if line and lowers[line[0]] == "at":
            line = line[1:]
        title, upper = token_flags(doc, "IS_TITLE"), token_flags(doc, "IS_UPPER")

        def is_name(i: int) -> bool:
            """A word of a capitalised name in a table: "Bristol", "CITY", "St", "Jed-Forest"."""
            return (title[i] or upper[i]) and any(c.isalpha() for c in words[i]) and lowers[i] not in _FIXTURE_WORDS

        if not line or not is_name(line[0]):
            return  # ranked lists ("287 Ian Woosnam 70 76") are persons, not teams
        if _ISO_DATE.search(span_text(doc, line[0], line[-1] + 1)):
            return  # a dateline, not a result
        segments: list[tuple[int, int, bool]] = []  # (start, end, is a venue)
        scored = fixture = False
        venue_next = False
        k = 0
        while k < len(line):
            word, lower = words[line[k]], lowers[line[k]]
            if word == "(":  # "( 2nd game )", "( J. Russell 75 )": skip the aside
                while k < len(line) and words[line[k]] != ")":
                    k += 1
                k += 1
            elif is_name(line[k]):
                j = k
                while j < len(line) and is_name(line[j]) and j - k < 5:
                    j += 1
                venue = venue_next or (not segments and j < len(line) and words[line[j]] == ":")
                # a team name is followed by its score, a fixture word, an aside or the line end
                if not venue and j < len(line) and not (_SCORE.fullmatch(words[line[j]]) or words[line[j]] == "("
                                                        or lowers[line[j]] in _FIXTURE_WORDS):
                    return
                segments.append((line[k], line[j - 1] + 1, venue))
                venue_next = False
                k = j
            elif _SCORE.fullmatch(word):
                scored = scored or bool(segments)
                k += 1
            elif lower in _FIXTURE_WORDS:
                fixture = True
                venue_next = lower == "at"
                k += 1
            elif lower in _TABLE_FILLERS:
                k += 1
            else:
                return
        teams = [seg for seg in segments if not seg[2]]
        if not teams or not (scored or (fixture and len(segments) > 1)):
            return
        dates = [(e.start, e.end) for e in self.ents if e.label_ in ("DATE", "TIME")]
        persons = [(e.start, e.end) for e in self.ents if e.label_ == "PERSON"]
        for start, end, venue in segments:
            if any(s < end and start < e for s, e in dates):
                continue  # "July 9 v Minor Counties XI"
            text = self.doc[start:end].text
            entry = self.gaz.lookup(text)
            if entry is not None and (venue or entry.kind is EntityKind.COUNTRY):
                yield self._entry_candidate(start, end, entry, priority=_RULE, origin="team")
            elif venue:
                yield _Candidate(start, end, _place_kind(text.title(), EntityKind.SETTLEMENT), priority=_RULE,
                                 origin="venue")
            elif end - start == 1 or not any(s <= start and end <= e for s, e in persons):
                yield _Candidate(start, end, EntityKind.ORGANIZATION, priority=_RULE, origin="team")

    # ---- persons -----------------------------------------------------------------------------
    def _person_candidates(self) -> Iterator[_Candidate]:
        """"J. Russell": an initial and a capitalised word; "Tegla Loroupe ( Kenya )": a
        two- or three-word name followed by a country in brackets (results lists)."""
        doc = self.doc
        countries = {s: e for s, e, k, entry in self.matches if k == NAME and entry.kind is EntityKind.COUNTRY}
        text = token_texts(doc)  # plain strings: a Token only for the few words that can start a name
        for after in sorted(countries):  # in text order, as a pass over the tokens would go
            if after == 0 or text[after - 1] != "(":
                continue
            token = doc[after - 1]
            close = countries[token.i + 1]
            if close >= len(doc) or doc[close].text != ")":
                continue
            start = token.i
            while start > 0 and token.i - start < 3 and doc[start - 1].is_title and doc[start - 1].is_alpha:
                start -= 1
            lowered = {t.lower_ for t in doc[start : token.i]}
            if token.i - start >= 2 and not any(start <= s < token.i for s, _ in self.names) \
                    and not any(lowered & vocabulary for _, vocabulary in _ORG_WORDS):
                yield _Candidate(start, token.i, EntityKind.PERSON, priority=_GAZ, origin="athlete")
        for i, word in enumerate(text):
            if not _INITIAL.fullmatch(word):
                continue
            token = doc[i]
            # not a middle initial: "Joseph R. Biden" is one name
            if token.i + 1 < len(doc) and not (token.i and _capitalised(doc[token.i - 1])):
                end = token.i + 1
                while end < len(doc) and end - token.i <= 2 and _capitalised(doc[end]):
                    end += 1
                if end > token.i + 1 and not any(s <= token.i < e for s, e in self.names):
                    yield _Candidate(token.i, end, EntityKind.PERSON, priority=_GAZ, origin="initial")
        for i, word in enumerate(text[:-1]):
            if text[i + 1] == "," and word[:1].isupper() and word.isalpha() and i not in self.ent_at \
                    and not (i > 0 and text[i - 1][:1].isupper()):  # one word, not the end of a longer name
                token = doc[i]
                if token.pos_ in ("PROPN", "NOUN") and not token.is_stop and i not in self.names_at \
                        and not self.gaz.by_demonym(word) and self._described_person(token):
                    yield _Candidate(i, i + 1, EntityKind.PERSON, priority=_NER, origin="described")

    @staticmethod
    def _who_follows(head: Token, end: int) -> bool:
        """Whether a relative clause with "who" comes right after the name ending at ``end``."""
        return any(c.dep_ == "relcl" and c.i - end <= 3
                   and any(w.lower_ in ("who", "whom", "whose") and w.i < c.i for w in c.children)
                   for c in head.children)

    def _described_person(self, token: Token) -> bool:
        """A name NER missed that an age, a person's role or "who" right after it marks as a
        person: "Winter, 53, a former law professor", "Tal, a senior Defense Ministry official",
        "Pryce, who lives in Tucson"."""
        doc = self.doc
        after = doc[token.i + 1 : token.i + 4]
        if len(after) == 3 and after[1].text.isdigit() and after[2].text == "," and 0 < int(after[1].text) < 120:
            return True
        if token.pos_ != "PROPN":
            return False  # "Winter, 53," but not "Winter, a season"
        if self._who_follows(token, token.i + 1) and token.tag_ != "NNPS" \
                and (token.i == 0 or doc[token.i - 1].lower_ != "the"):
            return True  # "Pryce, who lives in Tucson"
        roles = [c for c in token.children if c.dep_ == "appos" and c.i > token.i]
        return any(r.lemma_.lower() in _PERSON_NOUNS and r.i - token.i <= 8 and not r.is_title for r in roles)

    def _bracketed_acronyms(self, chosen: list[_Candidate]) -> Iterator[_Candidate]:
        """"Kurdistan Democratic Party (KDP)": the acronym is the organisation too, even when NER
        took it for something else, if its letters are the initials of the name ("General
        Accounting Office (GAO)")."""
        doc = self.doc
        at = {c.start: c for c in chosen}
        for cand in chosen:
            i = cand.end
            if cand.kind.family != "ORG" or i + 2 >= len(doc) or doc[i].text != "(" or doc[i + 2].text != ")":
                continue
            acronym = doc[i + 1]
            if acronym.is_upper and acronym.is_alpha and len(acronym) >= 2 and not acronym.is_stop:
                initials = "".join(w[0] for w in doc[cand.start : cand.end].text.split() if w[:1].isupper())
                other = at.get(i + 1)
                retype = other is not None and other.kind.family != "ORG" and other.key is None \
                    and initials == acronym.text
                yield _Candidate(i + 1, i + 2, cand.kind, affiliation=cand.affiliation,
                                 priority=_RULE if retype else _FILL, origin="acronym")

    # ---- context: what the words around a name say it is ----------------------------------------
    def _in_context(self, cand: _Candidate) -> _Candidate:
        """Correct NER's type of a name the gazetteer does not know from what surrounds it: a
        sentence read alone gives the small model little to go on ("Millinocket" a firm,
        "Yerevan" a person).

        - a geographic head word makes a place: "Ocala National Forest", "Cameron Parish";
        - a name followed by ", <state or country>" is a town: "Rockville, Md.";
        - a name after "in"/"near"/"from"/"to" that is a known town (GeoNames), or after "in"/"near"
          no organisation's name, is a place;
        - a title of address makes a person ("Prince Norodom Ranariddh", the title left out);
        - a name followed by an age (", 50,"), with a middle initial ("Ulf D. Merbold"), the
          subject of "was born", or the victim of an assassination is a person.
        """
        if cand.origin != "ner" or cand.key is not None or cand.descriptive:
            return cand
        doc = self.doc
        span = doc[cand.start : cand.end]
        family = cand.kind.family
        if family not in ("PER", "ORG", "LOC"):
            return cand
        last = span[-1].text
        words = {t.lower_ for t in span}
        org_named = any(words & vocabulary for _, vocabulary in _ORG_WORDS) or bool(words & _INSTITUTION_WORDS) \
            or last in _COMPANY_SUFFIXES
        division = len(span) > 1 and last.lower() in _DIVISION_HEADS and span[-1].is_title
        if not org_named and (last in _GEO_HEADS or division):
            kind = EntityKind.REGION if last.lower() in _DIVISION_HEADS else EntityKind.LOCATION
            return _Candidate(cand.start, cand.end, kind, priority=cand.priority, origin="context")
        if family != "LOC" and not org_named:
            after = doc[cand.end : cand.end + 3]
            if len(after) >= 2 and after[0].text == "," and after[1].is_title and self._is_state_at(cand.end + 1):
                return _Candidate(cand.start, cand.end, _place_kind(span.text, EntityKind.SETTLEMENT),
                                  priority=cand.priority, origin="context")
            before = doc[cand.start - 1] if cand.start > 0 else None
            if before is not None and before.lower_ in ("in", "near", "from", "to"):
                place = geo_place(span.text, min_population=CITY_POPULATION)
                if place is not None or family == "ORG" and before.lower_ in ("in", "near"):
                    kind = place.kind if place is not None else EntityKind.SETTLEMENT
                    return _Candidate(cand.start, cand.end, kind, priority=cand.priority, origin="context")
        if family != "PER" and len(span) > 1 and span[0].lower_ in _ADDRESS_TITLES and span[0].is_title:
            return _Candidate(cand.start + 1, cand.end, EntityKind.PERSON, priority=cand.priority, origin="context")
        if family != "PER" and not org_named and self._person_context(cand.start, cand.end):
            return _Candidate(cand.start, cand.end, EntityKind.PERSON, priority=cand.priority, origin="context")
        return cand

    def _is_state_at(self, i: int) -> bool:
        """Whether a state or country name closing an address starts at token ``i`` ("Md.",
        "New Jersey", "Italy"), not one that goes on ("Poland's defence minister")."""
        doc = self.doc
        for n in (3, 2, 1):
            if i + n <= len(doc) and self._is_state(doc[i : i + n].text):
                end = i + n
                return end == len(doc) or doc[end].text in (",", ".", ";", ":", ")") or "\n" in doc[end - 1].whitespace_
        return False

    def _person_context(self, start: int, end: int) -> bool:
        doc = self.doc
        span = doc[start:end]
        if len(span) == 3 and _INITIAL.fullmatch(span[1].text) and span[0].is_title and span[2].is_title:
            return True  # "Ulf D. Merbold"
        after = doc[end : end + 3]
        if len(after) == 3 and after[0].text == "," and after[1].like_num and after[2].text == ",":
            return after[1].text.isdigit() and 0 < int(after[1].text) < 120  # "Ferraro, 50, of Bethany"
        if self._title(start) is not None:
            return True  # "Prince Norodom Ranariddh"
        head = span.root
        verb = head.head
        roles = [t for t in head.children if t.dep_ == "appos"] + ([verb] if head.dep_ == "appos" else [])
        if any(t.lemma_.lower() in _PERSON_NOUNS and not start <= t.i < end for t in roles):
            return True  # "Harrington, a professor of", "the last Incan King of Peru, Atahualpa"
        if self._who_follows(head, end) and span[-1].tag_ != "NNPS" and (start == 0 or doc[start - 1].lower_ != "the"):
            return True  # "Smith, who lives in Austin": "who" is said of people (and of "the Cardinals")
        if head.dep_ in ("dobj", "nsubjpass") and verb.lemma_.lower() in _KILL_VERBS:
            return True  # "commandos killed Abu Jihad": no organisation is killed
        if head.dep_ == "nsubjpass" and verb.lemma_ == "bear":
            return True  # "Norton Winfred Simon was born on"
        if head.dep_ == "pobj" and verb.lower_ == "of" and verb.head.lemma_.lower() in _ASSASSINATION:
            return True  # "the assassination of Lincoln", "assassin of Lincoln"
        return False

    # ---- one document, one reading -------------------------------------------------------------
    def _consistent(self, chosen: list[_Candidate]) -> list[_Candidate]:
        """Give a name one type across the document, and find its unlabelled repeats."""
        doc = self.doc
        votes: dict[str, Counter[str]] = defaultdict(Counter)  # casefolded name → family → weight
        models: dict[tuple[str, str], _Candidate] = {}
        forms: dict[str, set[str]] = defaultdict(set)  # casefolded name → forms as written

        def vote(text: str, family: str, weight: int, model: _Candidate) -> None:
            votes[text.casefold()][family] += weight
            models.setdefault((text.casefold(), family), model)
            forms[text.casefold()].add(text)

        for cand in chosen:
            text = span_text(doc, cand.start, cand.end)
            disagree = cand.ner_family and cand.ner_family != cand.kind.family  # NER and gazetteer
            # the gazetteer's vote first: a tie (a name NER took for a person once, "attacked
            # Kharkiv") keeps the gazetteer's reading, as the first of equal counts wins
            vote(text, cand.kind.family, 1 if disagree else _VOTE_WEIGHTS.get(cand.origin, 2), cand)
            if disagree:
                vote(text, cand.ner_family, 1, _Candidate(cand.start, cand.end, _FAMILY_KINDS[cand.ner_family]))
        for cand in chosen:
            if cand.end - cand.start < 2:
                continue
            name = doc[cand.start : cand.end]
            if cand.kind is EntityKind.PERSON and all(t.is_title and t.tag_ not in ("NNS", "NNPS") for t in name):
                # a surname alone, or a given name ("Wang" of "Wang Dan"), is that person
                for token in (name[0], name[-1]):
                    if token.is_alpha and token.lower_ not in STOP_WORDS and not self.gaz.by_demonym(token.text):
                        vote(token.text, "PER", 10, cand)
            elif cand.kind.family == "ORG" and name[-1].text in _COMPANY_SUFFIXES:
                # "Magna International Inc" … "Magna": a company's short name
                for short in (name[0].text, name[:-1].text):
                    if short[:1].isupper() and not self._known_word(short):
                        vote(short, "ORG", 10, cand)
        reading = {text: counts.most_common(1)[0][0] for text, counts in votes.items()}

        out: list[_Candidate] = []
        for cand in chosen:
            text = span_text(doc, cand.start, cand.end).casefold()
            family = reading.get(text)
            overridable = cand.origin == "ner" or (family == "PER" and cand.kind.is_place)
            if overridable and family and family != cand.kind.family and family != "GRP":
                cand = self._like(models[(text, family)], cand.start, cand.end, origin="consistent")
            out.append(cand)
        out.extend(self._repeats(out, reading, models, forms))
        return sorted(out, key=lambda c: c.start)

    def _known_word(self, text: str) -> bool:
        """A gazetteer name or demonym, or a city's name, which no company's short name may claim
        ("Pittsburgh" of "Pittsburgh-Corning Corp.")."""
        return self.gaz.lookup(text) is not None or self.gaz.by_demonym(text) is not None \
            or geo_place(text, min_population=100_000) is not None

    @staticmethod
    def _like(model: _Candidate, start: int, end: int, *, origin: str) -> _Candidate:
        """A candidate for ``start:end`` read as ``model`` is (only its family if lengths differ)."""
        if model.length == end - start:
            return _Candidate(start, end, model.kind, key=model.key, affiliation=model.affiliation,
                              descriptive=model.descriptive, origin=origin)
        return _Candidate(start, end, _FAMILY_KINDS[model.kind.family], origin=origin)

    def _repeats(self, chosen: list[_Candidate], reading: dict[str, str],
                 models: dict[tuple[str, str], _Candidate], forms: dict[str, set[str]]) -> Iterator[_Candidate]:
        """Unlabelled occurrences of names found elsewhere in the document."""
        doc = self.doc
        taken = [False] * (len(doc) + 1)
        for cand in chosen:
            for i in range(cand.start, cand.end):
                taken[i] = True
        by_first: dict[str, list[tuple[str, str]]] = defaultdict(list)  # first word → (form, name)
        for name, family in reading.items():
            if family == "GRP" or len(name) <= 2 or name in STOP_WORDS:
                continue
            for form in forms[name]:
                if form[:1].isupper():
                    by_first[form.split()[0]].append((form, name))
        for at, word in enumerate(token_texts(doc)):
            if taken[at] or word not in by_first:
                continue
            token = doc[at]
            for form, name in sorted(by_first[word], key=lambda f: len(f[0]), reverse=True):
                span = doc.char_span(token.idx, token.idx + len(form))
                if span is None or span.text != form or any(taken[i] for i in range(span.start, span.end)):
                    continue
                if span.end < len(doc) and doc[span.end].is_title and not doc[span.end].is_sent_start:
                    continue  # part of a longer name: "Kursk" in "Kursk Nuclear Plant"
                for i in range(span.start, span.end):
                    taken[i] = True
                yield self._like(models[(name, reading[name])], span.start, span.end, origin="repeat")
                break


# A token's trailing whitespace (``Token.whitespace_``) is one space at most: spaCy makes every
# line break part of a space token of its own, so the word columns tell where lines end.


def _line_breaks(doc: Doc) -> list[bool]:
    """Whether each token is a space token holding a line break."""
    return per_doc(doc, "line_breaks", lambda d: [
        space and "\n" in word for space, word in zip(token_flags(d, "IS_SPACE"), token_texts(d))])


def _line_openers(doc: Doc) -> list[bool]:
    """Whether each token starts a line of the text."""
    return per_doc(doc, "line_openers", lambda d: [True, *_line_breaks(d)[:-1]] if len(d) else [])


def _token_lines(doc: Doc) -> Iterator[list[int]]:
    """The document's lines as lists of the indices of their non-space tokens."""
    line: list[int] = []
    breaks = _line_breaks(doc)
    for i, space in enumerate(token_flags(doc, "IS_SPACE")):
        if space:
            if breaks[i] and line:
                yield line
                line = []
            continue
        line.append(i)
    if line:
        yield line


def _choose(candidates: list[_Candidate]) -> list[_Candidate]:
    """Greedy non-overlapping selection: by priority, then length, then position."""
    chosen: list[_Candidate] = []
    taken: set[int] = set()  # token positions already covered: linear, not quadratic, in mentions
    for cand in sorted(candidates, key=lambda c: (c.priority, -c.length, c.start)):
        if cand.length > 0 and taken.isdisjoint(range(cand.start, cand.end)):
            chosen.append(cand)
            taken.update(range(cand.start, cand.end))
    return sorted(chosen, key=lambda c: c.start)


def _capitalised(token: Token) -> bool:
    """A capitalised word: "Russell", "McCague", "O'Brien"."""
    return token.text[:1].isupper() and token.text.replace("'", "").isalpha() and not token.is_upper


def _descriptive_kind(words: list[str]) -> EntityKind | None:
    head = words[-1]
    if head in ("agency", "service", "services"):
        if len(words) > 1 and words[-2] in _INTELLIGENCE_MODIFIERS:
            return EntityKind.INTELLIGENCE_AGENCY
        return None
    if head == "forces" and len(words) > 1 and words[-2] == "armed":
        return EntityKind.ARMED_FORCES
    return _DESCRIPTIVE_HEADS.get(head)


def _org_kind(name: str) -> EntityKind:
    """Kind of an organisation from the words of its name.

    >>> _org_kind("Military Intelligence Agency").value
    'IntelligenceAgency'
    >>> _org_kind("Acme Holdings").value
    'Organization'
    """
    words = {w.lower() for w in name.replace("-", " ").split()}
    first = name.split()[0].lower() if name.split() else ""
    if first in _INTERNATIONAL and words & _INTERNATIONAL_HEADS:
        return EntityKind.INTERNATIONAL_ORGANIZATION
    for kind, vocabulary in _ORG_WORDS:
        if words & vocabulary:
            return kind
    return EntityKind.ORGANIZATION


def _caps_line(doc: Doc, start: int, end: int) -> bool:
    """Whether tokens ``start:end`` sit in an all-caps line (a headline, a heading, a wire table)."""
    line_of, words, upper = per_doc(doc, "line_caps", _line_caps)
    lines = range(line_of[start], line_of[end - 1] + 1)
    letters = sum(words[line] for line in lines)
    return letters > 0 and sum(upper[line] for line in lines) >= 0.7 * letters


def _line_caps(doc: Doc) -> tuple[list[int], list[int], list[int]]:
    """Each token's line, and each line's alphabetic tokens and upper-case ones, counted once
    per doc: a line scanned for each mention in it made an article of one long line quadratic."""
    opens, alpha, upper = _line_openers(doc), token_flags(doc, "IS_ALPHA"), token_flags(doc, "IS_UPPER")
    line_of: list[int] = []
    words: list[int] = []
    uppers: list[int] = []
    for i in range(len(doc)):
        if i == 0 or opens[i]:
            words.append(0)
            uppers.append(0)
        line_of.append(len(words) - 1)
        if alpha[i]:
            words[-1] += 1
            uppers[-1] += bool(upper[i])
    return line_of, words, uppers
