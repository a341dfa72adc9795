"""Per-node checks: every Core and SHACL-SPARQL component, for shapes nested to any depth.

The logical and shape-based components (sh:node, sh:and/or/xone/not, sh:property of a nested shape,
qualified shapes, sh:closed) and whatever did not compile are checked here, focus node by focus
node, against the same pyoxigraph store; whether a node conforms to a shape is cached.
"""

from __future__ import annotations

import threading
from collections import Counter

import pyoxigraph as ox

from diplokg.shacl import sparql
from diplokg.shacl.data import DataGraph
from diplokg.shacl.expressions import VALUE_TESTS, value_test
from diplokg.shacl.report import ValidationResult, default_message
from diplokg.shacl.shapes import COMPONENT, CORE, SH, ShapesGraph, Term, label

Constraint = tuple[str, "Term | sparql.Component"]  # (main parameter, its value) or ("component", the component)
LOGICAL = ("not", "and", "or", "xone", "node")


class Evaluator:
    """Checks shapes on explicit focus nodes."""

    def __init__(self, shapes: ShapesGraph, data: DataGraph) -> None:
        self.shapes, self.data = shapes, data
        self.components = sparql.components(shapes)
        self.conformance: dict[tuple[Term, Term], bool] = {}
        self.local = threading.local()  # the checks in progress on this thread (shapes run on several)

    @property
    def active(self) -> set[tuple[Term, Term]]:
        """The (shape, node) checks in progress on this thread's call stack: a recursive check meets
        one of them. Per thread, or a check running on another thread would pass as recursion (the
        SHACL-SHACL test of the W3C suite then failed now and then: a node conforming to both
        alternatives of an sh:xone)."""
        if not hasattr(self.local, "active"):
            self.local.active = set()
        return self.local.active

    def constraints(self, shape: Term) -> list[Constraint]:
        """Every constraint a shape declares: Core parameters, then SPARQL-based components."""
        self.shapes.check_supported(shape)
        found: list[Constraint] = [(p, v) for p in CORE for v in self.shapes.objects(shape, SH + p)]
        found = [(p, v) for p, v in found if p not in ("qualifiedMinCount", "qualifiedMaxCount")
                 or self.shapes.value(shape, SH + "qualifiedValueShape") is not None]
        return found + [("component", c) for c in self.components if c.bindings(self.shapes, shape) is not None]

    def validate(self, shape: Term, focus_nodes: list[Term], only: list[Constraint] | None = None) -> list[ValidationResult]:
        """The results of validating each focus node against `shape` (all its constraints, or `only`)."""
        if self.shapes.deactivated(shape):
            return []
        path = self.shapes.path(shape)
        constraints = self.constraints(shape) if only is None else only
        out: list[ValidationResult] = []
        for focus in focus_nodes:
            values = self.data.values(self.shapes, focus, path)
            for parameter, value in constraints:
                out += self.check(shape, parameter, value, focus, path, values)
        return out

    def conforms(self, node: Term, shape: Term) -> bool:
        """`node` conforms to `shape` (no result of any severity); a recursive check assumes it does."""
        key = (shape, node)
        if key in self.active:
            return True
        if key not in self.conformance:
            self.active.add(key)
            try:
                self.conformance[key] = not self.validate(shape, [node])
            finally:
                self.active.discard(key)
        return self.conformance[key]

    def result(self, shape: Term, parameter: str, parameter_value: Term | None, focus: Term, path: Term | None,
               value: Term | None, message: str | None = None) -> ValidationResult:
        own = self.shapes.value(shape, SH + "message")
        text = message or (own.value if own is not None else default_message(parameter, parameter_value))
        return ValidationResult(focus, path, COMPONENT[parameter], self.shapes.severity(shape), text, value, shape)

    def check(self, shape: Term, parameter: str, value: Term | sparql.Component, focus: Term, path: Term | None,
              values: list[Term]) -> list[ValidationResult]:
        """The results of one constraint at one focus node with its value nodes."""
        if isinstance(value, sparql.Component):
            return self.component(shape, value, focus, path, values)
        if parameter == "sparql":
            return self.sparql_constraint(shape, value, focus, path)
        make = lambda v, message=None: self.result(shape, parameter, value, focus, path, v, message)  # noqa: E731
        if parameter == "class":
            return [make(v) for v in values if not self.data.instance_of(v, value.value)]
        if parameter == "in":
            allowed = set(self.shapes.items(value))
            return [make(v) for v in values if v not in allowed]
        if parameter == "datatype":
            test = value_test(self.shapes, shape, parameter, value).replace("{v}", "?v")
            return [make(v) for v in values if not (self.data.typed(v, value.value) and self.data.holds(test, v))]
        if parameter in VALUE_TESTS:
            test = value_test(self.shapes, shape, parameter, value).replace("{v}", "?v")
            return [make(v) for v in values if not self.data.holds(test, v)]
        if parameter in ("minCount", "maxCount"):
            limit = int(value.value)
            return [make(None)] if (len(values) < limit if parameter == "minCount" else len(values) > limit) else []
        if parameter == "hasValue":
            return [] if value in values else [make(None)]
        if parameter == "uniqueLang":
            if value.value != "true":
                return []
            tags = Counter(v.language.lower() for v in values if isinstance(v, ox.Literal) and v.language)
            return [make(None, f"More than one value with the language tag {t!r}") for t, n in sorted(tags.items()) if n > 1]
        if parameter in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            others = self.data.objects(focus, value)
            if parameter == "equals":
                return [make(v) for v in [*values, *others] if (v in values) != (v in others)]
            if parameter == "disjoint":
                return [make(v) for v in values if v in others]
            operator = "<" if parameter == "lessThan" else "<="
            return [make(v) for v in values for w in others if not self.data.compare(v, operator, w)]
        if parameter in LOGICAL:
            nested = [value] if parameter in ("not", "node") else self.shapes.items(value)
            return [make(v, self.explain(parameter, nested, v)) for v in values if self.violates(parameter, nested, v)]
        if parameter == "property":
            return self.validate(value, values)
        if parameter in ("qualifiedMinCount", "qualifiedMaxCount"):
            return self.qualified(shape, parameter, value, focus, path, values)
        if parameter == "closed":
            return self.closed(shape, value, focus, path, values)
        raise ValueError(parameter)

    def violates(self, parameter: str, nested: list[Term], node: Term) -> bool:
        passed = sum(self.conforms(node, s) for s in nested)
        return {"not": passed > 0, "node": passed < 1, "and": passed < len(nested), "or": passed < 1,
                "xone": passed != 1}[parameter]

    def explain(self, parameter: str, nested: list[Term], node: Term) -> str | None:
        """A readable message for a failed sh:or / sh:xone: which alternatives failed and why."""
        if parameter not in ("or", "xone"):
            return None
        parts, passed = [], []
        for number, alternative in enumerate(nested, 1):
            name = label(alternative) if isinstance(alternative, ox.NamedNode) else f"alternative {number}"
            if self.conforms(node, alternative):
                passed.append(name)
                continue
            reasons = dict.fromkeys(r.message for r in self.validate(alternative, [node]))
            parts.append(f"{name}: {'; '.join(list(reasons)[:3])}")
        head = (f"{label(node)} conforms to none of the {len(nested)} alternatives" if not passed else
                f"{label(node)} conforms to {len(passed)} alternatives ({', '.join(passed)}), exactly one is required")
        return head + (" — " + " | ".join(parts) if parts and not passed else "")

    def qualified(self, shape: Term, parameter: str, limit: Term, focus: Term, path: Term | None,
                  values: list[Term]) -> list[ValidationResult]:
        qualified = self.shapes.value(shape, SH + "qualifiedValueShape")
        siblings: set[Term] = set()
        if self.shapes.is_true(shape, SH + "qualifiedValueShapesDisjoint"):
            for parent in self.shapes.subjects(SH + "property", shape):
                for other in self.shapes.objects(parent, SH + "property"):
                    siblings |= set(self.shapes.objects(other, SH + "qualifiedValueShape"))
            siblings.discard(qualified)
        count = sum(1 for v in values if self.conforms(v, qualified) and not any(self.conforms(v, s) for s in siblings))
        failed = count < int(limit.value) if parameter == "qualifiedMinCount" else count > int(limit.value)
        return [self.result(shape, parameter, limit, focus, path, None)] if failed else []

    def closed(self, shape: Term, flag: Term, focus: Term, path: Term | None,
               values: list[Term]) -> list[ValidationResult]:
        if flag.value != "true":
            return []
        allowed = {p.value for prop in self.shapes.objects(shape, SH + "property")
                   for p in self.shapes.objects(prop, SH + "path") if isinstance(p, ox.NamedNode)}
        for head in self.shapes.objects(shape, SH + "ignoredProperties"):
            allowed |= {t.value for t in self.shapes.items(head)}
        return [ValidationResult(focus, predicate, COMPONENT["closed"], self.shapes.severity(shape),
                                 f"Predicate {label(predicate)} is not allowed (closed shape)", obj, shape)
                for v in values for predicate, obj in self.data.triples_of(v) if predicate.value not in allowed]

    def sparql_constraint(self, shape: Term, constraint: Term, focus: Term, path: Term | None) -> list[ValidationResult]:
        validator = sparql.constraint_validator(self.shapes, constraint)
        bindings = {"this": focus, "currentShape": shape, **sparql.path_binding(self.shapes, path)}
        rows = sparql.run(self.data, validator, bindings, constraint)
        return [self.sparql_result(shape, validator, row.values, focus, path, COMPONENT["sparql"], constraint)
                for row in rows]

    def sparql_result(self, shape: Term, validator: sparql.Validator, row: dict[str, Term], focus: Term,
                      path: Term | None, component: str, constraint: Term | None) -> ValidationResult:
        messages = validator.message or self.shapes.objects(shape, SH + "message")
        text = sparql.fill(messages[0].value, row) if messages else default_message("sparql", None)
        value = row.get("value", focus if path is None else None)
        return ValidationResult(focus, row.get("path", path), component, self.shapes.severity(shape), text, value,
                                shape, constraint)

    def component(self, shape: Term, component: sparql.Component, focus: Term, path: Term | None,
                  values: list[Term]) -> list[ValidationResult]:
        """A SPARQL-based constraint component: its ASK per value node, or its SELECT per focus node."""
        validator = component.validator(self.shapes, path is not None)
        if validator is None:
            return []
        parameters = component.bindings(self.shapes, shape) or {}
        bindings = {"this": focus, "currentShape": shape, **parameters, **sparql.path_binding(self.shapes, path)}
        rows = ([r for v in values for r in sparql.run(self.data, validator, {**bindings, "value": v}, validator.node)]
                if validator.ask else sparql.run(self.data, validator, bindings, validator.node))
        return [self.sparql_result(shape, validator, row.values, focus, path, component.iri.value, None) for row in rows]
