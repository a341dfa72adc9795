"""What a query may do, decided before it runs: a nesting limit, then a real SPARQL parser.

`check_nesting` runs first, in the server process, on the raw text: more than NESTING_LIMIT open
brackets of any kind (inside strings too) is refused before any parser sees it, since a deep
enough nest overflows a parser's stack. `check_query` runs in the query worker: rdflib's SPARQL
1.1 grammar (pyparsing; CR read as a line end, as the grammar says and rdflib does not) parses
the query, after refusing `\\u`/`\\U` escapes of ASCII characters (rdflib expands escapes before
parsing, as the grammar says, pyoxigraph only inside strings and IRIs, so `"\\u0022"` reads differently); an
update is refused as read-only, any SERVICE anywhere in the tree is refused, and the graphs the
FROM clauses name are resolved (BASE, PREFIX and the predeclared prefixes) for the dataset check.
The workers also have no network (see `sandbox`): the parser is the first line, not the only one.

`readable_syntax_error` turns a parser's message into one sentence with line, column and the
words around the error.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from diplokg.http.problems import Problem
from diplokg.sparqlparse import UndeclaredPrefix, field, graphs_of, parse, walk

NESTING_LIMIT = 64
SHOWN_GRAPHS = 10  # graphs a refusal lists (a corpus may have thousands)
ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
OPENING, CLOSING = "{([", "})]"
FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE", "AskQuery": "ASK"}
READ_ONLY = ("This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD) "
             "is not accepted. Change the data files and restart `diplokg serve` instead.")
TOO_LONG = ("The query is too long for this server's SPARQL parser, which recurses once per triple pattern in a row "
            "(a few thousand overflow it): split it into smaller queries, or run it locally with `diplokg query`.")
NO_SERVICE = ("SERVICE is refused: this server sends no requests to other endpoints. Query each endpoint "
              "separately, or load the other data into this graph.")


@dataclass(frozen=True)
class Checked:
    """What the server needs to know of a parsed query: its form and the graphs its FROM and FROM NAMED clauses
    name, each once (a dataset is a set of graphs: a graph named twice is not read twice)."""

    form: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    dataset_clause: bool

    @property
    def graphs(self) -> tuple[str, ...]:
        return (*self.default_graphs, *self.named_graphs)


def check_nesting(text: str) -> None:
    """Refuse (400) a query whose brackets nest deeper than NESTING_LIMIT, counted on the raw text."""
    depth = deepest = 0
    for char in text:
        if char in OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif char in CLOSING:
            depth = max(0, depth - 1)
    if deepest > NESTING_LIMIT:
        raise Problem(400, f"The query nests brackets {deepest} deep; this server accepts at most {NESTING_LIMIT} "
                           "(brackets inside strings count too). Flatten the groups or expressions.")


def check_query(text: str, predeclared: dict[str, str]) -> Checked:
    """Parse a query with a SPARQL 1.1 parser; refuse updates and SERVICE (403); the FROM graphs, resolved.

    Raises SyntaxError (with the parser's message) if the text is neither a query nor an update."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseUpdate

    for escape in ESCAPE.finditer(text):
        if int(escape.group(1) or escape.group(2), 16) < 0x80:
            raise Problem(400, f"The query writes an ASCII character as the escape {escape.group()}; write it as it is "
                               "(escapes are for other characters). Parsers disagree on where such escapes apply, "
                               "so this server does not accept them.")
    try:
        prologue, query = parse(text)
    except ParseBaseException as error:
        try:
            update = parseUpdate(text.replace("\r", "\n"))
        except ParseBaseException:
            raise SyntaxError(f"error at {error.lineno}:{error.col}: {error.msg}") from None
        except RecursionError:
            raise Problem(400, TOO_LONG) from None
        if not field(update, "request"):  # nothing but blanks, comments or a prologue
            raise Problem(400, "The request holds no query: give SELECT, ASK, CONSTRUCT or DESCRIBE after any "
                               "PREFIX and BASE lines.") from None
        raise Problem(403, READ_ONLY) from None
    except RecursionError:  # deep nesting was refused before (check_nesting): a long run of triple patterns
        raise Problem(400, TOO_LONG) from None
    if any(getattr(node, "name", None) == "ServiceGraphPattern" for node in walk(query)):
        raise Problem(403, NO_SERVICE)
    try:
        return Checked(FORMS[query.name], *graphs_of(prologue, query, predeclared))
    except UndeclaredPrefix as error:
        raise Problem(400, str(error)) from None


def check_graphs(named: Sequence[str], available: Collection[str]) -> None:
    """Refuse a dataset that names anything but this dataset's graphs: no file or network is ever read."""
    for iri in named:
        if iri not in available:
            listed = sorted(available)
            shown = ", ".join(f"<{g}>" for g in listed[:SHOWN_GRAPHS])
            more = f" and {len(listed) - SHOWN_GRAPHS} more (see /.well-known/void)" if len(listed) > SHOWN_GRAPHS else ""
            raise Problem(403, f"<{iri}> is not a graph of this dataset. This server reads no files and fetches nothing: "
                               f"FROM, FROM NAMED, default-graph-uri and named-graph-uri may only name its graphs: {shown}"
                               f"{more}.")


NOISE = re.compile(r"\[[^\]]*\]|'[^']*'")  # character classes and literal characters in the parser's expectations


def readable_syntax_error(text: str, message: str) -> str:
    """A parser's message as one sentence: where (line, column, the words there) and what was expected."""
    found = re.search(r"at (\d+):(\d+): (.*)", " ".join(message.split()))
    if not found:
        return f"The query is not valid SPARQL 1.1: {' '.join(message.split())}"
    line, column, detail = int(found.group(1)), int(found.group(2)), found.group(3)
    lines = text.splitlines() or [""]
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    before, after = here[:max(0, column - 1)], here[max(0, column - 1):]
    near = (before[-25:].lstrip() + " ⟵ here " + after[:15]).strip()
    where = f"line {line}, column {column} (“{near}”)"
    if "Prefix not found" in detail:
        name = re.search(r"([^\s{}()<>,;]*):[^\s{}()<>,;]*$", before) or re.match(r"([^\s{}()<>,;:]*):", after)
        prefix = name.group(1) if name else ""
        return (f"The prefix {prefix}: used at {where} is not declared. Add `PREFIX {prefix}: <...>` before the query, "
                "or use one of the predeclared prefixes (see /sparql).")
    expected = [word for word in NOISE.sub("", detail.removeprefix("expected one of").removeprefix("expected"))
                .replace(",", " ").split() if word.isupper() or word.startswith(("?", "{", "}", "(", ")", "."))]
    hint = f" The parser expected {', '.join(expected[:12])}{'…' if len(expected) > 12 else ''} there." if expected else ""
    return f"The query is not valid SPARQL 1.1 at {where}.{hint}"
