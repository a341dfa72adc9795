"""Pictures: the right people and events are drawn, restricted as asked, legibly (no text overlaps).

Graphviz must be installed (CI installs it); without it these tests fail. Each picture is also
rendered in headless Chromium and saved under tests/output/ as a PNG screenshot for a person to look at.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from itertools import combinations, pairwise
from pathlib import Path

import pytest

from diplokg.cli import main
from diplokg.draw import picture, render
from diplokg.engines import OxigraphEngine
from diplokg.paths import Layout
from diplokg.prefixes import ID, PREFIX_IRIS, sparql_prologue
from diplokg.store import open_store

SVG = "{http://www.w3.org/2000/svg}"
OUTPUT = Path(__file__).parent / "output"
LUNCH = ID + "event/2021-08-11-lunch-meeting"
VELASCO = ID + "person/roberto-velasco"
PICTURES = {"network": {}, "lunch-meeting": {"event": "event:2021-08-11-lunch-meeting"},
            "roberto-velasco": {"person": "person:roberto-velasco"}, "timeline": {}}
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def engine(layout: Layout) -> OxigraphEngine:
    return OxigraphEngine(open_store(layout))


@pytest.fixture(scope="module")
def svgs(engine: OxigraphEngine) -> dict[str, str]:
    """Each picture as SVG text, also written to tests/output/ (the screenshot test reads nothing else)."""
    OUTPUT.mkdir(exist_ok=True)
    drawn = {}
    for name, options in PICTURES.items():
        kind = "timeline" if name == "timeline" else "network"
        drawn[name] = render(picture(engine, kind, **options)).decode("utf-8")
        (OUTPUT / f"draw-{name}.svg").write_text(drawn[name], encoding="utf-8")
    return drawn


def rows(engine: OxigraphEngine, text: str) -> list[tuple[str, ...]]:
    return [tuple(t.value for t in row) for row in engine.query(sparql_prologue() + text).rows]


def nodes(svg: str) -> dict[str, str]:
    """Node name (the SVG <title>) -> all of the node's text, lines joined by spaces."""
    root = ET.fromstring(svg)
    found = {}
    for group in root.iter(SVG + "g"):
        if group.get("class") == "node":
            texts = [" ".join(t.itertext()).strip() for t in group.iter(SVG + "text")]
            found[group.findtext(SVG + "title")] = " ".join(t for t in texts if t)
    return found


def edges(svg: str) -> dict[frozenset[str], float]:
    """Each edge's two ends (by node name) -> its line width."""
    root = ET.fromstring(svg)
    found = {}
    for group in root.iter(SVG + "g"):
        if group.get("class") == "edge":
            title = group.findtext(SVG + "title") or ""
            ends = title.replace("->", "--").split("--")
            width = float(next(group.iter(SVG + "path")).get("stroke-width", "1"))
            found[frozenset(ends)] = width
    return found


def name_of(iri: str) -> str:
    return iri[len(ID):]


def participants(engine: OxigraphEngine, event: str | None = None) -> dict[str, str]:
    """IRI -> name of the persons who took part in `event` (or in any event)."""
    which = f"<{event}>" if event else "?event"
    return dict(rows(engine, f"""SELECT DISTINCT ?p ?name WHERE {{ ?x a dip:Participation ; dip:participant ?p ;
                                 dip:event {which} . ?p a foaf:Person ; skos:prefLabel ?name }}"""))


def text_boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """(text, left, top, right, bottom) of every text element, its width estimated from size and length."""
    boxes = []
    for text in ET.fromstring(svg).iter(SVG + "text"):
        content = "".join(text.itertext()).strip()
        if not content:
            continue
        size = float(text.get("font-size", "14"))
        x, y = float(text.get("x", "0")), float(text.get("y", "0"))
        width = size * len(content) * (0.58 if text.get("font-weight") == "bold" else 0.52)
        left = {"middle": x - width / 2, "end": x - width}.get(text.get("text-anchor", "start"), x)
        boxes.append((content, left, y - 0.72 * size, left + width, y + 0.2 * size))
    return boxes


def overlaps(boxes: list[tuple[str, float, float, float, float]], slack: float = 0.0) -> list[tuple[str, str]]:
    return [(a[0], b[0]) for a, b in combinations(boxes, 2)
            if min(a[3], b[3]) - max(a[1], b[1]) > slack and min(a[4], b[4]) - max(a[2], b[2]) > slack]


