"""The shapes graph checked before any data is: SHACL's syntax rules for shapes.

These are the rules of the SHACL-SHACL shapes graph (https://www.w3.org/TR/shacl/#shacl-shacl) and
the ones it leaves out: an sh:pattern the engine can compile with its sh:flags, an sh:path that is a
path (not an empty list), a node of sh:node that is a shape. They are written here over the indexed
triples rather than run as shapes: one pass costs a few milliseconds, and each problem names the
file, the line where it can be found cheaply, the shape (a blank node by where it sits: "shape
dsh:PersonShape, property rdfs:label") and the property at fault. An ill-formed shapes graph is a
DiplokgError (exit code 2) listing every problem; no data is validated against it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.shacl import paths
from diplokg.shacl.expressions import INTEGER_RANGES, quoted
from diplokg.shacl.shapes import RDF, SH, XSD, ShapesGraph, Term

NIL = ox.NamedNode(RDF + "nil")
STRING, LANG_STRING, BOOLEAN = XSD + "string", RDF + "langString", XSD + "boolean"
INTEGERS = {XSD + name for name in INTEGER_RANGES}
COUNTS = ("minCount", "maxCount", "minLength", "maxLength", "qualifiedMinCount", "qualifiedMaxCount")
IRIS = ("class", "datatype", "equals", "disjoint", "lessThan", "lessThanOrEquals", "targetClass", "targetSubjectsOf",
        "targetObjectsOf", "severity")
SHAPES = ("node", "not", "property", "qualifiedValueShape")
SHAPE_LISTS = ("and", "or", "xone")
LITERALS = ("minExclusive", "minInclusive", "maxExclusive", "maxInclusive")
BOOLEANS = ("closed", "uniqueLang", "deactivated", "qualifiedValueShapesDisjoint")
NODE_KINDS = tuple(SH + k for k in ("BlankNode", "IRI", "Literal", "BlankNodeOrIRI", "BlankNodeOrLiteral",
                                    "IRIOrLiteral"))
# at most one value each (SHACL-SHACL's sh:maxCount 1)
SINGLE = ("datatype", "severity", "deactivated", "closed", "ignoredProperties", "in", "languageIn", "nodeKind",
          "pattern", "flags", "qualifiedValueShape", "qualifiedValueShapesDisjoint", "uniqueLang", "path",
          *COUNTS, *LITERALS)
# the parameters only a property shape (one with sh:path) may have (SHACL-SHACL's NodeShapeShape)
PROPERTY_ONLY = ("minCount", "maxCount", "lessThan", "lessThanOrEquals", "qualifiedValueShape", "uniqueLang")
UNARY_PATHS = tuple(paths.UNARY)
PATH_HINT = ("a path is an IRI, a list of two or more paths, or a blank node with one of sh:alternativePath, "
             "sh:inversePath, sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath")
MOST = 30  # problems listed in full; the rest are counted


def check(shapes: ShapesGraph, source: Path | None = None) -> None:
    """Raise a DiplokgError listing every problem of an ill-formed shapes graph (`source`: its file)."""
    text = read(source) if source is not None else None
    problems = Checker(shapes, Names(prefixes_of(text or ""))).problems()
    shapes.checked = True
    if not problems:
        return
    lines = Lines(source, text or "") if source is not None else None
    paragraphs = []
    for node, predicate, value, problem in problems[:MOST]:
        where = lines.where(shapes, node, predicate, value) if lines is not None else ""
        paragraphs.append(f"{where}{problem}.")
    if len(problems) > MOST:
        paragraphs.append(f"... and {len(problems) - MOST} more problems.")
    count = "one problem" if len(problems) == 1 else f"{len(problems)} problems"
    paragraphs.append(f"The shapes graph is ill-formed ({count}); nothing was validated. Fix the shapes and run "
                      "again.")
    raise DiplokgError("\n\n".join(paragraphs))


def read(source: Path) -> str | None:
    try:
        return source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def prefixes_of(text: str) -> dict[str, str]:
    """The prefixes a Turtle file declares (@prefix and PREFIX lines)."""
    return {m[1]: m[2] for m in re.finditer(r"(?im)^\s*@?prefix\s+([\w.-]*):\s*<([^>]*)>", text)}


class Names:
    """Terms for a person: CURIEs with the file's prefixes, then diplokg's; lists in brackets."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        from diplokg.prefixes import PREFIX_IRIS

        self.prefixes = {**{p: ns for p, ns in PREFIX_IRIS.items() if ns not in prefixes.values()}, **prefixes}

    def iri(self, iri: str) -> str:
        best = max((p for p, ns in self.prefixes.items() if ns and iri.startswith(ns)),
                   key=lambda p: len(self.prefixes[p]), default=None)
        local = iri[len(self.prefixes[best]):] if best is not None else ""
        return f"{best}:{local}" if best is not None and re.fullmatch(r"[\w.-]*", local) else f"<{iri}>"

    def term(self, shapes: ShapesGraph, term: Term, depth: int = 0) -> str:
        """A term as Turtle would write it, short: a CURIE, a list in brackets, a quoted literal."""
        if term == NIL:
            return "( )"
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            members, _ = list_members(shapes, term)
            if members is not None and depth < 2:
                inner = " ".join(self.term(shapes, m, depth + 1) for m in members[:6])
                return f"( {inner}{' ...' if len(members) > 6 else ''} )"
            return "[ ... ]"
        text = quoted(term.value)
        if term.language:
            return f"{text}@{term.language}"
        datatype = term.datatype.value
        if datatype == XSD + "integer" and re.fullmatch(r"[+-]?[0-9]+", term.value):
            return term.value
        if datatype == BOOLEAN and term.value in ("true", "false"):
            return term.value
        return text if datatype == STRING else f"{text}^^{self.iri(datatype)}"


