"""How good is `diplokg draft`? Drafts each real source cold and warm and compares with the curated facts.

Cold: a copy of the project without the source's facts file and without the people only that source
names (the other source's entities stay known). Warm: a copy without the source's facts file only
(every person known). The draft is compared with the curated facts on meaning: people (IRIs), printed
titles per person, events (aligned by the text their evidence quotes), participations (person, event,
delegation's country), quotations and all statements with the right speaker (who spoke: the person or
delegation the words report, where the curated graph records it), evidence quotes verbatim, and the
share of the curated lines the draft wrote unchanged. Also times a cold `diplokg draft` process.

    python bench/draft_quality.py            # both texts, cold and warm, a table
    python bench/draft_quality.py --json     # the same figures as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import FOAF, RDF

from diplokg.anchor import anchor_facts, find_quote
from diplokg.drafting.extract import draft_text
from diplokg.drafting.gazetteer import load_gazetteer
from diplokg.drafting.linking import fold
from diplokg.drafting.writer import render
from diplokg.paths import Layout, default_layout
from diplokg.prefixes import PREFIX_IRIS

DIP, ORG, SCHEMA, PROV, OA = (Namespace(PREFIX_IRIS[p]) for p in ("dip", "org", "schema", "prov", "oa"))
PERSON, EVENT, DELEG = PREFIX_IRIS["person"], PREFIX_IRIS["event"], PREFIX_IRIS["deleg"]
TARGETS = {"people_recall": 0.95, "people_precision": 0.95, "titles": 0.90, "events": 1.0, "events_precision": 1.0,
           "participations": 0.85, "participations_wrong": 0.05, "quotations": 0.90, "evidence_verbatim": 1.0}


def project_copy(layout: Layout, stem: str, mode: str, into: Path) -> Layout:
    """A copy of the project without the source's facts (and, cold, without the people only it names)."""
    for folder in ("ontology", "data"):
        shutil.copytree(layout.root / folder, into / folder)
    copy = Layout(into)
    (copy.facts_dir / f"{stem}.ttl").unlink()
    (copy.anchors_dir / f"{stem}.ttl").unlink(missing_ok=True)
    if mode == "cold":
        own = people_named(Graph().parse(layout.facts_dir / f"{stem}.ttl"))
        others = set()
        for path in copy.facts_dir.glob("*.ttl"):
            others |= people_named(Graph().parse(path))
        entities = Graph().parse(copy.entities_file)
        for person in own - others:
            entities.remove((person, None, None))
            entities.remove((None, None, person))
        entities.serialize(copy.entities_file, format="turtle")
    return copy


def people_named(graph: Graph) -> set[URIRef]:
    """Every person IRI the graph uses as a name's referent, member, participant or speaker."""
    found = set()
    for predicate in (DIP.labelOf, ORG.member, DIP.participant, SCHEMA.creator, DIP.reportsSpeechOf):
        found |= {o for o in graph.objects(None, predicate) if str(o).startswith(PERSON)}
    return found


def spans_of(graph: Graph, node: URIRef, text: str) -> set[int]:
    """The character offsets covered by a node's evidence quotes."""
    covered: set[int] = set()
    for evidence in graph.objects(node, PROV.wasDerivedFrom):
        for selector in graph.objects(evidence, OA.hasSelector):
            exact = graph.value(selector, OA.exact)
            if exact is None:
                continue
            prefix, suffix = graph.value(selector, OA.prefix), graph.value(selector, OA.suffix)
            starts = find_quote(text, str(exact), None if prefix is None else str(prefix),
                                None if suffix is None else str(suffix))
            if starts:
                covered |= set(range(starts[0], starts[0] + len(str(exact))))
    return covered


def events_of(graph: Graph) -> list[URIRef]:
    return sorted({s for s in graph.subjects(RDF.type, None) if str(s).startswith(EVENT)})


def align_events(draft: Graph, curated: Graph, text: str) -> dict[URIRef, URIRef]:
    """Draft event → curated event, greedily by shared evidence text, then date and class."""
    scores = []
    for d in events_of(draft):
        d_spans = spans_of(draft, d, text)
        for c in events_of(curated):
            c_spans = spans_of(curated, c, text)
            if not c_spans or not d_spans:
                continue
            score = len(d_spans & c_spans) / len(c_spans | d_spans) + 0.5 * len(d_spans & c_spans) / len(c_spans)
            if draft.value(d, SCHEMA.startDate) == curated.value(c, SCHEMA.startDate):
                score += 0.2
            if set(draft.objects(d, RDF.type)) & set(curated.objects(c, RDF.type)):
                score += 0.5
            scores.append((score, d, c))
    mapping: dict[URIRef, URIRef] = {}
    for score, d, c in sorted(scores, reverse=True):
        if score >= 0.45 and d not in mapping and c not in mapping.values():
            mapping[d] = c
    return mapping


