"""People and their posts: resolve name mentions to known or new people, titles to posts or roles."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from diplokg.drafting.gazetteer import Gazetteer
from diplokg.drafting.linking import DEMONYMS, Link, fold, match_label, match_name, match_surname, match_title, slugify, title_key
from diplokg.drafting.patterns import Matchers, Mention, Title, new_organisations
from diplokg.prefixes import PREFIX_IRIS, shorten

COUNTRY_CODES = {"mexico": "mx", "united-states": "us"}
PLACE = PREFIX_IRIS["place"]
BARE_TITLE_WORDS = 2


def country_in(text: str) -> str | None:
    """The country a demonym or country name at the start of a phrase names ('Mexican', 'US', 'Mexico')."""
    low = re.sub(r"^(?:the|a|an)\s+", "", fold(text)).replace("'s ", " ")
    for name in sorted(DEMONYMS, key=len, reverse=True):
        if low == name or low.startswith(name + " "):
            return PLACE + DEMONYMS[name]
    return None


COUNTRY_NAMES = re.compile(r"(?<=[\s(])(" + "|".join(re.escape(n) for n in sorted(DEMONYMS, key=len, reverse=True))
                           + r")(?=[\s,.;:)’'])")


def countries_named(text: str) -> list[str]:
    """Every country a phrase names, in order ('the United States and Mexico')."""
    return [PLACE + DEMONYMS[m.group(1)] for m in COUNTRY_NAMES.finditer(f" {fold(text)} ")]


def countries_as_subject(text: str) -> list[str]:
    """The countries a clause's whole subject names ('Mexico and the United States', 'The Governments of Mexico and
    the United States'); none when the subject says anything else."""
    rest = COUNTRY_NAMES.sub(" ", f" {fold(text)} ")
    if set(re.findall(r"[\w’'-]+", rest)) - {"and", "the", "both", "governments", "government", "of"}:
        return []
    return countries_named(text)


def title_country(printed: str) -> str | None:
    """The country a title serves: its opening demonym, else the last country it names but the one an envoy is
    sent to ('Ambassador of the United States to Mexico' serves the United States)."""
    served = re.sub(r"\bto (?:the )?[A-Z][\w ]*", "", printed)
    named = countries_named(served)
    return country_in(printed) or (named[-1] if named else None)


@dataclass
class Person:
    iri: str
    printed: list[str]
    mentions: list[Mention] = field(default_factory=list)
    link: Link | None = None
    new: bool = False
    honorific: str | None = None
    country: str | None = None

    @property
    def name(self) -> str:
        return max(self.printed, key=len) if self.printed else self.iri.rsplit("/", 1)[-1].replace("-", " ").title()


@dataclass
class Holding:
    """A person's holding of a post or role, as this text prints it."""

    person: Person
    target: str
    kind: str  # "post" or "role"
    organisation: str | None
    printed: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class NewEntity:
    iri: str
    kind: str
    label: str
    organisation: str | None = None
    country: str | None = None
    acronym: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)


