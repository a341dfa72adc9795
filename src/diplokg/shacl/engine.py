"""The hybrid validator: compiled set-based queries where a constraint compiles, per-node checks
where it does not, both on the same pyoxigraph store."""

from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from diplokg.progress import bar
from diplokg.shacl import sparql
from diplokg.shacl.compile import Compiler, Query, strip_prologue
from diplokg.shacl.data import DataGraph
from diplokg.shacl.evaluate import Evaluator
from diplokg.shacl.report import ValidationResult, default_message, sort_key
from diplokg.shacl.shapes import COMPONENT, SH, ShapesGraph, Term
from diplokg.shacl.wellformed import check

if TYPE_CHECKING:
    from diplokg.paths import Layout

# the cores this process may use (sched_getaffinity is Linux's; elsewhere every core)
THREADS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


class Validation:
    """One validation run of a shapes graph over a data graph."""

    def __init__(self, shapes: ShapesGraph, data: DataGraph) -> None:
        self.shapes, self.data = shapes, data
        self.compiler = Compiler(shapes, data)
        self.evaluator = Evaluator(shapes, data)
        self.found: list[ValidationResult] = []

    def run(self) -> list[ValidationResult]:
        """Every active shape, on as many threads as the machine has cores (pyoxigraph runs each query
        without the GIL; at 10^5 triples 1.7x faster on 2 cores), then the results in a fixed order."""
        shapes = [s for s in self.shapes.targeted() if not self.shapes.deactivated(s)]
        with ThreadPoolExecutor(THREADS) as pool:
            try:
                for running in bar([pool.submit(self.shape, shape) for shape in shapes], "validating", unit="shape"):
                    running.result()  # in order, so that the bar counts out of every shape
            except BaseException:  # an error or an interrupt: the shapes not started yet are dropped, not waited for
                pool.shutdown(cancel_futures=True)
                raise
        if self.data.written:
            self.found = [replace(r, focus=self.data.as_written(r.focus), value=self.data.as_written(r.value)
                                  if r.value is not None else None) for r in self.found]
        return sorted(self.found, key=sort_key)

    def shape(self, shape: Term) -> None:
        """Validate the focus nodes of one shape: the shape itself and, for a node shape, its property
        shapes flattened onto the same focus nodes."""
        focus = self.compiler.target(shape)
        nodes: list[Term] | None = None
        path = self.shapes.path(shape)
        members = [(shape, path)]
        if path is None:
            members += [(p, self.shapes.path(p)) for p in self.shapes.objects(shape, SH + "property")
                        if not self.shapes.deactivated(p)]
        for member, member_path in members:
            leftovers = []
            for parameter, value in self.evaluator.constraints(member):
                if member is shape and path is None and parameter == "property":
                    continue
                query = self.compile(shape, member, parameter, value, focus, member_path)
                if query is None:
                    leftovers.append((parameter, value))
                else:
                    self.run_query(query, value)
            if leftovers:
                if nodes is None:
                    prologue = self.compiler.target_prologue(shape)
                    nodes = [r["this"] for r in self.data.select(f"{prologue}SELECT ?this WHERE {{ {focus} }}",
                                                                 f"targets of {shape}") if "this" in r]
                self.found += self.evaluator.validate(member, [self.data.as_written(n) for n in nodes], leftovers)

    def compile(self, shape: Term, member: Term, parameter: str, value: Term | sparql.Component, focus: str,
                path: Term | None) -> Query | None:
        if isinstance(value, sparql.Component):
            return None
        if parameter == "sparql":
            return self.sparql_query(shape, member, value, focus, path)
        if parameter == "datatype" and self.data.written:  # the store lost the written datatype
            return None
        return self.compiler.compile(member, parameter, value, focus, path)

    def sparql_query(self, shape: Term, member: Term, constraint: Term, focus: str, path: Term | None) -> Query | None:
        """A sh:sparql constraint as one query over every focus node, when that equals pre-binding:
        the shape's only target is the constraint's own query (it selects the nodes that break it),
        or the query is flat (joining the focus nodes in front binds $this everywhere)."""
        validator = sparql.constraint_validator(self.shapes, constraint)
        body = strip_prologue(validator.text).replace("$this", "?this")
        targets = [self.shapes.value(t, SH + "select") for t in self.shapes.objects(shape, SH + "target")]
        only_target = (member is shape and path is None and targets == [self.shapes.value(constraint, SH + "select")]
                       and self.shapes.predicates(shape) & {SH + "targetClass", SH + "targetNode", SH + "targetSubjectsOf",
                                                            SH + "targetObjectsOf"} == set())
        if not re.search(r"(?is)\bSELECT\b[^{]*\?this\b", body):  # the focus node must come back
            return None
        if only_target:
            focus = ""
        elif not sparql.joinable(validator.text) or re.search(r"[?$]currentShape\b", body):
            return None
        opening = re.search(r"\bWHERE\s*\{", body, re.IGNORECASE) or re.search(r"\{", body)
        if opening is None:
            return None
        if path is not None:
            body = body.replace("$PATH", f"{sparql.path_binding(self.shapes, path)['PATH']}")
        text = f"{self.shapes.prologue(constraint)}{body[:opening.end()]} {focus} {body[opening.end():]}"
        return Query(text, "sparql", COMPONENT["sparql"], member, path)

    def run_query(self, query: Query, value: Term) -> None:
        own = self.shapes.value(query.shape, SH + "message")
        message = own.value if own is not None else default_message(query.parameter, value)
        validator = sparql.constraint_validator(self.shapes, value) if query.parameter == "sparql" else None
        severity = self.shapes.severity(query.shape)
        for row in self.data.select(query.text, f"Shape {query.shape}"):
            focus = row["this"]
            if validator is not None:
                self.found.append(self.evaluator.sparql_result(query.shape, validator, row, focus, query.path,
                                                            query.component, value))
                continue
            found = row.get("value") if query.parameter not in ("uniqueLang",) else None
            text = message
            if query.parameter == "uniqueLang":
                text = f"More than one value with the language tag {row['value'].value!r}"
            elif query.parameter in ("or", "xone") and own is None and found is not None:
                text = self.evaluator.explain(query.parameter, self.shapes.items(value), found) or message
            self.found.append(ValidationResult(focus, query.path, query.component, severity, text, found, query.shape))


def validate_store(store: ox.Store, shapes: ShapesGraph | Path, graph: ox.NamedNode | None = None,
                   shapes_graph: ox.NamedNode | None = None,
                   written: dict[Term, Term] | None = None) -> list[ValidationResult]:
    """Validate one graph of the store (the union of all its graphs by default) against the shapes
    (see DataGraph for `shapes_graph` and `written`)."""
    if isinstance(shapes, Path):
        shapes = ShapesGraph.parse(shapes)
    if not shapes.checked:  # an ill-formed shapes graph is refused before any data is checked
        check(shapes)
    return Validation(shapes, DataGraph(store, graph, shapes_graph, written)).run()


def validate(store: ox.Store, layout: Layout) -> tuple[list[ValidationResult], float]:
    """Validate a built store against the layout's shapes; the results and the seconds taken."""
    started = time.perf_counter()
    results = validate_store(store, layout.shapes_file)
    return results, time.perf_counter() - started