def test_network_has_a_node_for_everyone_who_took_part_and_an_edge_for_everyone_who_met(
        engine: OxigraphEngine, svgs: dict[str, str]) -> None:
    people = participants(engine)
    drawn = nodes(svgs["network"])
    assert set(drawn) == {name_of(p) for p in people}
    for iri, name in people.items():
        assert drawn[name_of(iri)] == name
    shared = defaultdict(set)
    for person, other, event in rows(engine, """SELECT DISTINCT ?a ?b ?e WHERE {
            ?x dip:participant ?a ; dip:event ?e . ?y dip:participant ?b ; dip:event ?e .
            ?a a foaf:Person . ?b a foaf:Person . FILTER(STR(?a) < STR(?b)) }"""):
        shared[frozenset((name_of(person), name_of(other)))].add(event)
    lines = edges(svgs["network"])
    assert set(lines) == set(shared)
    by_count = defaultdict(set)
    for pair, events in shared.items():
        by_count[len(events)].add(lines[pair])
    counts = sorted(by_count)
    assert len(counts) > 1
    for fewer, more in pairwise(counts):
        assert max(by_count[fewer]) < min(by_count[more]), "more events together must draw a thicker line"


def test_event_network_shows_its_delegations_facing_each_other(engine: OxigraphEngine, svgs: dict[str, str]) -> None:
    attendees = participants(engine, LUNCH)
    drawn = nodes(svgs["lunch-meeting"])
    assert set(drawn) == {name_of(p) for p in attendees} | {name_of(LUNCH)}
    for iri, name in attendees.items():
        assert drawn[name_of(iri)].startswith(name)
    root = ET.fromstring(svgs["lunch-meeting"])
    x_of = {g.findtext(SVG + "title"): float(next(g.iter(SVG + "text")).get("x"))
            for g in root.iter(SVG + "g") if g.get("class") == "node"}
    sides = defaultdict(set)
    for person, delegation in rows(engine, f"SELECT DISTINCT ?p ?d WHERE {{ ?x dip:participant ?p ; dip:event <{LUNCH}> ; "
                                           "dip:asMemberOf ?d }"):
        sides[delegation].add(x_of[name_of(person)] < x_of[name_of(LUNCH)])
    assert len(sides) == 2
    assert sorted(len(s) for s in sides.values()) == [1, 1], "each delegation sits wholly on one side"
    assert {next(iter(s)) for s in sides.values()} == {True, False}, "the two delegations face each other"
    clusters = [g for g in root.iter(SVG + "g") if g.get("class") == "cluster"]
    assert len(clusters) == 2


def test_person_network_shows_exactly_their_contacts(engine: OxigraphEngine, svgs: dict[str, str]) -> None:
    contacts = {p for (p,) in rows(engine, f"""SELECT DISTINCT ?other WHERE {{
        ?x dip:participant <{VELASCO}> ; dip:event ?e . ?y dip:participant ?other ; dip:event ?e .
        ?other a foaf:Person FILTER(?other != <{VELASCO}>) }}""")}
    drawn = nodes(svgs["roberto-velasco"])
    assert set(drawn) == {name_of(p) for p in contacts} | {name_of(VELASCO)}
    assert set(edges(svgs["roberto-velasco"])) == {frozenset((name_of(VELASCO), name_of(p))) for p in contacts}


def test_timeline_shows_every_event_marks_undated_and_planned_ones_and_draws_follow_ups(
        engine: OxigraphEngine, svgs: dict[str, str]) -> None:
    events = dict(rows(engine, 'SELECT ?e ?label WHERE { ?e a schema:Event ; rdfs:label ?label '
                               'FILTER(langMatches(lang(?label), "en")) }'))
    drawn = nodes(svgs["timeline"])
    for iri, label in events.items():
        assert drawn[name_of(iri)].startswith(label), (label, drawn.get(name_of(iri)))
    undated = {e for (e,) in rows(engine, "SELECT ?e WHERE { ?e dip:dateBasis dip:DateNotStated ; a schema:Event }")}
    planned = {e for (e,) in rows(engine, "SELECT ?e WHERE { ?e schema:eventStatus schema:EventScheduled }")}
    assert undated and planned
    root = ET.fromstring(svgs["timeline"])
    for group in root.iter(SVG + "g"):
        iri = ID + (group.findtext(SVG + "title") or "")
        if group.get("class") == "node" and iri in events:
            outline = next(group.iter(SVG + "path")).get("stroke-dasharray")
            assert (outline is not None) == (iri in undated or iri in planned), iri
            assert ("date not stated" in drawn[name_of(iri)]) == (iri in undated)
            assert ("planned" in drawn[name_of(iri)]) == (iri in planned)
    follow_ups = rows(engine, """SELECT DISTINCT ?a ?b WHERE {
        VALUES ?r { dip:followedBy dip:followUpOf dip:concludedWith schema:superEvent } ?a ?r ?b }""")
    assert follow_ups
    arrows = edges(svgs["timeline"])
    for first, second in follow_ups:
        assert frozenset((name_of(first), name_of(second))) in arrows