class People:
    """Resolves the mentions of one text to people, and their titles to posts, roles and organisations."""

    def __init__(self, gazetteer: Gazetteer, matchers: Matchers, text: str) -> None:
        self.gazetteer = gazetteer
        self.matchers = matchers
        self.text = text
        self.people: dict[str, Person] = {}
        self.holdings: dict[tuple[str, str], Holding] = {}
        self.new_entities: dict[str, NewEntity] = {}
        self.unplaced: list[str] = []
        self.org_names: list[tuple[str, str, tuple[int, int]]] = []  # (org IRI, printed name, span)

    # ---------------------------------------------------------------- people
    def resolve(self, mentions: list[Mention]) -> None:
        known = self.gazetteer.of_kind("person")
        for mention in [m for m in mentions if not m.surname_only]:
            local = [p for p in self.people.values()]
            link = match_name(mention.text, [_as_entity(p) for p in local])
            tail = [p for p in local if any(fold(n).endswith(" " + fold(mention.text)) for n in p.printed)]
            if link is not None and link.score >= 96:
                person = self.people[link.iri]
            elif len(tail) == 1:  # 'Pacheco Ibarra said' after 'Lorena Pacheco Ibarra': both surnames
                person = tail[0]
            else:
                link = match_name(mention.text, known)
                if link is not None:
                    person = self.people.get(link.iri) or Person(link.iri, [], link=link)
                else:
                    iri = self.fresh(PREFIX_IRIS["person"], slugify(re.sub(r"\s*“[^”]*”", "", mention.text)))
                    person = Person(iri, [], new=True)
                self.people[person.iri] = person
            self.attach(person, mention)
        self.known_labels(mentions)
        for mention in [m for m in mentions if m.surname_only]:
            local = match_surname(mention.text, [_as_entity(p) for p in self.people.values()])
            if len(local) == 1:
                self.attach(self.people[local[0].iri], mention, surname=True)
                continue
            known_matches = match_surname(mention.text, known)
            if len(known_matches) == 1 and mention.titles:
                entity = known_matches[0]
                person = self.people.setdefault(entity.iri, Person(entity.iri, [], link=Link(
                    entity.iri, f"surname '{mention.text}' of a known person, not named in full in this text", 80.0)))
                self.attach(person, mention, surname=True)
            elif mention.titles:
                self.unplaced.append(f"'{self.text[mention.span[0]:mention.end]}': a surname the text never gives "
                                     "in full and the project does not know")

    def known_labels(self, mentions: list[Mention]) -> None:
        """Known people named in the text by a label the name rules do not find ('the First Lady of the United
        States'): every label of two words or more, as printed, outside the names already found."""
        found = sorted((m.start, m.end) for m in mentions)
        found_starts = [s for s, _ in found]
        reach: list[int] = []  # reach[k]: the furthest end of the first k + 1 names found (by start)
        for _, e in found:
            reach.append(max(e, reach[-1]) if reach else e)
        taken: list[tuple[int, int]] = []  # the labels matched here

        def overlaps(start: int, end: int) -> bool:
            last = bisect_left(found_starts, end) - 1  # the names that start before `end`
            return (last >= 0 and reach[last] > start) or any(s < end and start < e for s, e in taken)

        owners = {label: e for e in self.gazetteer.of_kind("person") for label in e.labels if len(label.split()) >= 2}
        if not owners:
            return
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(label) for label in sorted(owners, key=len,
                                                                                            reverse=True)) + r")(?![\w-])")
        for match in pattern.finditer(self.text):
            label, entity = match.group(), owners[match.group()]
            if overlaps(match.start(), match.end()):
                continue
            mention = Mention(match.start(), match.end(), label, -1)
            owner = next((m for m in mentions for t in m.titles if t.start <= match.start() < t.end), None)
            mention.embedded_in = owner
            mention.sentence = owner.sentence if owner else -1
            person = self.people.setdefault(entity.iri, Person(entity.iri, [], link=Link(
                entity.iri, f"the project's name '{label}'", 100.0)))
            self.attach(person, mention)
            taken.append((match.start(), match.end()))

    def attach(self, person: Person, mention: Mention, surname: bool = False) -> None:
        mention.person = person.iri
        person.mentions.append(mention)
        if not surname and mention.text not in person.printed:
            person.printed.append(mention.text)
        if mention.honorific and not person.honorific:
            person.honorific = mention.honorific

    def fresh(self, namespace: str, slug: str) -> str:
        iri, n = namespace + slug, 1
        while iri in self.gazetteer.entities or iri in self.new_entities:
            n += 1
            iri = f"{namespace}{slug}-{n}"
        return iri

    # ---------------------------------------------------------------- titles
    def organisation_in(self, title: Title, printed: str) -> tuple[str | None, str | None]:
        """(organisation IRI, as printed) that a title names: a known name, an acronym, a possessor, a new name."""
        candidates: list[tuple[int, str, str]] = []
        if self.matchers.org_place:
            for match in self.matchers.org_place.finditer(printed):
                link = match_label(match.group(), self.gazetteer.of_kind("org"))
                if link:
                    candidates.append((len(match.group()), link.iri, match.group()))
        for match in re.finditer(r"\(([A-Z][A-Za-z]{1,9})\)", printed):
            link = match_label(match.group(1), self.gazetteer.of_kind("org")) or self.new_acronym(match.group(1))
            if link:
                candidates.append((len(match.group()), link.iri, match.group(1)))
        if title.possessor:
            link = match_label(title.possessor, self.gazetteer.of_kind("org"))
            if link:
                candidates.append((len(title.possessor), link.iri, title.possessor))
        if candidates:
            _, iri, name = max(candidates)
            return iri, name
        for _, name in new_organisations(printed):
            words = name.split()
            if words and fold(words[0]) in {"the"}:
                name = " ".join(words[1:])
            acronym = next((a for n, a in title.acronyms if n == name), None)
            return self.new_organisation(name, acronym, title), name
        return None, None

    def new_acronym(self, acronym: str) -> Link | None:
        for entity in self.new_entities.values():
            if entity.kind == "org" and entity.acronym == acronym:
                return Link(entity.iri, "acronym", 100.0)
        return None

    def new_organisation(self, name: str, acronym: str | None, title: Title) -> str:
        for entity in self.new_entities.values():
            if entity.kind == "org" and fold(entity.label) == fold(name):
                return entity.iri
        iri = self.fresh(PREFIX_IRIS["orgn"], slugify(name))
        self.new_entities[iri] = NewEntity(iri, "org", name, acronym=acronym, spans=[(title.start, title.end)])
        return iri

    def assign_titles(self) -> None:
        """Every printed title of every person to a post or role (known, or new), in two passes: bare titles
        ('Secretary') join a holding the same person has in this text."""
        bare: list[tuple[Person, Mention, Title, str]] = []
        for person in self.people.values():
            for mention in person.mentions:
                for title in mention.titles:
                    for printed in title.printed:
                        if len(printed.split()) <= BARE_TITLE_WORDS and not re.search(r"\(|\bof\b", printed):
                            bare.append((person, mention, title, printed))
                        else:
                            self.hold(person, mention, title, printed)
        for person, mention, title, printed in bare:
            own = [h for h in self.holdings.values() if h.person is person]
            if own:
                holding = own[0]
                holding.printed.append(printed) if printed not in holding.printed else None
                holding.spans.append(mention_span(mention, title))
                holding.why.append(f"'{printed}' printed before the name, read as the same post as '{holding.printed[0]}'")
            else:
                self.hold(person, mention, title, printed)

    def link_title(self, printed: str, title: Title, person: Person) -> Link | None:
        organisation, _ = self.organisation_in(title, printed)
        country = country_in(printed)
        for other in self.people.values():
            for name in other.printed:
                if other is not person and name in printed:
                    printed = " ".join(printed.replace(name, " ").split())
        key_text = printed
        if country:
            key_text = re.sub(r"^(?:\S+\s+){1,2}?(?=\S)", "", printed, count=1) if len(printed.split()) > 1 else printed
            for name in sorted(DEMONYMS, key=len, reverse=True):
                if fold(printed).startswith(name + " "):
                    key_text = printed[len(name) + 1:]
                    break
        held = [self.gazetteer.entities[i] for i in self.gazetteer.get(person.iri).holds] \
            if self.gazetteer.get(person.iri) else []
        for entity in held:
            if any(title_key(label) == title_key(key_text) for label in entity.labels):
                return Link(entity.iri, f"a printed form of the post the project says {person.name} holds", 100.0)
        link = match_title(key_text, self.gazetteer, organisation) or match_title(printed, self.gazetteer, organisation)
        if link is not None and len(printed.split()) == 1 and self.gazetteer.entities[link.iri].kind == "post" and any(
                link.iri in e.holds and e.iri != person.iri for e in self.gazetteer.of_kind("person")):
            return None  # a bare 'Ambassador' is not the post the project says someone else holds
        return link

    def hold(self, person: Person, mention: Mention, title: Title, printed: str) -> None:
        organisation, org_printed = self.organisation_in(title, printed)
        link = self.link_title(printed, title, person)
        notes = list(title.notes)
        if link is not None:
            entity = self.gazetteer.entities[link.iri]
            target, kind = link.iri, entity.kind
            organisation = entity.organisation or organisation
            why = f"title '{printed}' matches post {shorten(link.iri)} ({link.how}, {link.score:.0f} %)"
            if link.score < 100:
                notes.append(f"title linked by {link.how} ({link.score:.0f} %): check the post")
        else:
            target, kind, why = self.new_post(person, printed, organisation, title)
        key = (person.iri, target)
        holding = self.holdings.setdefault(key, Holding(person, target, kind, organisation))
        if printed not in holding.printed:
            holding.printed.append(printed)
        holding.spans.append(mention_span(mention, title))
        holding.why.append(why)
        holding.notes.extend(n for n in notes if n not in holding.notes)
        if org_printed and organisation:
            self.org_names.append((organisation, org_printed, mention_span(mention, title)))
        for defined, acronym in title.acronyms:
            org = match_label(acronym, self.gazetteer.of_kind("org"))
            target_org = org.iri if org else (match_label(defined, self.gazetteer.of_kind("org")).iri
                                              if defined and match_label(defined, self.gazetteer.of_kind("org"))
                                              else organisation)
            if target_org:
                self.org_names.append((target_org, acronym, mention_span(mention, title)))
                if target_org in self.new_entities:
                    self.new_entities[target_org].acronym = acronym

    def new_post(self, person: Person, printed: str, organisation: str | None, title: Title) -> tuple[str, str, str]:
        country = title_country(printed) or self.gazetteer.country_of(organisation) \
            or (country_in(title.possessor) if title.possessor else None) or person.country
        label = re.sub(r"\s*\([^)]*\)", "", printed).strip()
        if country_in(label) and len(label.split()) > 2:
            label = label.split(" ", 1)[1] if fold(label.split()[0]) in DEMONYMS else label
        label = label[:1].upper() + label[1:]
        if organisation is None and country is None:
            iri = self.fresh(PREFIX_IRIS["role"] if "role" in PREFIX_IRIS else PREFIX_IRIS["post"].replace(
                "/post/", "/role/"), slugify(label))
            kind, why = "role", f"title '{printed}' matches no known post and names no organisation: new role"
        else:
            code = COUNTRY_CODES.get((country or "").rsplit("/", 1)[-1], (country or "").rsplit("/", 1)[-1])
            iri = self.fresh(PREFIX_IRIS["post"], (f"{code}-" if code else "") + slugify(label))
            where = f"in {shorten(organisation)}" if organisation else f"of {shorten(country)} (no organisation named)"
            kind, why = "post", f"title '{printed}' matches no known post: new post {where}"
        existing = next((e for e in self.new_entities.values() if e.kind == kind and fold(e.label) == fold(label)
                         and e.organisation == organisation), None)
        if existing:
            return existing.iri, kind, why
        self.new_entities[iri] = NewEntity(iri, kind, label, organisation, country, spans=[(title.start, title.end)])
        return iri, kind, why

    def countries(self) -> None:
        """Each person's country, from their posts and organisations (None if the project cannot say)."""
        for holding in self.holdings.values():
            person = holding.person
            if person.country:
                continue
            new = self.new_entities.get(holding.target)
            person.country = person.country or (new.country if new else None)
            for printed in holding.printed:
                person.country = person.country or title_country(printed)
            new = self.new_entities.get(holding.target)
            person.country = (person.country or self.gazetteer.country_of(holding.target)
                              or self.gazetteer.country_of(holding.organisation) or (new.country if new else None))
        for person in self.people.values():
            person.country = person.country or self.gazetteer.country_of(person.iri)


def mention_span(mention: Mention, title: Title) -> tuple[int, int]:
    start = min(mention.start, title.start, mention.honorific_start or mention.start)
    return start, max(mention.end, title.end)


def _as_entity(person: Person):  # noqa: ANN202
    from diplokg.drafting.gazetteer import Entity

    return Entity(person.iri, "person", list(person.printed))
