"""HTML pages of `diplokg serve`: the start page, entity pages, the catalogue, saved-query results,
pictures, the query page.

An entity page reads the store directly (a few bounded queries on one IRI): labels and types,
the events the entity took part in, the posts it held, the statements by, at or about it, its
printed names, and the evidence of each, the quote highlighted inside its source text (the
oa:TextPositionSelector offsets, Unicode code points), then every triple about it with the graphs
that state it. An event page opens with its date, place and attendees by delegation; nodes without a
label (participations, memberships) are named by who, where or as what. IRIs of the graph link to
their own pages on this server.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from diplokg.engines import OxigraphEngine, labels_of
from diplokg.prefixes import GRAPH, ID, PREFIX_IRIS, shorten
from diplokg.results import Result, Term

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"
XSD_STRING = PREFIX_IRIS["xsd"] + "string"
RDF_TYPE = PREFIX_IRIS["rdf"] + "type"


def local_link(iri: str) -> str:
    """The path of an entity IRI on this server (other IRIs unchanged)."""
    return "/id/" + iri[len(ID):] if iri.startswith(ID) else iri
CONTEXT = 280  # characters of source text shown on each side of a quote, at most
LONG = 400  # literals longer than this are folded

OUTGOING = "SELECT ?o ?p ?g WHERE { GRAPH ?g { ?this ?p ?o } }"
INCOMING = "SELECT ?s ?p ?g WHERE { GRAPH ?g { ?s ?p ?this } } LIMIT 1000"
EVENTS = """
SELECT ?event (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?date) (GROUP_CONCAT(DISTINCT ?c; separator=", ") AS ?capacities)
WHERE {
  { ?event schema:attendee ?this } UNION { ?event schema:organizer ?this }
  UNION { [] dip:participant ?this ; dip:event ?event }
  OPTIONAL { ?event rdfs:label ?l }
  OPTIONAL { ?event schema:startDate ?d }
  OPTIONAL { ?participation dip:participant ?this ; dip:event ?event ; dip:capacity/skos:prefLabel ?c }
} GROUP BY ?event ORDER BY (!BOUND(?date)) ?date ?label
"""
POSTS = """
SELECT DISTINCT ?post ?organization ?membership ?title WHERE {
  ?membership org:member ?this ; dip:post|org:role ?post .
  OPTIONAL { ?membership org:organization ?organization }
  OPTIONAL { ?membership dip:printedTitle ?title }
} ORDER BY ?post ?membership
"""
STATEMENTS = """
SELECT DISTINCT ?statement ?text ?event ?role WHERE {
  { ?statement schema:creator ?this BIND("said" AS ?role) }
  UNION { ?statement dip:captionNames ?this BIND("printed under a caption naming this" AS ?role) }
  UNION { ?statement dip:statedAt ?this BIND("said at this event" AS ?role) }
  UNION { ?statement dcterms:subject ?this BIND("on this topic" AS ?role) }
  UNION { ?statement schema:isBasedOn ?this BIND("printed in this source" AS ?role) }
  ?statement schema:text ?text .
  OPTIONAL { ?statement dip:statedAt ?event }
} ORDER BY ?statement
"""
MENTIONS = "SELECT ?name ?form WHERE { ?name dip:labelOf ?this ; skosxl:literalForm ?form } ORDER BY ?name"
EVIDENCE = """
SELECT ?node ?evidence ?source ?start ?end WHERE {
  VALUES ?node { %s }
  ?node prov:wasDerivedFrom? ?evidence .
  ?evidence oa:hasSource ?source ; oa:hasSelector ?selector .
  ?selector oa:start ?start ; oa:end ?end .
} ORDER BY ?node ?source ?start
"""
SOURCE_TEXT = "SELECT ?text WHERE { ?this schema:text ?text } LIMIT 1"
ROLES = """
SELECT ?x ?a ?relation ?b WHERE {
  VALUES ?x { %s }
  { ?x dip:participant ?a ; dip:event ?b BIND("at" AS ?relation) }
  UNION { ?x org:member ?a ; dip:post ?b BIND("as" AS ?relation) }
}
"""
ATTENDANCE = """
SELECT ?delegation ?person ?capacity WHERE {
  { ?participation dip:event ?this ; dip:participant ?person .
    OPTIONAL { ?participation dip:asMemberOf ?delegation }
    OPTIONAL { ?participation dip:capacity/skos:prefLabel ?capacity } }
  UNION { ?this schema:attendee ?person FILTER NOT EXISTS { [] dip:event ?this ; dip:participant ?person } }
} ORDER BY (!BOUND(?delegation)) ?delegation ?capacity ?person
"""
SUMMARY = [PREFIX_IRIS["schema"] + name for name in ("startDate", "location", "organizer", "superEvent", "subEvent")] + \
    [PREFIX_IRIS["dip"] + name for name in ("eventType", "durationText", "followedBy", "followUpOf", "concludedWith")] + \
    [PREFIX_IRIS["dcterms"] + "subject"]
XSD_PLAIN = {PREFIX_IRIS["xsd"] + name for name in ("integer", "decimal", "double", "date", "dateTime", "gYear",
                                                    "nonNegativeInteger", "boolean")}
COUNTS = """
SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES (?kind ?class) { ("people" foaf:Person) ("organisations" org:Organization) ("events" schema:Event)
                          ("statements" schema:Quotation) ("sources" dip:SourceDocument) }
  ?x a ?class FILTER(isIRI(?x))
} GROUP BY ?kind
"""
SOURCES = """
SELECT ?source (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?date) WHERE {
  ?source a dip:SourceDocument . OPTIONAL { ?source schema:name ?t }
  OPTIONAL { ?source schema:dateCreated ?d }
} GROUP BY ?source ORDER BY ?date ?source
"""
EVENT_LIST = """
SELECT ?event (SAMPLE(?l) AS ?label) (SAMPLE(?d) AS ?date) WHERE {
  ?event a schema:Event ; schema:attendee [] . OPTIONAL { ?event rdfs:label ?l } OPTIONAL { ?event schema:startDate ?d }
} GROUP BY ?event ORDER BY (!BOUND(?date)) ?date ?label
"""
PEOPLE_LIST = """
SELECT ?person (SAMPLE(?l) AS ?label) (COUNT(DISTINCT ?event) AS ?events) WHERE {
  ?person a foaf:Person ; skos:prefLabel ?l . OPTIONAL { ?event schema:attendee ?person }
} GROUP BY ?person ORDER BY DESC(?events) ?label
"""


@dataclass(frozen=True)
class Ref:
    """An RDF term as a page shows it: a label linked to its page, or a literal's text."""

    text: str
    href: str | None = None
    title: str = ""
    note: str = ""

    @property
    def long(self) -> bool:
        return len(self.text) > LONG


