"""The draft: proposed nodes, each with its evidence spans, the rule that proposed it and review notes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    """One proposed node: its CURIE, types, property values (Turtle terms), evidence spans and why."""

    iri: str
    types: list[str]
    group: str = "source"
    why: str = ""
    properties: dict[str, list[str]] = field(default_factory=dict)
    evidence: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    entity: bool = False
    extra: list[str] = field(default_factory=list)

    def add(self, predicate: str, *values: str) -> None:
        bucket = self.properties.setdefault(predicate, [])
        for value in values:
            if value not in bucket:
                bucket.append(value)

    def cite(self, *spans: tuple[int, int]) -> None:
        for span in spans:
            if span not in self.evidence:
                self.evidence.append(span)


@dataclass
class Draft:
    """Every node proposed for one source, in the order they were proposed, and what could not be placed."""

    source: str
    abbreviation: str
    text: str
    nodes: dict[str, Node] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)
    groups: list[tuple[str, str]] = field(default_factory=list)  # (group key, heading)

    def node(self, iri: str, types: list[str], group: str, why: str = "") -> Node:
        if iri not in self.nodes:
            self.nodes[iri] = Node(iri, list(types), group, why)
        else:
            for kind in types:
                if kind not in self.nodes[iri].types:
                    self.nodes[iri].types.append(kind)
        return self.nodes[iri]

    def add_group(self, key: str, heading: str) -> None:
        if key not in (k for k, _ in self.groups):
            self.groups.append((key, heading))


def literal(value: str, language: str | None = "en") -> str:
    """A Turtle string literal, escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"' + (f"@{language}" if language else "")


def typed(value: str, datatype: str) -> str:
    return f'"{value}"^^{datatype}'
