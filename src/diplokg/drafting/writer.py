"""The draft as Turtle that reads well: grouped by event, one block per fact, a comment saying why."""

from __future__ import annotations

import re

from diplokg.drafting.linking import slugify
from diplokg.drafting.model import Draft, Node, literal
from diplokg.prefixes import PREFIX_IRIS

EXTRA_PREFIXES = {"role": "https://w3id.org/diplokg/id/role/",
                  "agent": "https://w3id.org/diplokg/id/agent/", "activity": "https://w3id.org/diplokg/id/activity/"}
MIN_PREFIX = 12


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("diplokg")
    except PackageNotFoundError:
        return "0.0.0"


def occurrences(text: str, exact: str) -> list[int]:
    """Every start offset of `exact` in `text`, overlapping ones included (as `anchor.find_quote` finds them)."""
    starts: list[int] = []
    position = text.find(exact)
    while position >= 0:
        starts.append(position)
        position = text.find(exact, position + 1)
    return starts


def suffix_for(text: str, start: int, exact: str) -> str:
    """The shortest text after the quote (whole words, at least 12 characters) that no other occurrence is followed
    by: for a quote that no prefix tells apart, such as one at the very start of the text."""
    end = start + len(exact)
    others = [p + len(exact) for p in occurrences(text, exact) if p != start]
    stop = end + MIN_PREFIX
    while stop < len(text):
        while stop < len(text) and not text[stop].isspace():
            stop += 1
        if not any(text.startswith(text[end:stop], other) for other in others):
            return text[end:stop]
        stop += 1
    return text[end:]


def prefix_for(text: str, start: int, exact: str) -> str | None:
    """The shortest text before `start` (whole words, at least 12 characters) that makes the quote unique.

    The result is the one `anchor.find_quote` confirms: the first length (from 12 up) that starts at a word and
    that no other occurrence of the quote is preceded by. Whether a length makes the quote unique only grows
    with the length, so the shortest unique length is found by doubling and bisection, comparing in place
    (`str.endswith` with bounds) rather than copying the text before every occurrence for every length."""
    found = occurrences(text, exact)
    if len(found) == 1:
        return None
    others = [p for p in found if p != start]

    def unique(length: int) -> bool:
        candidate = text[start - length:start]
        return not any(p >= length and text.endswith(candidate, 0, p) for p in others)

    if start < MIN_PREFIX or not unique(start):
        return text[:start]
    low, high = MIN_PREFIX - 1, MIN_PREFIX  # unique(low) is false (or low is below the minimum); find unique(high)
    while not unique(high):
        low, high = high, min(start, 2 * high)
    while high - low > 1:
        middle = (low + high) // 2
        if unique(middle):
            high = middle
        else:
            low = middle
    for length in range(high, start + 1):
        if (length == start or text[start - length - 1].isspace()) and not text[start - length].isspace():
            return text[start - length:start]
    return text[:start]


