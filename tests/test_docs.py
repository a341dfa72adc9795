"""The HTML reference: every class and property with its label, the shape rules, examples and SKOS schemes."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from diplokg.cli import main
from diplokg.docs import render_docs
from diplokg.paths import Layout
from diplokg.prefixes import shorten


class Sections(HTMLParser):
    """The id and the heading text of every <section> and the text of every element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.headings: dict[str, str] = {}
        self.texts: dict[str, list[str]] = {}
        self.in_heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta", "link"):
            return
        ident = dict(attrs).get("id")
        self.stack.append(ident)
        if ident:
            self.texts[ident] = []
        if tag == "h3":
            self.in_heading = next((i for i in reversed(self.stack) if i), None)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "meta", "link"):
            return
        self.stack.pop()
        if tag == "h3":
            self.in_heading = None

    def handle_data(self, data: str) -> None:
        for ident in filter(None, self.stack):
            self.texts[ident].append(data)
        if self.in_heading:
            self.headings[self.in_heading] = self.headings.get(self.in_heading, "") + data

    def text(self, ident: str) -> str:
        return " ".join(" ".join(self.texts[ident]).split())


@pytest.fixture(scope="module")
def page(layout: Layout) -> str:
    pages = render_docs(layout)
    assert list(pages) == ["index.html"]
    return pages["index.html"]


@pytest.fixture(scope="module")
def sections(page: str) -> Sections:
    parser = Sections()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def ontology(layout: Layout) -> Graph:
    return Graph().parse(layout.ontology_dir / "diplomacy.ttl")


def english(graph: Graph, subject: object, predicate: object) -> str | None:
    values = [v for v in graph.objects(subject, predicate) if getattr(v, "language", None) in ("en", None)]
    return str(values[0]) if values else None


def test_every_class_and_property_has_a_section_with_its_label(sections: Sections, ontology: Graph) -> None:
    terms = set(ontology.subjects(RDF.type, OWL.Class))
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        terms |= set(ontology.subjects(RDF.type, kind))
    assert len(terms) > 100
    for term in terms:
        curie = shorten(str(term))
        assert curie in sections.headings, curie
        label = english(ontology, term, RDFS.label) or curie
        assert sections.headings[curie].strip().startswith(label), (curie, sections.headings[curie])


def test_definitions_super_classes_domains_and_ranges_are_shown(sections: Sections, ontology: Graph) -> None:
    for term in ontology.subjects(SKOS.definition, None):
        curie = shorten(str(term))
        if curie in sections.headings:
            assert english(ontology, term, SKOS.definition) in sections.text(curie)
    delegation = sections.text("dip:Delegation")
    assert "Super-classes Organization" in delegation
    represents = sections.text("dip:represents")
    assert "Domain Delegation" in represents and "Range Country" in represents


def test_shape_rules_appear_with_name_severity_cardinality_and_message(page: str, sections: Sections,
                                                                       layout: Layout) -> None:
    shapes = Graph().parse(layout.shapes_file)
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    messages = {str(m) for m in shapes.objects(None, SH.message)}
    assert len(messages) > 30
    for message in messages:
        assert message in text, message
    person = sections.text("dip:Participation") + sections.text("foaf:Person")
    assert "exactly 1 value" in person and "Violation" in person
    assert "Warning" in sections.text("foaf:Person")  # the mention rule only warns
    assert "either" in sections.text("org:Post")  # sh:or: postIn or country
    assert "Also checked by the shapes of its super-classes: Event" in sections.text("dip:Meeting")
    assert "A participation has exactly one dip:participant" in sections.text("dip:participant")


def test_examples_come_from_the_data(sections: Sections) -> None:
    meeting = sections.text("dip:Meeting")
    assert "Lunch meeting of the Mexican and US delegations" in meeting
    assert re.search(r"In the data: \d+ instances", meeting)
    assert "Marcelo Ebrard" in sections.text("foaf:Person") or "Alejandro Mayorkas" in sections.text("foaf:Person")
    assert "→" in sections.text("dip:represents")


def test_skos_schemes_list_their_concepts_and_cameo_notations(sections: Sections, layout: Layout) -> None:
    vocabularies = Graph().parse(layout.ontology_dir / "vocabularies.ttl")
    event_types = sections.text("etype:scheme")
    notations = [str(n) for n in vocabularies.objects(None, SKOS.notation)]
    assert notations
    for notation in notations:
        assert notation in event_types
    for scheme in ("topic:scheme", "cap:scheme"):
        for concept in vocabularies.subjects(SKOS.inScheme, None):
            if shorten(str(concept)).split(":")[0] == scheme.split(":")[0]:
                assert english(vocabularies, concept, SKOS.prefLabel) in sections.text(scheme)


def test_links_point_at_sections_that_exist(page: str, sections: Sections) -> None:
    targets = set(re.findall(r'href="#([^"]+)"', page))
    assert targets
    assert targets <= set(sections.texts), targets - set(sections.texts)


def test_command_writes_index_html(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    assert main(["docs", "-o", str(target)]) == 0
    written = (target / "index.html").read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>") and "</html>" in written
