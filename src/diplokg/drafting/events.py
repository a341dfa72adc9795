"""Events, delegations and who took part, found with spaCy's Matcher on each sentence.

An event word with 'a'/'an' (or a verb: 'met with', 'visited') opens a new event; with 'the' it
refers to the latest event of its kind (a new one when there is none). Events mentioned as
background ('as a follow-up to the signing') or planned ('for next September 9') do not become the
context that later sentences ('The meeting was also attended by') refer to.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache

from diplokg.drafting.text import INLINE_DATE, MONTH, Document, Sentence, parse_date, pipeline

# noun (lower case) -> (class, event type, family)
EVENT_NOUNS = {
    "lunch meeting": ("dip:Meeting", "etype:consult", "meeting"),
    "working lunch": ("dip:Meeting", "etype:consult", "meeting"),
    "working breakfast": ("dip:Meeting", "etype:consult", "meeting"),
    "working dinner": ("dip:Meeting", "etype:consult", "meeting"),
    "working meeting": ("dip:WorkingMeeting", "etype:consult", "meeting"),
    "bilateral meeting": ("dip:Meeting", "etype:consult", "meeting"),
    "virtual meeting": ("dip:Meeting", "etype:consult", "meeting"),
    "meeting": ("dip:Meeting", "etype:consult", "meeting"),
    "lunch": ("dip:Meeting", "etype:consult", "meeting"),
    "breakfast": ("dip:Meeting", "etype:consult", "meeting"),
    "dinner": ("dip:Meeting", "etype:consult", "meeting"),
    "talks": ("dip:Meeting", "etype:consult", "meeting"),
    "general assembly": ("dip:Meeting", "etype:consult", "assembly"),  # 'on the margins of the General Assembly of …'
    "videoconference": ("dip:Meeting", "etype:consult", "call"),
    "video conference": ("dip:Meeting", "etype:consult", "call"),
    "video call": ("dip:Meeting", "etype:consult", "call"),
    "telephone conversation": ("dip:PhoneCall", "etype:discuss-by-telephone", "call"),
    "telephone call": ("dip:PhoneCall", "etype:discuss-by-telephone", "call"),
    "phone call": ("dip:PhoneCall", "etype:discuss-by-telephone", "call"),
    "phone conversation": ("dip:PhoneCall", "etype:discuss-by-telephone", "call"),
    "call": ("dip:PhoneCall", "etype:discuss-by-telephone", "call"),
    "working visit": ("dip:WorkingVisit", "etype:make-a-visit", "visit"),
    "official visit": ("dip:Visit", "etype:make-a-visit", "visit"),
    "state visit": ("dip:Visit", "etype:make-a-visit", "visit"),
    "visit": ("dip:Visit", "etype:make-a-visit", "visit"),
    "tour": ("dip:Visit", "etype:make-a-visit", "visit"),
    "dialogue": ("dip:Dialogue", "etype:consult", "dialogue"),
    "signing": ("dip:Signing", "etype:sign-formal-agreement", "signing"),
}
EVENT_VERBS = {
    "met with": ("dip:Meeting", "etype:consult", "meeting"),
    "met": ("dip:Meeting", "etype:consult", "meeting"),
    "meet": ("dip:Meeting", "etype:consult", "meeting"),
    "reconvene": ("dip:Meeting", "etype:consult", "meeting"),  # 'agreed to reconvene in Mexico City on April 5'
    "visited": ("dip:Visit", "etype:make-a-visit", "visit"),
    "traveled to": ("dip:Visit", "etype:make-a-visit", "visit"),
    "travelled to": ("dip:Visit", "etype:make-a-visit", "visit"),
    "spoke by telephone": ("dip:PhoneCall", "etype:discuss-by-telephone", "call"),
    "spoke by phone": ("dip:PhoneCall", "etype:discuss-by-telephone", "call"),
    # a readout's 'X spoke today with Y', a call only where the text calls it one ('Also on the call were …')
    "spoke with": ("dip:PhoneCall", "etype:discuss-by-telephone", "call"),
    "spoke today with": ("dip:PhoneCall", "etype:discuss-by-telephone", "call"),
    "spoke yesterday with": ("dip:PhoneCall", "etype:discuss-by-telephone", "call"),
    "signed": ("dip:Signing", "etype:sign-formal-agreement", "signing"),
}
BACKGROUND = re.compile(r"(?:follow-up to|follow up to|framework of|following|since|ahead of|prior to|preparation for|"
                        r"margins of|sidelines of|"
                        r"relaunch of|anniversary of|result of|agreed at|announced at)\s+(?:the\s+|a\s+)?(?:\S+\s+){0,3}$",
                        re.I)
FUTURE = re.compile(r"\b(?:will|next|upcoming|planned|scheduled|to be held|would hold|intend to hold)\b", re.I)
# words right before an event word that make it one still to come ('agreed to meet again', 'plan to hold a meeting')
PLANNED_BEFORE = re.compile(r"\b(?:(?:agreed|agree|decided|plans?|planned|intends?|intended|expects?|expected|hopes?|"
                            r"hoped|undertook|committed|promised|pledged|are due|is due)\s+to|will|would|shall)"
                            r"\s+(?:[\w-]+\s+){0,4}$", re.I)
VAGUE_TIME = re.compile(r"\b(?:(?:this|last|earlier this|later this) (?:week|month|year)|recently|in recent (?:days|weeks))\b",
                        re.I)
RELATIVE_DAY = re.compile(r"\b(today|yesterday|tomorrow|this morning|last night)\b", re.I)
PARTIAL_DATE = re.compile(rf"\b(?:in|for|during|by)\s+((?:(?:early|mid|late)[- ])?(?:{MONTH},?\s+)?\d{{4}})\b")
SERIES_HEADS = "Dialogue|Summit|Forum|Conference|Mechanism|Roundtable|Group"
SERIES_AGAIN = re.compile(rf"\bthe ({SERIES_HEADS})\b")  # 'the next meeting of the Dialogue': a series named before
SERIES = re.compile(rf"((?:[A-Z][\w’'-]*\s+){{1,5}}(?:{SERIES_HEADS}))"
                    r"(?:\s*\(([A-Z][A-Za-z]{1,9})\))?")


@dataclass
class Event:
    key: str
    cls: str
    etype: str
    family: str
    trigger: str
    sentence: int
    span: tuple[int, int]
    background: bool = False
    planned: bool = False
    date: dt.date | None = None
    date_basis: str = "dip:DateNotStated"
    evidence: list[tuple[int, int]] = field(default_factory=list)
    series: str | None = None
    series_acronym: str | None = None
    location: str | None = None
    location_span: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)
    parent: Event | None = None


@cache
def event_matcher():  # noqa: ANN201
    """spaCy Matcher rules for event words and verbs (lower-case token sequences)."""
    from spacy.matcher import Matcher

    nlp = pipeline()
    matcher = Matcher(nlp.vocab)
    for phrase in [*EVENT_NOUNS, *EVENT_VERBS]:
        matcher.add(phrase, [[{"LOWER": word} for word in phrase.split()]])
    return matcher


def event_words(document: Document, sentence: Sentence) -> list[tuple[int, int, str]]:
    """(start, end, phrase) of the longest event words and verbs of a sentence, in order."""
    nlp = pipeline()
    doc = nlp.make_doc(sentence.text)
    found = []
    for match_id, start, end in event_matcher()(doc):
        phrase = nlp.vocab.strings[match_id]
        span = doc[start:end]
        found.append((sentence.start + span.start_char, sentence.start + span.end_char, phrase))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    result: list[tuple[int, int, str]] = []
    for item in found:
        if result and item[0] < result[-1][1]:
            continue
        result.append(item)
    return result


DAY_RANGE = re.compile(rf"\bfrom (\d{{1,2}}) to \d{{1,2}} ({MONTH})(,? \d{{4}})?")


def date_in(text: str, base: dt.date | None) -> tuple[dt.date | None, str | None, tuple[int, int] | None]:
    """The first explicit date of a phrase: (date, basis, span); a yearless date takes the year of `base`."""
    match = INLINE_DATE.search(text)
    if not match:
        return None, None, None
    printed = match.group("date")
    if ranged := DAY_RANGE.search(text):  # 'from 14 to 16 March': the first day
        match, printed = ranged, f"{ranged.group(1)} {ranged.group(2)}{ranged.group(3) or ''}"
    has_year = re.search(r"\d{4}", printed)
    if not has_year and base is None:
        return None, None, None
    value = parse_date(printed, base, (match.groupdict().get("next") or "").lower() or None)
    if value is None:
        return None, None, None
    return value, "dip:DatePrinted" if has_year else "dip:YearFromSourceDate", match.span()