class Checker:
    """Finds the problems of a shapes graph: (node, predicate, value, text) each."""

    def __init__(self, shapes: ShapesGraph, names: Names) -> None:
        self.shapes, self.terms = shapes, names
        self.found: list[tuple[Term, str, Term | None, str]] = []
        self.parents: dict[Term, tuple[Term, str, int | None]] = {}  # blank node → (owner, predicate, position)
        self.names: dict[Term, str] = {}
        self.regex = ox.Store()

    def problems(self) -> list[tuple[Term, str, Term | None, str]]:
        shapes = self.shapes
        self.index_parents()
        subjects: dict[Term, None] = {}
        for (node, predicate), values in shapes.index.items():
            name = predicate.removeprefix(SH)
            if name == predicate:
                continue
            subjects.setdefault(node)
            for value in values:
                problem = self.value_problem(node, name, value)
                if problem is not None:
                    self.add(node, predicate, value, problem)
            if name in SINGLE and len(values) > 1:
                shown_values = ", ".join(self.terms.term(shapes, v) for v in values)
                self.add(node, predicate, None, f"{self.terms.iri(predicate)} has {len(values)} values ({shown_values}); "
                                                     "a shape may have one")
        for value in {v for (_, p), vs in shapes.index.items() if p == SH + "property" for v in vs}:
            if not isinstance(value, ox.Literal) and shapes.path(value) is None:
                self.add(value, SH + "path", None, "sh:path is missing: a property shape (a value of sh:property) "
                                                   "needs exactly one")
        for node in subjects:
            predicates = shapes.predicates(node)
            if SH + "path" in predicates:
                if SH + "NodeShape" in shapes.types(node):
                    self.add(node, SH + "path", shapes.path(node),
                             "a sh:NodeShape cannot have sh:path (a shape with sh:path is a property shape)")
                continue
            for name in PROPERTY_ONLY:
                if SH + name in predicates:
                    self.add(node, SH + name, shapes.value(node, SH + name),
                             f"sh:{name} needs sh:path: only a property shape may have it")
        if not self.found:
            return []
        order = {t.subject: n for n, t in reversed(list(enumerate(shapes.triples)))}  # as the file has them
        return sorted(self.found, key=lambda p: (order.get(self.root(p[0]), 0), self.describe(p[0]), p[1]))

    def add(self, node: Term, predicate: str, value: Term | None, problem: str) -> None:
        self.found.append((node, predicate, value, f"{self.describe(node)}: {problem}"))

    def value_problem(self, node: Term, name: str, value: Term) -> str | None:
        """What is wrong with `value` as the value of sh:`name` on `node`, if anything."""
        shapes = self.shapes
        what = Lazy(lambda: f"sh:{name} {self.terms.term(shapes, value)}")  # only for a problem
        if name in COUNTS and not non_negative_integer(value):
            return f"{what} is not a non-negative integer"
        if name in IRIS and not isinstance(value, ox.NamedNode):
            return f"{what} is not an IRI{hint(value)}"
        if name == "targetNode" and isinstance(value, ox.BlankNode):
            return f"{what} is a blank node; a target node is an IRI or a literal"
        if name in SHAPES and isinstance(value, ox.Literal):
            return f"{what} is not a shape (an IRI or a blank node){hint(value)}"
        if name in LITERALS and not isinstance(value, ox.Literal):
            return f"{what} is not a literal"
        if name in BOOLEANS and not (isinstance(value, ox.Literal) and value.datatype.value == BOOLEAN
                                     and value.value in ("true", "false", "1", "0")):
            return f"{what} is not true or false"
        if name == "nodeKind" and value not in [ox.NamedNode(k) for k in NODE_KINDS]:
            return f"{what} is not one of {', '.join(self.terms.iri(k) for k in NODE_KINDS)}"
        if name in ("pattern", "flags") and not is_string(value):
            return f"{what} is not a string"
        if name == "pattern":
            return self.pattern_problem(node, value)
        if name == "message" and not (isinstance(value, ox.Literal) and value.datatype.value in (STRING, LANG_STRING)):
            return f"{what} is not a string"
        if name in (*SHAPE_LISTS, "in", "languageIn", "ignoredProperties"):
            members, problem = list_members(shapes, value)
            if members is None:
                return f"{what} {problem}"
            wrong = {"languageIn": (lambda m: not is_string(m), "a string"),
                     "ignoredProperties": (lambda m: not isinstance(m, ox.NamedNode), "an IRI"),
                     **dict.fromkeys(SHAPE_LISTS, (lambda m: isinstance(m, ox.Literal), "a shape"))}.get(name)
            bad = [m for m in members if wrong is not None and wrong[0](m)]
            if bad:
                return f"{what} has a member that is not {wrong[1]}: {self.terms.term(shapes, bad[0])}"
        if name == "path" and not (isinstance(value, ox.NamedNode) and value != NIL):
            return self.path_problem(value, str(what))
        return None

    def pattern_problem(self, node: Term, pattern: Term) -> str | None:
        """The pattern as the engine applies it: SPARQL REGEX with the shape's sh:flags, on pyoxigraph."""
        flags = self.shapes.value(node, SH + "flags")
        flag_text = flags.value if isinstance(flags, ox.Literal) else ""
        query = f"ASK {{ BIND(REGEX(\"\", {quoted(pattern.value)}, {quoted(flag_text)}) AS ?ok) FILTER(BOUND(?ok)) }}"
        try:
            compiles = bool(self.regex.query(query))
        except SyntaxError:
            compiles = False
        if compiles:
            return None
        with_flags = f" with sh:flags {quoted(flag_text)}" if flag_text else ""
        return f"sh:pattern {self.terms.term(self.shapes, pattern)}{with_flags} is not a valid regular expression"

    def path_problem(self, path: Term, what: str, seen: frozenset = frozenset()) -> str | None:
        """What makes `path` not a SHACL property path (`what` introduces it in the text)."""
        shapes = self.shapes
        if path in seen:
            return f"{what} refers to itself (a path cannot be recursive)"
        seen |= {path}
        if path == NIL:
            return f"{what} is an empty list; {PATH_HINT}"
        if isinstance(path, ox.Literal):
            return f"{what} is a literal{hint(path)}; {PATH_HINT}"
        if isinstance(path, ox.NamedNode) and not shapes.objects(path, RDF + "first"):
            return None
        forms = [p for p in (RDF + "first", SH + "alternativePath", *UNARY_PATHS) if shapes.objects(path, p)]
        if forms[:1] == [RDF + "first"]:  # a list is a sequence path whatever else it has (SHACL-SHACL's
            forms = forms[:1]            # xone: the other forms are closed; the suite's path-strange tests)
        if len(forms) != 1:
            has = f" (it has {', '.join(map(self.terms.iri, forms))})" if forms else ""
            return f"{what} is not a path{has}; {PATH_HINT}"
        form = forms[0]
        if form in (RDF + "first", SH + "alternativePath"):
            head = path if form == RDF + "first" else shapes.value(path, form)
            members, problem = list_members(shapes, head)
            kind = "sequence" if form == RDF + "first" else "sh:alternativePath"
            if members is None:
                return f"{what}: the {kind} {problem}"
            if len(members) < 2:
                return f"{what}: the {kind} has {len(members)} member(s); it needs two or more"
            parts = members
        else:
            values = shapes.objects(path, form)
            if len(values) > 1:
                return f"{what}: {self.terms.iri(form)} has {len(values)} values; it takes one path"
            parts = values
        for part in parts:
            problem = self.path_problem(part, f"{what}: the member {self.terms.term(shapes, part)}", seen)
            if problem is not None:
                return problem
        return None

    # -- where a problem is: the shape described for a person ------------------------------------

    def index_parents(self) -> None:
        """Each blank node's owner: the node that refers to it (through a list for sh:and/or/xone)."""
        for triple in self.shapes.triples:
            predicate, value = triple.predicate.value, triple.object
            if not isinstance(value, ox.BlankNode) or predicate in (RDF + "first", RDF + "rest"):
                continue
            self.parents.setdefault(value, (triple.subject, predicate, None))
            if predicate.removeprefix(SH) in SHAPE_LISTS:
                members, _ = list_members(self.shapes, value)
                for position, member in enumerate(members or [], 1):
                    if isinstance(member, ox.BlankNode):
                        self.parents.setdefault(member, (triple.subject, predicate, position))

    def root(self, node: Term) -> Term:
        seen = set()
        while node in self.parents and node not in seen:
            seen.add(node)
            node = self.parents[node][0]
        return node

    def describe(self, node: Term, depth: int = 0) -> str:
        """`shape dsh:X`, `shape dsh:X, property rdfs:label`, `shape dsh:X, sh:or member 2`, ..."""
        if node in self.names:
            return self.names[node]
        shapes = self.shapes
        if isinstance(node, ox.NamedNode):
            text = f"shape {self.terms.iri(node.value)}"
        elif node not in self.parents or depth > 8:
            predicates = sorted(p for p in shapes.predicates(node) if p.startswith(SH) and p != SH + "path")
            text = f"an anonymous shape ({', '.join(self.terms.iri(p) for p in predicates[:3]) or 'no sh: property'})"
        else:
            owner, predicate, position = self.parents[node]
            path = shapes.path(node)
            if predicate in (SH + "property", SH + "parameter"):
                word = "property" if predicate == SH + "property" else "parameter"
                readable = path is not None and self.path_problem(path, "") is None
                siblings = shapes.objects(owner, predicate)
                number = f"{word} shape {siblings.index(node) + 1} (of {len(siblings)}, in the order written)"
                step = f"{word} {paths.text(shapes, path, self.terms.iri)}" if readable else number
            elif position is not None:
                step = f"{self.terms.iri(predicate)} member {position}"
            else:
                step = self.terms.iri(predicate)
            text = f"{self.describe(owner, depth + 1)}, {step}"
        self.names[node] = text
        return text


