"""SPARQL text, read without a parser: the query form, the outermost WHERE group, and parameters
bound as serialised RDF terms (never raw text): substituted for their variable, or as a VALUES block.

pyoxigraph gets the terms substituted as constants (`bind_constants`): its optimiser then uses them in
every pattern, where a VALUES block is joined only after whole UNIONs are evaluated (person-card at 10^6
triples: 2 s with VALUES, milliseconds with constants). Where substitution cannot keep the meaning
(the variable is assigned, tested with BOUND, listed in VALUES, or the query projects `*`), and for
remote endpoints, the VALUES block first in the outermost WHERE group is used (`inject_values`), and in each
subquery that projects the variable, so that both ways give a query the same meaning.
The tokenizer (strings, IRIs, comments and variables skipped whole) also serves the server's checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from diplokg.errors import DiplokgError
from diplokg.results import Term

FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
TOKEN = re.compile(r"""
    (?P<skip>\#[^\n]*|"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|[?$]\w+)
  | (?P<word>[\w:.%-]+)
  | (?P<open>\{) | (?P<close>\}) | (?P<lparen>\() | (?P<rparen>\))
  | (?P<other>\S)
""", re.VERBOSE | re.DOTALL)


def keywords(text: str) -> Iterator[str]:
    """The words of a SPARQL text, upper-cased, outside strings, IRIs and comments."""
    return (m.group().upper() for m in TOKEN.finditer(text) if m.lastgroup == "word")


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first keyword of those (outside strings, IRIs, comments)."""
    return next((word for word in keywords(text) if word in FORMS), None)


def is_update(text: str) -> bool:
    """True if the text's first query form or update operation is an update (INSERT, DELETE, LOAD, ...)."""
    return next((word for word in keywords(text) if word in FORMS or word in UPDATES), None) in UPDATES


def variables(text: str) -> set[str]:
    """The names of the variables a SPARQL text mentions (outside strings, IRIs and comments)."""
    return {m.group()[1:] for m in TOKEN.finditer(text) if m.lastgroup == "skip" and m.group()[:1] in "?$"}


def check_bindings(bindings: dict[str, Term]) -> None:
    """Variable names that are names, and terms that are IRIs or literals (serialised by pyoxigraph, never pasted)."""
    for name, term in bindings.items():
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise DiplokgError(f"{name!r} is not a SPARQL variable name.")
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise DiplokgError(f"Parameter {name!r}: only an IRI or a literal can be bound, not {term!r}.")


def values_block(bindings: dict[str, Term]) -> str:
    """`VALUES (?a ?b) { (<iri> "literal"@en) }` from RDF terms, serialised as N-Triples terms."""
    check_bindings(bindings)
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


@dataclass
class Select:
    """A SELECT in a query: its token index, brace depth, the SELECT it is nested in (its position in the list;
    None for an outermost one), the variables it projects (None for `*`), and the offset just inside its WHERE
    group's brace."""

    token: int
    depth: int
    parent: int | None
    projects: set[str] | None
    opens: int = -1


def selects_of(tokens: list[tuple[str, str]], matches: list[re.Match[str]]) -> list[Select]:
    """Every SELECT of a query, outer ones before those nested in them (one walk over the tokens)."""
    found: list[Select] = []
    enclosing: list[int] = []  # positions in `found` of the SELECTs we are in
    depth, parens, waiting = 0, 0, None
    for index, (kind, value) in enumerate(tokens):
        if kind == "word" and value.upper() == "SELECT":
            found.append(Select(index, depth, enclosing[-1] if enclosing else None, projected(tokens, index)))
            enclosing.append(len(found) - 1)
            waiting, parens = found[-1], 0
        elif kind in ("lparen", "rparen"):
            parens += 1 if kind == "lparen" else -1
        elif kind == "open":
            if waiting is not None and parens == 0:
                waiting.opens, waiting = matches[index].end(), None
            depth += 1
        elif kind == "close":
            depth -= 1
            while enclosing and found[enclosing[-1]].depth > depth:
                enclosing.pop()
    return found


def tokens_of(text: str) -> tuple[list[tuple[str, str]], list[re.Match[str]]]:
    """A query's tokens as (kind, text), and their matches (for offsets)."""
    matches = list(TOKEN.finditer(text))
    return [(m.lastgroup or "", m.group()) for m in matches], matches


def subquery_groups(text: str, names: set[str]) -> list[tuple[int, set[str]]]:
    """Each subquery that sees some of `names`: the offset just inside its WHERE group's brace, and the names it
    projects (`*` projects every one), itself and every subquery around it (as `bind_constants` reads scopes)."""
    selects = selects_of(*tokens_of(text))
    seen: dict[int, set[str]] = {}  # position -> the names a subquery sees
    found = []
    for position, select in enumerate(selects):
        if select.depth == 0:
            continue
        outer = names if select.parent is None else seen.get(select.parent, names)
        seen[position] = outer if select.projects is None else outer & select.projects
        if seen[position] and select.opens >= 0:
            found.append((select.opens, seen[position]))
    return found


def inject_values(text: str, bindings: dict[str, Term]) -> str:
    """The query with the bindings as a VALUES block first in its outermost WHERE group, and in each subquery
    that projects a bound variable (a subquery is evaluated on its own: the outer block would not reach it)."""
    if not bindings:
        return text
    block = values_block(bindings)
    for offset, names in reversed(subquery_groups(text, set(bindings))):
        inner = values_block({name: term for name, term in bindings.items() if name in names})
        text = f"{text[:offset]} {inner}\n{text[offset:]}"
    group = where_group(text)
    if group.short_construct:
        # CONSTRUCT WHERE { T } admits triples only: spell it CONSTRUCT { T } WHERE { VALUES ... T }.
        body = text[group.start:group.end]
        return (f"{text[:group.form_end]} {{{body}}}{text[group.form_end:group.where]}"
                f"WHERE {{ {block}\n{body}}}{text[group.end + 1:]}")
    return f"{text[:group.start]} {block}\n{text[group.start:]}"


def projected(tokens: list[tuple[str, str]], select: int) -> set[str] | None:
    """The variables a SELECT at token index `select` projects (None for `SELECT *`)."""
    names, parens, after_as = set(), 0, False
    for kind, value in tokens[select + 1:]:
        if kind == "open" or (kind == "word" and parens == 0 and value.upper() in ("WHERE", "FROM")):
            break
        parens += {"lparen": 1, "rparen": -1}.get(kind, 0)
        if value == "*" and parens == 0:
            return None
        if value[0] in "?$" and (parens == 0 or after_as):
            names.add(value[1:])
        after_as = kind == "word" and value.upper() == "AS"
    return names


def fed_by_subqueries(selects: list[Select], names: set[str]) -> dict[int, set[str]]:
    """For each SELECT (its token index): which of `names` a subquery directly inside it projects by name."""
    fed: dict[int, set[str]] = {}
    for select in selects:
        if select.parent is not None:
            fed.setdefault(selects[select.parent].token, set()).update((select.projects or set()) & names)
    return fed


def bind_constants(text: str, bindings: dict[str, Term]) -> str | None:
    """The query with each bound variable replaced by its serialised term: in patterns, expressions and
    templates as the term, in a projection as `(term AS ?v)` (left as `?v` where a subquery inside projects it),
    in GROUP BY, HAVING and ORDER BY as `(term)`; inside a subquery only where the subquery projects the
    variable (elsewhere it is another variable).
    None where substitution would change the meaning: then bind with `inject_values`."""
    check_bindings(bindings)
    return substituted(text, tuple((name, str(term)) for name, term in bindings.items()))


@lru_cache(maxsize=256)
def substituted(text: str, serialised: tuple[tuple[str, str], ...]) -> str | None:
    """`bind_constants` on serialised terms, remembered: a server binds the same saved query again and again,
    and reading the text costs a quarter of a millisecond."""
    terms = dict(serialised)
    tokens, matches = tokens_of(text)
    fed = fed_by_subqueries(selects_of(tokens, matches), set(terms))
    out, last, depth, parens = [], 0, 0, 0
    scopes: list[tuple[int, set[str] | None, int]] = []  # (brace depth, projected variables, token index) of each SELECT
    clause, recent = "", ["", ""]  # the clause we are in; the last two tokens (words in upper case)
    for index, (kind, value) in enumerate(tokens):
        upper = value.upper()
        before, recent = recent, [recent[-1], upper]
        if kind == "word":
            if upper == "SELECT":
                scopes.append((depth, projected(tokens, index), index))
                clause, parens = "projection", 0
            elif upper in ("WHERE", "FROM") and clause == "projection" and parens == 0:
                clause = ""
            elif (upper == "BY" and before[-1] in ("GROUP", "ORDER")) or upper == "HAVING":
                clause = "modifier"
            elif upper in ("LIMIT", "OFFSET"):
                clause = ""
            elif upper == "VALUES":
                clause = "values"
        elif kind in ("lparen", "rparen"):
            parens += 1 if kind == "lparen" else -1
        elif kind in ("open", "close"):
            depth, clause = depth + (1 if kind == "open" else -1), ""
            while scopes and scopes[-1][0] > depth:
                scopes.pop()
        if value[0] not in "?$" or value[1:] not in terms:
            continue
        name = value[1:]
        if any(names is not None and name not in names for level, names, _ in scopes if level > 0):
            continue  # a subquery's own variable of the same name
        if clause == "values" or before[-1] == "AS" or before == ["BOUND", "("] or any(
                names is None for level, names, _ in scopes if level == 0):
            return None
        if clause == "projection" and parens == 0 and name in fed.get(scopes[-1][2], ()):
            continue  # bound by the subquery that projects it
        term = terms[name]
        if clause == "projection":
            term = f"({term} AS {value})" if parens == 0 else term
        elif clause == "modifier":
            term = f"({term})"
        start, end = matches[index].span()
        out += [text[last:start], term]
        last = end
    return "".join(out) + text[last:]
