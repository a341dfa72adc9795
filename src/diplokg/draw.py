"""Pictures of the graph, laid out and drawn by Graphviz: who met whom, and the timeline of events.

`network` draws people as nodes coloured by the country they represent, with an edge where two took
part in the same event, thicker the more events they shared; `--event` shows one event's
delegations facing each other, `--person` one person's contacts. `timeline` puts every event on a
time axis: undated events in a lane of their own, planned events dashed, follow-up relations as
arrows. The data comes from SPARQL over any engine; Graphviz writes SVG, or PNG on request.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import TYPE_CHECKING

from diplokg.errors import DiplokgError
from diplokg.prefixes import ID, PREFIX_IRIS, expand_curie, sparql_prologue

if TYPE_CHECKING:
    import graphviz

    from diplokg.engines import Engine
    from diplokg.results import Result

FONT = "DejaVu Sans"
UNKNOWN = ("#eeeeee", "#777777")  # fill and line of a person whose country is not recorded
PALETTE = [("#d9f0d3", "#1b7837"), ("#d1e5f0", "#2166ac"), ("#fddbc7", "#b2182b"), ("#e7d4e8", "#762a83"),
           ("#fee8c8", "#b35806"), ("#f6e8c3", "#8c510a"), ("#c7eae5", "#01665e")]
DIP = PREFIX_IRIS["dip"]
# Follow-up relations: label, whether the arrow runs against time (drawn from the later event to the
# earlier, laid out the other way round), and line style.
RELATIONS = {
    DIP + "followedBy": ("followed by", False, "solid"),
    DIP + "concludedWith": ("concluded with", False, "solid"),
    DIP + "followUpOf": ("follow-up of", True, "solid"),
    PREFIX_IRIS["schema"] + "superEvent": ("part of", True, "dashed"),
    DIP + "announcedAt": ("announced at", True, "dotted"),
}

PARTICIPATIONS = """
SELECT DISTINCT ?event ?person ?delegation ?capacity WHERE {
  ?part a dip:Participation ; dip:participant ?person ; dip:event ?event .
  ?person a foaf:Person .
  OPTIONAL { ?part dip:asMemberOf ?delegation }
  OPTIONAL { ?part dip:capacity ?capacity }
}"""
# A person's country: the one their delegations represent, else that of a post they hold, else
# that of the organisation of such a post (the rank says which).
PEOPLE = """
SELECT ?person ?name ?country ?rank WHERE {
  ?person a foaf:Person ; skos:prefLabel ?name .
  OPTIONAL {
    { ?part dip:participant ?person ; dip:asMemberOf/dip:represents ?country . BIND(1 AS ?rank) }
    UNION { ?person org:holds/dip:country ?country . BIND(2 AS ?rank) }
    UNION { ?person org:holds/org:postIn/dip:country ?country . BIND(3 AS ?rank) }
  }
}"""
POSTS = """
SELECT DISTINCT ?person ?title WHERE {
  ?person a foaf:Person ; org:holds/rdfs:label ?title FILTER(langMatches(lang(?title), "en"))
}"""
LABELS = """
SELECT ?thing (SAMPLE(?label) AS ?name) WHERE {
  ?thing a ?type ; rdfs:label|skos:prefLabel ?label FILTER(langMatches(lang(?label), "en") || lang(?label) = "")
  FILTER(?type IN (schema:Country, dip:Delegation, schema:Event, skos:Concept))
} GROUP BY ?thing"""
# ?event is bound by the caller (and projected, as pyoxigraph's substitution requires).
DELEGATIONS = """
SELECT DISTINCT ?event ?delegation ?country ?head WHERE {
  ?delegation dip:delegationAt ?event .
  OPTIONAL { ?delegation dip:represents ?country }
  OPTIONAL { ?delegation dip:headedBy ?head }
}"""
# The timeline draws what the texts state: its patterns read the graphs but the inferred one (an inferred
# supertype would add kinds, an inverse link a second arrow).
EVENTS = """
SELECT DISTINCT ?event ?label ?date ?kind ?planned WHERE {
  GRAPH ?stated { ?event a ?class } FILTER(?stated != graph:inferred)
  ?class rdfs:subClassOf* schema:Event .
  GRAPH ?labelled { ?event rdfs:label ?label } FILTER(?labelled != graph:inferred && langMatches(lang(?label), "en"))
  OPTIONAL { GRAPH ?dated { ?event schema:startDate ?date } FILTER(?dated != graph:inferred) }
  OPTIONAL { GRAPH ?typing { ?event a ?typed } FILTER(?typing != graph:inferred)
             ?typed rdfs:subClassOf* schema:Event ; rdfs:label ?kind }
  BIND(EXISTS { ?event schema:eventStatus schema:EventScheduled } AS ?planned)
}"""
LINKS = """
SELECT DISTINCT ?from ?relation ?to WHERE {
  VALUES ?relation { %s }
  GRAPH ?stated { ?from ?relation ?to } FILTER(?stated != graph:inferred)
}"""
EXISTS = "ASK { ?thing a ?type }"


@dataclass
class Person:
    """A person as drawn: name, country (IRI) and the titles of the posts they hold."""

    iri: str
    name: str
    country: str | None = None
    posts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Attendance:
    """One person's taking part in one event, possibly in a delegation and a capacity."""

    event: str
    person: str
    delegation: str | None
    capacity: str | None


