"""SHACL-SPARQL: sh:sparql constraints and SPARQL-based constraint components, with pre-binding.

Pre-binding (SHACL 5.6) is done by substituting each pre-bound variable ($this, $value, $PATH,
$currentShape, $shapesGraph and a component's parameters) with the term in the query text, which
reaches every nested group, UNION branch, BIND and sub-select as the spec requires; the pre-bound
variables are dropped from the projections (the engine knows their values). A blank node cannot be
written in a query, so it is bound by pyoxigraph's substitution instead (a join at the top level).
The constructs the spec prohibits (MINUS, SERVICE, VALUES, AS $prebound, a sub-select that does
not project $this) raise DiplokgError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.shacl import paths
from diplokg.shacl.data import DataGraph
from diplokg.shacl.shapes import SH, ShapesGraph, Term

Binding = Term | str  # a term, or SPARQL text (a path)
PROJECTION = re.compile(r"(\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?)(.*?)(\s*(?:\bWHERE\b|\{))", re.IGNORECASE | re.DOTALL)


@dataclass
class Row:
    """One violation found by a SPARQL query: its bindings, with the pre-bound values added."""

    values: dict[str, Term]


@dataclass
class Validator:
    """A SELECT or ASK query with what pre-binds it and what reports its results."""

    node: Term
    text: str
    ask: bool
    message: list[Term] = field(default_factory=list)


def body_start(text: str) -> int:
    """The offset after the prologue (PREFIX and BASE declarations)."""
    match = re.match(r"(?is)(\s*(#[^\n]*\n|PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s+<[^>]*>))*", text)
    return match.end() if match else 0


def check_prohibited(text: str, prebound: list[str], owner: Term) -> None:
    """Refuse what the spec (5.6.2) prohibits in a query with pre-bound variables."""
    code = re.sub(r"#[^\n]*", "", re.sub(r'"""[\s\S]*?"""|"[^"\n]*"|\'[^\'\n]*\'', '""', text))
    for word in ("MINUS", "SERVICE", "VALUES"):
        if re.search(rf"\b{word}\b", code, re.IGNORECASE):
            raise DiplokgError(f"SPARQL constraint {owner}: {word} is not allowed in a SHACL-SPARQL query (SHACL 5.6.2).")
    for name in prebound:
        if re.search(rf"(?i:\bAS)\s*[?$]{name}\b", code):
            raise DiplokgError(f"SPARQL constraint {owner}: the pre-bound variable ${name} cannot be assigned (AS ${name}).")
    for match in list(PROJECTION.finditer(code[body_start(code):]))[1:]:
        if not re.search(r"[?$]this\b", match.group(2)):
            raise DiplokgError(f"SPARQL constraint {owner}: a sub-select must project $this (SHACL 5.6.2).")


def prebind(text: str, bindings: dict[str, Binding]) -> tuple[str, dict[ox.Variable, Term]]:
    """The query with the bindings substituted, and the blank nodes left to pyoxigraph's substitution."""
    start = body_start(text)
    prologue, body = text[:start], text[start:]
    textual = {name: value if isinstance(value, str) else str(value) for name, value in bindings.items()
               if not isinstance(value, ox.BlankNode)}
    blank = {name: value for name, value in bindings.items() if isinstance(value, ox.BlankNode)}

    def projection(match: re.Match[str]) -> str:
        items = match.group(2)
        for name in textual:
            items = re.sub(rf"(?<![\w(])[?$]{name}\b(?![^(]*\))", "", items)
        if not items.strip():
            items = "*"
        return match.group(1) + items + match.group(3)

    body = PROJECTION.sub(projection, body)
    for name in textual:  # a pre-bound variable is bound
        body = re.sub(rf"(?i:\bbound)\s*\(\s*[?$]{name}\s*\)", "(true)", body)
    for name, value in textual.items():
        body = re.sub(rf"[?$]{name}\b", lambda _m, v=value: v, body)
    for name in blank:
        body = body.replace(f"${name}", f"?{name}")
    if blank:  # the outer projection must name a substituted variable
        match = PROJECTION.search(body)
        if match and match.group(2).strip() != "*":
            missing = "".join(f" ?{n}" for n in blank if not re.search(rf"\?{n}\b", match.group(2)))
            body = body[:match.end(2)] + missing + body[match.end(2):]
    return prologue + body, {ox.Variable(n): v for n, v in blank.items()}


