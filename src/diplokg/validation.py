"""Validation: SHACL over the asserted and inferred data, reported by source file.

The fast engine (diplokg.shacl, on pyoxigraph) is the default for the built data, extra files and a
remote endpoint's data; pyshacl is the reference. Each finding names the offending node (label and
IRI), the property path, the message, the severity, the constraint component, the shape, where the
fact lives (the file and line that states it) and, where the node has one, its evidence quote.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from diplokg.errors import DiplokgError, line_of
from diplokg.loading import parse_into, source_files
from diplokg.namespaces import ENTITIES_GRAPH, INFERRED_GRAPH, OA, ONTOLOGY_GRAPH, SH
from diplokg.paths import Layout
from diplokg.prefixes import shorten

if TYPE_CHECKING:
    import pyoxigraph as ox

    from diplokg.rules import StoreClosure

SEVERITIES = {"violation": SH.Violation, "warning": SH.Warning, "info": SH.Info}
RANK = {SH.Violation: 3, SH.Warning: 2, SH.Info: 1}


@dataclass(frozen=True)
class Finding:
    """One validation result, located in the files."""

    focus: str
    label: str
    path: str
    message: str
    severity: str
    component: str
    shape: str
    value: str
    file: str
    line: int | None
    evidence: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class Report:
    """All findings of a validation run."""

    findings: list[Finding] = field(default_factory=list)
    results_graph: Graph = field(default_factory=Graph)
    seconds: float = 0.0
    inconsistencies: list[str] = field(default_factory=list)  # OWL RL inconsistencies found while reasoning

    @property
    def conforms(self) -> bool:
        """No violation and no OWL RL inconsistency."""
        return not self.fails("violation") and not self.inconsistencies

    def count(self, severity: URIRef) -> int:
        return sum(1 for f in self.findings if f.severity == shorten(str(severity)))

    def fails(self, threshold: str) -> bool:
        """True if any finding is at least as severe as `threshold` (violation, warning, info)."""
        limit = RANK[SEVERITIES[threshold]]
        return any(RANK[URIRef(SH + f.severity.split(":", 1)[1])] >= limit for f in self.findings)


def data_graph(dataset: Dataset) -> Graph:
    """Ontology, data and inferred triples merged into the one graph the shapes are checked on."""
    merged = Graph()
    for graph in dataset.graphs():
        for triple in graph:
            merged.add(triple)
    return merged


def load_shapes(layout: Layout) -> Graph:
    """The shapes graph for pyshacl, refused (a DiplokgError per problem) if it is ill-formed, as the fast engine
    refuses it (pyshacl would stop with an error of its own, or validate against a broken shape)."""
    from diplokg import shacl

    shacl.ShapesGraph.parse(layout.shapes_file)
    shapes = Graph()
    parse_into(shapes, layout.shapes_file)
    return shapes


def graph_files(layout: Layout) -> dict[URIRef, list[Path]]:
    """The files each named graph is read from."""
    from diplokg.loading import ontology_files

    files: dict[URIRef, list[Path]] = {ONTOLOGY_GRAPH: ontology_files(layout), ENTITIES_GRAPH: [layout.entities_file]}
    for source in source_files(layout):
        files[source.graph] = [source.facts, source.anchors]
    return files


def stated_by(dataset: Dataset, node: URIRef | BNode) -> URIRef | BNode:
    """The node a finding should be located at: for a selector, the evidence node that has it."""
    if isinstance(node, BNode) or "#position" in str(node):
        owner = next(dataset.subjects(OA.hasSelector, node), None)
        if owner is not None:
            return owner
    return node


def locate(dataset: Dataset, node: URIRef | BNode, files: dict[URIRef, list[Path]], root: Path) -> tuple[str, int | None]:
    """The file (and line) that states `node`: a file of the graph where it is a subject."""
    node = stated_by(dataset, node)
    graphs = [g.identifier for g in dataset.graphs() if (node, None, None) in g and g.identifier != INFERRED_GRAPH]
    needle = shorten(str(node))
    for name in graphs:
        for path in files.get(name, []):
            line = line_of(path, needle + " ") or line_of(path, f"<{node}>")
            if line:
                return display_path(path, root), line
    if graphs:
        first = files.get(graphs[0], [])
        return (display_path(first[0], root) if first else str(graphs[0])), None
    return "(inferred)", None


def display_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def label_of(dataset: Dataset, node: URIRef | BNode) -> str:
    for predicate in (RDFS.label, SKOS.prefLabel):
        value = dataset.value(node, predicate)
        if value is not None:
            return str(value)
    return ""


def run_shacl(merged: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """pyshacl over an already reasoned graph (no inference of its own), SHACL-AF enabled."""
    import pyshacl

    conforms, results, _ = pyshacl.validate(merged, shacl_graph=shapes, inference="none", advanced=True,
                                            allow_warnings=True, allow_infos=True)
    return bool(conforms), results


def findings_from(results: Graph, dataset: Dataset, layout: Layout, extra: dict[URIRef, list[Path]]) -> list[Finding]:
    """Turn a SHACL results graph into located findings, sorted by file, line and node."""
    files = {**graph_files(layout), **extra}
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        file, line = locate(dataset, focus, files, layout.root)
        owner = stated_by(dataset, focus)
        findings.append(Finding(
            focus=str(owner) if not isinstance(owner, BNode) else f"_:{owner}",
            label=label_of(dataset, owner),
            path="" if path is None else shorten(str(path)) if isinstance(path, URIRef) else "(complex path)",
            message=str(results.value(result, SH.resultMessage) or ""),
            severity=shorten(str(results.value(result, SH.resultSeverity))),
            component=shorten(str(results.value(result, SH.sourceConstraintComponent))),
            shape=shorten(str(results.value(result, SH.sourceShape))) if isinstance(
                results.value(result, SH.sourceShape), URIRef) else "(anonymous shape)",
            value="" if value is None else str(value),
            file=file,
            line=line,
        ))
    return sorted(findings, key=lambda f: (f.file, f.line or 0, f.focus, f.path, f.message))


def validate(dataset: Dataset, layout: Layout, extra: dict[URIRef, list[Path]] | None = None) -> Report:
    """Validate the dataset (reasoned or not, as given) against the shapes."""
    started = time.perf_counter()
    _, results = run_shacl(data_graph(dataset), load_shapes(layout))
    if not isinstance(results, Graph):
        raise DiplokgError(f"{layout.shapes_file}: the shapes cannot be applied: {results}")
    findings = findings_from(results, dataset, layout, extra or {})
    return Report(findings, results, time.perf_counter() - started)


def store_of(dataset: Dataset) -> ox.Store:
    """The quads of an rdflib Dataset in a pyoxigraph Store."""
    import pyoxigraph as ox

    from diplokg.engines import to_oxigraph

    store = ox.Store()
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(g.identifier)))
                 for g in dataset.graphs() if isinstance(g.identifier, URIRef) for s, p, o in g)
    return store


def validate_fast(layout: Layout, reason: bool = True, extra: list[Path] | None = None,
                  endpoint: str | None = None) -> tuple[Report, StoreClosure | None]:
    """The fast engine on the built data, on it with extra files, or on a remote endpoint's data;
    the data is reasoned with the SPARQL rules (a remote dataset is taken as pushed)."""
    from diplokg import shacl
    from diplokg.namespaces import GRAPH
    from diplokg.rules import reason_store
    from diplokg.store import build_store, open_built

    started = time.perf_counter()
    closure = None
    if endpoint:
        from diplokg.remote import fetch_dataset

        store = store_of(fetch_dataset(endpoint))
    elif extra:
        from diplokg.loading import load_dataset

        store = store_of(load_dataset(layout, extra_files=extra))
        closure = reason_store(store) if reason else None
    elif reason:  # the built store, verified in full (rebuilt if damaged or out of date)
        built = open_built(layout, verify=True)
        store, closure = built.store, built.manifest
    else:
        store, closure = build_store(layout, reason=False)
    shapes = shacl.ShapesGraph.parse(layout.shapes_file)
    results = shacl.validate_store(store, shapes)
    files = {GRAPH[p.stem]: [p] for p in extra or []}
    report = Report(shacl.findings(results, store, layout, shapes, files), shacl.results_graph(results, shapes),
                    time.perf_counter() - started)
    return report, closure


def render_text(report: Report, only_file: str | None = None) -> str:
    """The report for a person: findings grouped by file, then a summary line."""
    findings = [f for f in report.findings if only_file is None or f.file == only_file]
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[finding.file].append(finding)
    out = []
    for file, group in by_file.items():
        out.append(f"{file}")
        for f in group:
            name = f"{f.label} <{shorten(f.focus)}>" if f.label else f"<{shorten(f.focus)}>"
            out.append(f"  {f.where}: {f.severity.split(':')[1]}: {name}")
            path = f" [{f.path}]" if f.path else ""
            value = f" (value: {f.value[:80]})" if f.value else ""
            out.append(f"    {f.message}{path}{value}  ({f.component}, {f.shape})")
            if f.evidence:
                out.append(f"    evidence: {f.evidence}")
    counts = {s: sum(1 for f in findings if f.severity == f"sh:{s}") for s in ("Violation", "Warning", "Info")}
    verdict = "conforms" if not counts["Violation"] else "does NOT conform"
    out.append(f"The data {verdict}: {counts['Violation']} violation(s), {counts['Warning']} warning(s), "
               f"{counts['Info']} info(s).")
    return "\n".join(out) + "\n"


def render_json(report: Report) -> str:
    return json.dumps({"conforms": report.count(SH.Violation) == 0,
                       "findings": [asdict(f) for f in report.findings]}, indent=2, ensure_ascii=False)