def country_of(graph: Graph, delegation: URIRef | None) -> str | None:
    return None if delegation is None else str(graph.value(delegation, DIP.represents))


def participations(graph: Graph, events: dict[URIRef, URIRef] | None = None) -> set[tuple]:
    rows = set()
    for node in graph.subjects(RDF.type, DIP.Participation):
        event = graph.value(node, DIP.event)
        event = events.get(event) if events is not None else event
        rows.add((graph.value(node, DIP.participant), event, country_of(graph, graph.value(node, DIP.asMemberOf))))
    return rows


def speakers(graph: Graph, statement: URIRef) -> frozenset[str]:
    """Who spoke: the curated 0.1.0 graph records it as dip:reportsSpeechOf where the caption names someone else."""
    reported = set(graph.objects(statement, DIP.reportsSpeechOf))
    agents = reported or set(graph.objects(statement, SCHEMA.creator))
    return frozenset(country_of(graph, a) if str(a).startswith(DELEG) else str(a) for a in agents)


def statements(graph: Graph) -> dict[URIRef, str]:
    found = {}
    for node in graph.subjects(SCHEMA.text, None):
        if (node, RDF.type, DIP.Participation) in graph or not str(node).startswith(PREFIX_IRIS["stmt"]):
            continue
        found[node] = fold(str(graph.value(node, SCHEMA.text)))
    return found


def quoted(graph: Graph, statement: URIRef) -> bool:
    """Printed in quotation marks: its evidence quote contains an opening quotation mark."""
    return any("“" in str(graph.value(sel, OA.exact) or "") for ev in graph.objects(statement, PROV.wasDerivedFrom)
               for sel in graph.objects(ev, OA.hasSelector))


@dataclass
class Figures:
    source: str
    mode: str
    people_recall: float
    people_precision: float
    titles: float
    events: float
    events_precision: float
    participations: float
    participations_wrong: float
    quotations: float
    statements: float
    evidence_verbatim: float
    lines_unchanged: float
    anchored: bool
    seconds: float
    missing_people: list[str]
    extra_people: list[str]
    missing_titles: list[str]
    missing_participations: list[str]
    wrong_participations: list[str]
    wrong_quotations: list[str]
    new_people: list[str]


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def measure(stem: str, mode: str, layout: Layout | None = None) -> Figures:
    """Draft one source cold or warm in a temporary copy of the project and compare with its curated facts."""
    layout = layout or default_layout()
    text = (layout.sources_dir / f"{stem}.txt").read_text(encoding="utf-8")
    curated = Graph().parse(layout.facts_dir / f"{stem}.ttl")
    with tempfile.TemporaryDirectory() as tmp:
        copy = project_copy(layout, stem, mode, Path(tmp))
        started = time.perf_counter()
        draft_turtle = render(draft_text(text, stem, load_gazetteer(copy)))
        seconds = time.perf_counter() - started
        target = copy.facts_dir / f"{stem}.ttl"
        target.write_text(draft_turtle, encoding="utf-8")
        draft = Graph().parse(target)
        anchored = bool(anchor_facts(target, copy))
    c_people, d_people = people_named(curated), people_named(draft)
    c_titles = {(m, fold(str(t))) for n in curated.subjects(RDF.type, ORG.Membership)
                for m in curated.objects(n, ORG.member) for t in curated.objects(n, DIP.printedTitle)}
    d_titles = {(m, fold(str(t))) for n in draft.subjects(RDF.type, ORG.Membership)
                for m in draft.objects(n, ORG.member) for t in draft.objects(n, DIP.printedTitle)}
    mapping = align_events(draft, curated, text)
    c_parts, d_parts = participations(curated), participations(draft, mapping)
    c_statements, d_statements = statements(curated), statements(draft)
    right_quotes, quotes, right_statements, wrong_quotes = 0, 0, 0, []
    for node, words in c_statements.items():
        best = max(d_statements, key=lambda d: fuzz.partial_ratio(words, d_statements[d]), default=None)
        found = best is not None and fuzz.partial_ratio(words, d_statements[best]) >= 90
        right = found and speakers(draft, best) == speakers(curated, node)
        right_statements += right
        if quoted(curated, node):
            quotes += 1
            right_quotes += right
            if not right:
                wrong_quotes.append(f"{node.split('/')[-1]}: curated {sorted(speakers(curated, node))}, draft "
                                    f"{sorted(speakers(draft, best)) if found else 'not found'}")
    exacts = [str(o) for o in draft.objects(None, OA.exact)]
    curated_lines = [line.strip() for line in (layout.facts_dir / f"{stem}.ttl").read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.lstrip().startswith(("#", "@prefix"))]
    draft_lines = {line.strip() for line in draft_turtle.splitlines()}
    short = lambda iri: str(iri).rsplit("/", 1)[-1]  # noqa: E731
    return Figures(
        stem, mode,
        people_recall=ratio(len(c_people & d_people), len(c_people)),
        people_precision=ratio(len(c_people & d_people), len(d_people)),
        titles=ratio(len(c_titles & d_titles), len(c_titles)),
        events=ratio(len(set(mapping.values())), len(events_of(curated))),
        events_precision=ratio(len(mapping), len(events_of(draft))),
        participations=ratio(len(c_parts & d_parts), len(c_parts)),
        participations_wrong=ratio(len(d_parts - c_parts), len(d_parts)),
        quotations=ratio(right_quotes, quotes),
        statements=ratio(right_statements, len(c_statements)),
        evidence_verbatim=ratio(sum(e in text for e in exacts), len(exacts)),
        lines_unchanged=ratio(sum(line in draft_lines for line in curated_lines), len(curated_lines)),
        anchored=anchored, seconds=seconds,
        missing_people=sorted(short(p) for p in c_people - d_people),
        extra_people=sorted(short(p) for p in d_people - c_people),
        missing_titles=sorted(f"{short(p)}: {t}" for p, t in c_titles - d_titles),
        missing_participations=sorted(f"{short(p)} @ {short(e)} ({short(c) if c else '-'})" for p, e, c in c_parts - d_parts),
        wrong_participations=sorted(f"{short(p)} @ {short(e) if e else 'unaligned'} ({short(c) if c else '-'})"
                                    for p, e, c in d_parts - c_parts),
        wrong_quotations=wrong_quotes,
        new_people=sorted(short(p) for p in draft.subjects(RDF.type, FOAF.Person)),
    )