class Evidence:
    """Evidence nodes: one per distinct span, named ev:<abbr>-<first words>."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.names: dict[tuple[int, int], str] = {}
        self.taken: set[str] = set()

    def name(self, span: tuple[int, int]) -> str:
        if span not in self.names:
            words = "-".join(slugify(self.draft.text[span[0]:span[1]]).split("-")[:6]) or "quote"
            base, n = f"ev:{self.draft.abbreviation}-{words}", 1
            iri = base
            while iri in self.taken:
                n += 1
                iri = f"{base}-{n}"
            self.names[span] = iri
            self.taken.add(iri)
        return self.names[span]

    def render(self, span: tuple[int, int]) -> str:
        start, end = span
        exact = self.draft.text[start:end]
        prefix = prefix_for(self.draft.text, start, exact)
        selector = f"a oa:TextQuoteSelector ; oa:exact {literal(exact, None)}"
        if prefix is not None and sum(self.draft.text.endswith(prefix, 0, p) for p in occurrences(self.draft.text, exact)) > 1:
            # no prefix tells it apart (a quote at the very start of the text): the words after it do
            selector += f" ; oa:suffix {literal(suffix_for(self.draft.text, start, exact), None)}"
        elif prefix is not None:
            selector += f" ; oa:prefix {literal(prefix, None)}"
        return (f"{self.name(span)} a oa:SpecificResource ;\n    oa:hasSource src:{self.draft.source} ;\n"
                f"    oa:hasSelector [ {selector} ] .\n")


def render_node(node: Node, evidence: Evidence, activity: str) -> str:
    lines = [f"# {line}" for line in wrap(node.why)]
    lines.append(f"{node.iri} a {' , '.join(node.types)} ;")
    for predicate, values in node.properties.items():
        lines.append(f"    {predicate} {' , '.join(values)} ;")
    for note in dict.fromkeys(node.notes):
        lines.append(f"    dip:reviewNote {literal(note)} ;")
    if node.evidence:
        lines.append(f"    prov:wasDerivedFrom {' , '.join(evidence.name(s) for s in node.evidence)} ;")
    lines.append(f"    dip:reviewStatus dip:Unreviewed ; prov:wasGeneratedBy {activity} .")
    lines.extend(node.extra)
    return "\n".join(lines) + "\n"


def wrap(text: str, width: int = 110) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def render(draft: Draft, version: str | None = None) -> str:
    """The whole facts file."""
    version = version or tool_version()
    evidence = Evidence(draft)
    activity = f"activity:draft-{draft.source}"
    prefixes = {**PREFIX_IRIS, **EXTRA_PREFIXES}
    out = [f"@prefix {p}: <{iri}> ." for p, iri in prefixes.items() if p != "graph"]
    out += ["", f"# DRAFT of the facts of data/sources/{draft.source}.txt, proposed by `diplokg draft` {version}.",
            "# Every proposed node carries dip:reviewStatus dip:Unreviewed: review each block (the comment above it says",
            "# which rule proposed it and how closely it matched what the project knows), fix or delete it, and accept it",
            "# by deleting its dip:reviewStatus line. `diplokg validate` reports the unreviewed ones as warnings.",
            f"# Evidence abbreviation: {draft.abbreviation}.", ""]
    out += [f"{activity} a prov:Activity ;", "    rdfs:label " + literal(f"diplokg draft of {draft.source}") + " ;",
            "    prov:wasAssociatedWith agent:diplokg-draft ;", f"    prov:used src:{draft.source} ;",
            f"    dip:toolVersion {literal(version, None)} .", ""]
    by_group: dict[str, list[Node]] = {}
    for node in draft.nodes.values():
        by_group.setdefault(node.group, []).append(node)
    for key, heading in draft.groups:
        nodes = by_group.get(key, [])
        if not nodes:
            continue
        out.append(f"# {'=' * 12} {heading}")
        out.append("")
        for node in nodes:
            for span in node.evidence:
                if span not in evidence.names:
                    out.append(evidence.render(span).rstrip("\n"))
                    evidence.name(span)
            out.append(render_node(node, evidence, activity))
    return "\n".join(out).rstrip("\n") + "\n"


def explain(draft: Draft) -> str:
    """What the draft could not place, and the proposals that most need a look, for the curator to start with."""
    lines = [f"{draft.source}: {len(draft.nodes)} proposed nodes"]
    if draft.unplaced:
        lines.append("Could not place:")
        lines += [f"  - {item}" for item in dict.fromkeys(draft.unplaced)]
    doubtful = [(n.iri, note) for n in draft.nodes.values() for note in n.notes
                if re.search(r"fuzzy|check|no speaker|not say|inferred|no organisation|no event", note)]
    if doubtful:
        lines.append("Look first at:")
        lines += [f"  - {iri}: {note}" for iri, note in doubtful]
    if len(lines) == 1:
        lines.append("Every name, title and quotation was placed.")
    return "\n".join(lines) + "\n"