class Lazy:
    """Text made when it is first written out (in an f-string)."""

    def __init__(self, make: Callable[[], str]) -> None:
        self.make = make

    def __format__(self, spec: str) -> str:
        return format(self.make(), spec)

    def __str__(self) -> str:
        return self.make()


def list_members(shapes: ShapesGraph, head: Term) -> tuple[list[Term] | None, str]:
    """The members of a well-formed SHACL list (one rdf:first and one rdf:rest per node, ending in
    rdf:nil, no loop), or None and what is wrong."""
    if isinstance(head, ox.Literal):
        return None, "is not a list (it is a literal)"
    members: list[Term] = []
    node, seen = head, set()
    while node != NIL:
        if isinstance(node, ox.Literal) or node in seen:
            return None, "is not a well-formed list (its rdf:rest " + ("loops)" if node in seen else "is a literal)")
        seen.add(node)
        firsts, rests = shapes.objects(node, RDF + "first"), shapes.objects(node, RDF + "rest")
        if not firsts and not rests and node is head:
            return None, "is not a list"
        if len(firsts) != 1 or len(rests) != 1:
            return None, "is not a well-formed list (each node needs one rdf:first and one rdf:rest)"
        members.append(firsts[0])
        node = rests[0]
    return members, ""


def non_negative_integer(value: Term) -> bool:
    return (isinstance(value, ox.Literal) and value.datatype.value in INTEGERS
            and re.fullmatch(r"\s*\+?[0-9]+\s*|\s*-0+\s*", value.value) is not None)