def process_seconds(stem: str, layout: Layout) -> tuple[float, float]:
    """Wall time of a cold `diplokg draft` process, and of `diplokg --help` (the baseline) in the same run."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = project_copy(layout, stem, "warm", Path(tmp))
        env = {**os.environ, "DIPLOKG_HOME": str(copy.root)}
        command = [sys.executable, "-m", "diplokg"]
        started = time.perf_counter()
        subprocess.run([*command, "--help"], env=env, check=True, capture_output=True)
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([*command, "draft", str(copy.sources_dir / f"{stem}.txt")], env=env, check=True, capture_output=True)
        return time.perf_counter() - started, baseline


SOURCES = ["sre-2021-08-11-lunch-meeting", "sre-washington-working-visit"]
COLUMNS = ["people_recall", "people_precision", "titles", "events", "events_precision", "participations", "participations_wrong",
           "quotations", "statements", "evidence_verbatim", "lines_unchanged", "seconds"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--details", action="store_true", help="also list what was missed or wrong")
    args = parser.parse_args()
    layout = default_layout()
    results = [measure(stem, mode, layout) for stem in SOURCES for mode in ("cold", "warm")]
    timings = {stem: process_seconds(stem, layout) for stem in SOURCES}
    if args.json:
        print(json.dumps({"figures": [r.__dict__ for r in results], "process_seconds": timings}, indent=2))
        return 0
    print(f"{'source':32} {'mode':5} " + " ".join(f"{c[:12]:>12}" for c in COLUMNS))
    for r in results:
        print(f"{r.source:32} {r.mode:5} " + " ".join(
            f"{getattr(r, c):12.2f}" if c == "seconds" else f"{100 * getattr(r, c):11.1f}%" for c in COLUMNS))
        if args.details:
            for name in ("missing_people", "extra_people", "missing_titles", "missing_participations",
                         "wrong_participations", "wrong_quotations"):
                if getattr(r, name):
                    print(f"    {name}: " + "; ".join(getattr(r, name)))
    for stem, (seconds, baseline) in timings.items():
        print(f"cold process `diplokg draft` {stem}: {seconds:.2f} s ({seconds / baseline:.1f}x `diplokg --help`, "
              f"{baseline:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