@dataclass(frozen=True)
class Excerpt:
    """An evidence quote in its source text: the text before, the quote, the text after."""

    evidence: Ref
    source: Ref
    before: str
    quote: str
    after: str
    start: int
    end: int


def href_of(iri: str) -> str | None:
    """Where an IRI's page is: on this server for the graph's entities, the IRI itself for other web IRIs."""
    if iri.startswith(ID):
        return "/id/" + quote(iri[len(ID):], safe="/#:@!$&'()*+,;=~.-_")
    return iri if iri.startswith(("http://", "https://")) else None


def cut(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The quote text[start:end] and its paragraph around it, at most CONTEXT characters each side."""
    left = max(text.rfind("\n", 0, start) + 1, start - CONTEXT)
    right = text.find("\n", end)
    right = len(text) if right < 0 else min(right, end + CONTEXT)
    before, after = text[left:start], text[end:right]
    if left > 0 and text[left - 1] != "\n":
        before = "…" + before.split(" ", 1)[-1]
    if right < len(text) and text[right] != "\n":
        after = after.rsplit(" ", 1)[0] + "…"
    return before, text[start:end], after


class Pages:
    """Renders the HTML pages from the store."""

    def __init__(self, store: ox.Store) -> None:
        import jinja2

        self.store = store
        self.engine = OxigraphEngine(store)
        self.environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
        self.texts: dict[str, str] = {}
        self.entity_page = lru_cache(maxsize=512)(self.entity_page)  # type: ignore[method-assign]  # read-only data
        self.picture = lru_cache(maxsize=128)(self.picture)  # type: ignore[method-assign]
        self.overview = lru_cache(maxsize=1)(self.overview)  # type: ignore[method-assign]
        self.picture_choices = lru_cache(maxsize=1)(self.picture_choices)  # type: ignore[method-assign]

    def render(self, template: str, **context: Any) -> str:
        return self.environment.get_template(template).render(**context)

    def select(self, text: str, this: ox.NamedNode | None = None) -> Result:
        """An internal query over the union of the graphs, the diplokg prefixes declared, ?this put as an IRI."""
        return self.engine.query(text.replace("?this", str(this)) if this else text, prefixes=PREFIX_IRIS)

    def labels(self, terms: list[Term | None]) -> dict[str, str]:
        """Labels of IRIs; a participation or membership without one is named by who, at which event or as what post."""
        labels = labels_of(self.engine, Result("select", ["x"], [(t,) for t in terms if isinstance(t, ox.NamedNode)]))
        unnamed = sorted({t.value for t in terms if isinstance(t, ox.NamedNode) and t.value not in labels})
        if unnamed:
            rows = self.select(ROLES % " ".join(str(ox.NamedNode(i)) for i in unnamed)).rows
            parts = labels_of(self.engine, Result("select", ["x"], [(t,) for row in rows for t in row[1::2]]))
            for node, first, relation, second in rows:
                if node and first and relation and second and node.value not in labels:
                    labels[node.value] = (f"{parts.get(first.value, shorten(first.value))} {relation.value} "
                                          f"{parts.get(second.value, shorten(second.value))}")
        return labels

    def exists(self, iri: str) -> bool:
        """True if the IRI is the subject or object of any triple."""
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return False
        return any(True for _ in self.store.quads_for_pattern(node, None, None)) or \
            any(True for _ in self.store.quads_for_pattern(None, None, node))

    def bounded_description(self, iri: str) -> list[ox.Triple]:
        """The concise bounded description: the IRI's triples, and recursively those of the blank nodes and
        same-document IRIs (iri#...) they reach; over every graph, the inferred one included."""
        start = ox.NamedNode(iri)
        seen, todo, triples = {start}, [start], set()
        while todo:
            for quad in self.store.quads_for_pattern(todo.pop(), None, None):
                triples.add(quad.triple)
                node = quad.object
                if node not in seen and (isinstance(node, ox.BlankNode)
                                         or (isinstance(node, ox.NamedNode) and node.value.startswith(iri + "#"))):
                    seen.add(node)
                    todo.append(node)
        return sorted(triples, key=str)

    def ref(self, term: Term | None, labels: dict[str, str]) -> Ref | None:
        if term is None:
            return None
        if isinstance(term, ox.NamedNode):
            return Ref(labels.get(term.value) or shorten(term.value), href_of(term.value), term.value)
        if isinstance(term, ox.BlankNode):
            return Ref(f"_:{term.value}")
        if term.datatype.value == PREFIX_IRIS["xsd"] + "boolean":
            return Ref("yes" if term.value in ("true", "1") else "no")
        note = f"@{term.language}" if term.language else (
            "" if term.datatype.value == XSD_STRING or term.datatype.value in XSD_PLAIN else "^^" + shorten(term.datatype.value))
        return Ref(term.value, note=note)

    def source_text(self, source: ox.NamedNode) -> str:
        if source.value not in self.texts:
            rows = self.select(SOURCE_TEXT, this=source).rows
            self.texts[source.value] = rows[0][0].value if rows and rows[0][0] is not None else ""
        return self.texts[source.value]

    def excerpts(self, nodes: list[Term]) -> dict[str, list[Excerpt]]:
        """The evidence of each node (or the node itself if it is evidence), as highlighted excerpts."""
        named = sorted({n.value for n in nodes if isinstance(n, ox.NamedNode)})
        if not named:
            return {}
        rows = self.select(EVIDENCE % " ".join(str(ox.NamedNode(n)) for n in named)).rows
        labels = self.labels([term for row in rows for term in row[1:3]])
        found: dict[str, list[Excerpt]] = defaultdict(list)
        for node, evidence, source, start, end in rows:
            text = self.source_text(source)
            first, last = int(start.value), int(end.value)
            if not 0 <= first <= last <= len(text):
                continue
            before, quoted, after = cut(text, first, last)
            found[node.value].append(Excerpt(self.ref(evidence, labels), self.ref(source, labels), before, quoted, after,
                                             first, last))
        return found

    def picture(self, kind: str, event: str | None = None, person: str | None = None) -> str:
        """A picture of diplokg.draw as inline SVG, its nodes linked to this server's entity pages."""
        from diplokg.draw import picture, render

        svg = render(picture(self.engine, kind, event, person, link=local_link), "svg").decode("utf-8")
        return svg[svg.index("<svg"):]

    def listing(self, text: str) -> list[dict[str, Any]]:
        """Rows of an internal query as {variable: Ref or plain value}, IRIs labelled and linked."""
        result = self.select(text)
        labels = self.labels([t for row in result.rows for t in row])
        return [{name: (self.ref(term, labels) if isinstance(term, ox.NamedNode) else (term.value if term else ""))
                 for name, term in zip(result.variables, row, strict=True)} for row in result.rows]

    def overview(self) -> dict[str, Any]:
        """What the start page says of the dataset: counts, sources, events and the most present people."""
        counts = {row[0].value: int(row[1].value) for row in self.select(COUNTS).rows if row[0] and row[1]}
        return {"counts": counts, "sources": self.listing(SOURCES), "events": self.listing(EVENT_LIST),
                "people": self.listing(PEOPLE_LIST)[:12]}

    def picture_choices(self) -> dict[str, Any]:
        """The events and people a picture can be drawn for."""
        return {"events": self.listing(EVENT_LIST), "people": self.listing(PEOPLE_LIST)}

    def entity_picture(self, iri: str, types: set[str]) -> str | None:
        """For a person, their contacts; for an event, its delegations facing each other; else none."""
        from diplokg.errors import DiplokgError

        person, event = PREFIX_IRIS["foaf"] + "Person", ID + "event/"
        try:
            if person in types:
                return self.picture("network", person=iri)
            if iri.startswith(event):
                return self.picture("network", event=iri)
        except DiplokgError:  # a person who met no one, an event without participants: no picture
            return None
        return None

    def entity_page(self, iri: str) -> str:
        """The HTML page of one entity."""
        this = ox.NamedNode(iri)
        outgoing, incoming = self.select(OUTGOING, this=this).rows, self.select(INCOMING, this=this).rows
        events, posts = self.select(EVENTS, this=this).rows, self.select(POSTS, this=this).rows
        statements, mentions = self.select(STATEMENTS, this=this).rows, self.select(MENTIONS, this=this).rows
        terms = [this, *(t for rows in (outgoing, incoming, events, posts, statements) for row in rows for t in row)]
        labels = self.labels(terms)
        evidence = self.excerpts([this, *(row[2] for row in posts), *(row[0] for row in statements),
                                  *(row[0] for row in mentions)])

        def ref(term: Term | None) -> Ref | None:
            return self.ref(term, labels)

        grouped_posts: dict[str, dict[str, Any]] = {}
        for post, organization, membership, title in posts:
            entry = grouped_posts.setdefault(post.value, {"post": ref(post), "organization": ref(organization),
                                                          "titles": []})
            if membership is not None:
                entry["titles"].append({"title": ref(title), "evidence": evidence.get(membership.value, [])})
        said: dict[str, dict[str, Any]] = {}
        for statement, text, event, role in statements:
            entry = said.setdefault(statement.value, {"statement": ref(statement), "text": text.value,
                                                      "event": ref(event), "roles": [],
                                                      "evidence": evidence.get(statement.value, [])})
            entry["roles"] += [role.value] if role.value not in entry["roles"] else []
        types = [o for o, p, _ in outgoing if p is not None and p.value == RDF_TYPE]
        facts = self.facts(outgoing, labels)
        summary = sorted((f for f in facts if f["predicate"].title in SUMMARY), key=lambda f: SUMMARY.index(f["predicate"].title))
        return self.render(
            "entity.html", iri=iri, title=labels.get(iri) or shorten(iri),
            types=[ref(o) for o in types], picture=self.entity_picture(iri, {o.value for o in types}),
            rdf_links=[("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("N-Triples", "nt")],
            evidence=evidence.get(iri, []),
            events=[{"event": ref(e), "date": d.value if d else "", "capacities": c.value if c else ""}
                    for e, _, d, c in events],
            posts=list(grouped_posts.values()), statements=list(said.values()),
            mentions=[{"form": form.value, "evidence": evidence.get(name.value, [])} for name, form in mentions],
            facts=facts, referenced_by=self.facts(incoming, labels), summary=summary, attendance=self.attendance(this))

    def attendance(self, this: ox.NamedNode) -> list[dict[str, Any]]:
        """Who attended an event, by delegation (heads first), with their capacities."""
        rows = self.select(ATTENDANCE, this=this).rows
        labels = self.labels([t for row in rows for t in row])
        groups: dict[str, dict[str, Any]] = {}
        for delegation, person, capacity in rows:
            key = delegation.value if delegation else ""
            group = groups.setdefault(key, {"delegation": self.ref(delegation, labels), "people": {}})
            entry = group["people"].setdefault(person.value, {"person": self.ref(person, labels), "capacities": []})
            if capacity is not None and capacity.value not in entry["capacities"]:
                entry["capacities"].append(capacity.value)
        return [{"delegation": g["delegation"], "people": sorted(g["people"].values(), key=lambda e: (
            "head" not in " ".join(e["capacities"]), e["person"].text))} for g in groups.values()]

    def facts(self, rows: list[tuple[Term | None, ...]], labels: dict[str, str]) -> list[dict[str, Any]]:
        """(value, predicate, graph) rows grouped by predicate (rdf:type first), each value with its graphs."""
        grouped: dict[str, dict[Ref, set[str]]] = defaultdict(lambda: defaultdict(set))
        predicates: dict[str, Ref] = {}
        for term, predicate, graph in rows:
            value = self.ref(term, labels)
            if predicate is None or value is None or graph is None:
                continue
            predicates[predicate.value] = self.ref(predicate, labels) or Ref(predicate.value)
            grouped[predicate.value][value].add(graph.value.removeprefix(GRAPH))
        order = sorted(grouped, key=lambda p: (p != RDF_TYPE, predicates[p].text.lower()))
        return [{"predicate": predicates[p], "values": sorted(((v, sorted(g)) for v, g in grouped[p].items()),
                                                            key=lambda item: item[0].text.lower())} for p in order]

    def results_page(self, entry: dict[str, Any], values: dict[str, str], result: Result) -> str:
        """A saved query's answer as an HTML table (IRIs shown by label and linked), with download links."""
        if result.kind == "graph":
            variables, rows = ["subject", "predicate", "object"], [tuple(t) for t in result.triples]
            formats = [("Turtle", "ttl"), ("N-Triples", "nt"), ("JSON-LD", "jsonld"), ("RDF/XML", "xml")]
        else:
            variables, rows = result.variables, result.rows
            formats = [("CSV", "csv"), ("TSV", "tsv"), ("JSON", "json"), ("XML", "xml")]
        labels = self.labels([t for row in rows for t in row])
        downloads = [(label, f"/queries/{quote(entry['name'])}?" + urlencode({**values, "format": name}))
                     for label, name in formats]
        return self.render("results.html", query=entry, values=values, kind=result.kind, boolean=result.boolean,
                           variables=variables, rows=[[self.ref(t, labels) for t in row] for row in rows],
                           downloads=downloads)
