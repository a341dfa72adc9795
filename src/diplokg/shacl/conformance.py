"""The W3C SHACL test suite: read its manifest, run every test on the fast engine and on pyshacl,
compare the reports as the suite says, and write an EARL report of each engine.

A report matches when sh:conforms is the expected one and the results match one to one on focus
node, result path, value, source constraint component, source shape and severity (messages are
not compared). Blank nodes (anonymous shapes, complex paths, data nodes) are compared by their
structure, to the depth they are described; an expected blank node with no description matches any
blank node. For the SHACL-SPARQL tests only the properties a test states are compared (the suite's
rule), so sh:sourceConstraint counts there. A test whose result is sht:Failure passes when the
engine refuses the shapes (DiplokgError for the fast engine, an exception for pyshacl).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")
EARL = Namespace("http://www.w3.org/ns/earl#")
DOAP = Namespace("http://usefulinc.com/ns/doap#")
BASE = "http://w3c-shacl-tests.invalid/"  # rdflib cannot resolve relative IRIs against a urn:
TEST_IRIS = "urn:x-shacl-test:/"  # the test IRIs of the published EARL reports
FIELDS = (SH.focusNode, SH.resultPath, SH.value, SH.sourceConstraintComponent, SH.sourceShape, SH.resultSeverity)
SPARQL_FIELDS = (*FIELDS, SH.sourceConstraint)
ENGINES = {"diplokg": ("diplokg fast SHACL engine", "https://w3id.org/diplokg/software/fast-shacl"),
           "pyshacl": ("pySHACL", "https://github.com/RDFLib/pySHACL")}


@dataclass
class Case:
    """One sht:Validate test of the suite."""

    iri: URIRef
    label: str
    data: Path
    shapes: Path
    manifest: Graph
    expected: Node | None  # the expected sh:ValidationReport node, None for sht:Failure

    @property
    def sparql(self) -> bool:
        return str(self.iri).startswith(TEST_IRIS + "sparql/")


@dataclass
class Outcome:
    case: Case
    passed: bool
    seconds: float
    info: str = ""


@dataclass
class Run:
    engine: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    @property
    def seconds(self) -> float:
        return sum(o.seconds for o in self.outcomes)


def local(root: Path, iri: Node) -> Path:
    return root / str(iri).removeprefix(BASE)


def parse(path: Path, root: Path) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle", publicID=BASE + path.relative_to(root).as_posix())
    return graph


def read_manifest(manifest: Path) -> list[Case]:
    """Every test of the manifest and the manifests it includes, in order."""
    root = manifest.parent
    cases: list[Case] = []
    visited: list[Path] = []

    def read(path: Path) -> None:
        visited.append(path)
        graph = parse(path, root)
        for node in graph.subjects(RDF.type, MF.Manifest):
            for included in graph.objects(node, MF.include):
                read(local(root, included))
            for entries in graph.objects(node, MF.entries):
                for test in Collection(graph, entries):
                    action = graph.value(test, MF.action)
                    result = graph.value(test, MF.result)
                    cases.append(Case(URIRef(str(test).replace(BASE, TEST_IRIS)), str(graph.value(test, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))),
                                      local(root, graph.value(action, SHT.dataGraph)),
                                      local(root, graph.value(action, SHT.shapesGraph)), graph,
                                      None if result == SHT.Failure else result))

    read(manifest)
    # a test file beside the others that its folder's manifest forgets to include (the copy's
    # sparql/component/manifest.ttl omits nodeValidator-001, which the published EARL reports list)
    read_files = set(visited)
    for folder in sorted({p.parent for p in visited}):
        for path in sorted(folder.glob("*.ttl")):
            if path not in read_files and "mf:entries" in path.read_text(encoding="utf-8"):
                read(path)
    return cases


def describe(graph: Graph, node: Node, depth: int = 4, seen: frozenset = frozenset()) -> str:
    """A term as a comparable string; a blank node by its outgoing triples, to `depth`."""
    if isinstance(node, Literal):
        return f"{node!s}|{node.datatype or ''}|{(node.language or '').lower()}"
    if not isinstance(node, BNode):
        return str(node)
    if depth == 0 or node in seen:
        return "[]"
    if (node, RDF.first, None) in graph:
        return "(" + " ".join(describe(graph, item, depth - 1, seen | {node}) for item in Collection(graph, node)) + ")"
    pairs = sorted(f"{p} {describe(graph, o, depth - 1, seen | {node})}" for p, o in graph.predicate_objects(node))
    return "[" + "; ".join(pairs) + "]"


def results_of(report: Graph, node: Node, context: Graph, fields: tuple[URIRef, ...]) -> list[dict[URIRef, str]]:
    out = []
    for result in report.objects(node, SH.result):
        out.append({f: describe(context, report.value(result, f)) if report.value(result, f) is not None else None
                    for f in fields})
    return out


def matches(expected: dict[URIRef, str | None], actual: dict[URIRef, str | None], stated_only: bool) -> bool:
    for name, want in expected.items():
        have = actual.get(name)
        if want is None:
            if stated_only:
                continue
            if have is not None:
                return False
        elif want == "[]":
            if have is None or not have.startswith("["):
                return False
        elif want != have:
            return False
    return True


def compare(case: Case, conforms: bool, report: Graph, node: Node, context: Graph) -> str:
    """'' if the report matches the expected one, else what differs."""
    assert case.expected is not None
    expected_conforms = case.manifest.value(case.expected, SH.conforms)
    if bool(expected_conforms.toPython()) != conforms:
        return f"sh:conforms is {conforms}, expected {expected_conforms}"
    fields = SPARQL_FIELDS if case.sparql else FIELDS
    wanted = results_of(case.manifest, case.expected, case.manifest, fields)
    found = results_of(report, node, context, fields)
    unmatched = []
    for want in wanted:
        hit = next((i for i, have in enumerate(found) if matches(want, have, case.sparql)), None)
        if hit is None:
            unmatched.append(want)
        else:
            found.pop(hit)
    if unmatched or found:
        short = lambda rs: [{str(k).split("#")[-1]: v for k, v in r.items() if v} for r in rs]  # noqa: E731
        return f"missing {short(unmatched)}; unexpected {short(found)}"
    return ""


def run_fast(case: Case) -> tuple[bool, Graph, Node, Graph]:
    """The fast engine on a test: data and shapes in named graphs of one store."""
    import pyoxigraph as ox

    from diplokg.engines import to_rdflib
    from diplokg.shacl.engine import validate_store
    from diplokg.shacl.report import results_graph
    from diplokg.shacl.shapes import ShapesGraph

    root_graph, shapes_name = ox.NamedNode("urn:x-diplokg:data"), ox.NamedNode("urn:x-diplokg:shapes")
    base = {p: BASE + p.relative_to(case.data.parents[2]).as_posix() for p in (case.data, case.shapes)}
    shapes = ShapesGraph(ox.parse(path=str(case.shapes), format=ox.RdfFormat.TURTLE, base_iri=base[case.shapes]))
    data = list(ox.parse(path=str(case.data), format=ox.RdfFormat.TURTLE, base_iri=base[case.data]))
    store = ox.Store()
    store.extend([ox.Quad(t.subject, t.predicate, t.object, root_graph) for t in data])
    store.extend([ox.Quad(t.subject, t.predicate, t.object, shapes_name) for t in shapes.triples])
    originals = {t.object for t in data if isinstance(t.object, ox.Literal)} | \
        {t.object for t in shapes.triples if isinstance(t.object, ox.Literal)}
    results = validate_store(store, shapes, root_graph, shapes_name, lexical_forms(originals))
    report = results_graph(results, shapes)
    context = Graph()
    for triple in [*data, *shapes.triples]:
        context.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    for triple in report:
        context.add(triple)
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    return not results, report, node, context


def lexical_forms(literals: set) -> dict:
    """The literals as written, by the form pyoxigraph's store keeps them in (it stores numbers and
    booleans by value: "4.0"^^xsd:decimal comes back as "4", "300"^^xsd:byte as "300"^^xsd:integer)."""
    import pyoxigraph as ox

    scratch = ox.Store()
    canonical = {}
    for literal in sorted(literals, key=str):
        row = next(iter(scratch.query(f"SELECT ?v WHERE {{ VALUES ?v {{ {literal} }} }}")))
        canonical.setdefault(row["v"], literal)
    return canonical


def run_pyshacl(case: Case) -> tuple[bool, Graph, Node, Graph]:
    import pyshacl

    root = case.data.parents[2]
    data, shapes = parse(case.data, root), parse(case.shapes, root)
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                           allow_warnings=False)
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    context = Graph()  # the report's own copy of a path first, then the shapes and data
    described = set(report.subjects())
    for triple in [*report, *((s, p, o) for s, p, o in data + shapes if s not in described)]:
        context.add(triple)
    return bool(conforms), report, node, context


def run_case(case: Case, engine: Callable[[Case], tuple[bool, Graph, Node, Graph]]) -> Outcome:
    started = time.perf_counter()
    try:
        conforms, report, node, context = engine(case)
    except Exception as error:  # any refusal of the engine is the outcome being tested
        seconds = time.perf_counter() - started
        if case.expected is None:
            return Outcome(case, True, seconds, f"refused as expected: {' '.join(str(error).split())[:200]}")
        return Outcome(case, False, seconds, f"{type(error).__name__}: {' '.join(str(error).split())[:300]}")
    seconds = time.perf_counter() - started
    if case.expected is None:
        return Outcome(case, False, seconds, "expected a failure, the engine validated")
    problem = compare(case, conforms, report, node, context)
    return Outcome(case, not problem, seconds, problem)


def run_suite(manifest: Path, engine: str) -> Run:
    cases = read_manifest(manifest)
    function = run_fast if engine == "diplokg" else run_pyshacl
    return Run(engine, [run_case(case, function) for case in cases])


def earl(run: Run) -> Graph:
    """The run as an EARL report (one earl:Assertion per test)."""
    from datetime import UTC, datetime

    from rdflib import XSD

    subject = URIRef(ENGINES[run.engine][1])
    graph = Graph()
    graph.bind("earl", EARL)
    graph.bind("doap", DOAP)
    graph.add((subject, RDF.type, EARL.Software))
    graph.add((subject, RDF.type, EARL.TestSubject))
    graph.add((subject, DOAP.name, Literal(engine_name(run.engine))))
    now = Literal(datetime.now(UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    for outcome in run.outcomes:
        assertion, result = BNode(), BNode()
        graph.add((assertion, RDF.type, EARL.Assertion))
        graph.add((assertion, EARL.assertedBy, subject))
        graph.add((assertion, EARL.subject, subject))
        graph.add((assertion, EARL.test, outcome.case.iri))
        graph.add((assertion, EARL.result, result))
        graph.add((result, RDF.type, EARL.TestResult))
        graph.add((result, EARL.mode, EARL.automatic))
        graph.add((result, EARL.outcome, EARL.passed if outcome.passed else EARL.failed))
        graph.add((result, URIRef("http://purl.org/dc/terms/date"), now))
        if outcome.info:
            graph.add((result, EARL.info, Literal(outcome.info)))
    return graph


def published(earl_file: Path) -> int:
    """The number of passed tests in a published EARL report."""
    graph = Graph()
    graph.parse(earl_file, format="turtle")
    return sum(1 for _ in graph.subjects(EARL.outcome, EARL.passed))


def engine_name(engine: str) -> str:
    """The engine's name with its version."""
    from importlib.metadata import version

    return f"{ENGINES[engine][0]} {version(engine)}"