def is_string(value: Term) -> bool:
    return isinstance(value, ox.Literal) and value.datatype.value == STRING


def hint(value: Term) -> str:
    """For a quoted IRI or CURIE: write it without the quotes."""
    if isinstance(value, ox.Literal) and re.fullmatch(r"<?[A-Za-z][\w.+-]*:\S*?>?", value.value):
        return f" (for the IRI, write {value.value} without quotes)"
    return ""


class Lines:
    """The line of the shapes file where a problem is, found by searching the text: within the
    statement of the shape's top-level subject, the one line with the property followed by the value
    as written. No line when the search is not sure."""

    def __init__(self, source: Path, text: str) -> None:
        self.lines = text.splitlines()
        self.prefixes = prefixes_of(text)
        try:
            self.name = source.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except (ValueError, OSError):
            self.name = str(source)

    def where(self, shapes: ShapesGraph, node: Term, predicate: str, value: Term | None) -> str:
        number = self.find(shapes, node, predicate, value)
        return f"{self.name}:{number}: " if number is not None else f"{self.name}: "

    def written(self, iri: str) -> list[str]:
        """The ways the file may write an IRI: <iri> and prefix:local for each prefix that fits."""
        return [f"<{iri}>", *(f"{p}:{iri[len(ns):]}" for p, ns in self.prefixes.items() if ns and iri.startswith(ns))]

    def block(self, top: Term) -> range:
        """The lines of the statement whose subject is `top` (the whole file for a blank node)."""
        if not isinstance(top, ox.NamedNode):
            return range(len(self.lines))
        names = "|".join(re.escape(n) for n in self.written(top.value))
        start = next((n for n, line in enumerate(self.lines) if re.match(rf"(?:{names})(?=\s|$)", line)), None)
        if start is None:
            return range(0)
        end = next((n for n in range(start + 1, len(self.lines)) if re.match(r"[^\s#]", self.lines[n])),
                   len(self.lines))
        return range(start, end)

    def find(self, shapes: ShapesGraph, node: Term, predicate: str, value: Term | None) -> int | None:
        top, seen = node, set()
        while isinstance(top, ox.BlankNode) and top not in seen:
            seen.add(top)
            owner = next((t.subject for t in shapes.triples if t.object == top), None)
            if owner is None:
                break
            top = owner
        written = "|".join(re.escape(n) for n in self.written(predicate))
        if value == NIL:
            after = r"(\(\s*\)|rdf:nil)"
        elif isinstance(value, ox.Literal):
            after = rf"[\"']*{re.escape(value.value)}"
        elif isinstance(value, ox.NamedNode):
            after = "(" + "|".join(re.escape(n) for n in self.written(value.value)) + ")"
        else:
            after = ""
        pattern = re.compile(rf"(?:{written})\s+{after}" if after else rf"(?:{written})(?=\s)")
        hits = [n for n in self.block(top) if pattern.search(self.lines[n])]
        return hits[0] + 1 if len(hits) == 1 else None
