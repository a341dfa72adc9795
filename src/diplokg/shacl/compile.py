"""Set-based checks: one SPARQL SELECT per constraint over every focus node at once.

This is where the speed at 10^6 triples comes from. A constraint compiles when it is a test of each
value (sh:class, sh:datatype, ...), a count, a comparison of two paths, or a logical component whose
nested shapes are such tests; `Compiler.compile` returns None for the rest, which the per-node
evaluator (diplokg.shacl.evaluate) checks instead.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.shacl import paths
from diplokg.shacl.data import DataGraph
from diplokg.shacl.expressions import VALUE_TESTS, value_test
from diplokg.shacl.shapes import COMPONENT, RDF, RDFS, SH, ShapesGraph, Term

# what a nested shape may declare and still be compiled into an expression (besides value tests)
NESTED_OK = {SH + p for p in ("class", "path", "minCount", "name", "description", "message", "severity", "order",
                              "group")} | {RDF + "type", "http://www.w3.org/2000/01/rdf-schema#label",
                                           "http://www.w3.org/2000/01/rdf-schema#comment"}


@dataclass
class Query:
    """A compiled check: SELECT ?this and, where it has one, ?value (or ?path) of every violation."""

    text: str
    parameter: str
    component: str
    shape: Term
    path: Term | None


class Compiler:
    """Compiles constraints of a ShapesGraph into queries against one data graph."""

    def __init__(self, shapes: ShapesGraph, data: DataGraph) -> None:
        self.shapes, self.data = shapes, data
        self.counter = itertools.count(1)  # next() is atomic: shapes compile on several threads
        self.subclass_cache: dict[str, list[str]] = {}

    def fresh(self) -> str:
        return f"?_{next(self.counter)}"

    def subclasses(self, cls: str) -> list[str]:
        """The class and every class below it in the data (rdfs:subClassOf*)."""
        if cls not in self.subclass_cache:
            rows = self.data.select(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* <{cls}> }}", cls)
            self.subclass_cache[cls] = sorted({row["c"].value for row in rows if "c" in row} | {cls})
        return self.subclass_cache[cls]

    def instance_of(self, node: str, cls: str) -> str:
        """A group pattern: `node` is a SHACL instance of `cls`."""
        var = self.fresh()
        classes = " ".join(f"<{c}>" for c in self.subclasses(cls))
        return f"VALUES {var} {{ {classes} }} {node} <{RDF}type> {var} ."

    def target(self, shape: Term) -> str:
        """A group pattern binding ?this to each focus node of `shape`."""
        get = self.shapes.objects
        parts = [self.instance_of("?this", c.value) for c in get(shape, SH + "targetClass")]
        if self.shapes.types(shape) & {"http://www.w3.org/2000/01/rdf-schema#Class", "http://www.w3.org/2002/07/owl#Class"}:
            parts.append(self.instance_of("?this", shape.value))
        nodes = [n for n in get(shape, SH + "targetNode") if not isinstance(n, ox.BlankNode)]
        if nodes:
            parts.append(f"VALUES ?this {{ {' '.join(map(str, nodes))} }}")
        parts += [f"?this {p} {self.fresh()} ." for p in get(shape, SH + "targetSubjectsOf")]
        parts += [f"{self.fresh()} {p} ?this ." for p in get(shape, SH + "targetObjectsOf")]
        for target in get(shape, SH + "target"):
            text = self.shapes.value(target, SH + "select")
            if text is None:
                raise DiplokgError(f"Shape {shape}: only SPARQL targets (sh:select) are supported as sh:target.")
            parts.append(f"{{ {strip_prologue(text.value).replace('$this', '?this')} }}")
        if not parts:
            return "FILTER(false)"
        return "{ SELECT DISTINCT ?this WHERE { { " + " } UNION { ".join(parts) + " } } }"

    def target_prologue(self, shape: Term) -> str:
        return "".join(self.shapes.prologue(t) for t in self.shapes.objects(shape, SH + "target"))

    def compile(self, shape: Term, parameter: str, value: Term, focus: str, path: Term | None) -> Query | None:
        """The query of one constraint (`parameter` = `value` on `shape`), or None if it does not compile."""
        where = self.where(shape, parameter, value, focus, path)
        if where is None:
            return None
        select = " ".join(v for v in ("?this", "?value", "?w") if v in where)  # ?w: the other value of a pair
        text = f"{self.target_prologue(shape)}SELECT DISTINCT {select} WHERE {{ {where} }}"
        return Query(text, parameter, COMPONENT[parameter], shape, path)

    def where(self, shape: Term, parameter: str, value: Term, focus: str, path: Term | None) -> str | None:
        p = paths.sparql(self.shapes, path) if path is not None else None
        values = f"{focus} ?this {p} ?value ." if p else f"{focus} BIND(?this AS ?value)"
        if parameter == "class":
            return f"{values} FILTER NOT EXISTS {{ {self.instance_of('?value', value.value)} }}"
        if parameter in VALUE_TESTS:
            if parameter == "in" and any(isinstance(t, ox.BlankNode) for t in self.shapes.items(value)):
                return None
            test = value_test(self.shapes, shape, parameter, value).replace("{v}", "?value")
            return f"{values} FILTER(!COALESCE({test}, false))"
        if parameter == "hasValue":
            if isinstance(value, ox.BlankNode):
                return None
            return (f"{focus} FILTER NOT EXISTS {{ ?this {p} {value} }}" if p
                    else f"{focus} FILTER(!sameTerm(?this, {value}))")
        if parameter in ("minCount", "maxCount") and p:
            limit = int(value.value)
            if parameter == "minCount" and limit == 1:
                return f"{focus} FILTER NOT EXISTS {{ ?this {p} ?v }}"
            return count(focus, p, "", limit, "<" if parameter == "minCount" else ">")
        if parameter == "uniqueLang" and p and value.value == "true":
            return (f"{focus} ?this {p} ?v , ?u FILTER(!sameTerm(?v, ?u) && lang(?v) != '' && "
                    "LCASE(lang(?v)) = LCASE(lang(?u))) BIND(LCASE(lang(?v)) AS ?value)")
        if parameter in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            return self.pair(parameter, value, values, focus, p)
        if parameter in ("not", "and", "or", "xone", "node"):
            nested = [value] if parameter in ("not", "node") else self.shapes.items(value)
            tests = [self.conforms(s, "?value") for s in nested]
            if None in tests:
                return None
            return f"{values} FILTER({logic(parameter, tests)})"
        if parameter in ("qualifiedMinCount", "qualifiedMaxCount") and p:
            qualified = self.shapes.value(shape, SH + "qualifiedValueShape")
            test = self.conforms(qualified, "?v") if qualified is not None else None
            if test is None or self.shapes.is_true(shape, SH + "qualifiedValueShapesDisjoint"):
                return None
            return count(focus, p, f"FILTER({test})", int(value.value), "<" if parameter == "qualifiedMinCount" else ">")
        return None

    def pair(self, parameter: str, other: Term, values: str, focus: str, p: str | None) -> str:
        """sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals: the values against those of `other`."""
        mine = f"EXISTS {{ ?this {p} ?value }}" if p else "sameTerm(?this, ?value)"
        if parameter == "equals":
            return (f"{focus} {{ {values} FILTER NOT EXISTS {{ ?this {other} ?value }} }} UNION "
                    f"{{ ?this {other} ?value FILTER(!{mine}) }}")
        if parameter == "disjoint":
            return f"{values} FILTER EXISTS {{ ?this {other} ?value }}"
        operator = "<" if parameter == "lessThan" else "<="
        return f"{values} ?this {other} ?w FILTER(!COALESCE(?value {operator} ?w, false))"

    def conforms(self, shape: Term, node: str) -> str | None:
        """A SPARQL expression: `node` conforms to a nested shape made of value tests, or None."""
        predicates = self.shapes.predicates(shape)
        tests_of = {SH + p for p in VALUE_TESTS}
        if predicates - NESTED_OK - tests_of or self.shapes.deactivated(shape):
            return None
        path = self.shapes.path(shape)
        if path is not None and not isinstance(path, ox.NamedNode):
            return None
        each: list[str] = []
        for parameter in (p.removeprefix(SH) for p in sorted(predicates & (tests_of | {SH + "class"}))):
            for value in self.shapes.objects(shape, SH + parameter):
                if parameter == "in" and any(isinstance(t, ox.BlankNode) for t in self.shapes.items(value)):
                    return None
                if parameter == "class":
                    each.append(f"EXISTS {{ {self.instance_of('{v}', value.value)} }}")
                else:
                    each.append(f"COALESCE({value_test(self.shapes, shape, parameter, value)}, false)")
        if path is None:
            if SH + "minCount" in predicates:
                return None
            return "(" + " && ".join(t.replace("{v}", node) for t in each or ["true"]) + ")"
        tests = []
        if each:
            x = self.fresh()
            tests.append(f"NOT EXISTS {{ {node} {path} {x} FILTER(!({' && '.join(t.replace('{v}', x) for t in each)})) }}")
        for limit in self.shapes.objects(shape, SH + "minCount"):
            if int(limit.value) > 1:
                return None
            if int(limit.value) == 1:
                tests.append(f"EXISTS {{ {node} {path} {self.fresh()} }}")
        return "(" + " && ".join(tests or ["true"]) + ")"


def logic(parameter: str, tests: list[str]) -> str:
    """The FILTER that keeps the values that violate a logical component."""
    if parameter in ("not",):
        return tests[0]
    if parameter in ("node", "and"):
        return "!(" + " && ".join(tests or ["true"]) + ")"
    if parameter == "or":
        return "!(" + " || ".join(tests or ["false"]) + ")"
    return "(" + " + ".join(f"IF({t}, 1, 0)" for t in tests or ["false"]) + ") != 1"


def strip_prologue(text: str) -> str:
    """A query without its PREFIX and BASE lines (they are declared once, in front)."""
    return re.sub(r"(?im)^\s*(PREFIX|BASE)\s[^\n]*$", "", text)


def count(focus: str, path: str, test: str, limit: int, operator: str) -> str:
    """Focus nodes with fewer (`<`) or more (`>`) than `limit` values that pass `test`."""
    return (f"{{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v {test} }} }} "
            f"GROUP BY ?this }} FILTER(?n {operator} {limit})")