@dataclass
class Meetings:
    """Who took part in what: the people, their attendances and the labels of everything named."""

    people: dict[str, Person]
    attendances: list[Attendance]
    labels: dict[str, str]

    def events_of(self, person: str) -> set[str]:
        return {a.event for a in self.attendances if a.person == person}

    def pairs(self) -> dict[tuple[str, str], set[str]]:
        """For every two people who met: the events they shared."""
        by_event: dict[str, set[str]] = defaultdict(set)
        for attendance in self.attendances:
            by_event[attendance.event].add(attendance.person)
        shared: dict[tuple[str, str], set[str]] = defaultdict(set)
        for event, present in by_event.items():
            ordered = sorted(present)
            for i, first in enumerate(ordered):
                for second in ordered[i + 1 :]:
                    shared[(first, second)].add(event)
        return dict(shared)


def select(engine: Engine, text: str, **bindings: str) -> list[tuple[str | None, ...]]:
    """The rows of a SELECT query as plain strings (IRIs and literal values)."""
    import pyoxigraph as ox

    terms = {name: ox.NamedNode(value) for name, value in bindings.items()}
    result: Result = engine.query(sparql_prologue() + text, terms)
    return [tuple(None if term is None else term.value for term in row) for row in result.rows]


def load_meetings(engine: Engine) -> Meetings:
    """Every participation of a person in an event, with the people's names, countries and posts."""
    attendances = [Attendance(str(e), str(p), d, c) for e, p, d, c in select(engine, PARTICIPATIONS)]
    countries: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)
    people: dict[str, Person] = {}
    for person, name, country, rank in select(engine, PEOPLE):
        assert person is not None and name is not None
        people.setdefault(person, Person(person, name))
        if country is not None and rank is not None:
            countries[person][(int(rank), country)] += 1
    for person, counts in countries.items():
        people[person].country = min(counts, key=lambda key: (key[0], -counts[key], key[1]))[1]
    for person, title in select(engine, POSTS):
        assert person is not None and title is not None
        people[person].posts.append(title)
    for person in people.values():
        person.posts.sort()
    labels = {thing: name for thing, name in select(engine, LABELS) if thing and name}
    return Meetings(people, sorted(attendances, key=lambda a: (a.event, a.person)), labels)


def resolve(engine: Engine, value: str, kind: str, type_curie: str) -> str:
    """The IRI of a person or event given as an IRI, a CURIE or a bare slug; it must be in the graph."""
    import pyoxigraph as ox

    iri = expand_curie(value) or (value if "://" in value else f"{ID}{kind}/{value}")
    type_iri = expand_curie(type_curie)
    assert type_iri is not None
    try:
        thing = ox.NamedNode(iri)
    except ValueError as error:
        raise DiplokgError(f"The {kind} {value!r} is not an IRI, a CURIE or a slug ({error}).") from None
    if engine.query(EXISTS, {"thing": thing, "type": ox.NamedNode(type_iri)}).boolean:
        return iri
    known = [row[0] for row in select(engine, "SELECT DISTINCT ?x ?type WHERE { ?x a ?type }", type=type_iri) if row[0]]
    close = difflib.get_close_matches(iri, known, n=3, cutoff=0.75)
    hint = f" Did you mean {', '.join(close)}?" if close else f" There are {len(known)}; list them with `diplokg query`."
    raise DiplokgError(f"No {kind} <{iri}> in the graph (no {type_curie} with that IRI).{hint}")


# ---------------------------------------------------------------------------------------- drawing


