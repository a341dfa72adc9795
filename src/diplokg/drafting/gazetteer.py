"""What the project already knows: people, organisations, posts and roles, places, topics.

Read from the entities file, every facts file (printed names and printed titles) and the SKOS
vocabularies, with pyoxigraph's parser. The drafting rules look names and titles up here first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.paths import Layout
from diplokg.prefixes import PREFIX_IRIS

P = PREFIX_IRIS
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_TYPE = P["rdf"] + "type"
PERSON_CLASSES = {P["foaf"] + "Person"}
ORG_CLASSES = {P["org"] + c for c in ("FormalOrganization", "OrganizationalUnit", "Organization")}
POST_CLASSES = {P["org"] + "Post"}
ROLE_CLASSES = {P["org"] + "Role"}
PLACE_CLASSES = {P["schema"] + c for c in ("Country", "City", "Place", "AdministrativeArea")} | {P["dip"] + "Region"}


@dataclass
class Entity:
    """One known entity: its IRI, kind and every name the project gives or prints for it."""

    iri: str
    kind: str
    labels: list[str] = field(default_factory=list)
    country: str | None = None
    parent: str | None = None
    organisation: str | None = None
    family_name: str | None = None
    holds: set[str] = field(default_factory=set)
    skos_names: set[str] = field(default_factory=set)  # its skos:prefLabel and skos:altLabel values, as written

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else self.iri.rsplit("/", 1)[-1]

    def add_label(self, value: str) -> None:
        if value and value not in self.labels:
            self.labels.append(value)


@dataclass
class Gazetteer:
    """Known entities by IRI, the concept schemes and every typed IRI the project declares, and the project's next free
    name for new IRIs."""

    entities: dict[str, Entity] = field(default_factory=dict)
    schemes: set[str] = field(default_factory=set)
    declared: dict[str, set[str]] = field(default_factory=dict)  # every typed IRI of the project -> its classes
    abbreviations: dict[str, set[str]] = field(default_factory=dict)  # evidence abbreviation -> the sources using it

    def of_kind(self, *kinds: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.kind in kinds]

    def get(self, iri: str | None) -> Entity | None:
        return self.entities.get(iri) if iri else None

    def country_of(self, iri: str | None, depth: int = 0) -> str | None:
        """The country of an organisation, post or person (through its posts), if the project says."""
        entity = self.get(iri)
        if entity is None or depth > 4:
            return None
        if entity.country:
            return entity.country
        for other in (entity.organisation, entity.parent, *sorted(entity.holds)):
            country = self.country_of(other, depth + 1)
            if country:
                return country
        return None


def read_triples(path: Path) -> list[tuple[str, str, object]]:
    try:
        quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        return [(q.subject.value, q.predicate.value, q.object) for q in quads]
    except SyntaxError as error:
        raise DiplokgError(f"{path}: cannot parse as Turtle: {' '.join(str(error).split())}") from None
    except OSError as error:
        raise DiplokgError(f"{path}: cannot read the file: {error}.") from None


def load_gazetteer(layout: Layout) -> Gazetteer:
    """Every person, organisation, post, role, place and topic the project knows, with its printed forms."""
    files = sorted(layout.ontology_dir.glob("vocabularies*.ttl"))
    if layout.entities_file.exists():
        files.append(layout.entities_file)
    files += sorted(layout.facts_dir.glob("*.ttl")) if layout.facts_dir.exists() else []
    triples = [t for path in files for t in read_triples(path)]
    types: dict[str, set[str]] = defaultdict(set)
    values: dict[tuple[str, str], list[object]] = defaultdict(list)
    for s, p, o in triples:
        if p == RDF_TYPE:
            types[s].add(o.value)
        values[(s, p)].append(o)
    gazetteer = Gazetteer(declared={s: set(classes) for s, classes in types.items()})
    kinds = [("person", PERSON_CLASSES), ("org", ORG_CLASSES), ("post", POST_CLASSES), ("role", ROLE_CLASSES),
             ("place", PLACE_CLASSES)]
    for subject, classes in types.items():
        if P["skos"] + "ConceptScheme" in classes:
            gazetteer.schemes.add(subject)
        kind = next((k for k, wanted in kinds if classes & wanted), None)
        if kind is None and P["skos"] + "Concept" in classes and subject.startswith(P["topic"]):
            kind = "topic"
        if kind is None:
            continue
        entity = Entity(subject, kind)
        for predicate in (P["skos"] + "prefLabel", P["foaf"] + "name", P["rdfs"] + "label", P["skos"] + "altLabel",
                          P["schema"] + "alternateName"):
            for value in values.get((subject, predicate), []):
                if isinstance(value, ox.Literal) and not (predicate == P["rdfs"] + "label" and "(" in value.value):
                    entity.add_label(value.value)
                if isinstance(value, ox.Literal) and predicate in (P["skos"] + "prefLabel", P["skos"] + "altLabel") \
                        and value.language is None and value.datatype.value == XSD_STRING:
                    entity.skos_names.add(value.value)
        first = values.get((subject, P["dip"] + "country")) or values.get((subject, P["schema"] + "containedInPlace"))
        entity.country = first[0].value if first and kind != "place" else None
        parent = values.get((subject, P["org"] + "unitOf")) or values.get((subject, P["org"] + "subOrganizationOf"))
        entity.parent = parent[0].value if parent else None
        post_in = values.get((subject, P["org"] + "postIn"))
        entity.organisation = post_in[0].value if post_in else None
        family = values.get((subject, P["foaf"] + "familyName"))
        entity.family_name = family[0].value if family else None
        entity.holds = {o.value for o in values.get((subject, P["org"] + "holds"), [])}
        gazetteer.entities[subject] = entity
    evidence = P["ev"]
    for subject, predicate, obj in triples:
        if predicate == P["oa"] + "hasSource" and subject.startswith(evidence):
            gazetteer.abbreviations.setdefault(subject[len(evidence):].split("-", 1)[0], set()).add(obj.value)
        if predicate == P["org"] + "holds" and subject in gazetteer.entities:
            gazetteer.entities[subject].holds.add(obj.value)
        if predicate == P["dip"] + "labelOf" and obj.value in gazetteer.entities:
            for form in values.get((subject, P["skosxl"] + "literalForm"), []):
                gazetteer.entities[obj.value].add_label(form.value)
        if predicate == P["dip"] + "printedTitle":
            for link in (P["dip"] + "post", P["org"] + "role"):
                for target in values.get((subject, link), []):
                    if target.value in gazetteer.entities:
                        gazetteer.entities[target.value].add_label(obj.value)
    return gazetteer
