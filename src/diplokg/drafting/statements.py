"""Quotations and reported statements, with who actually spoke.

A quotation is the words between “ and ” (or from an unclosed “ to the paragraph's last sentence).
The speaker comes from the attribution: a caption after the words ("… ” Marcelo Ebrard"), or the
subject before them ("X said: “…”"); never from a name that merely stands nearby. When the quoted
words report a named subject in the third person ("“Foreign Minister Ebrard emphasized …"), that
subject is the speaker, the words are reported speech, and the caption is only what is printed.
Outside quotation marks, "X said / emphasized / thanked …" is reported speech by X; "X agreed / committed …"
narrates an outcome, which is a situation (`situations`), not a statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SPEECH_VERBS = ("said|says|stated|states|emphasized|emphasised|stressed|highlighted|underlined|underscored|noted|"
                "thanked|expressed|pointed out|announced|affirmed|reaffirmed|reiterated|added|indicated|explained|"
                "commented|advanced|presented|recognized|recognised|acknowledged|welcomed|proposed|"
                "urged|called for|insisted|assured|warned|declared|celebrated|congratulated|conveyed|shared|"
                "underlined|maintained|mentioned|told|asserted|confirmed|promised|pledged|recalled|reported|remarked|"
                "observed|wrote|put forward|suggested|denied|rejected|replied|responded")
PARTICLE = r"(?:(?:de|del|la|las|los|van|von|da|dos|di|du|le)\s+)*"  # 'said Ambassador de la Fuente'
SPEECH = re.compile(rf"\b(?:{SPEECH_VERBS})\b")
ACCORDING = re.compile(r"\bAccording to (?P<who>[^,]+),")
GROUP_SUBJECT = re.compile(r"^(?:.*?,\s*)?(?:the|both|the two)\s+(?:officials|participants|ministers|parties|leaders|"
                           r"sides|secretaries|representatives|authorities|countries|governments|nations|delegations)\b"
                           r"|^(?:they|both)\b", re.I)


@dataclass
class Quote:
    """Words printed in quotation marks, with the printed attribution around them."""

    start: int  # of the opening mark
    end: int  # after the closing mark, or after the words when unclosed
    words: tuple[int, int]
    caption: tuple[int, int] | None = None
    before: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)


def find_quotes(text: str, paragraphs: list[tuple[int, int]]) -> list[Quote]:
    """Every quotation of the text, paragraph by paragraph; a quotation left open at the end of a paragraph whose
    next paragraph opens with “ goes on there (the typographic convention for a quotation of several paragraphs)."""
    quotes = []
    resume = 0
    for number, (p_start, p_end) in enumerate(paragraphs):
        position = max(p_start, resume)
        while True:
            curly = text.find("“", position, p_end)
            straight = next((m.start() for m in re.finditer(r'(?:^|(?<=[\s(]))"(?=\S)', text[position:p_end])), -1)
            straight = straight + position if straight >= 0 else -1
            opening = min(o for o in (curly, straight, p_end + 1) if o >= 0)
            if opening > p_end:
                break
            closing = text.find("”" if text[opening] == "“" else '"', opening + 1, p_end)
            following = paragraphs[number + 1] if number + 1 < len(paragraphs) else None
            if closing < 0 and text[opening] == "“" and following and text.startswith("“", following[0]) \
                    and re.search(r"[.!?]$", text[opening:p_end].rstrip()) \
                    and (end := text.find("”", following[0] + 1, following[1])) >= 0:
                quote = closed_quote(text, opening, end, following[1])
                quote.notes.append("the quotation runs over two paragraphs: the first is left open and the second "
                                   "opens with “ again")
                quotes.append(quote)
                resume = end + 1
                break
            if closing >= 0 and re.fullmatch(r"[A-Z][\w’'-]*", text[opening + 1:closing]) \
                    and re.search(r"[A-Za-z] $", text[p_start:opening]) and re.match(r" [A-Z]", text[closing + 1:]):
                position = closing + 1  # 'Margaret “Peggy” Hollister': a nickname, not a quotation
                continue
            if closing >= 0:
                quote = closed_quote(text, opening, closing, p_end)
                position = closing + 1
                if quote.caption is None and not text[closing + 1:p_end].strip() and following \
                        and text[following[0]] in "—–":  # '“…”' then a line '— Name, Title'
                    start = following[0] + len(text[following[0]:following[1]]) - len(
                        text[following[0]:following[1]].lstrip("—– "))
                    quote.caption = (start, following[1] - (1 if text[following[1] - 1] == "." else 0))
                previous = quotes[-1] if quotes and quotes[-1].start >= p_start else None
                if previous and previous.caption and text[previous.caption[1]:opening].strip() == "," \
                        and quote.caption is None:  # '“A,” said X, “b.”': the second part, said by X as well
                    quote.caption = previous.caption
                    quote.notes.append("the second part of a quotation its attribution splits in two")
            else:
                body = text[opening + 1:p_end]
                ends = [m.end() for m in re.finditer(r"[.!?](?=\s+\S)", body)]
                caption = None
                words_end = p_end
                if ends:
                    tail = body[ends[-1]:].strip()
                    if len(tail.split()) <= 14 and not SPEECH.search(tail) and not re.search(r"[.!?]$", tail):
                        words_end = opening + 1 + ends[-1]
                        c_start = p_end - len(body[ends[-1]:].lstrip())
                        caption = (c_start, c_start + len(tail))
                quote = Quote(opening, words_end, _trim(text, (opening + 1, words_end)), caption,
                              notes=["the text opens this quotation with “ but never closes it; it is taken to end "
                                     "before the printed attribution"])
                position = p_end
            sentence_start = max(text.rfind(". ", p_start, opening) + 2, p_start) if text.rfind(". ", p_start, opening) >= 0 \
                else p_start
            if text[sentence_start:opening].strip():
                quote.before = (sentence_start, opening)
            quotes.append(quote)
    return quotes


def closed_quote(text: str, opening: int, closing: int, p_end: int) -> Quote:
    """The quotation from `opening` to its `closing` mark, with the caption printed after it up to `p_end`."""
    words = (opening + 1, closing)
    after = text[closing + 1:p_end]
    stripped = after.lstrip(" .,—–-")  # '” — Marcelo Ebrard'
    caption = None
    said = re.match(rf"(?:(?:{SPEECH_VERBS})\s+(?P<who>(?:the\s+)?[A-Z][\w’'.-]*(?:\s+{PARTICLE}[A-Z][\w’'.-]*)*)"
                    rf"|(?P<who2>(?:[Tt]he\s+)?[A-Z][^.,;]*?|he|she)\s+(?:{SPEECH_VERBS})\b)", stripped)
    c_start = p_end - len(stripped)
    if said:
        group = "who" if said.group("who") else "who2"
        caption = (c_start + said.start(group), c_start + said.end(group))
        more = re.match(r"(?:\s+[a-z][\w’'-]*){1,4}(?=\.?\s*$)", stripped[said.end(group):])
        if group == "who" and said.group(group).endswith(("’s", "'s")) and more:  # 'said Mexico’s top diplomat.'
            caption = (caption[0], caption[1] + more.end())
        who = said.group(group)
        if who.endswith(".") and who[-3:-1].isalpha() and who[-3:-1].islower():  # 'said Secretary Garduño.'
            caption = (caption[0], caption[1] - 1)
    elif stripped and not re.search(r"[.!?]\s+\S", stripped.rstrip(".")) and len(stripped.split()) <= 14 \
            and not re.match(r"[a-z]", stripped):
        caption = (c_start, c_start + len(stripped.rstrip(" .")))
    quote = Quote(opening, closing + 1, _trim(text, words), caption)
    if text[closing - 1] == " ":
        quote.notes.append("the text prints a space before the closing quotation mark")
    return quote


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """The words without the spaces around them nor the comma that joins them to the attribution ('…,” said X')."""
    start, end = span
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] in " ,":
        end -= 1
    return start, end


def third_person_subject(words: str) -> re.Match[str] | None:
    """The speech verb of words that report someone in the third person ('Foreign Minister Ebrard emphasized')."""
    first = re.split(r"(?<=[.!?])\s", words, maxsplit=1)[0]
    if re.match(r"\s*(?:I|We|Our|My|Us)\b", first):
        return None
    verb = SPEECH.search(first)
    if verb is None or verb.start() > 80:
        return None
    subject = first[:verb.start()]
    if not re.match(r"\s*(?:The\s+)?[A-Z]", subject) or re.search(r"\b(?:I|we|you)\b", subject):
        return None
    return verb
