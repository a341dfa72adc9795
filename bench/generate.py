"""Generate a synthetic diplokg corpus shaped like the real graph, valid against ontology/shapes.ttl.

    python bench/generate.py --triples 100000 --seed 1 --output /tmp/corpus-1e5

The output folder is a diplokg layout (ontology/, data/entities.ttl, data/facts/, data/anchors/,
data/sources/, queries/) that `diplokg.paths.Layout(folder)` or DIPLOKG_HOME=folder loads with the
normal loader. It holds the real data (so that the saved queries' default parameters still name
something) plus synthetic press releases: each is a text with a dateline, a meeting of two
delegations with their heads and members, the members' posts and printed names, quotations, a
follow-up event, and now and then a name printed differently (a discrepancy). Every fact cites an
evidence quote that is an exact sentence of the generated text, with its offsets in the anchors
file. The same --seed and --triples give the same files, byte for byte.
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

HEADER = """@prefix dip: <https://w3id.org/diplokg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix skosxl: <http://www.w3.org/2008/05/skos-xl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix person: <https://w3id.org/diplokg/id/person/> .
@prefix orgn: <https://w3id.org/diplokg/id/org/> .
@prefix post: <https://w3id.org/diplokg/id/post/> .
@prefix place: <https://w3id.org/diplokg/id/place/> .
@prefix event: <https://w3id.org/diplokg/id/event/> .
@prefix deleg: <https://w3id.org/diplokg/id/delegation/> .
@prefix part: <https://w3id.org/diplokg/id/participation/> .
@prefix mem: <https://w3id.org/diplokg/id/membership/> .
@prefix stmt: <https://w3id.org/diplokg/id/statement/> .
@prefix name: <https://w3id.org/diplokg/id/name/> .
@prefix disc: <https://w3id.org/diplokg/id/discrepancy/> .
@prefix src: <https://w3id.org/diplokg/id/source/> .
@prefix ev: <https://w3id.org/diplokg/id/evidence/> .
@prefix topic: <https://w3id.org/diplokg/id/topic/> .
@prefix etype: <https://w3id.org/diplokg/id/event-type/> .
@prefix cap: <https://w3id.org/diplokg/id/capacity/> .

