"""Turn what the extractor found into proposed nodes with IRIs by the project's slug rules."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from diplokg.drafting.linking import fold, match_label, slugify
from diplokg.drafting.model import Node, literal, typed
from diplokg.drafting.statements import SPEECH
from diplokg.prefixes import expand_curie as expand
from diplokg.prefixes import shorten

if TYPE_CHECKING:
    from diplokg.drafting.extract import Extractor
    from diplokg.drafting.patterns import Mention


def curie(iri: str) -> str:
    short = shorten(iri)
    if short == iri:
        for prefix, namespace in (("role", "https://w3id.org/diplokg/id/role/"),
                                  ("agent", "https://w3id.org/diplokg/id/agent/")):
            if iri.startswith(namespace):
                return f"{prefix}:{iri[len(namespace):]}"
        return f"<{iri}>"
    return short


def local(iri: str) -> str:
    return re.split(r"[:/]", iri)[-1]


VERB_NOUNS = {"met with": "meeting", "met": "meeting", "meet": "meeting", "visited": "visit", "traveled to": "visit",
              "travelled to": "visit", "signed": "signing", "spoke by telephone": "telephone call",
              "spoke by phone": "telephone call"}


def base_label(trigger: str) -> str:
    noun = VERB_NOUNS.get(trigger, trigger)
    return noun[:1].upper() + noun[1:]


class Emitter:
    """Writes the extractor's findings into the draft as nodes, grouped by event."""

    def __init__(self, extractor: Extractor) -> None:
        self.x = extractor
        self.draft = extractor.draft
        self.abbr = extractor.abbr
        self.event_iris: dict[str, str] = {}
        self.used_event_iris: set[str] = set()  # the values of event_iris
        self.known_locals: set[str] | None = None  # local names of the project's entities, once needed
        self.mention_spans: dict[tuple[int, int], Mention] | None = None  # first mention at each (start, end)
        self.topic_patterns = [(e.iri, re.compile(rf"\b{re.escape(fold(label))}\b"))
                               for e in extractor.gazetteer.of_kind("topic") for label in e.labels]

    def node(self, iri: str, types: list[str], group: str, why: str, spans: list[tuple[int, int]] = (),
             entity: bool = False) -> Node:
        node = self.draft.node(iri, types, group, why)
        node.entity = entity
        node.cite(*spans)
        return node

    def topics(self, spans: list[tuple[int, int]]) -> list[str]:
        text = " ".join(fold(self.x.text[s:e]) for s, e in spans)
        return sorted({curie(iri) for iri, pattern in self.topic_patterns if pattern.search(text)})

    def emit(self) -> None:
        self.source()
        self.events()
        self.people()
        self.delegations()
        self.participations()
        self.statements()
        self.situations()
        self.places()

    def role_scheme(self) -> None:
        """Declare the scheme of generic roles when the project does not (a new project's first role)."""
        if expand("role:scheme") in self.x.gazetteer.schemes or "role:scheme" in self.draft.nodes:
            return
        node = self.node("role:scheme", ["skos:ConceptScheme"], "entities", "the scheme of generic roles, which the "
                         "project does not declare yet", entity=True)
        node.add("rdfs:label", literal("Generic roles"))
        node.add("skos:prefLabel", literal("Generic roles"))
        node.add("skos:definition", literal("Titles that many people hold at once in different organisations (org:Role)."))

    def places(self) -> None:
        """Declare every place the draft names that the project does not know (a country of a new post, ...)."""
        named = {v for node in list(self.draft.nodes.values()) for values in node.properties.values() for v in values
                 if v.startswith("place:")}
        for place in sorted(named):
            if expand(place) in self.x.gazetteer.entities or place in self.draft.nodes:
                continue
            name = place.split(":", 1)[1].replace("-", " ").title()
            node = self.node(place, ["schema:Country"], "entities", f"a country the text names, not known to the "
                             f"project: {name}", entity=True)
            node.add("rdfs:label", literal(name))
            node.add("skos:prefLabel", literal(name))

    # ---------------------------------------------------------------- source
    def source(self) -> None:
        doc, x = self.x.doc, self.x
        self.draft.add_group("source", "the source")
        first = doc.sentences[0] if doc.sentences else None
        spans = [(doc.dateline.start, doc.dateline.end)] if doc.dateline else ([(first.start, first.end)] if first else [])
        why = ("dateline '" + x.text[doc.dateline.start:doc.dateline.end] + "': date and place" if doc.dateline else
               "no dateline: the text states no date")
        node = self.node(f"src:{x.source}", ["dip:SourceDocument"], "source", why, spans)
        title = first.text if first else x.source
        if doc.dateline and first and first.start <= doc.dateline.start < first.end:
            title = x.text[doc.dateline.end:first.end].lstrip(" ).-–—:")
            if not title.strip(" .") and len(doc.sentences) > 1:  # no headline: the dateline stands alone
                title = doc.sentences[1].text
                node.notes.append("the text prints no headline: the label is its first sentence")
        title = title if len(title) <= 160 else title[:157].rsplit(" ", 1)[0] + " …"
        node.add("rdfs:label", literal(title))
        node.add("schema:name", literal(title))
        node.add("schema:inLanguage", literal("en", None))
        if doc.date:
            node.add("schema:dateCreated", typed(doc.date.isoformat(), "xsd:date"))
            node.add("dip:dateBasis", "dip:DateFromDateline")
        else:
            node.add("dip:dateBasis", "dip:DateNotStated")
        node.add("dip:fileName", literal(f"{x.source}.txt", None))
        if doc.dateline and doc.dateline.place:
            place = x.dateline_place()
            if place not in x.gazetteer.entities:
                entity = self.node(curie(place), ["schema:Place"], "entities",
                                   f"place of the dateline '{doc.dateline.place}', not known to the project",
                                   spans, entity=True)
                entity.add("rdfs:label", literal(doc.dateline.place.title()))
                entity.add("skos:prefLabel", literal(doc.dateline.place.title()))
            elif match_label(doc.dateline.place, x.gazetteer.of_kind("place")) is None:
                node.notes.append(f"the dateline prints '{doc.dateline.place}', read as {curie(place)} (the part of "
                                  "its name before the comma): check the place")
            node.add("schema:locationCreated", curie(place))

    # ---------------------------------------------------------------- events
    def event_iri(self, event) -> str:  # noqa: ANN001
        if event.key in self.event_iris:
            return self.event_iris[event.key]
        if event.cls == "schema:EventSeries":
            base = slugify(event.trigger)
        else:
            base = slugify(VERB_NOUNS.get(event.trigger, event.trigger))
            if event.series:
                base = slugify(event.series) + "-session"
            if event.date:
                base = f"{event.date.isoformat()}-{base}"
        iri, n = f"event:{base}", 1
        if self.known_locals is None:
            self.known_locals = {local(i) for i in [*self.x.gazetteer.entities, *self.x.gazetteer.declared]}
        if self.known_series(iri) and event.cls == "schema:EventSeries":  # the project's own node for it
            self.event_iris[event.key] = iri
            return iri
        while iri in self.used_event_iris or iri[6:] in self.known_locals:
            n += 1
            iri = f"event:{base}-{n}"
        self.event_iris[event.key] = iri
        self.used_event_iris.add(iri)
        return iri

    def known_series(self, iri: str) -> bool:
        return expand("schema:EventSeries") in self.x.gazetteer.declared.get(expand(iri), set())

    def events(self) -> None:
        x = self.x
        mission = next((e for e in x.events if e.family == "visit" and not e.background and not e.planned), None)
        for event in [*x.series.values(), *x.events]:
            iri = self.event_iri(event)
            if event.cls == "schema:EventSeries" and self.known_series(iri):
                continue  # the project declares it: the sessions point to it, nothing to propose
            heading = f"{event.trigger} ({event.date.isoformat() if event.date else 'no date stated'})"
            self.draft.add_group(iri, heading)
            why = f"rule 'event word': '{event.trigger}' " + (
                "names a standing series" if event.cls == "schema:EventSeries" else
                "with a date, 'today' or words of a plan names a session of the series" if event.series else
                "with 'a'/'an' or a verb opens a new event" if not event.background else
                "mentioned as background, not as what the text reports")
            node = self.node(iri, [event.cls], iri, why, event.evidence)
            label = self.event_label(event)
            node.add("rdfs:label", literal(label))
            node.add("dip:eventType", event.etype)
            if event.date:
                node.add("schema:startDate", typed(event.date.isoformat(), "xsd:date"))
            node.add("dip:dateBasis", event.date_basis)
            if event.series_acronym:
                node.add("schema:alternateName", literal(event.series_acronym, None))
            if event.series:
                node.add("schema:superEvent", self.event_iri(x.series[event.series]))
            if event.planned:
                node.add("schema:eventStatus", "schema:EventScheduled")
                announced = [e for e in x.events if e.sentence <= event.sentence and not e.background and not e.planned
                             and e is not event and e.parent is None]
                if announced:
                    node.add("dip:announcedAt", self.event_iri(announced[-1]))
            if event.location:
                node.add("schema:location", curie(event.location))
                if event.location_span:
                    node.cite(event.location_span)
            if x.visited.get(event.key):
                node.add("dip:visitedOrganization", curie(x.visited[event.key]))
            if event.parent is not None:
                node.add("schema:superEvent", self.event_iri(event.parent))
                node.notes.append(f"reported as happening at the {event.parent.trigger}")
            elif mission is not None and event is not mission and not event.background and not event.planned \
                    and event.cls != "schema:EventSeries" and event.sentence > mission.sentence:
                node.add("schema:superEvent", self.event_iri(mission))
                node.notes.append(f"read as part of the {mission.trigger}, which the text reports first")
            topics = self.topics(event.evidence)
            if topics:
                node.add("dcterms:subject", *topics)
            node.notes.extend(event.notes)

    def event_label(self, event) -> str:  # noqa: ANN001
        """'Telephone call between A and B', 'Meeting with A and B', 'Lunch meeting of the Mexico and United States
        delegations', 'Working visit to Washington, DC'."""
        x = self.x
        if event.series:
            return f"Session of the {event.series}"
        label = base_label(event.trigger)
        parts = x.participations_of(event)
        delegations = [d for d in x.delegations.values() if event.key in d.events]
        named = ("interlocutor",) if delegations else ("caller", "visitor", "interlocutor", "attendee")
        names = [x.people.people[p.person].name for p in parts if p.capacity in named]
        countries = [x.gazetteer.get(d.country).label if x.gazetteer.get(d.country) else local(d.country).title()
                     for d in delegations]
        if event.family == "call" and len(names) >= 2:
            return f"{label} between {' and '.join(names[:2])}"
        if len(countries) >= 2:
            label += f" of the {' and '.join(countries)} delegations"
        elif countries:
            label += f" of the delegation of {countries[0]}"
        if names and len(names) <= 3:
            label += (" with " if countries or event.family != "visit" else " of ") + ", ".join(names[:-1]) + \
                (" and " if len(names) > 1 else "") + names[-1]
        if event.family == "visit" and event.location and x.gazetteer.get(event.location):
            label += f" to {x.gazetteer.get(event.location).label}"
        return label

    # ---------------------------------------------------------------- people, titles, organisations
    def people(self) -> None:
        x, people = self.x, self.x.people
        self.draft.add_group("people", "people, their printed names and titles")
        self.draft.add_group("entities", "new entities (move to data/entities.ttl once reviewed)")
        for person in people.people.values():
            slug = local(person.iri)
            if person.new:
                node = self.node(curie(person.iri), ["foaf:Person"], "entities",
                                 f"new person: '{person.name}' matches no known name (names are matched exactly, "
                                 "without accents, as short/full forms, then fuzzily at 88 %)", entity=True)
                node.add("rdfs:label", literal(person.name, None))
                node.add("skos:prefLabel", literal(person.name, None))
                node.add("foaf:name", literal(person.name, None))
                for other in person.printed:
                    if other != person.name:
                        node.add("skos:altLabel", literal(other, None))
                if person.honorific:
                    node.add("schema:honorificPrefix", literal(person.honorific))
                node.cite(*[m.span for m in person.mentions[:1]])
            for n, printed in enumerate(person.printed):
                spans = [(m.start, m.end) for m in person.mentions if m.text == printed]
                why = (f"printed name '{printed}' → {curie(person.iri)}" +
                       (f" ({person.link.how}, {person.link.score:.0f} %)" if person.link else " (new person)"))
                label = self.node(f"name:{self.abbr}-{slug}" + (f"-{n + 1}" if n else ""), ["skosxl:Label"], "people",
                                  why, [self.widen(s) for s in spans])
                label.add("skosxl:literalForm", literal(printed, None))
                label.add("dip:labelOf", curie(person.iri))
                if person.link and person.link.score < 96:
                    label.notes.append(f"name linked by {person.link.how} ({person.link.score:.0f} %): check it is the "
                                       "same person")
                known = x.gazetteer.get(person.iri)
                if known is not None and printed not in known.skos_names:  # every printed name is one of its names
                    label.extra.append(f"{curie(person.iri)} skos:altLabel {literal(printed, None)} .")
                    label.notes.append(f"'{printed}' is not yet a name of {curie(person.iri)}: proposed as skos:altLabel")
            if not person.printed and person.link:
                x.draft.unplaced.append(f"{curie(person.iri)}: named only by surname ({person.link.how})")
            if not any(h.person is person for h in people.holdings.values()):
                x.draft.unplaced.append(f"{person.name or curie(person.iri)}: named with no title")
        for entity in people.new_entities.values():
            types = {"org": ["org:FormalOrganization"], "post": ["org:Post"], "role": ["org:Role"]}[entity.kind]
            node = self.node(curie(entity.iri), types, "entities", f"new {entity.kind}: '{entity.label}' matches nothing "
                             "the project knows", entity.spans, entity=True)
            node.add("rdfs:label", literal(entity.label))
            node.add("skos:prefLabel", literal(entity.label))
            if entity.acronym:
                node.add("skos:altLabel", literal(entity.acronym))
            if entity.kind == "role":
                node.add("skos:inScheme", "role:scheme")
                self.role_scheme()
            if entity.organisation:
                node.add("org:postIn", curie(entity.organisation))
            if entity.country:
                node.add("dip:country", curie(entity.country))
        for holding in people.holdings.values():
            person = holding.person
            node = self.node(f"mem:{local(person.iri)}--{local(holding.target)}", ["org:Membership"], "people",
                             "; ".join(dict.fromkeys(holding.why)),
                             [*holding.spans, *self.naming_span(person.iri, holding.spans)])
            node.add("org:member", curie(person.iri))
            organisation = holding.organisation or self.government_of(person.country)
            if organisation:
                node.add("org:organization", curie(organisation))
                if not holding.organisation:
                    node.notes.append(f"the text names no organisation for this title: {curie(organisation)}, the "
                                      "government of the person's country, is proposed")
            else:
                node.notes.append("the text names no organisation for this title")
            node.add("dip:post" if holding.kind == "post" else "org:role", curie(holding.target))
            node.add("dip:printedTitle", *[literal(p) for p in holding.printed])
            node.notes.extend(holding.notes)
            if holding.kind == "post":
                node.extra.append(f"{curie(person.iri)} org:holds {curie(holding.target)} .")
        seen: dict[tuple[str, str], Node] = {}
        for organisation, printed, span in people.org_names:
            key = (organisation, printed)
            if key in seen:
                seen[key].cite(span)
                continue
            n = sum(1 for o, _ in seen if o == organisation)
            node = self.node(f"name:{self.abbr}-{local(organisation)}" + (f"-{n + 1}" if n else ""), ["skosxl:Label"],
                             "people", f"organisation named in a title: '{printed}' → {curie(organisation)}", [span])
            node.add("skosxl:literalForm", literal(printed))
            node.add("dip:labelOf", curie(organisation))
            known = self.x.gazetteer.get(organisation)
            if known is not None and printed not in known.skos_names:  # every printed name is one of its names
                node.extra.append(f"{curie(organisation)} skos:altLabel {literal(printed)} .")
                node.notes.append(f"'{printed}' is not yet a name of {curie(organisation)}: proposed as skos:altLabel")
            seen[key] = node

    def government_of(self, country: str | None) -> str | None:
        """The project's 'Government of <country>' organisation, if it has one."""
        for entity in self.x.gazetteer.of_kind("org"):
            if country and entity.country == country and fold(entity.label).startswith("government of"):
                return entity.iri
        return None

    def widen(self, span: tuple[int, int]) -> tuple[int, int]:
        """A name's evidence with its title, when the mention has one."""
        if self.mention_spans is None:
            self.mention_spans = {}
            for mention in self.x.mentions:
                self.mention_spans.setdefault((mention.start, mention.end), mention)
        mention = self.mention_spans.get(span)
        return mention.span if mention is not None else span

    # ---------------------------------------------------------------- delegations and participations
    def delegations(self) -> None:
        x = self.x
        by_key = {e.key: e for e in x.events}
        for delegation in x.delegations.values():
            events = [self.event_iri(by_key[k]) for k in delegation.events]
            group = events[0] if events else "people"
            country = x.gazetteer.get(delegation.country)
            name = country.label if country else delegation.country.rsplit("/", 1)[-1].replace("-", " ").title()
            node = self.node(delegation.iri, ["dip:Delegation"], group,
                             f"rule 'delegation': the text names a delegation of {name}", delegation.spans[:3])
            first = by_key[delegation.events[0]] if delegation.events else None
            at = f" at the {base_label(first.trigger).lower()}" if first else ""
            node.add("rdfs:label", literal(f"Delegation of {name}{at}"))
            node.add("dip:represents", curie(delegation.country))
            if events:
                node.add("dip:delegationAt", *events)
            else:
                node.notes.append("no event found for this delegation")
            if delegation.heads:
                node.add("dip:headedBy", *[curie(h) for h in delegation.heads])

    def participations(self) -> None:
        x = self.x
        by_key = {e.key: e for e in x.events}
        for participation in x.participations.values():
            event = self.event_iri(by_key[participation.event])
            iri = f"part:{self.abbr}-{local(event)}-{local(participation.person)}"
            node = self.node(iri, ["dip:Participation"], event, participation.why,
                             [*participation.spans, *self.naming_span(participation.person, participation.spans)])
            node.add("dip:participant", curie(participation.person))
            node.add("dip:event", event)
            if participation.delegation:
                node.add("dip:asMemberOf", participation.delegation)
            node.add("dip:capacity", {"head": "cap:head-of-delegation", "member": "cap:delegation-member",
                                      "attendee": "cap:attendee", "interlocutor": "cap:interlocutor",
                                      "caller": "cap:caller", "visitor": "cap:visitor"}[participation.capacity])
            node.notes.extend(participation.notes)

    def naming_span(self, person: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The first full name of the person, when the evidence names them only by surname ('Secretary Becerra
        met'): every participation's and membership's evidence names its person by one of their names."""
        names = [n.lower() for n in self.x.person(person).printed]
        if not names or any(n in self.x.text[s:e].lower() for s, e in spans for n in names):
            return []
        first = next((m for m in self.x.mentions if m.person == person and not m.surname_only), None)
        return [first.span] if first else []

    # ---------------------------------------------------------------- statements
    def statements(self) -> None:
        x = self.x
        self.draft.add_group("statements", "statements not tied to an event")
        for found in x.statement_nodes:
            words = x.text[found["words"][0]:found["words"][1]]
            slug = "-".join(slugify(words).split("-")[:5])
            iri, n = f"stmt:{self.abbr}-{slug}", 1
            while iri in self.draft.nodes:
                n += 1
                iri = f"stmt:{self.abbr}-{slug}-{n}"
            context = self.context_event(found["index"], found["speakers"])
            group = context or "statements"
            types = ["dip:Statement", "schema:Quotation"] if found["kind"] == "quotation" else ["dip:Statement",
                                                                                                "dip:ReportedSpeech"]
            node = self.node(iri, types, group, found["rule"] + (f"; {found['note']}" if found["note"] else ""),
                             [found["span"]])
            speaker = found["speakers"][0] if found["speakers"] else None
            name = self.name_of(speaker) if speaker else None
            opening = " ".join(words.split()[:12]) + ("…" if len(words.split()) > 12 else "")
            node.add("rdfs:label", literal(f"{name}: {opening}" if name else opening))
            node.add("schema:text", literal(words))
            if found["speakers"]:
                node.add("schema:creator", *[curie(s) if not s.startswith("deleg:") else s for s in found["speakers"]])
            if found["printed"]:
                node.add("dip:attributedAsPrinted", literal(found["printed"]))
            if found["caption"]:
                node.add("dip:captionNames", curie(found["caption"]))
            if context:
                node.add("dip:statedAt", context)
            topics = self.topics([found["words"]])
            if topics:
                node.add("dcterms:subject", *topics)
            node.add("schema:isBasedOn", f"src:{x.source}")
            node.notes.extend(found.get("quote_notes", []))
            if not found["speakers"]:
                node.notes.append("no speaker: the text does not say who")

    def situations(self) -> None:
        x = self.x
        self.draft.add_group("situations", "commitments, positions and agreements")
        for situation in x.found_situations:
            slug = "-".join(slugify(situation.label).split("-")[:6])
            iri, n = f"sit:{self.abbr}-{slug}", 1
            while iri in self.draft.nodes:
                n += 1
                iri = f"sit:{self.abbr}-{slug}-{n}"
            node = self.node(iri, ["dip:Situation"], "situations",
                             f"rule 'status words': the text states {situation.status.split(':')[1]}", [situation.span])
            node.add("rdfs:label", literal(situation.label))
            node.add("dip:situationStatus", situation.status)
            parties = [curie(p) if not p.startswith("deleg:") else p for p in situation.parties]
            if parties:
                node.add("dip:proposedBy" if situation.status == "dip:Proposed" else "dip:party", *parties)
            else:
                node.notes.append("the text names no party")
            topics = self.topics([situation.span])
            if topics:
                node.add("dcterms:subject", *topics)
        for name, span, signing in x.found_agreements:
            iri = f"agr:{slugify(name)}"
            node = self.node(iri, ["dip:Agreement"], "situations", f"rule 'named agreement': '{name}'", [span])
            node.add("rdfs:label", literal(name))
            at = [e for e in (signing, signing.parent if signing else None) if e is not None]
            signers = next(([p.person for p in x.participations_of(e)] for e in at if x.participations_of(e)), [])
            countries = [x.person(s).country for s in signers]  # 'the two ministers signed': those of the breakfast
            parties = sorted(set(countries)) if countries and all(countries) else []
            if parties:
                node.add("dip:party", *[curie(c) for c in parties])
                node.notes.append("the parties are the countries of the people who signed it")
            if signing is not None:
                self.draft.nodes[self.event_iri(signing)].add("dip:agreement", iri)

    def name_of(self, iri: str) -> str:
        """A readable name for a speaker: a person's or organisation's label, or a delegation's country."""
        if iri.startswith("deleg:"):
            delegation = next((d for d in self.x.delegations.values() if d.iri == iri), None)
            country = self.x.gazetteer.get(delegation.country) if delegation else None
            return f"the delegation of {country.label}" if country else iri
        person = self.x.people.people.get(iri)
        if person is not None:
            return person.name
        entity = self.x.gazetteer.get(iri)
        return entity.label if entity else local(iri)

    def context_event(self, index: int, speakers: list[str]) -> str | None:
        """The event a statement was made at: the one its sentence names, else the latest reported event at or
        before its sentence, that its speakers (if any are known) take part in."""
        sentence = self.x.doc.sentences[index]
        verb = SPEECH.search(sentence.text)  # 'X stressed that the dialogue will …' was said at the event
        if re.search(r"\b(?:in the morning|earlier|yesterday|going to|will)\b", sentence.text[:verb.start() if verb else None]):
            return None
        named = [e for e in self.x.sentence_events.get(index, []) if not e.background and not e.planned
                 and not e.series]  # 'During the meeting, X said': the event the sentence names
        candidates = named or [e for e in self.x.events if e.sentence <= index and not e.background and not e.planned
                               and e.parent is None]
        if speakers:
            candidates = [e for e in candidates if any(self.takes_part(s, e.key) for s in speakers)]
        return self.event_iri(candidates[-1]) if candidates else None

    def takes_part(self, speaker: str, event: str) -> bool:
        """Is the person (or delegation) among the event's participants?"""
        if speaker.startswith("deleg:"):
            return any(d.iri == speaker and event in d.events for d in self.x.delegations.values())
        return (speaker, event) in self.x.participations