def fill(template: str, values: dict[str, Term]) -> str:
    """A message with {$var} and {?var} replaced by the values of the solution."""
    from diplokg.shacl.shapes import label

    return re.sub(r"\{[?$](\w+)\}", lambda m: label(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def run(data: DataGraph, validator: Validator, bindings: dict[str, Binding], owner: Term) -> list[Row]:
    """The violations of one pre-bound query: each solution of a SELECT, or one row if an ASK is false."""
    if "shapesGraph" in validator.text:
        if data.shapes_graph is None:
            raise DiplokgError(f"SPARQL constraint {owner} uses $shapesGraph, which the fast validator only provides "
                               "when the shapes are in the store (the conformance run); use --engine pyshacl.")
        bindings = {**bindings, "shapesGraph": data.shapes_graph}
    text, substitutions = prebind(validator.text, bindings)
    extra = {"substitutions": substitutions} if substitutions else {}
    if data.shapes_graph is not None:
        extra["named_graphs"] = [data.shapes_graph]
    bound = {k: v for k, v in bindings.items() if not isinstance(v, str)}
    if validator.ask:
        return [] if bool(data.query(text, str(owner), **extra)) else [Row(dict(bound))]
    return [Row({**bound, **row}) for row in data.select(text, str(owner), **extra)]


def constraint_validator(shapes: ShapesGraph, constraint: Term) -> Validator:
    """The query of a sh:sparql constraint, prohibited constructs refused."""
    select = shapes.value(constraint, SH + "select")
    if select is None:
        raise DiplokgError(f"SPARQL constraint {constraint}: only sh:select is supported.")
    text = shapes.prologue(constraint) + select.value
    check_prohibited(text, ["this", "PATH", "currentShape", "shapesGraph"], constraint)
    return Validator(constraint, text, False, shapes.objects(constraint, SH + "message"))


@dataclass
class Component:
    """A SPARQL-based constraint component declared in the shapes graph."""

    iri: Term
    parameters: dict[str, tuple[Term, bool]]  # local name → (parameter path, optional)

    def bindings(self, shapes: ShapesGraph, shape: Term) -> dict[str, Term] | None:
        """The parameter values of `shape` for this component, or None if it lacks a mandatory one."""
        found = {}
        for name, (path, optional) in self.parameters.items():
            value = shapes.value(shape, path.value)
            if value is None and not optional:
                return None
            if value is not None:
                found[name] = value
        return found

    def validator(self, shapes: ShapesGraph, property_shape: bool) -> Validator | None:
        """sh:propertyValidator / sh:nodeValidator (SELECT) for the kind of shape, else sh:validator (ASK)."""
        own = SH + ("propertyValidator" if property_shape else "nodeValidator")
        for predicate in (own, SH + "validator"):
            for node in shapes.objects(self.iri, predicate):
                select, ask = shapes.value(node, SH + "select"), shapes.value(node, SH + "ask")
                query = select if select is not None else ask
                if query is None:
                    continue
                text = shapes.prologue(node) + query.value
                check_prohibited(text, ["this", "value", "PATH", "currentShape", "shapesGraph", *self.parameters], node)
                messages = shapes.objects(node, SH + "message") or shapes.objects(self.iri, SH + "message")
                return Validator(node, text, select is None, messages)
        return None


def components(shapes: ShapesGraph) -> list[Component]:
    """Every SPARQL-based constraint component of the shapes graph."""
    found = []
    for iri in dict.fromkeys(shapes.instances(SH + "ConstraintComponent")):
        parameters = {}
        for parameter in shapes.objects(iri, SH + "parameter"):
            path = shapes.path(parameter)
            if isinstance(path, ox.NamedNode):
                local = re.split(r"[#/]", path.value)[-1]
                parameters[local] = (path, shapes.is_true(parameter, SH + "optional"))
        found.append(Component(iri, parameters))
    return found


def path_binding(shapes: ShapesGraph, path: Term | None) -> dict[str, Binding]:
    return {"PATH": paths.sparql(shapes, path)} if path is not None else {}


def joinable(text: str) -> bool:
    """A flat query (no group but FILTER EXISTS ones, no $PATH/$currentShape/$shapesGraph): joining the
    focus nodes in front of its pattern binds $this as pre-binding would."""
    body = re.sub(r"\bEXISTS\s*\{[^{}]*\}", "", text[body_start(text):], flags=re.IGNORECASE)
    where = re.search(r"\{", body)
    return (where is not None and "{" not in body[where.end():] and
            not re.search(r"[?$](PATH|currentShape|shapesGraph)\b", body))
