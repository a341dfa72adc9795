"""Commitments, agreements on a view, stated positions, proposals, things discussed or not confirmed, and
named agreements.

Each is a dip:Situation whose status is the one the text states: 'committed to / agreed to' (dip:Committed,
each side a party), 'agreed on' a view or objective (dip:Agreed, each side a party), 'was in agreement with /
expressed its interest in' (dip:PositionStated), 'proposed' (dip:Proposed), 'would talk about / discussed'
(dip:Discussed), 'not (officially) confirmed' (dip:NotConfirmed). A named agreement ('Memorandum of
Understanding on …') is a dip:Agreement, tied to the signing event that signed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATUSES = [
    ("dip:NotConfirmed", re.compile(r"\bnot (?:been )?(?:officially )?confirmed\b")),
    ("dip:Committed", re.compile(r"\b(?:committed(?: to| a)?|agreed to|pledged to|undertook to|will (?:jointly )?"
                                 r"(?:work|seek|promote|strengthen))\b")),
    ("dip:Agreed", re.compile(r"\bagreed (?:on|that)\b")),
    ("dip:PositionStated", re.compile(r"\b(?:(?:was|were|is|are) in agreement with|expressed (?:its|his|her|their) "
                                      r"(?:interest|support|willingness) (?:in|for|to))\b")),
    ("dip:Proposed", re.compile(r"\b(?:proposed|suggested|(?:put forward|made|presented) a proposal)\b")),
    ("dip:Discussed", re.compile(r"\b(?:discussed|talked about|(?:would|will) talk about|reviewed)\b")),
]
OUTCOME = re.compile("|".join(pattern.pattern for status, pattern in STATUSES if status in ("dip:Committed", "dip:Agreed")))
THING_BEFORE = re.compile(r"\b(?:it|this|which|dialogue|meeting|mechanism|agreement|plan|initiative|program|"
                          r"programme|visit|forum|summit|cooperation|relationship)\s+$", re.I)
AGREEMENT = re.compile(r"\b(?:the |a |an )?(?P<name>(?:Memorandum of Understanding|Agreement|Treaty|Convention|"
                       r"Joint Declaration|Declaration|Protocol|Letter of Intent|Action Plan)"
                       r"(?: (?:on|for|between|of) [^,.;“”]+?)?)(?=[,.;“”]|$| (?:between|signed|within|as|that|which)\b)")


@dataclass
class Situation:
    status: str
    label: str
    span: tuple[int, int]
    sentence: int
    verb: int = 0
    parties: list[str] = field(default_factory=list)


def situations_in(text: str, start: int, sentence: int) -> list[Situation]:
    """The situation a sentence states (at most one: the strongest status it prints)."""
    for status, pattern in STATUSES:
        match = pattern.search(text)
        if match and match.group().startswith("will") and THING_BEFORE.search(text[:match.start()]):
            continue  # 'the dialogue will strengthen …' foresees; only people or sides commit
        if match:
            after = re.sub(r"^\s*:\s*(?:[-•*]|\d+[.)])?\s*", "", text[match.end():])  # 'agreed to: 1. open …'
            rest = re.split(r"[.;:“”\"]|, (?!and\b|safe\b)| in order to | with respect | through which ",
                            after, maxsplit=1)[0]
            label = " ".join(rest.split()[:14]).strip()
            if status == "dip:NotConfirmed":
                before = re.search(r"(?:talk about|about|on) (.+?)(?:,| after | in the end|$)", text[:match.start()])
                label = before.group(1) if before else "what the text reports"
            if len(label.split()) < 2:
                continue
            return [Situation(status, label[:1].upper() + label[1:], (start, start + len(text)), sentence,
                              verb=start + match.start())]
    return []


def agreements_in(text: str, start: int) -> list[tuple[str, tuple[int, int]]]:
    """(name, span) of each named agreement in a sentence."""
    return [(m.group("name"), (start + m.start("name"), start + m.end("name"))) for m in AGREEMENT.finditer(text)]