"""
SYLLABLES = ["ka", "lo", "mi", "ve", "sa", "ru", "no", "ta", "be", "ri", "do", "mu", "ne", "pa", "si", "go", "le", "zu",
             "fa", "qui", "ro", "te", "ma", "lu"]
TOPICS = ["migration", "border-security", "economic-development", "human-rights", "bilateral-relationship",
          "regional-cooperation", "asylum", "employment", "economic-recovery", "public-policy"]
TITLES = [("Foreign Minister", "foreign-ministry", "Foreign Ministry"),
          ("Minister of the Interior", "interior-ministry", "Ministry of the Interior"),
          ("Undersecretary for Foreign Affairs", "foreign-ministry", "Foreign Ministry"),
          ("Director General for Migration", "migration-institute", "Migration Institute"),
          ("Ambassador", "foreign-ministry", "Foreign Ministry"),
          ("Adviser on National Security", "security-council", "National Security Council"),
          ("Commissioner for Borders", "interior-ministry", "Ministry of the Interior")]
PHRASES = ["We will deepen our cooperation on {topic}", "The dialogue on {topic} is making real progress",
           "Our governments share a plan for {topic}", "There is still much to do on {topic}",
           "This meeting opens a new stage on {topic}"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
REPOSITORY = Path(__file__).resolve().parents[1]


def literal(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def name_of(index: int, parts: int) -> str:
    """A pronounceable capitalised word, distinct for each index."""
    syllables = []
    for _ in range(parts):
        index, digit = divmod(index, len(SYLLABLES))
        syllables.append(SYLLABLES[digit])
    while index:
        index, digit = divmod(index, len(SYLLABLES))
        syllables.append(SYLLABLES[digit])
    return "".join(syllables).capitalize()


@dataclass
class Turtle:
    """A Turtle document being written, with a count of the triples in it."""

    parts: list[str] = field(default_factory=list)
    triples: int = 0

    def node(self, subject: str, *pairs: tuple[str, str | Iterable[str]]) -> None:
        """One subject with its predicate-object pairs (an iterable of objects for several)."""
        lines = []
        for predicate, objects in pairs:
            values = [objects] if isinstance(objects, str) else list(objects)
            if values:
                self.triples += len(values)
                lines.append(f"{predicate} {' , '.join(values)}")
        self.parts.append(f"{subject} " + " ;\n    ".join(lines) + " .\n")

    def text(self) -> str:
        return HEADER + "\n".join(self.parts)


@dataclass(frozen=True)
class Person:
    slug: str
    name: str
    short: str
    title: str
    post: str
    organization: str
    country: int


@dataclass
class World:
    """The shared entities: countries, cities, organisations, posts, people."""

    countries: list[str]
    people: list[Person]
    by_country: dict[int, list[Person]]


def build_world(rng: random.Random, people: int, countries: int, out: Turtle) -> World:
    """Write the synthetic entities and return them."""
    names = []
    for k in range(countries):
        country = f"Republic of {name_of(k, 3)}"
        names.append(country)
        out.node(f"place:syn-country-{k}", ("a", "schema:Country"), ("rdfs:label", literal(country, "en")),
                 ("skos:prefLabel", literal(country, "en")))
        out.node(f"place:syn-city-{k}", ("a", "schema:City"), ("rdfs:label", literal(f"{name_of(k, 2)} City", "en")),
                 ("skos:prefLabel", literal(f"{name_of(k, 2)} City", "en")),
                 ("schema:containedInPlace", f"place:syn-country-{k}"))
        for slug, label in sorted({(t[1], t[2]) for t in TITLES}):
            full = f"{label} of the {country}"
            out.node(f"orgn:syn-{k}-{slug}", ("a", "org:FormalOrganization"), ("rdfs:label", literal(full, "en")),
                     ("skos:prefLabel", literal(full, "en")), ("dip:country", f"place:syn-country-{k}"))
    everyone: list[Person] = []
    by_country: dict[int, list[Person]] = {k: [] for k in range(countries)}
    for i in range(people):
        # Surnames end in "y", which no syllable has, so no middle name equals another person's surname: the
        # shapes would rightly report such near-equal names (same surname word, same initial) as one person twice.
        first, last, middle = name_of(i, 2), name_of(i * 7 + 3, 3) + "y", name_of(i * 13 + 5, 2)
        short, full = f"{first} {last}", f"{first} {middle} {last}"
        country = i % countries
        title, org_slug, _ = TITLES[rng.randrange(len(TITLES))]
        slug = f"syn-{first}-{middle}-{last}-{i}".lower()
        person = Person(slug, full, short, title, f"post:syn-{i}", f"orgn:syn-{country}-{org_slug}", country)
        out.node(f"post:syn-{i}", ("a", "org:Post"), ("rdfs:label", literal(f"{title} ({names[country]}, post {i})", "en")),
                 ("skos:prefLabel", literal(f"{title} of the {names[country]}", "en")), ("org:postIn", person.organization))
        out.node(f"person:{slug}", ("a", "foaf:Person"), ("rdfs:label", literal(full)), ("skos:prefLabel", literal(full)),
                 ("skos:altLabel", literal(short)), ("org:holds", person.post))
        everyone.append(person)
        by_country[country].append(person)
    return World(names, everyone, by_country)


@dataclass
class Document:
    """One synthetic source: its text, its facts and its anchors."""

    slug: str
    abbrev: str
    sentences: list[str] = field(default_factory=list)
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (evidence local name, exact quote)
    facts: Turtle = field(default_factory=Turtle)
    anchors: Turtle = field(default_factory=Turtle)

    def say(self, key: str, sentence: str) -> str:
        """Add a sentence to the text and an evidence node quoting all of it; the evidence CURIE."""
        self.sentences.append(sentence)
        local = f"{self.abbrev}-{key}"
        self.quotes.append((local, sentence))
        self.facts.node(f"ev:{local}", ("a", "oa:SpecificResource"), ("oa:hasSource", f"src:{self.slug}"),
                        ("oa:hasSelector", f"[ a oa:TextQuoteSelector ; oa:exact {literal(sentence)} ]"))
        self.facts.triples += 2  # the selector's type and quote
        return f"ev:{local}"

    def text(self) -> str:
        return "\n\n".join(self.sentences) + "\n"

    def anchor(self) -> str:
        text = self.text()
        for local, exact in self.quotes:
            start = text.index(exact)
            position = f"<https://w3id.org/diplokg/id/evidence/{local}#position>"
            self.anchors.node(f"ev:{local}", ("oa:hasSelector", position))
            self.anchors.node(position, ("a", "oa:TextPositionSelector"),
                              ("oa:start", f'"{start}"^^xsd:integer'),
                              ("oa:end", f'"{start + len(exact)}"^^xsd:integer'))
        return self.anchors.text()


def write_document(rng: random.Random, world: World, index: int) -> Document:
    """One press release about a meeting of two delegations, and everything it states."""
    doc = Document(f"syn-{index:06d}", f"s{index}")
    facts = doc.facts
    date = datetime.date(2021, 1, 1) + datetime.timedelta(days=index % 900)
    host, guest = rng.sample(sorted(world.by_country), 2)
    city = f"{name_of(host, 2).upper()} CITY"
    topics = rng.sample(TOPICS, 3)
    event = f"event:syn-{index:06d}-meeting"
    dinner = f"event:syn-{index:06d}-dinner"
    dateline = doc.say("dateline", f"{city}, ({MONTHS[date.month - 1]} {date.day}, {date.year})")
    facts.node(f"src:{doc.slug}", ("a", "dip:SourceDocument"),
               ("rdfs:label", literal(f"Synthetic press release {index}: meeting of two delegations", "en")),
               ("schema:inLanguage", '"en"'), ("schema:dateCreated", f'"{date.isoformat()}"^^xsd:date'),
               ("dip:dateBasis", "dip:DateFromDateline"), ("dip:fileName", literal(f"{doc.slug}.txt")),
               ("prov:wasDerivedFrom", dateline))
    topic_words = ", ".join(t.replace("-", " ") for t in topics)
    meeting = doc.say("meeting", f"The delegations of the {world.countries[host]} and the {world.countries[guest]} "
                                 f"met in press release {index} to discuss {topic_words}.")
    followed = doc.say("dinner", f"The meeting of release {index} was followed by a working dinner.")
    facts.node(event, ("a", "dip:Meeting"), ("rdfs:label", literal(f"Meeting of delegations (release {index})", "en")),
               ("dip:eventType", "etype:consult"), ("schema:startDate", f'"{date.isoformat()}"^^xsd:date'),
               ("dip:dateBasis", "dip:DateFromDateline"), ("schema:location", f"place:syn-city-{host}"),
               ("dcterms:subject", [f"topic:{t}" for t in topics]), ("dip:followedBy", dinner),
               ("prov:wasDerivedFrom", [meeting, dateline]))
    facts.node(dinner, ("a", "dip:Meeting"), ("rdfs:label", literal(f"Working dinner (release {index})", "en")),
               ("dip:eventType", "etype:consult"), ("dip:dateBasis", "dip:DateNotStated"), ("prov:wasDerivedFrom", followed))
    for side, country in (("a", host), ("b", guest)):
        pool = world.by_country[country]
        members = rng.sample(pool, min(len(pool), rng.randint(2, 4)))
        delegation = f"deleg:syn-{index:06d}-{side}"
        head = members[0]
        headed = doc.say(f"{side}-head", f"The delegation of the {world.countries[country]} was headed by "
                                         f"{head.title} {head.name}.")
        facts.node(delegation, ("a", "dip:Delegation"),
                   ("rdfs:label", literal(f"Delegation of the {world.countries[country]} (release {index})", "en")),
                   ("dip:represents", f"place:syn-country-{country}"), ("dip:delegationAt", event),
                   ("dip:headedBy", f"person:{head.slug}"), ("prov:wasDerivedFrom", headed))
        for position, person in enumerate(members):
            varied = index % 10 == 0 and position == 1
            printed = person.short if varied else person.name
            evidence = headed if position == 0 else doc.say(
                f"{side}-{position}", f"{person.title} {printed} took part for the {world.countries[country]}.")
            key = f"syn-{index:06d}-{person.slug}"
            facts.node(f"part:{key}", ("a", "dip:Participation"), ("dip:participant", f"person:{person.slug}"),
                       ("dip:event", event), ("dip:asMemberOf", delegation),
                       ("dip:capacity", "cap:head-of-delegation" if position == 0 else "cap:delegation-member"),
                       ("prov:wasDerivedFrom", evidence))
            # One membership per real holding: every release that attests it adds to the same node.
            holding = f"{person.slug}--{person.post.split(':', 1)[1]}"
            facts.node(f"mem:{holding}", ("a", "org:Membership"), ("org:member", f"person:{person.slug}"),
                       ("org:organization", person.organization), ("dip:post", person.post),
                       ("dip:printedTitle", literal(person.title, "en")), ("prov:wasDerivedFrom", evidence))
            facts.node(f"name:{key}", ("a", "skosxl:Label"), ("skosxl:literalForm", literal(printed)),
                       ("dip:labelOf", f"person:{person.slug}"), ("prov:wasDerivedFrom", evidence))
            if varied:
                facts.node(f"disc:{key}", ("a", "dip:Discrepancy"),
                           ("rdfs:label", literal(f"{person.name} printed as {person.short}", "en")),
                           ("dip:discrepancyKind", "dip:NameVariant"), ("dip:concerns", f"person:{person.slug}"),
                           ("dip:printedForm", literal(printed)), ("dip:normalisedForm", literal(person.name)),
                           ("rdfs:comment", literal("The release prints the name without its middle part.", "en")),
                           ("prov:wasDerivedFrom", evidence))
        phrase = PHRASES[rng.randrange(len(PHRASES))].format(topic=topics[0].replace("-", " "))
        said = doc.say(f"{side}-quote", f"{head.name} said: \u201c{phrase}.\u201d")
        facts.node(f"stmt:syn-{index:06d}-{side}", ("a", ["dip:Statement", "schema:Quotation"]),
                   ("rdfs:label", literal(f"{head.name} on {topics[0].replace('-', ' ')}", "en")),
                   ("schema:text", literal(phrase + ".", "en")), ("schema:creator", f"person:{head.slug}"),
                   ("dip:attributedAsPrinted", literal(head.name, "en")), ("dip:statedAt", event),
                   ("dcterms:subject", f"topic:{topics[0]}"), ("schema:isBasedOn", f"src:{doc.slug}"),
                   ("prov:wasDerivedFrom", said))
    return doc


def copy_repository_layout(output: Path) -> None:
    """The ontology, shapes, queries and the real data, as the base of the corpus."""
    for folder in ("ontology", "queries", "data/sources", "data/facts", "data/anchors"):
        shutil.copytree(REPOSITORY / folder, output / folder, dirs_exist_ok=True)


def count_base(output: Path) -> int:
    """Triples the copied real layout loads as (the loader adds three per source text)."""
    import pyoxigraph as ox

    files = [p for p in (output / "ontology").glob("*.ttl") if p.name != "shapes.ttl"]
    files += list((output / "data" / "facts").glob("*.ttl")) + list((output / "data" / "anchors").glob("*.ttl"))
    files.append(REPOSITORY / "data" / "entities.ttl")
    return sum(sum(1 for _ in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE)) for p in files) + 3 * len(
        list((output / "data" / "sources").glob("*.txt")))


def generate(output: Path, triples: int, seed: int) -> dict[str, int]:
    """Write a corpus of about `triples` triples into `output`; counts of what was written."""
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    copy_repository_layout(output)
    rng = random.Random(seed)
    total = count_base(output)
    documents_wanted = max(1, (triples - total) // 330)
    entities = Turtle()
    world = build_world(rng, people=max(24, documents_wanted * 2), countries=max(4, min(60, documents_wanted // 4 + 2)),
                        out=entities)
    real_entities = (REPOSITORY / "data" / "entities.ttl").read_text(encoding="utf-8")
    (output / "data" / "entities.ttl").write_text(real_entities + "\n" + entities.text(), encoding="utf-8")
    total += entities.triples
    index = 0
    while total < triples:
        doc = write_document(rng, world, index)
        anchors = doc.anchor()
        (output / "data" / "sources" / f"{doc.slug}.txt").write_text(doc.text(), encoding="utf-8")
        (output / "data" / "facts" / f"{doc.slug}.ttl").write_text(doc.facts.text(), encoding="utf-8")
        (output / "data" / "anchors" / f"{doc.slug}.ttl").write_text(anchors, encoding="utf-8")
        total += doc.facts.triples + doc.anchors.triples + 3
        index += 1
    return {"triples": total, "documents": index, "people": len(world.people), "countries": len(world.countries)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000, help="about how many triples to load (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--output", "-o", type=Path, required=True, help="folder to write (replaced if it exists)")
    args = parser.parse_args(argv)
    counts = generate(args.output, args.triples, args.seed)
    print(f"wrote {args.output}: " + ", ".join(f"{v} {k}" for k, v in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
