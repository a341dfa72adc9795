"""From a source text to a Draft: source, people, posts, events, delegations, participations, statements."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path

from diplokg.drafting.events import (
    BACKGROUND,
    EVENT_NOUNS,
    EVENT_VERBS,
    FUTURE,
    PARTIAL_DATE,
    PLANNED_BEFORE,
    RELATIVE_DAY,
    SERIES,
    SERIES_AGAIN,
    VAGUE_TIME,
    Event,
    date_in,
    event_words,
)
from diplokg.drafting.gazetteer import Gazetteer
from diplokg.drafting.linking import DEMONYMS, fold, match_label, slugify
from diplokg.drafting.model import Draft
from diplokg.drafting.patterns import Matchers, Mention, find_mentions, has_title_head, label_pattern
from diplokg.drafting.people import PLACE, Holding, People, Person, countries_as_subject, countries_named, country_in
from diplokg.drafting.situations import OUTCOME, Situation, agreements_in, situations_in
from diplokg.drafting.statements import ACCORDING, GROUP_SUBJECT, SPEECH, SPEECH_VERBS, find_quotes, third_person_subject
from diplokg.drafting.text import MONTH, WEEKDAYS, Document
from diplokg.prefixes import PREFIX_IRIS, shorten

SPEECH_START = re.compile(r"^[A-Z][\w’-]*(?: [A-Z][\w’-]*)* (?:said|stated|stressed|emphasized|noted|added)\b")
COMPOSITION = re.compile(r"\b(?:was|were) (?:made up of|composed of|formed by|integrated by)|\bconsisted of\b|"
                         r"\bcomprised\b|\bincluded\b")
HEADS = re.compile(r"\b(?:headed|led|chaired|presided over)(?: respectively)? by\b")
ACCOMPANIED = re.compile(r"\b(?:was|were) accompanied by\b")
ATTENDED = re.compile(r"\b(?:was|were) (?:also )?attended by\b|\balso attended\b|\battended\b|\b(?:was|were) also present\b|"
                      r"\btook part\b|\bparticipated\b|\b(?:was|were) (?:also )?joined by\b|"
                      r"\bon the (?:call|meeting|videoconference) (?:were|was)\b|"
                      r"\b(?:was|were) (?:also )?(?:witnessed|signed) by\b")  # 'Also on the call were A', 'was signed by B'
WITH = re.compile(r"\bwith\b")
REPORTED_CLAUSE = re.compile(rf"\b(?:{SPEECH_VERBS})\s+that\s+(?!.*\bthat\s)", re.S)  # the last 'said that '
SESSION_CUE = re.compile(r"\b(?:(?:meeting|session|round|edition|sitting|relaunch|resumption|launch)\s+of|hold|held|holds|"
                         r"host|hosts|hosted|"
                         r"convene|convened|for|at|during)\s+(?:the\s+)?$", re.I)  # a session, not the series as a whole
SESSION_AFTER = re.compile(r",?\s+(?:which\s+|that\s+)?(?:will\s+|would\s+|is\s+to\s+|was\s+|were\s+|has\s+been\s+)?"
                           r"(?:hold|held|meet|met|convene|convened|take\s+place|took\s+place|be\s+held|reconvene)\b"
                           rf"|,?\s+(?:for|on)\s+(?:next\s+)?{MONTH}\b")  # 'the X, for next September 9'

ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|next|\d+(?:st|nd|rd|th))\s+"
                     r"(?:meeting|session|round|edition|sitting)\s+of\s+(?:the\s+)?$", re.I)
ARRIVED = re.compile(r"\b(?:arrived|arrives|travelled|traveled|travels|came)\s+(?:in|at|to)\b")
BOTH_COUNTRIES = re.compile(r"\b(both|the two|the three|the four|all)\s+(?:countries|nations|governments)\b", re.I)
HOW_MANY = {"both": 2, "the two": 2, "the three": 3, "the four": 4}
HEADS_END = re.compile(r"\b(?:met|meets|held|holds|visited|signed|arrived|travell?ed|reviewed|discussed|agreed|spoke|"
                       r"talked|hosted|received|was|were|who|with)\b")  # where the list of heads ends
PRONOUN = re.compile(r"[Hh]e|[Ss]he")
DENIAL = re.compile(r"\b(?:denied|rejected|refuted|dismissed) (?:that|any|the|reports)\b")
AGREED_LIST = re.compile(r"\b(?:agreed|committed|decided|undertook) to:\s")  # '… agreed to: 1. … 3. hold a meeting'
PURPOSE = re.compile(r"\b(?:in order )?to (?!(?:the|a|an|his|her|their|its|this|that|these|those)\b)[a-z]+\b")
WORDS_OF = re.compile(r"\b(?:[Ii]n the words of|[Qq]uoting)\s+(?P<who>[^,“]+?),?\s*$")
DAY_FROM_EVENT = re.compile(r"\b(?:the day (before)|the (previous|following|next) day|the (same) day|"
                            r"(?:later|earlier) (that) day)\b", re.I)
ON_WEEKDAY = re.compile(rf"\bon ({'|'.join(day.title() for day in WEEKDAYS)})\b(?!,? \w+ \d)")  # not 'on Monday, March 14'
PRESENCE = re.compile(r"\bwith the (?:participation|presence|attendance) of\b")
BETWEEN = re.compile(r"\bbetween\b")
VISITED = re.compile(r"\bvisited\b")
RECEIVED = re.compile(r"\b(?:received|welcomed|hosted)\b")
DELEGATION = re.compile(r"(?:(?P<adj>(?:[A-Z][\w.]*|US)(?: [A-Z][\w.]*)?) )?(?P<word>delegations?|teams?)\b"
                        r"(?P<from> of (?:officials )?from (?P<countries>[^,.;]+)"
                        r"| of (?P<list>(?:the )?[A-Z]\w*(?: [A-Z]\w*)*(?:(?:,| and) (?:the )?[A-Z]\w*(?: [A-Z]\w*)*)*))?")
FOR_SIDE = re.compile(r"^(?:(?:For|On behalf of) (?:the )?(?P<country>[A-Z][\w.]*(?: [A-Z][\w.]*)?)"
                      r"|On the (?P<side>[A-Z][\w.]*(?: [A-Z][\w.]*)?) side),")  # 'For Mexico,', 'On the US side,'


@dataclass
class Delegation:
    iri: str
    country: str
    events: list[str] = field(default_factory=list)
    heads: list[str] = field(default_factory=list)
    members: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    composed: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Participation:
    person: str
    event: str
    capacity: str
    delegation: str | None
    spans: list[tuple[int, int]]
    why: str
    notes: list[str] = field(default_factory=list)


def abbreviation_of(stem: str, gazetteer: Gazetteer | None = None) -> str:
    """Initials of the stem's words, leaving out an issuer prefix and dates ('sre-2021-08-11-lunch-meeting' → 'lm'),
    with a number added when another source of the project already uses them ('dw', 'dw2')."""
    words = [w for w in stem.split("-") if w and not w.isdigit()]
    if len(words) > 2:
        words = words[1:]
    base = "".join(w[0] for w in words)[:4] or "src"
    taken = {a for a, sources in (gazetteer.abbreviations if gazetteer else {}).items()
             if sources - {PREFIX_IRIS["src"] + stem}}
    return next(f"{base}{n or ''}" for n in itertools.count() if n != 1 and f"{base}{n or ''}" not in taken)


class Extractor:
    """Reads one document and proposes its facts."""

    def __init__(self, document: Document, gazetteer: Gazetteer, source: str, abbreviation: str) -> None:
        self.doc = document
        self.text = document.text
        self.gazetteer = gazetteer
        self.matchers = Matchers(gazetteer)
        self.source = source
        self.abbr = abbreviation
        self.draft = Draft(source, abbreviation, document.text)
        self.people = People(gazetteer, self.matchers, document.text)
        self.events: list[Event] = []
        self.sentence_events: dict[int, list[Event]] = {}
        self.series: dict[str, Event] = {}
        self.delegations: dict[str, Delegation] = {}
        self.participations: dict[tuple[str, str], Participation] = {}
        self.event_participations: dict[str, list[Participation]] = {}  # the same, by event key, in the same order
        self.composition_event: Event | None = None
        self.visited: dict[str, str] = {}
        self.quotes: list = []
        starts, ends = [s.start for s in document.sentences], [s.end for s in document.sentences]
        ordered = all(a <= b for a, b in pairwise(starts)) and all(a <= b for a, b in pairwise(ends))
        self._sentence_bounds = (starts, ends) if ordered else None  # for sentence_index

    # ================================================================ entry
    def run(self) -> Draft:
        mentions = find_mentions(self.doc, self.gazetteer, self.matchers)
        self.mentions = mentions
        self.sentence_mentions: dict[int, list[Mention]] = {}
        for mention in mentions:
            self.sentence_mentions.setdefault(mention.sentence, []).append(mention)
        self.people.resolve(mentions)
        self.draft.unplaced.extend(self.people.unplaced)
        self.people.assign_titles()
        self.people.countries()
        self.title_only_mentions()
        context: Event | None = None
        for index in range(len(self.doc.sentences)):
            context = self.events_of(index, context)
            self.delegations_of(index, context)
            self.participation_of(index, context)
        self.delegation_participations()
        self.settle_outsiders()
        self.statements()
        self.situations()
        self.emit()
        return self.draft

    def in_sentence(self, index: int, start: int = 0, end: int | None = None) -> list[Mention]:
        sentence = self.doc.sentences[index]
        end = sentence.end if end is None else end
        return [m for m in self.sentence_mentions.get(index, ()) if m.person and m.embedded_in is None
                and max(start, sentence.start) <= m.start < end]

    def person(self, iri: str) -> Person:
        return self.people.people[iri]

    # ================================================================ title-only mentions ("The Chancellor thanked")
    def title_only_mentions(self) -> None:
        """'The Chancellor thanked', 'The Foreign Minister said': a title with no name names its one holder, a post
        the project knows (held by one person of this text) or a title this text prints for one person only."""
        self.title_mentions: list[tuple[int, int, str]] = []
        own = self.printed_holders()
        patterns = [p for p in (self.matchers.titles, label_pattern(tuple(own))) if p is not None]
        if not patterns:
            return
        covered = sorted(m.span for m in self.mentions)
        covered_starts = [s for s, _ in covered]
        reach = []  # reach[k]: the furthest end of the first k + 1 spans (by start)
        for _, e in covered:
            reach.append(max(e, reach[-1]) if reach else e)
        holders: dict[str, list[str]] = {}
        for holding in self.people.holdings.values():
            holders.setdefault(holding.target, []).append(holding.person.iri)
        matches = sorted({m.span(): m for p in patterns for m in re.compile(p.pattern, re.I).finditer(self.text)}.values(),
                         key=lambda m: (m.start(), -m.end()))
        taken = -1
        for match in matches:
            last = bisect_right(covered_starts, match.start()) - 1
            if match.start() < taken or (last >= 0 and reach[last] > match.start()):  # inside a name or a longer title
                continue
            before = self.text[max(0, match.start() - 4):match.start()].lower()
            after = self.text[match.end():match.end() + 3]
            if (not re.search(r"(?:the|^)\s*$", before) and match.start() > 0) or after.startswith(" of"):
                continue
            found = self.known_post_holder(match, holders) or own.get(match.group().lower())
            if found is None:
                continue
            person, holding = found
            if match.group() not in holding.printed:
                holding.printed.append(match.group())
            holding.spans.append(match.span())
            holding.why.append(f"'{match.group()}' alone names the holder of {shorten(holding.target)} in this text")
            self.title_mentions.append((match.start(), match.end(), person))
            taken = match.end()

    def known_post_holder(self, match: re.Match[str], holders: dict[str, list[str]]) -> tuple[str, Holding] | None:
        """The one person of this text who holds a known post printed as `match`."""
        for entity in self.gazetteer.of_kind("post"):
            if any(fold(label) == fold(match.group()) for label in entity.labels) and len(holders.get(entity.iri, [])) == 1:
                person = holders[entity.iri][0]
                return person, self.people.holdings[(person, entity.iri)]
        return None

    def printed_holders(self) -> dict[str, tuple[str, Holding]]:
        """{title (lower case): (person, holding)} for each title of two words or more (or hyphenated:
        'Ambassador-designate') that this text prints for one person only, no other title of another person starting
        or ending with it."""
        printed = [(t, h) for h in self.people.holdings.values() for t in h.printed if len(t.split()) >= 2 or "-" in t]
        result = {}
        for title, holding in printed:
            low = title.lower()
            others = {h.person.iri for t, h in printed if h.person.iri != holding.person.iri
                      and (t.lower() == low or t.lower().startswith(low + " ") or t.lower().endswith(" " + low))}
            if not others:
                result.setdefault(low, (holding.person.iri, holding))
        return result

    # ================================================================ events
    def events_of(self, index: int, context: Event | None) -> Event | None:
        sentence = self.doc.sentences[index]
        found: list[Event] = []
        named = self.series_named(sentence.text)
        series_spans = [(sentence.start + m.start(), sentence.start + m.end()) for m, _, _ in named]
        words = [w for w in event_words(self.doc, sentence) if not any(s <= w[0] < e for s, e in series_spans)
                 and not re.search(r"\b(?:via|by)\s+$", self.text[max(0, w[0] - 5):w[0]])]  # 'held via videoconference'
        others = [w for w in words if not any(0 <= s - w[1] <= 9 and re.fullmatch(r"\s+of\s+(?:the\s+)?", self.text[w[1]:s])
                                              for s, _ in series_spans)]  # 'met', not the 'meeting' of 'meeting of the X'
        for (match, name, acronym), span in zip(named, series_spans, strict=True):
            series = self.series.setdefault(name, Event(f"series:{name}", "schema:EventSeries", "etype:consult",
                                                        "dialogue", name, index, span, background=True))
            series.series_acronym = series.series_acronym or acronym
            series.evidence.append((sentence.start, sentence.end))
            session = self.session_of(name, index, match, span, bool(others))
            if session is not None and session not in found:
                found.append(session)
        for start, end, phrase in words:
            before = self.text[sentence.start:start]
            after = self.text[end:end + 6]
            if phrase == "call" and re.match(r"\s(?:for|on|upon)\b", after):
                continue
            if phrase.startswith("spoke ") and "by" not in phrase and not re.search(r"\bcall\b", self.text, re.I):
                continue  # 'spoke with' is a call only in a text that calls it one
            if any(0 <= s - end <= 9 and re.fullmatch(r"\s+of\s+(?:the\s+)?", self.text[end:s]) for s, _ in series_spans):
                continue
            cls, etype, family = EVENT_VERBS.get(phrase) or EVENT_NOUNS[phrase]
            determiner = re.search(r"(\S+)\s+(?:\S+\s+)?$", before)
            word = determiner.group(1).lower() if determiner else ""
            previous = re.search(r"(\S+)\s*$", before)
            previous_word = previous.group(1).lower() if previous else ""
            headline = self.doc.dateline is not None and sentence.end <= self.doc.dateline.start
            if headline and family in self.body_families:
                continue  # 'Ebrard and Nichols meet in Lima': the headline tells the lead's event
            passive = phrase in EVENT_VERBS and previous_word in ("was", "were") and self.latest(family) is not None
            is_new = (phrase in EVENT_VERBS and not passive) \
                or previous_word in ("a", "an", "another", "next", "upcoming", "new") \
                or word in ("a", "an", "next", "upcoming") or after.startswith(" again") \
                or (previous_word.endswith(("’", "'s", "'")) and not headline)  # 'X's Meeting' heads the lead's
            if not is_new and (previous_word in ("the", "this", "that", "said") or word == "the" or passive):
                target = self.latest(family)
                if target is not None:
                    target.evidence.append((sentence.start, sentence.end))
                    if target not in found:
                        found.append(target)
                    continue
            if not is_new and previous_word not in ("the", "this", "that"):
                continue
            event = Event(f"e{len(self.events)}", cls, etype, family, phrase, index, (start, end))
            event.background = bool(BACKGROUND.search(before))
            clause_after = re.match(r"[^,;:]*?(?= and |$|[,;:])", self.text[end:sentence.end]).group()  # not '… and will'
            event.planned = bool(FUTURE.search(before) or FUTURE.search(clause_after) or PLANNED_BEFORE.search(before)
                                 or AGREED_LIST.search(before)) \
                and not event.background
            event.evidence.append((sentence.start, sentence.end))
            self.date_and_place(event, sentence, start)
            self.events.append(event)
            found.append(event)
        self.sentence_events[index] = found
        older = [e for e in found if e.sentence < index and not e.series]
        for event in found:
            if event.sentence == index and older and not event.background and event.parent is None:
                event.parent = older[0]
        for event in found:
            if not event.background and not event.planned:
                context = event
        return context

    @cached_property
    def body_families(self) -> set[str]:
        """The families of the event words after the dateline (the headline only sums them up)."""
        start = self.doc.dateline.start if self.doc.dateline else 0
        return {(EVENT_VERBS.get(phrase) or EVENT_NOUNS[phrase])[2] for s in self.doc.sentences if s.end > start
                for _, _, phrase in event_words(self.doc, s)}

    def session_of(self, name: str, index: int, match: re.Match[str], span: tuple[int, int], others: bool) -> Event | None:
        """The session of a series a sentence names ('the second meeting of the X was held on …', 'for the X' today,
        'will hold the next meeting of the X'): planned when the words say so or its date is after the dateline,
        held when dated or 'today' and no other event word of the sentence takes that date; the same session again
        when its ordinal ('the third meeting') or 'next' names one already planned. None for the series as a whole
        ('a priority of the Dialogue')."""
        sentence = self.doc.sentences[index]
        before = sentence.text[:match.start()]
        if not (SESSION_CUE.search(before) or SESSION_AFTER.match(sentence.text, match.end())):
            return None
        date, _, _ = date_in(self.undated_text(sentence), self.doc.date)
        planned = bool(FUTURE.search(sentence.text) or PLANNED_BEFORE.search(before)) or \
            (date is not None and self.doc.date is not None and date > self.doc.date)
        held = not planned and not others and not BACKGROUND.search(before) and \
            (date is not None or RELATIVE_DAY.search(sentence.text) is not None)
        if not (planned or held):
            return None
        ordinal = ORDINAL.search(before)
        which = ordinal.group(1).lower() if ordinal else str(index)
        same = [e for e in self.events if e.series == name and e.planned == planned
                and (e.key == f"session:{name}:{which}" or (which == "next" and planned))]
        if same:
            same[-1].evidence.append((sentence.start, sentence.end))
            if same[-1].date is None:
                self.date_and_place(same[-1], sentence, sentence.start)
            return same[-1]
        session = Event(f"session:{name}:{which}", "dip:Dialogue", "etype:consult", "dialogue", name, index, span,
                        background=planned, planned=planned)
        session.series = name
        session.evidence.append((sentence.start, sentence.end))
        self.date_and_place(session, sentence, sentence.start)
        self.events.append(session)
        return session

    def series_named(self, text: str) -> list[tuple[re.Match[str], str, str | None]]:
        """(match, name, acronym) of each series a sentence names: by its name, or as 'the Dialogue' when the text
        has named exactly one series with that last word."""
        found = [(m, m.group(1).strip(), m.group(2)) for m in SERIES.finditer(text)]
        for again in SERIES_AGAIN.finditer(text):
            known = [name for name in self.series if name.endswith(" " + again.group(1))]
            if len(known) == 1 and not any(m.start() <= again.start() < m.end() for m, _, _ in found):
                found.append((again, known[0], None))
        return sorted(found, key=lambda item: item[0].start())

    def latest(self, family: str) -> Event | None:
        """The event 'the <word>' refers to: the latest of its family; for a meeting with none, the latest session
        of a dialogue held (a session is a meeting); for a dialogue, the latest event held."""
        for event in reversed(self.events):
            if event.family == family and not event.series:
                return event
        if family in ("dialogue", "meeting"):
            for event in reversed(self.events):
                if not event.background and not event.planned and (family == "dialogue" or event.series):
                    return event
        return None

    def undated_text(self, sentence) -> str:  # noqa: ANN001
        """The sentence with the dateline blanked out (its date is the source's, not an event's)."""
        line = self.doc.dateline
        if line and sentence.start <= line.start < sentence.end:
            cut = line.end - sentence.start
            return " " * cut + sentence.text[cut:]
        return sentence.text

    def date_and_place(self, event: Event, sentence, position: int) -> None:  # noqa: ANN001
        date, basis, _ = date_in(self.undated_text(sentence), self.doc.date)
        main = not event.background and not event.planned and \
            not any(not e.background and not e.planned for e in self.events)
        if date is not None:
            event.date, event.date_basis = date, basis
        elif partial := PARTIAL_DATE.search(self.undated_text(sentence)) or VAGUE_TIME.search(sentence.text):
            event.notes.append(f"the text gives only '{partial.group(partial.lastindex or 0)}': no day, so no date is "
                               "proposed")
        elif (same := DAY_FROM_EVENT.search(sentence.text)) and (dated := self.dated_before(event)) is not None:
            shift = {"before": -1, "previous": -1, "following": 1, "next": 1, "same": 0,
                     "that": 0}[same.group(same.lastindex).lower()]
            if shift == 0 or dated.date_basis == "dip:DateFromDateline":
                event.date = dated.date + dt.timedelta(days=shift)
                event.date_basis = "dip:DayRelativeToDateline" if shift else dated.date_basis
                event.notes.append(f"'{same.group()}' is read against the date of the event told before it")
            else:
                event.notes.append(f"'{same.group()}' is a day from an event the text dates itself: no basis fits, "
                                   "so no date is proposed")
        elif (weekday := ON_WEEKDAY.search(self.undated_text(sentence))) and self.doc.date and not event.background:
            self.weekday_date(event, weekday.group(1))
        elif (relative := RELATIVE_DAY.search(sentence.text)) and not event.background:
            word = relative.group(1).lower()
            if self.doc.date:
                shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(word, 0)
                event.date = self.doc.date + dt.timedelta(days=shift)
                event.date_basis = "dip:DayRelativeToDateline" if shift else "dip:DateFromDateline"
                event.notes.append(f"'{word}' is read against the date of the dateline")
            else:
                event.notes.append("the text says 'today' but prints no dateline: the date is not stated")
        elif main and self.doc.date and not event.background:
            event.date, event.date_basis = self.doc.date, "dip:DateFromDateline"
            event.notes.append("the text gives no date for this event; the date is the dateline's")
        purpose = PURPOSE.search(sentence.text, position - sentence.start)  # '… to review … in the United States'
        places = [m for m in (self.matchers.org_place.finditer(sentence.text) if self.matchers.org_place else [])
                  if re.search(r"\b(?:in|at|to)\s+(?:the\s+)?$", sentence.text[:m.start()])
                  and sentence.start + m.start() > position and (purpose is None or m.start() < purpose.start())
                  and not re.match(r" [A-Z]", sentence.text[m.end():])]  # 'Mexico' of 'Mexico City' is not the place
        for match in places:
            link = match_label(match.group(), self.gazetteer.of_kind("place"))
            if link:
                event.location = link.iri
                event.location_span = (sentence.start + match.start(), sentence.start + match.end())
                return
        if main and self.doc.dateline and self.doc.dateline.place and not event.background:
            place = self.dateline_place()
            event.location, event.location_span = place, (self.doc.dateline.start, self.doc.dateline.end)

    def weekday_date(self, event: Event, weekday: str) -> None:
        """'arrived on Sunday' under a Monday dateline: the day before (the last such day, or the next for a plan);
        a weekday more than one day from the dateline fits no basis, so it is noted, not dated."""
        gap = (WEEKDAYS.index(weekday.lower()) - self.doc.date.weekday()) % 7
        shift = (gap if event.planned else gap - 7) if gap else 0
        if abs(shift) <= 1:
            event.date = self.doc.date + dt.timedelta(days=shift)
            event.date_basis = "dip:DayRelativeToDateline" if shift else "dip:DateFromDateline"
            event.notes.append(f"'on {weekday}' is read against the weekday of the dateline")
        else:
            event.notes.append(f"'on {weekday}' is {abs(shift)} days from the dateline: no basis fits, so no date is "
                               "proposed")

    def dated_before(self, event: Event) -> Event | None:
        """The latest event told before `event` that happened and has a date ('the day before' counts from it)."""
        return next((e for e in reversed(self.events) if e is not event and e.date and not e.background
                     and not e.planned), None)

    def dateline_place(self) -> str:
        """The place a dateline prints: a known place, a country, or a new place IRI."""
        printed = self.doc.dateline.place or ""
        link = match_label(printed, self.gazetteer.of_kind("place"))
        if link:
            return link.iri
        country = DEMONYMS.get(fold(printed))
        short = {e.iri for e in self.gazetteer.of_kind("place") for label in e.labels
                 if "," in label and fold(label.split(",")[0]) == fold(printed)}  # 'WASHINGTON' for 'Washington, DC'
        return PLACE + country if country else short.pop() if len(short) == 1 else PLACE + slugify(printed)

    def sentence_event(self, index: int, context: Event | None, near: int | None = None) -> Event | None:
        events = [e for e in self.sentence_events.get(index, []) if not e.series]
        if near is not None and events:
            before = [e for e in events if e.span[0] <= near and e.sentence == index] or \
                     [e for e in events if e.span[0] <= near]
            if before:
                return before[-1]
        main = [e for e in events if not e.background and not e.planned]
        return main[0] if main else (context if not events else events[0])

    # ================================================================ delegations
    def delegation(self, country: str, span: tuple[int, int] | None) -> Delegation:
        iri = f"deleg:{self.abbr}-{country.rsplit('/', 1)[-1]}"
        delegation = self.delegations.setdefault(country, Delegation(iri, country))
        if span and span not in delegation.spans:
            delegation.spans.append(span)
        return delegation

    def at(self, delegation: Delegation, event: Event | None) -> None:
        if event is not None and event.key not in delegation.events:
            delegation.events.append(event.key)

    def delegations_of(self, index: int, context: Event | None) -> None:
        sentence = self.doc.sentences[index]
        if self.in_quote(sentence.start):
            return
        for match in DELEGATION.finditer(sentence.text):
            span = (sentence.start + match.start(), sentence.start + match.end())
            countries = []
            if match.group("adj"):
                country = country_in(match.group("adj"))
                countries = [country] if country else []
            if match.group("countries") or match.group("list"):  # 'of officials from X', 'the delegations of X and Y'
                countries += countries_named(match.group("countries") or match.group("list"))
            if not self.sentence_events.get(index) or COMPOSITION.search(sentence.text):
                continue
            event = self.sentence_event(index, context, near=span[0])
            for country in dict.fromkeys(countries):
                self.at(self.delegation(country, (sentence.start, sentence.end)), event)

    def in_quote(self, position: int) -> bool:
        return any(q.start <= position < q.end for q in self.quotes)

    # ================================================================ participations
    def participate(self, person: str, event: Event | None, capacity: str, delegation: Delegation | None,
                    spans: list[tuple[int, int]], why: str, note: str | None = None) -> None:
        if event is None:
            self.draft.unplaced.append(f"{self.person(person).name}: {why}, but no event to place the participation in")
            return
        if event.planned:  # who-met-whom would answer a plan as a meeting; who agreed to it is the commitment's
            self.draft.unplaced.append(f"{self.person(person).name}: {why}, in a planned event (not proposed: "
                                       "a plan is not a participation)")
            return
        key = (person, event.key)
        existing = self.participations.get(key)
        if existing is None:
            self.participations[key] = Participation(person, event.key, capacity, delegation.iri if delegation else None,
                                                     list(spans), why, [note] if note else [])
            self.event_participations.setdefault(event.key, []).append(self.participations[key])
        else:
            if capacity == "head":
                existing.capacity = "head"
            existing.delegation = existing.delegation or (delegation.iri if delegation else None)
            existing.spans += [s for s in spans if s not in existing.spans]

    def participation_of(self, index: int, context: Event | None) -> None:
        sentence = self.doc.sentences[index]
        text = sentence.text
        if "“" in text[:2] or SPEECH_START.match(text):
            return
        here = self.sentence_event(index, context)
        evidence = (sentence.start, sentence.end)
        side = FOR_SIDE.match(text)
        side_country = country_in(side.group("country") or side.group("side")) if side else None

        def own(mention: Mention) -> tuple[int, int]:
            return mention.span

        if match := COMPOSITION.search(text):
            named = [m for m in DELEGATION.finditer(text[:match.start()])]
            country = country_in(named[-1].group("adj")) if named and named[-1].group("adj") else None
            if named and country is None and (only := self.only_delegation()):  # 'The delegation was made up of'
                country = only.country
            if country:
                delegation = self.delegation(country, evidence)
                delegation.composed = match.group() != "included"  # 'was made up of' lists everyone; 'included' not
                if headed := HEADS.search(text, 0, match.start()):  # 'was headed by X and was made up of Y'
                    for mention in self.in_sentence(index, sentence.start + headed.end(), sentence.start + match.start()):
                        if mention.person not in delegation.heads:
                            delegation.heads.append(mention.person)
                for mention in self.in_sentence(index, sentence.start + match.end()):
                    delegation.members.setdefault(mention.person, []).extend([evidence, own(mention)])
                if not delegation.events and context:
                    self.at(delegation, context)
                self.composition_event = next((e for e in self.events if e.key in delegation.events), context)
                return
        self_composition, self.composition_event = self.composition_event, None
        if match := HEADS.search(text):
            company = ACCOMPANIED.search(text, match.end())  # 'headed by X, who was accompanied by Y and Z'
            verb = HEADS_END.search(text, match.end())  # 'headed by X, met with Y'
            ends = [m.start() for m in (company, verb) if m is not None]
            heads = self.in_sentence(index, sentence.start + match.end(), sentence.start + min(ends) if ends else None)
            delegation = None
            respective = countries_named(text[:match.start()]) if "respectively" in match.group() else []
            for number, mention in enumerate(heads):  # 'The Mexican delegation was headed by X, and the US delegation
                person = self.person(mention.person)  # by Y': each its own; 'of A and B, headed respectively by X; Y'
                named = [m for m in DELEGATION.finditer(text[:mention.span[0] - sentence.start])]
                country = (respective[number] if len(respective) == len(heads) else None) or side_country \
                    or (country_in(named[-1].group("adj")) if named and named[-1].group("adj") else None) \
                    or person.country or self.headless_delegation(here, heads, mention) or self.headline_delegation()
                if country is None:
                    self.draft.unplaced.append(f"{person.name}: heads a delegation whose country the text does not say")
                    continue
                delegation = self.delegation(country, evidence)
                self.at(delegation, here)
                if mention.person not in delegation.heads:
                    delegation.heads.append(mention.person)
                self.participate(mention.person, here, "head", delegation, [evidence],
                                 f"rule 'headed by': head of the {country.rsplit('/', 1)[-1]} delegation")
            for mention in self.in_sentence(index, sentence.start + company.end()) if company and delegation else []:
                delegation.members.setdefault(mention.person, []).extend([evidence, own(mention)])
            if not (verb and WITH.search(text, verb.start())) and not WITH.search(text, 0, match.start()):
                return  # else 'a delegation headed by X met with Y' or 'Z held a meeting with a delegation headed by X'
        if match := ACCOMPANIED.search(text):
            subjects = [m.person for m in self.in_sentence(index, sentence.start, sentence.start + match.start())] \
                or [person for start, _, person in self.title_mentions  # 'The Ambassador-designate was accompanied'
                    if sentence.start <= start < sentence.start + match.start()]
            delegation = None
            if side_country:
                delegation = self.delegation(side_country, evidence)
            elif subjects and self.person(subjects[-1]).country:
                delegation = self.delegation(self.person(subjects[-1]).country, evidence)
            if delegation is not None:
                self.at(delegation, here)
            for person in subjects:
                if delegation is not None and person not in delegation.heads:
                    delegation.heads.append(person)
                self.participate(person, here, "head" if delegation else "attendee", delegation, [evidence],
                                 "rule 'X was accompanied by': X heads the delegation")
            for mention in self.in_sentence(index, sentence.start + match.end()):
                self.participate(mention.person, here, "member", delegation, [evidence, own(mention)],
                                 "rule 'was accompanied by': member of the delegation of the person accompanied")
            return
        if match := ATTENDED.search(text):
            by = "by" in match.group() or match.group().startswith("on the ") \
                or text[match.end():].startswith((" by ", ":"))  # 'The following officials also took part: A, B'
            people = self.in_sentence(index, sentence.start + match.end()) if by else \
                self.in_sentence(index, sentence.start, sentence.start + match.start())
            referenced = [e for e in self.sentence_events.get(index, []) if not e.background and not e.planned]
            event = referenced[0] if referenced else (self_composition or context)
            if by and (received := RECEIVED.search(text, 0, match.start())):  # 'X received Y …, in a meeting also
                for mention in self.in_sentence(index, sentence.start, sentence.start + match.start()):  # attended by Z'
                    side = "host" if mention.start < sentence.start + received.start() else "guest"
                    self.participate(mention.person, event, "attendee", None, [evidence, own(mention)],
                                     f"rule 'X {received.group()} Y': {side}")
            for mention in people:
                person = self.person(mention.person)
                delegation = self.delegations.get(person.country) if person.country else None
                if delegation is not None and (delegation.composed or event.key not in delegation.events):
                    delegation = None
                note = (f"delegation inferred from the country of the post ({person.country.rsplit('/', 1)[-1]})"
                        if delegation else None)
                self.participate(mention.person, event, "member" if delegation else "attendee", delegation,
                                 [evidence, own(mention)], f"rule '{match.group()}'", note)
            return
        if (match := PRESENCE.search(text)) and here is not None:
            for mention in self.in_sentence(index, sentence.start + match.end()):
                self.participate(mention.person, here, "attendee", None, [evidence, own(mention)],
                                 f"rule '{match.group()}'")
        events = [e for e in self.sentence_events.get(index, []) if not e.series]
        for event in events:
            if event.family == "call" and (match := BETWEEN.search(text, event.span[1] - sentence.start)):
                for mention in self.in_sentence(index, sentence.start + match.end()):
                    self.participate(mention.person, event, "caller", None, [evidence], "rule 'a call between'")
        if (match := ARRIVED.search(text)) and (visit := next((e for e in events if e.family == "visit"), None)):
            for mention in self.in_sentence(index, sentence.start, sentence.start + match.start()):
                self.participate(mention.person, visit, "visitor", None, [evidence], "rule 'X arrived … for a visit'")
        if match := VISITED.search(text):
            event = next((e for e in events if e.trigger == "visited"), here)
            for mention in self.in_sentence(index, sentence.start, sentence.start + match.start()):
                self.participate(mention.person, event, "visitor", None, [evidence], "rule 'X visited'")
            after = text[match.end():]
            for org in self.matchers.org_place.finditer(after) if self.matchers.org_place else []:
                link = match_label(org.group(), self.gazetteer.of_kind("org"))
                if link and event:
                    self.visited[event.key] = link.iri
                break
        if (match := RECEIVED.search(text)) and (fresh := [e for e in events if e.sentence == index]):
            for mention in self.in_sentence(index):
                side = "host" if mention.start < sentence.start + match.start() else "guest"
                self.participate(mention.person, fresh[0], "attendee", None, [evidence, own(mention)],
                                 f"rule 'X {match.group()} Y': {side}")
        for mention in self.in_sentence(index):
            following = self.text[mention.end:mention.end + 10]
            if re.match(r"[’']s?\s+(?:\S+\s+)?visit", following):
                event = next((e for e in events if e.family == "visit" and e.span[0] > mention.end), None)
                if event:
                    self.participate(mention.person, event, "visitor", None, [evidence], "rule 'X’s visit'")
        withs = [m for m in WITH.finditer(text) if any(e.span[0] - sentence.start <= m.start() for e in events)]
        fresh = [e for e in events if e.sentence == index and not e.background and not e.series]
        acted = fresh and re.search(r"\b(?:held|had|hold|holds|met|meet|spoke|talked|signed)\b",
                                    text[:fresh[0].span[1] - sentence.start])
        if not withs and acted:
            for mention in self.in_sentence(index, sentence.start, fresh[0].span[0]):
                capacity = "caller" if fresh[0].family == "call" else "attendee"
                self.participate(mention.person, fresh[0], capacity, None, [evidence, own(mention)],
                                 f"rule 'X held a {fresh[0].trigger}': X")
        if withs and events:
            trigger = withs[0]
            event = next(e for e in reversed(events) if e.span[0] - sentence.start <= trigger.start())
            if event.family == "call" and self.participations_of(event):
                return
            subject_text = text[:trigger.start()]
            subject_delegations = [m for m in DELEGATION.finditer(subject_text) if m.group("adj")]
            subjects = self.in_sentence(index, sentence.start, sentence.start + trigger.start())
            for found in subject_delegations:
                country = country_in(found.group("adj"))
                if country:
                    self.at(self.delegation(country, evidence), event)
            if not subject_delegations and re.search(r"\bthe delegation\b", subject_text, re.I) \
                    and (only := self.only_delegation()):  # 'On 15 March, the delegation met with Y'
                subject_delegations = [None]
                self.at(only, event)
            call = event.family == "call"
            met = any(m.group("adj") for m in DELEGATION.finditer(text, trigger.end()))  # 'with a US delegation'
            for mention in subjects:
                self.participate(mention.person, event, "caller" if call else "interlocutor" if met else "attendee",
                                 None, [evidence, own(mention)], f"rule 'X held a {event.trigger} with Y': X"
                                 + (" (meets a delegation)" if met else ""))
            capacity = "caller" if call else "interlocutor" if subject_delegations else "attendee"
            for mention in self.in_sentence(index, sentence.start + trigger.end()):
                self.participate(mention.person, event, capacity, None, [evidence, own(mention)],
                                 f"rule '{event.trigger} with Y': Y" + (" (met by a delegation)" if subject_delegations
                                                                        else ""))

    def participations_of(self, event: Event) -> list[Participation]:
        return list(self.event_participations.get(event.key, ()))

    def delegation_participations(self) -> None:
        by_key = {e.key: e for e in self.events}
        for delegation in self.delegations.values():
            for person in delegation.heads:
                for key in delegation.events:
                    self.participate(person, by_key[key], "head", delegation, delegation.spans[:1],
                                     "rule 'headed by': head of the delegation at each of its events")
            for person, spans in delegation.members.items():
                for key in delegation.events:
                    event = by_key[key]
                    self.participate(person, event, "member", delegation, [*spans, delegation.spans[0]],
                                     "rule 'the delegation was made up of': member of the delegation at each of its events")

    def only_delegation(self) -> Delegation | None:
        """The one delegation the text has told of so far ('the delegation'), if there is exactly one."""
        return next(iter(self.delegations.values())) if len(self.delegations) == 1 else None

    def headline_delegation(self) -> str | None:
        """The country of the one delegation a headline names ('MEXICAN LABOUR DELEGATION CONCLUDES …')."""
        headline = self.text[:self.doc.dateline.start] if self.doc.dateline else ""
        named = {country_in(m.group(1)) for m in re.finditer(r"\b([\w.]+)(?: [\w.]+)? delegation\b", headline, re.I)}
        named.discard(None)
        return named.pop() if len(named) == 1 else None

    def headless_delegation(self, event: Event | None, heads: list[Mention], mention: Mention) -> str | None:
        """'The delegations were headed by A and B' where B's country is known: A heads the one delegation at the
        event that none of the others heads."""
        at = [d for d in self.delegations.values() if event is not None and event.key in d.events]
        known = {self.person(m.person).country for m in heads if m is not mention}
        left = [d.country for d in at if d.country not in known and not d.heads]
        return left[0] if len(at) == len(heads) and len(left) == 1 else None

    def settle_outsiders(self) -> None:
        """At an event with delegations, someone the text puts in none is a member of their country's delegation
        there (unless the text lists that delegation in full), else the delegations' interlocutor: the shapes let
        no one else stand outside every delegation."""
        for participation in self.participations.values():
            at = {d.country: d for d in self.delegations.values() if participation.event in d.events}
            if participation.delegation or not at or participation.capacity == "interlocutor":
                continue
            country = self.person(participation.person).country
            if country is None or (country in at and at[country].composed):
                continue  # no country known, or a delegation the text lists in full without them: for the reviewer
            if country in at:
                participation.delegation = at[country].iri
                participation.capacity = "head" if participation.person in at[country].heads else "member"
                participation.notes.append(f"delegation inferred from the country of the person's post "
                                           f"({country.rsplit('/', 1)[-1]})")
            else:
                participation.capacity = "interlocutor"
                participation.notes.append("the event has delegations and the text puts this person in none: read as "
                                           "their interlocutor")

    # ================================================================ statements
    def statements(self) -> None:
        self.quotes = find_quotes(self.text, self.doc.paragraphs)
        self.statement_nodes: list[dict] = []
        for quote in self.quotes:
            self.quotation(quote)
        for index, sentence in enumerate(self.doc.sentences):
            if any(q.start <= sentence.start < q.end or sentence.start <= q.start < sentence.end for q in self.quotes):
                continue
            according = ACCORDING.search(sentence.text)
            if according:
                who = [m for m in self.in_sentence(index, sentence.start + according.start("who"),
                                                   sentence.start + according.end("who"))]
                if who:
                    self.statement_nodes.append(dict(
                        kind="reported", span=(sentence.start, sentence.end), words=(sentence.start, sentence.end),
                        speakers=[who[0].person], printed=according.group("who"), caption=None, index=index, note=None,
                        rule="rule 'according to X'"))
                    continue
            verb = SPEECH.search(sentence.text)
            if verb is None or self.welcomes_a_guest(index, verb.end()) or OUTCOME.search(sentence.text[:verb.start()]):
                continue  # 'Both governments agreed on … to more states' narrates an outcome (a situation)
            subject_text = sentence.text[:verb.start()]
            speakers, printed, note = self.subject(index, sentence.start, sentence.start + verb.start(), subject_text)
            if speakers is None:
                continue
            self.statement_nodes.append(dict(kind="reported", span=(sentence.start, sentence.end),
                                             words=(sentence.start, sentence.end), speakers=speakers, printed=printed,
                                             caption=None, index=index, note=note, rule=f"rule 'X {verb.group()}'"))

    def welcomes_a_guest(self, index: int, verb_end: int) -> bool:
        """'X welcomed Secretary Y to the Palace' receives a guest; 'X welcomed the agreement' is a statement."""
        sentence = self.doc.sentences[index]
        if not sentence.text[:verb_end].endswith("welcomed"):
            return False
        guests = self.in_sentence(index, sentence.start + verb_end)
        if not guests:
            return False
        between = self.text[sentence.start + verb_end:guests[0].span[0]].split()
        return all(word[:1].isupper() or word in ("of", "the", "for", "and", "de", "del") for word in between) \
            and not re.match(r"[’']s\b", self.text[guests[0].end:])

    def subject(self, index: int, start: int, end: int, subject_text: str) -> tuple[list[str] | None, str | None, str | None]:
        """Who the subject of a speech verb is: people, a delegation, the holder of a title, or the officials the
        previous sentence names as actors. None when the subject is not someone who speaks."""
        mentions = self.in_sentence(index, start, end)
        headed = HEADS.search(subject_text)
        if headed:
            delegations = {d.iri for d in self.delegations.values() for m in mentions if m.person in d.heads}
            return sorted(delegations), subject_text.strip(" ,"), "the teams headed by the people named"
        if mentions:
            first = mentions[0]
            return [first.person], self.text[first.span[0]:first.end], None
        titles = [t for t in self.title_mentions if start <= t[0] < end]
        if titles:
            article = self.text[titles[0][0] - 4:titles[0][0]] in ("The ", "the ")  # 'During the call, the Secretary'
            return [titles[0][2]], self.text[titles[0][0] - 4 * article:titles[0][1]], None
        named = [m for m in DELEGATION.finditer(subject_text) if m.group("adj") and country_in(m.group("adj"))]
        if named:
            country = country_in(named[-1].group("adj"))
            if country in self.delegations:
                return [self.delegations[country].iri], named[-1].group().strip(), None
        group = GROUP_SUBJECT.search(subject_text)
        if group:
            actors = self.actors_before(index)
            if not actors and re.search(r"\b(?:both|two)\b", group.group(), re.I):
                actors = self.pair(index)
            printed = group.group().split(",")[-1].strip()
            if actors:
                return actors, printed, f"'{printed}' read as the people the previous sentence names as its actors"
            self.draft.unplaced.append(f"a statement by '{printed}' (sentence {index + 1}): the text does not say "
                                       "which officials")
            return [], printed, f"'{printed}': the text does not say which officials, so no speaker is proposed"
        if PRONOUN.fullmatch(subject_text.strip()) and (someone := self.antecedent(start)):
            pronoun = subject_text.strip()
            return [someone], pronoun, f"'{pronoun}' read as {shorten(someone)}, the person named just before"
        bare = subject_text.strip(" ,")
        if re.fullmatch(r"[Tt]he [A-Z][\w-]*(?: [A-Z][\w-]*)*", bare) and has_title_head(bare):
            self.draft.unplaced.append(f"a statement by '{bare}' (sentence {index + 1}): the title fits no one person "
                                       "of the text")
            return [], bare, f"'{bare}' fits no one person of the text (two hold that title, or none): no speaker is " \
                "proposed"
        return None, None, None

    def antecedent(self, position: int) -> str | None:
        """The person 'he' or 'she' at `position` stands for: the last one named (or named by a title) before it."""
        named = [(m.end, m.person) for m in self.mentions if m.person and m.embedded_in is None and m.end <= position]
        named += [(end, person) for _, end, person in self.title_mentions if end <= position]
        return max(named)[1] if named else None

    def actors_before(self, index: int) -> list[str]:
        """The people named in the latest earlier sentence of the paragraph that has them act (held, met, visited)."""
        for earlier in range(index - 1, -1, -1):
            previous = self.doc.sentences[earlier]
            if previous.paragraph != self.doc.sentences[index].paragraph:
                return []
            if re.search(r"\b(?:held|met|visited|signed|spoke)\b", previous.text):
                return list(dict.fromkeys(m.person for m in self.in_sentence(earlier)))
        return []

    def pair(self, index: int) -> list[str]:
        """'Both officials': the two heads or callers of the latest event, when there are exactly two."""
        events = [e for e in self.events if e.sentence <= index and not e.background and not e.planned]
        if not events:
            return []
        for capacities in (("caller", "head"), ("caller", "head", "attendee", "interlocutor", "visitor")):
            pair = [p.person for p in self.participations_of(events[-1]) if p.capacity in capacities]
            if len(pair) == 2:
                return pair
        return []

    def quotation(self, quote) -> None:  # noqa: ANN001
        words = self.text[quote.words[0]:quote.words[1]]
        caption_text = self.text[quote.caption[0]:quote.caption[1]] if quote.caption else None
        caption_entity = None
        if quote.caption:
            people = [m for m in self.mentions if m.person and quote.caption[0] <= m.start < quote.caption[1]]
            titles = [t for t in self.title_mentions if quote.caption[0] <= t[0] < quote.caption[1]]
            link = match_label(caption_text, self.gazetteer.of_kind("org"))
            caption_entity = people[0].person if people else titles[0][2] if titles else link.iri if link else None
            if caption_entity is None:  # '… said Mexico’s top diplomat' after 'Mexico’s top diplomat, Marcelo Ebrard,'
                named = {m.person for m in self.mentions if m.person and caption_text
                         and self.text.endswith(f"{caption_text}, ", 0, m.start)}
                caption_entity = named.pop() if len(named) == 1 else None
        third = third_person_subject(words)
        speakers, printed, note = None, caption_text, None
        if caption_text and PRONOUN.fullmatch(caption_text) and (someone := self.antecedent(quote.start)):
            speakers = [someone]  # '“…,” he said': printed as 'he'
            note = f"'{caption_text}' read as {shorten(someone)}, the person named just before"
        kind = "quotation"
        if third is not None:
            subject = self.subject(self.sentence_index(quote.words[0]), quote.words[0], quote.words[0] + third.start(),
                                   words[:third.start()])
            if subject[0]:
                speakers = subject[0]
                kind = "reported"
                note = (f"the words in quotation marks report {subject[1]!r} in the third person: the speaker is the "
                        "subject of the reported words, not the printed caption")
        if speakers is None and caption_entity:
            speakers = [caption_entity]
        if speakers is None and quote.before:
            before_text = self.text[quote.before[0]:quote.before[1]]
            words_of = WORDS_OF.search(before_text)  # 'In the words of Foreign Minister Ebrard, “…”'
            verb = SPEECH.search(before_text)
            start = quote.before[0] + words_of.start("who") if words_of else quote.before[0]
            end = quote.before[0] + (words_of.end("who") if words_of else verb.start() if verb else len(before_text))
            subject = self.subject(self.sentence_index(start), start, end, self.text[start:end])
            if words_of or verb or before_text.rstrip().endswith(":") or subject[2] is not None:
                speakers, printed, note = subject[0] or [], subject[1], subject[2]
            else:
                note = "a name stands before the quotation, but no verb says that this person spoke: no speaker proposed"
        if not speakers:
            self.draft.unplaced.append(f"the quotation “{words[:60]}…” has no clear speaker")
            speakers = []
        span = (min(quote.before[0] if quote.before else quote.start, quote.start),
                max(quote.caption[1] if quote.caption else quote.end, quote.end))  # '“A,” said X, “b.”': the whole
        self.statement_nodes.append(dict(kind=kind, span=span, words=quote.words, speakers=speakers, printed=printed,
                                         caption=caption_entity if caption_entity not in speakers else None,
                                         index=self.sentence_index(quote.words[0]), note=note, quote_notes=quote.notes,
                                         rule="rule 'quotation with its printed attribution'"))

    def situations(self) -> None:
        """Commitments, positions, proposals and agreements, each with the parties the text names."""
        self.found_situations: list[Situation] = []
        self.found_agreements: list[tuple[str, tuple[int, int], Event | None]] = []
        speakers = {found["index"]: found["speakers"] for found in self.statement_nodes}
        for index, sentence in enumerate(self.doc.sentences):
            for situation in situations_in(sentence.text, sentence.start, index):
                clause = self.text[sentence.start:situation.verb]
                if DENIAL.search(clause):
                    self.draft.unplaced.append(f"'{situation.label}' ({situation.status}): denied in the text, so "
                                               "not proposed")
                    continue  # 'Ebrard denied that Mexico has agreed to act as …'
                reported = REPORTED_CLAUSE.search(clause)
                if countries := BOTH_COUNTRIES.search(clause):  # 'both countries will': those of the event's people
                    situation.parties = self.sides(index, HOW_MANY.get(countries.group(1).lower()))
                elif len(named_countries := countries_as_subject(clause)) >= 2:  # 'Mexico and the United States agreed'
                    situation.parties = named_countries
                if not situation.parties and reported:  # 'X said that both officials agreed to': the clause's subject
                    start = sentence.start + reported.end()
                    situation.parties = self.subject(index, start, situation.verb, self.text[start:situation.verb])[0] or []
                if not situation.parties:
                    named = list(dict.fromkeys(m.person for m in self.in_sentence(index, sentence.start, situation.verb)))
                    subject = self.subject(index, sentence.start, situation.verb, self.text[sentence.start:situation.verb])[0]
                    situation.parties = list(speakers.get(index, [])) or (named if len(named) > 1 else []) or subject \
                        or named  # 'Ebrard and Sherman agreed to': both
                if situation.status in ("dip:Committed", "dip:Agreed") and len(situation.parties) == 1 and \
                        re.search(r"\b(?:we|both|the two)\b", clause, re.I) and situation.parties[0] in self.pair(index):
                    situation.parties = self.pair(index)  # '“We agreed to …,” said Ebrard': both sides of the meeting
                earlier = self.doc.sentences[index - 1] if index else None
                if not situation.parties and earlier and earlier.paragraph == sentence.paragraph:
                    situation.parties = list(speakers.get(index - 1, []))
                if not situation.parties:
                    self.draft.unplaced.append(f"'{situation.label}' ({situation.status}): the text names no party")
                    continue
                self.found_situations.append(situation)
            for name, span in agreements_in(sentence.text, sentence.start):
                signing = next((e for e in self.sentence_events.get(index, []) if e.family == "signing"), None)
                self.found_agreements.append((name, span, signing))

    def sides(self, index: int, count: int | None) -> list[str]:
        """The countries of the people and delegations at the latest event held by this sentence: `count` of them
        ('the three countries'), or at least two ('all countries'); none otherwise."""
        events = [e for e in self.events if e.sentence <= index and not e.background and not e.planned]
        people = self.participations_of(events[-1]) if events else []
        countries = {c for c in (self.person(p.person).country for p in people) if c}
        countries |= {d.country for d in self.delegations.values() if events and events[-1].key in d.events}
        return sorted(countries) if len(countries) == (count or max(len(countries), 2)) else []

    def sentence_index(self, position: int) -> int:
        """The first sentence with start <= position <= end (else the last one)."""
        sentences = self.doc.sentences
        if self._sentence_bounds is None:  # sentences out of order: scan them
            return next((i for i, s in enumerate(sentences) if s.start <= position < s.end + 1), len(sentences) - 1)
        starts, ends = self._sentence_bounds
        first = bisect_left(ends, position)  # the first sentence whose end + 1 > position
        return first if first < len(sentences) and starts[first] <= position else len(sentences) - 1

    # ================================================================ nodes
    def emit(self) -> None:
        from diplokg.drafting.emit import Emitter

        Emitter(self).emit()


def draft_text(text: str, source: str, gazetteer: Gazetteer, abbreviation: str | None = None) -> Draft:
    """The draft of one source text (its stem names the source node and graph)."""
    document = Document(text, source)
    return Extractor(document, gazetteer, source, abbreviation or abbreviation_of(source, gazetteer)).run()


def draft_file(path: Path, gazetteer: Gazetteer, abbreviation: str | None = None) -> Draft:
    return draft_text(path.read_text(encoding="utf-8"), path.stem, gazetteer, abbreviation)