def wrapped(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, broken at spaces only (hyphenated words stay whole)."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [text]


def html_label(title: str, width: int, notes: Iterable[str] = ()) -> str:
    """A Graphviz HTML-like label: the title wrapped in bold, then small grey notes, one per line."""
    lines = [f"<B>{escape(line)}</B>" for line in wrapped(title, width)]
    lines += [f'<FONT POINT-SIZE="10" COLOR="#555555">{escape(line)}</FONT>'
              for note in notes for line in wrapped(note, width + 6)]
    return "<" + "<BR/>".join(lines) + ">"


def node_name(iri: str) -> str:
    """A node's Graphviz name (shown as the SVG <title>): the IRI below the id/ base, without colons."""
    return iri[len(ID):] if iri.startswith(ID) else iri.replace(":", "_")


def new_graph(directed: bool, engine: str, title: str, **attributes: str) -> graphviz.Graph | graphviz.Digraph:
    """A Graphviz graph with the house style: one legible font, white background, edges under nodes."""
    import graphviz

    kind = graphviz.Digraph if directed else graphviz.Graph
    graph = kind(engine=engine)
    graph.attr(fontname=FONT, fontsize="12", bgcolor="white", pad="0.3", outputorder="edgesfirst", tooltip=title,
               **attributes)
    graph.attr("node", fontname=FONT, fontsize="12", shape="box", style="rounded,filled", penwidth="1.2",
               margin="0.2,0.07")
    graph.attr("edge", fontname=FONT, fontsize="10")
    return graph


def legend(title: str, entries: Iterable[tuple[str, str]] = (), note: str = "") -> str:
    """An HTML-like graph label: a bold title, a line of (colour, name) squares, a small grey note."""
    lines = [f'<FONT POINT-SIZE="15"><B>{escape(line)}</B></FONT>' for line in wrapped(title, 90)]
    squares = ("&#160;" * 4).join(f'<FONT COLOR="{colour}">■</FONT>&#160;{escape(name)}' for colour, name in entries)
    lines += [squares] if squares else []
    lines += [f'<FONT POINT-SIZE="10" COLOR="#555555">{escape(line)}</FONT>' for line in wrapped(note, 130)]
    return "<" + '<BR ALIGN="LEFT"/>'.join(lines) + '<BR ALIGN="LEFT"/>>'


class Colours:
    """Fill and line colour per country, assigned in the order of the countries' names."""

    def __init__(self, countries: Iterable[str | None], labels: dict[str, str]) -> None:
        named = sorted({c for c in countries if c}, key=lambda c: labels.get(c, c))
        self.labels = labels
        self.colours = {country: PALETTE[i % len(PALETTE)] for i, country in enumerate(named)}

    def of(self, country: str | None) -> tuple[str, str]:
        return self.colours.get(country, UNKNOWN) if country else UNKNOWN

    def name(self, country: str | None) -> str:
        return self.labels.get(country, country) if country else "country not recorded"

    def legend_entries(self, countries: Iterable[str | None]) -> list[tuple[str, str]]:
        present = set(countries)
        entries = [(self.of(c)[1], self.name(c)) for c in self.colours if c in present]
        return entries + ([(UNKNOWN[1], self.name(None))] if None in present else [])


def plural(count: int, noun: str) -> str:
    many = {"person": "people"}.get(noun, noun + "s")
    return f"{count} {noun if count == 1 else many}"


def person_node(graph: graphviz.Graph | graphviz.Digraph, person: Person, colours: Colours, link: Callable[[str], str],
                label: str | None = None, **attributes: str) -> None:
    fill, line = colours.of(person.country)
    tooltip = "; ".join([person.name, colours.name(person.country), *person.posts])
    graph.node(node_name(person.iri), label or person.name, fillcolor=fill, color=line, URL=link(person.iri),
               tooltip=tooltip, id=node_name(person.iri), **attributes)


def edge_width(count: int) -> str:
    return f"{0.8 + 1.6 * (count - 1):.1f}"


def network(meetings: Meetings, link: Callable[[str], str] = str) -> graphviz.Graph:
    """Everyone who took part in an event; an edge where two took part in the same one."""
    present = sorted({a.person for a in meetings.attendances}, key=lambda p: meetings.people[p].name)
    people = [meetings.people[p] for p in present]
    colours = Colours((p.country for p in people), meetings.labels)
    pairs = meetings.pairs()
    most = max((len(events) for events in pairs.values()), default=1)
    note = (f"{plural(len(people), 'person')} who took part in {plural(len({a.event for a in meetings.attendances}), 'event')}; "
            f"a line joins two who took part in the same event, thicker the more events (1 to {most}).")
    graph = new_graph(False, "sfdp", "Who met whom", K="0.9", repulsiveforce="1.5", overlap="prism", sep="+10",
                      esep="+4", splines="true", labelloc="t", labeljust="l",
                      label=legend("Who met whom", colours.legend_entries(p.country for p in people), note))
    for person in people:
        person_node(graph, person, colours, link)
    for (first, second), events in sorted(pairs.items()):
        a, b = meetings.people[first], meetings.people[second]
        line = colours.of(a.country)[1] if a.country == b.country else "#555555"
        names = "; ".join(sorted(meetings.labels.get(e, e) for e in events))
        graph.edge(node_name(first), node_name(second), penwidth=edge_width(len(events)), color=line + "66",
                   tooltip=f"{a.name} and {b.name}: {names}")
    return graph


def contacts(meetings: Meetings, person_iri: str, link: Callable[[str], str] = str) -> graphviz.Graph:
    """One person's contacts: everyone who took part in an event with them, nearer the more events."""
    me = meetings.people[person_iri]
    mine = meetings.events_of(person_iri)
    if not mine:
        raise DiplokgError(f"{me.name} <{person_iri}> took part in no event the sources record, so has no contacts "
                           "to draw.")
    shared: dict[str, set[str]] = defaultdict(set)
    for attendance in meetings.attendances:
        if attendance.event in mine and attendance.person != person_iri:
            shared[attendance.person].add(attendance.event)
    others = [meetings.people[p] for p in sorted(shared, key=lambda p: (-len(shared[p]), meetings.people[p].name))]
    colours = Colours([me.country, *(p.country for p in others)], meetings.labels)
    note = (f"{plural(len(others), 'person')} took part in one or more of the {plural(len(mine), 'event')} "
            f"{me.name} took part in; the thicker the line, the more events they shared.")
    graph = new_graph(False, "neato", f"Contacts of {me.name}", overlap="prism", sep="+10", splines="true",
                      labelloc="t", labeljust="l",
                      label=legend(f"Contacts of {me.name}", colours.legend_entries([me.country, *(p.country for p in others)]),
                                   note))
    person_node(graph, me, colours, link, label=html_label(me.name, 40, [plural(len(mine), "event")]),
                fontsize="14", penwidth="2.5", pos="0,0!")
    for other in others:
        events = shared[other.iri]
        person_node(graph, other, colours, link, label=html_label(other.name, 40, [plural(len(events), "event")]))
        names = "; ".join(sorted(meetings.labels.get(e, e) for e in events))
        graph.edge(node_name(me.iri), node_name(other.iri), penwidth=edge_width(len(events)),
                   color=colours.of(other.country)[1] + "99", len=str(1.2 + 1.5 / len(events)),
                   tooltip=f"{me.name} and {other.name}: {names}")
    return graph


def delegations(engine: Engine, meetings: Meetings, event_iri: str, link: Callable[[str], str] = str) -> graphviz.Digraph:
    """One event's participants, grouped by delegation, the groups facing each other across the event."""
    present = [a for a in meetings.attendances if a.event == event_iri]
    title = meetings.labels.get(event_iri, event_iri)
    if not present:
        raise DiplokgError(f"The event {title!r} <{event_iri}> has no recorded participants, so there is nothing to "
                           "draw; `diplokg draw timeline` shows every event.")
    info = {d: (country, head) for _, d, country, head in select(engine, DELEGATIONS, event=event_iri) if d}
    groups: dict[tuple[str, str | None], list[Attendance]] = defaultdict(list)
    for attendance in present:
        person = meetings.people[attendance.person]
        key = ("delegation", attendance.delegation) if attendance.delegation else ("country", person.country)
        groups[key].append(attendance)
    countries = [info.get(key[1], (None, None))[0] if key[0] == "delegation" else key[1] for key in groups]
    colours = Colours([*countries, *(meetings.people[a.person].country for a in present)], meetings.labels)
    note = f"{plural(len(present), 'participant')}, with the posts they hold" + \
        ("; heads of delegation in bold frames." if info else ".")
    graph = new_graph(True, "dot", title, rankdir="LR", newrank="true", nodesep="0.12", ranksep="1.1", labelloc="t",
                      labeljust="l", label=legend(title, colours.legend_entries(countries), note))
    event_node = node_name(event_iri)
    graph.node(event_node, html_label(title, 28), shape="box", style="rounded,filled,bold", fillcolor="#fff7d6",
               color="#8a6d00", URL=link(event_iri), tooltip=title, id=event_node)
    ordered = sorted(groups, key=lambda key: (-len(groups[key]), str(key[1])))
    for index, key in enumerate(ordered):
        kind, which = key
        country, head = info.get(which, (None, None)) if kind == "delegation" and which else (which, None)
        fill, line = colours.of(country)
        caption = meetings.labels.get(which, which) if kind == "delegation" and which else \
            f"{colours.name(country)[:1].upper()}{colours.name(country)[1:]} — no named delegation"
        left = index % 2 == 0
        with graph.subgraph(name=f"cluster_{index}") as cluster:
            cluster.attr(label=html_label(caption, 36), style="rounded", color=line, bgcolor=fill + "55",
                         fontcolor="#222222", margin="10")
            members = sorted(groups[key], key=lambda a: (a.person != head, meetings.people[a.person].name))
            for attendance in members:
                person = meetings.people[attendance.person]
                notes = ["; ".join(person.posts)] if person.posts else []
                if attendance.person == head:
                    notes.append("head of delegation")
                elif attendance.capacity and not attendance.delegation:
                    notes.append(meetings.labels.get(attendance.capacity, attendance.capacity))
                person_node(cluster, person, colours, link, label=html_label(person.name, 34, notes),
                            penwidth="2.6" if attendance.person == head else "1.0")
                ends = (node_name(person.iri), event_node) if left else (event_node, node_name(person.iri))
                graph.edge(*ends, dir="none", color=line + "88", penwidth="2" if attendance.person == head else "1")
    return graph


# ---------------------------------------------------------------------------------------- timeline


@dataclass
class Event:
    """An event as the timeline draws it."""

    iri: str
    label: str
    day: date | None
    planned: bool
    kinds: set[str] = field(default_factory=set)


def load_events(engine: Engine) -> dict[str, Event]:
    events: dict[str, Event] = {}
    for iri, label, day, kind, planned in select(engine, EVENTS):
        assert iri is not None and label is not None
        event = events.setdefault(iri, Event(iri, label, date.fromisoformat(day) if day else None, planned == "true"))
        if kind:
            event.kinds.add(kind)
    return events


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def timeline(engine: Engine, link: Callable[[str], str] = str) -> graphviz.Digraph:
    """Every event on a time axis; undated events in a lane below; follow-up relations as arrows."""
    events = load_events(engine)
    days = sorted({e.day for e in events.values() if e.day})
    dated = sum(1 for e in events.values() if e.day)
    note = (f"{plural(len(events), 'event')}, {dated} dated. Solid frame: dated event; dashed frame: planned event; "
            "dotted grey frame: the text states no date (such events are placed only by their relations). "
            "Arrows: " + ", ".join(v[0] for v in RELATIONS.values()) + ".")
    graph = new_graph(True, "dot", "Timeline of events", rankdir="LR", newrank="true", nodesep="0.25", ranksep="0.6",
                      labelloc="t", labeljust="l", label=legend("Timeline of events", note=note))
    with graph.subgraph(name="cluster_dated") as lane:
        lane.attr(label="<<B>dated events</B>>", labeljust="l", style="rounded", color="#999999", bgcolor="#fbfbfb")
        for index, day in enumerate(days):
            lane.node(f"day-{day}", f"<<B>{day_text(day)}</B>>", shape="box", style="filled", fillcolor="#333333",
                      fontcolor="white", color="#333333", id=f"day-{day}")
            if index:
                gap = (day - days[index - 1]).days
                lane.edge(f"day-{days[index - 1]}", f"day-{day}", label=f"{plural(gap, 'day')} later", penwidth="2.5",
                          color="#333333", arrowhead="vee")
        for event in events.values():
            if event.day:
                event_node(lane, event, link)
    with graph.subgraph(name="cluster_undated") as lane:
        lane.attr(label="<<B>date not stated in the text</B>>", labeljust="l", style="rounded,dashed", color="#999999",
                  bgcolor="#f7f7f7")
        for event in events.values():
            if not event.day:
                event_node(lane, event, link)
    for day in days:
        with graph.subgraph() as same:
            same.attr(rank="same")
            same.node(f"day-{day}")
            for event in events.values():
                if event.day == day:
                    same.node(node_name(event.iri))
    relations = " ".join(f"<{iri}>" for iri in RELATIONS)
    for source, relation, target in select(engine, LINKS % relations):
        if source in events and target in events and relation:
            text, backwards, style = RELATIONS[relation]
            ends = (target, source) if backwards else (source, target)
            graph.edge(node_name(ends[0]), node_name(ends[1]), label=text, style=style, color="#444444",
                       fontcolor="#444444", dir="back" if backwards else "forward", arrowsize="0.8")
    return graph


def event_node(graph: graphviz.Digraph, event: Event, link: Callable[[str], str]) -> None:
    facts = [" / ".join(sorted(event.kinds)) or "event", day_text(event.day) if event.day else "date not stated"]
    if event.planned:
        facts.append("planned")
    style = "rounded,filled,dashed" if event.planned else "rounded,filled" if event.day else "rounded,filled,dotted"
    graph.node(node_name(event.iri), html_label(event.label, 30, [" · ".join(facts)]), style=style,
               fillcolor="#ffffff" if event.day else "#f2f2f2", color="#333333" if event.day else "#777777",
               penwidth="1.6" if event.planned else "1.2", URL=link(event.iri), tooltip=event.label,
               id=node_name(event.iri))


# ---------------------------------------------------------------------------------------- output


def render(graph: graphviz.Graph | graphviz.Digraph, image_format: str = "svg") -> bytes:
    """The picture as SVG or PNG bytes; a missing Graphviz is a clear error."""
    import graphviz

    try:
        return graph.pipe(format=image_format)
    except graphviz.ExecutableNotFound:
        raise DiplokgError("Graphviz is not installed (the `dot` program was not found); install it, e.g. "
                           "`apt-get install graphviz`.") from None
    except graphviz.CalledProcessError as error:
        message = (error.stderr or b"").decode("utf-8", "replace").strip()
        raise DiplokgError(f"Graphviz could not draw the picture: {message}") from None


def picture(engine: Engine, kind: str, event: str | None = None, person: str | None = None,
            link: Callable[[str], str] = str) -> graphviz.Graph | graphviz.Digraph:
    """The Graphviz graph of a picture: `network` (whole, one event's, or one person's) or `timeline`."""
    if kind == "timeline":
        if event or person:
            raise DiplokgError("--event and --person go with `draw network`, not with `draw timeline`.")
        return timeline(engine, link)
    if event and person:
        raise DiplokgError("Give --event or --person, not both.")
    meetings = load_meetings(engine)
    if event:
        return delegations(engine, meetings, resolve(engine, event, "event", "schema:Event"), link)
    if person:
        return contacts(meetings, resolve(engine, person, "person", "foaf:Person"), link)
    return network(meetings, link)


def run(args: argparse.Namespace) -> int:
    from diplokg.engines import OxigraphEngine
    from diplokg.fileio import check_output, write_output
    from diplokg.formats import image_format
    from diplokg.paths import default_layout
    from diplokg.store import open_store

    layout = default_layout()
    output = args.output or f"{args.picture}.{args.format or 'svg'}"
    chosen = image_format(args.format, output).name
    check_output(output, layout)
    engine = OxigraphEngine(open_store(layout))
    data = render(picture(engine, args.picture, args.event, args.person), chosen)
    write_output(output, lambda stream: stream.write(data), layout)
    if output != "-":
        print(f"wrote {output} ({chosen}, {len(data):,} bytes)", file=sys.stderr)
    return 0


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = """examples:
  diplokg draw network                                  everyone who met, network.svg
  diplokg draw network --event event:2021-08-11-lunch-meeting -o lunch.png
  diplokg draw network --person person:marcelo-ebrard -o ebrard.svg
  diplokg draw timeline -o timeline.svg"""
    parser.add_argument("picture", choices=["network", "timeline"], help="who met whom, or the events in time")
    parser.add_argument("-o", "--output", help="output file, .svg or .png; '-' for stdout (default: PICTURE.svg)")
    parser.add_argument("--format", choices=["png", "svg"], help="svg or png (default: from -o)")
    parser.add_argument("--event", metavar="IRI", help="network of one event: its delegations facing each other "
                        "(an IRI, a CURIE such as event:2021-08-11-lunch-meeting, or the slug)")
    parser.add_argument("--person", metavar="IRI", help="network of one person's contacts (IRI, CURIE or slug)")
    parser.set_defaults(run=run)