@pytest.mark.parametrize("name", list(PICTURES))
def test_no_text_overlaps_another(svgs: dict[str, str], name: str) -> None:
    boxes = text_boxes(svgs[name])
    assert len(boxes) > 5
    assert overlaps(boxes) == []


def test_png_on_request(tmp_path: Path) -> None:
    target = tmp_path / "lunch.png"
    assert main(["draw", "network", "--event", "event:2021-08-11-lunch-meeting", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_svg_file_from_the_command_line(tmp_path: Path) -> None:
    target = tmp_path / "timeline.svg"
    assert main(["draw", "timeline", "-o", str(target)]) == 0
    assert ET.parse(target).getroot().tag == SVG + "svg"


@pytest.mark.parametrize(("arguments", "message"), [
    (["network", "--person", "person:nobody-at-all"], "No person <" + ID + "person/nobody-at-all>"),
    (["network", "--person", "person:marcelo-ebrad"], "Did you mean " + ID + "person/marcelo-ebrard"),
    (["network", "--event", PREFIX_IRIS["dip"] + "Meeting"], "No event"),
    (["timeline", "--person", "person:marcelo-ebrard"], "go with `draw network`"),
    (["network", "-o", "picture.gif"], "cannot tell the picture format"),
])
def test_bad_requests_are_clear_errors(arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draw", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_screenshots_in_a_browser_show_no_overlapping_text(svgs: dict[str, str]) -> None:
    """Each SVG rendered by headless Chromium: a PNG screenshot saved to tests/output/, and the real text
    boxes (getBBox) checked for overlaps."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        try:
            page = browser.new_page()
            for name, svg in svgs.items():
                page.set_content("<!DOCTYPE html><html><body style='margin:0;background:white'>"
                                 + svg[svg.index("<svg"):] + "</body></html>")
                # Real extents of the first and last visible characters; heights from the baseline: cap height
                # above, descenders below.
                boxes = page.evaluate("""() => Array.from(document.querySelectorAll('text'))
                    .filter(t => t.textContent.trim())
                    .map(t => { const text = t.textContent, y = parseFloat(t.getAttribute('y')),
                                      size = parseFloat(t.getAttribute('font-size')),
                                      first = t.getExtentOfChar(text.search(/\\S/)),
                                      last = t.getExtentOfChar(text.length - 1 - text.split('').reverse().join('').search(/\\S/));
                                return [text, first.x, y - 0.75 * size, last.x + last.width, y + 0.2 * size]; })""")
                assert len(boxes) > 5
                assert overlaps([tuple(b) for b in boxes]) == [], name
                shot = OUTPUT / f"draw-{name}.png"
                page.locator("svg").first.screenshot(path=str(shot))
                assert shot.read_bytes().startswith(b"\x89PNG")
        finally:
            browser.close()


def test_the_timeline_draws_what_the_texts_state_not_what_reasoning_adds() -> None:
    """An event typed, a kind and a link that only the inferred graph holds are not drawn (a second arrow for
    an inverse link, every supertype as a kind), on a store with its inferred graph beside the stated one."""
    import pyoxigraph as ox

    from diplokg.draw import load_events, timeline
    from diplokg.prefixes import INFERRED_GRAPH

    store, stated, inferred = ox.Store(), ID + "graph-of-a-text", INFERRED_GRAPH
    prologue = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIX_IRIS.items())
    for graph, turtle in ((stated, """
            dip:Meeting rdfs:subClassOf schema:Event ; rdfs:label "meeting"@en .
            schema:Event rdfs:label "event"@en .
            event:first a dip:Meeting ; rdfs:label "First"@en ; schema:startDate "2021-08-11"^^xsd:date ;
                dip:followedBy event:second .
            event:second a dip:Meeting ; rdfs:label "Second"@en ."""), (inferred, """
            event:first a schema:Event . event:second a schema:Event ; dip:followUpOf event:first .
            event:third a schema:Event ; rdfs:label "Only inferred"@en .""")):
        store.load(prologue + turtle, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    engine = OxigraphEngine(store)
    events = load_events(engine)
    assert sorted(events) == [ID + "event/first", ID + "event/second"]
    assert events[ID + "event/first"].kinds == {"meeting"}
    svg = render(timeline(engine)).decode("utf-8")
    between = [g for g in ET.fromstring(svg).iter(SVG + "g") if g.get("class") == "edge"
               and set((g.findtext(SVG + "title") or "").replace("->", "--").split("--")) == {"event/first", "event/second"}]
    assert len(between) == 1
