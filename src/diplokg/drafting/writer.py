"""The draft as Turtle that reads well: grouped by event, one block per fact, a comment saying why."""

from __future__ import annotations

import re

from diplokg.anchor import find_quote
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


def prefix_for(text: str, start: int, exact: str) -> str | None:
    """The shortest text before `start` (whole words, at least 12 characters) that makes the quote unique."""
    if len(find_quote(text, exact, None)) == 1:
        return None
    length = MIN_PREFIX
    while length <= start:
        candidate = text[start - length:start]
        at_word = length == start or text[start - length - 1].isspace()
        if at_word and not candidate[:1].isspace() and len(find_quote(text, exact, candidate)) == 1:
            return candidate
        length += 1
    return text[:start]


class Evidence:
    """Evidence nodes: one per distinct span, named ev:<abbr>-<first words>."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.names: dict[tuple[int, int], str] = {}

    def name(self, span: tuple[int, int]) -> str:
        if span not in self.names:
            words = "-".join(slugify(self.draft.text[span[0]:span[1]]).split("-")[:6]) or "quote"
            base, n = f"ev:{self.draft.abbreviation}-{words}", 1
            iri = base
            while iri in self.names.values():
                n += 1
                iri = f"{base}-{n}"
            self.names[span] = iri
        return self.names[span]

    def render(self, span: tuple[int, int]) -> str:
        start, end = span
        exact = self.draft.text[start:end]
        prefix = prefix_for(self.draft.text, start, exact)
        selector = f"a oa:TextQuoteSelector ; oa:exact {literal(exact, None)}"
        if prefix is not None:
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
    for key, heading in draft.groups:
        nodes = [n for n in draft.nodes.values() if n.group == key]
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
