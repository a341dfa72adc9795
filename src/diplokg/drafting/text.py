"""The text layer: paragraphs and sentences (spaCy's sentencizer), dateline and dates, quotations."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
DATE = rf"(?:{MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?(?:, ?\d{{4}})?|\d{{1,2}} (?:de )?{MONTH}(?:,? (?:de )?\d{{4}})?)"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]  # in date.weekday() order
WEEKDAY = rf"(?:{'|'.join(day.title() for day in WEEKDAYS)}),?\s+"
DATELINE = re.compile(
    r"^(?P<place>[A-ZÁÉÍÓÚÑ][\w .'’/-]*?[\wÁÉÍÓÚÑ.](?:,\s*[A-Z][A-Za-z.]{0,5})?)"
    rf"(?:\s*,\s*\(?|\s+\()(?:{WEEKDAY})?(?P<date>{DATE}|\d{{4}}-\d{{2}}-\d{{2}})\)?"  # 'PLACE, (date)', 'PLACE (date)'
    r"\s*(?:\.?\s*[-–—:]+|\.)",
)
INLINE_DATE = re.compile(rf"\b(?:(?P<next>next|last|on) )?(?P<date>{DATE})\b")


BULLET = re.compile(r"(?m)^\s*(?:[-•*·–—]|\d+[.)])\s+\S")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


@dataclass(frozen=True)
class Dateline:
    start: int
    end: int
    place: str | None  # None for a line that prints only the date, or two places ('Mexico City / Washington')
    date: dt.date | None


@cache
def pipeline():  # noqa: ANN201
    """spaCy's blank English pipeline with a rule-based sentencizer (no model is downloaded)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@cache
def date_parser():  # noqa: ANN201
    """dateparser, absolute dates only (no relative words, no network), English and Spanish month names."""
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en", "es"], settings={
        "PARSERS": ["absolute-time"], "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": ["day", "month"], "DATE_ORDER": "MDY"})


def parse_date(text: str, base: dt.date | None = None, direction: str | None = None) -> dt.date | None:
    """An absolute date; a date without a year takes it from `base` ("next" moves it after `base`, "last" before)."""
    parsed = date_parser().get_date_data(text).date_obj
    if parsed is None:
        return None
    value = parsed.date()
    if base is not None and not re.search(r"\d{4}", text):
        try:
            value = value.replace(year=base.year)
            if direction == "next" and value <= base:
                value = value.replace(year=base.year + 1)
            elif direction == "last" and value >= base:
                value = value.replace(year=base.year - 1)
        except ValueError:  # 29 February in a year without it
            return None
    return value


class Document:
    """A source text split into paragraphs and sentences, with its dateline."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.sentences: list[Sentence] = []
        self.paragraphs: list[tuple[int, int]] = []
        for match in re.finditer(r"[^\n]+", text):
            if match.group().strip() in ("", "–", "-", "—"):
                continue
            previous = self.paragraphs[-1] if self.paragraphs else None
            if previous and BULLET.match(match.group()) and (text[previous[0]:previous[1]].rstrip().endswith(":")
                                                            or BULLET.search(text[previous[0]:previous[1]])):
                self.paragraphs[-1] = (previous[0], match.end())
                continue
            self.paragraphs.append((match.start(), match.end()))
        nlp = pipeline()
        for index, (doc, (start, _)) in enumerate(zip(nlp.pipe(text[s:e] for s, e in self.paragraphs),
                                                      self.paragraphs, strict=True)):
            for sent in ([doc[:]] if BULLET.search(doc.text.split("\n", 1)[-1]) and "\n" in doc.text else doc.sents):
                stripped = sent.text.strip()
                if not stripped:
                    continue
                offset = start + sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
                self.sentences.append(Sentence(offset, offset + len(stripped), stripped, index))
        self.sentences = merge_short(self.sentences, text)
        self.dateline = find_dateline(text, self.paragraphs)

    @property
    def date(self) -> dt.date | None:
        return self.dateline.date if self.dateline else None


RUN_ON = re.compile(r"(?<=\b[A-Z]{2}) (?=(?:The|In|At|During|Both|They|He|She|It) [a-z])")


def merge_short(sentences: list[Sentence], text: str) -> list[Sentence]:
    """Join a fragment the sentencizer cut after an abbreviation ("D.", "Jr.") to its sentence; split a sentence
    run on after an acronym without a full stop ("in Washington DC The officials thanked")."""
    split: list[Sentence] = []
    for sentence in sentences:
        start = sentence.start
        for match in RUN_ON.finditer(sentence.text):
            cut = sentence.start + match.start()
            split.append(Sentence(start, cut, text[start:cut], sentence.paragraph))
            start = cut + 1
        split.append(Sentence(start, sentence.end, text[start:sentence.end], sentence.paragraph))
    for n, (sentence, following) in enumerate(pairwise(split)):  # 'Honduras. "We …': the mark opens the next one
        if sentence.text.endswith(' "') and following.start == sentence.end and following.paragraph == sentence.paragraph:
            split[n] = Sentence(sentence.start, sentence.end - 2, text[sentence.start:sentence.end - 2], sentence.paragraph)
            split[n + 1] = Sentence(sentence.end - 1, following.end, text[sentence.end - 1:following.end], following.paragraph)
    merged: list[Sentence] = []
    for sentence in split:
        previous = merged[-1] if merged else None
        if previous and previous.paragraph == sentence.paragraph and re.search(r"\b[A-Z][a-z]?\.$", previous.text):
            merged[-1] = Sentence(previous.start, sentence.end, text[previous.start:sentence.end], previous.paragraph)
        else:
            merged.append(sentence)
    return merged


DATE_LINE = re.compile(rf"(?:{WEEKDAY})?(?P<date>{MONTH} \d{{1,2}}, \d{{4}}|\d{{1,2}} {MONTH} \d{{4}})\.?\s*$")


def find_dateline(text: str, paragraphs: list[tuple[int, int]]) -> Dateline | None:
    """'PLACE, (Month D, YYYY).-' at the start of one of the first paragraphs, or, before the body, a line that
    prints only a full date (a readout's header: 'Readout / Office of the Spokesperson / November 3, 2021')."""
    for start, end in paragraphs[:3]:
        match = DATELINE.match(text[start:end])
        if match:
            raw = match.group("date")
            date = dt.date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else parse_date(raw)
            span_end = start + match.end("date") + (1 if text[start + match.end("date"):].startswith(")") else 0)
            place = match.group("place").strip()
            return Dateline(start, span_end, None if "/" in place else place, date)  # 'Mexico City / Washington'

    for start, end in paragraphs[1:6]:
        if match := DATE_LINE.match(text[start:end]):
            return Dateline(start + match.start("date"), start + match.end("date"), None, parse_date(match.group("date")))
    return None
