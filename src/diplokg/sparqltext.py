"""SPARQL text, read without a parser: the query form, the outermost WHERE group, and parameters
bound as a VALUES block of serialised RDF terms (never raw text) placed first in that group.

Used by every engine (a VALUES block first lets the engines' optimisers start from the bound values)
and by the server's read-only checks (the tokenizer skips strings, IRIs, comments and variables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.results import Term

FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
TOKEN = re.compile(r"""
    (?P<skip>\#[^\n]*|"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|[?$]\w+)
  | (?P<word>[\w:.%-]+)
  | (?P<open>\{) | (?P<close>\}) | (?P<lparen>\() | (?P<rparen>\))
  | (?P<other>\S)
""", re.VERBOSE | re.DOTALL)


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first keyword of those (outside strings, IRIs, comments)."""
    words = (m.group().upper() for m in TOKEN.finditer(text) if m.lastgroup == "word")
    return next((word for word in words if word in FORMS), None)


def values_block(bindings: dict[str, Term]) -> str:
    """`VALUES (?a ?b) { (<iri> "literal"@en) }` from RDF terms, serialised as N-Triples terms."""
    for name, term in bindings.items():
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise DiplokgError(f"{name!r} is not a SPARQL variable name.")
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise DiplokgError(f"Parameter {name!r}: only an IRI or a literal can be bound, not {term!r}.")
    names = " ".join(f"?{name}" for name in bindings)
    return f"VALUES ({names}) {{ ({' '.join(str(term) for term in bindings.values())}) }}"


@dataclass(frozen=True)
class WhereGroup:
    """The offsets just inside the braces of a query's outermost WHERE group; for the short form
    `CONSTRUCT WHERE { T }`, also the end of the CONSTRUCT keyword and the start of WHERE."""

    start: int
    end: int
    short_construct: bool
    form_end: int
    where: int


def where_group(text: str) -> WhereGroup:
    """Find the outermost WHERE group, outside strings, IRIs and comments (a CONSTRUCT template is skipped)."""
    form_end, where, depth, parens, template, opened, construct = -1, -1, 0, 0, False, -1, False
    for match in TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "word" and depth == 0 and parens == 0:
            if form_end < 0 and value.upper() in FORMS:
                form_end, construct = match.end(), value.upper() == "CONSTRUCT"
            elif value.upper() == "WHERE":
                where = match.start()
        elif kind in ("lparen", "rparen"):
            parens += 1 if kind == "lparen" else -1
        elif kind == "open":
            if depth == 0 and parens == 0 and opened < 0:
                if construct and where < 0 and not template:
                    template = True
                else:
                    opened = match.end()
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0 and opened >= 0:
                return WhereGroup(opened, match.start(), construct and not template, form_end, where)
    raise DiplokgError("Cannot bind parameters: the query has no WHERE group (or its braces do not balance).")


def inject_values(text: str, bindings: dict[str, Term]) -> str:
    """The query with the bindings as a VALUES block first in its outermost WHERE group."""
    if not bindings:
        return text
    block = values_block(bindings)
    group = where_group(text)
    if group.short_construct:
        # CONSTRUCT WHERE { T } admits triples only: spell it CONSTRUCT { T } WHERE { VALUES ... T }.
        body = text[group.start:group.end]
        return (f"{text[:group.form_end]} {{{body}}}{text[group.form_end:group.where]}"
                f"WHERE {{ {block}\n{body}}}{text[group.end + 1:]}")
    return f"{text[:group.start]} {block}\n{text[group.start:]}"