def write_earl(runs: list[Run], folder: Path) -> list[Path]:
    """Each run's EARL report as `<engine>-earl.ttl` in `folder` (written atomically)."""
    from diplokg.fileio import write_atomically

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for run in runs:
        path = folder / f"{run.engine}-earl.ttl"
        data = earl(run).serialize(format="turtle").encode("utf-8")
        write_atomically(path, lambda stream, data=data: stream.write(data))
        written.append(path)
    return written


def summary(runs: list[Run], suite: Path) -> str:
    """A table of pass counts and times of each run, and the published results beside the suite."""
    lines = ["| engine | passed | time (s) |", "| --- | --- | --- |"]
    for run in runs:
        lines.append(f"| {engine_name(run.engine)} | {run.passed}/{len(run.outcomes)} | {run.seconds:.2f} |")
    for name, file in (("TopBraid SHACL API (published)", "topbraid-earl.ttl"),
                       ("pySHACL 0.9.4 (published)", "pyshacl-0.9.4-earl.ttl")):
        if (suite / file).exists():
            lines.append(f"| {name} | {published(suite / file)}/121 | — |")
    failures = [f"{run.engine}: {o.case.iri} — {o.info}" for run in runs for o in run.outcomes if not o.passed]
    return "\n".join([*lines, "", *failures])
