"""SPARQL text read with rdflib's SPARQL 1.1 parser: the parse tree's nodes, and the graphs a query's FROM and
FROM NAMED clauses name, resolved against its BASE and PREFIX declarations and the predeclared prefixes.

The engines read a query's dataset with it (`dataset_clauses`); the server's guard (`http.guard`) parses every
query it checks with it and turns `UndeclaredPrefix` into its 400.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from diplokg.errors import DiplokgError


class UndeclaredPrefix(DiplokgError):
    """A FROM or FROM NAMED clause uses a prefix that is neither declared nor predeclared."""


def walk(tree: Any) -> Any:
    """Every node of an rdflib parse tree (CompValue, ParseResults, lists), without recursion."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
            todo.extend(node)


def field(node: Any, key: str) -> Any:
    """A key of an rdflib CompValue, None if absent (CompValue.get returns the key itself)."""
    return dict.get(node, key)


def resolve(term: Any, prefixes: dict[str, str], base: str) -> str:
    """An IRI of the parse tree (IRIREF or prefixed name) as an absolute IRI string."""
    if getattr(term, "name", None) == "pname":
        prefix = field(term, "prefix") or ""
        if prefix not in prefixes:
            raise UndeclaredPrefix(f"The prefix {prefix}: is not declared. Add `PREFIX {prefix}: <...>` at the top of "
                                   "the query.")
        return prefixes[prefix] + (field(term, "localname") or "")
    return urljoin(base, str(term)) if base else str(term)


def parse(text: str) -> tuple[Any, Any]:
    """The prologue and query of rdflib's SPARQL 1.1 parser (ParseBaseException if the text is no query)."""
    from rdflib.plugins.sparql.parser import parseQuery

    prologue, query = parseQuery(text.replace("\r", "\n"))  # the grammar ends a comment at CR or LF; rdflib at LF only
    return prologue, query


def graphs_of(prologue: Any, query: Any, predeclared: dict[str, str]) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """The graphs of a parsed query's FROM and of its FROM NAMED clauses, resolved, each once; and whether it
    has any such clause."""
    prefixes, base = dict(predeclared), ""
    for declaration in prologue:
        if declaration.name == "Base":
            base = urljoin(base, str(declaration.iri))
        elif declaration.name == "PrefixDecl":
            prefixes[field(declaration, "prefix") or ""] = urljoin(base, str(declaration.iri))
    clauses = field(query, "datasetClause") or []
    default = [resolve(field(clause, "default"), prefixes, base) for clause in clauses if field(clause, "default")]
    named = [resolve(field(clause, "named"), prefixes, base) for clause in clauses if field(clause, "named")]
    return tuple(dict.fromkeys(default)), tuple(dict.fromkeys(named)), bool(clauses)


def dataset_clauses(text: str, predeclared: dict[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The graphs a query's FROM and FROM NAMED clauses name (see graphs_of); None if it has none, or if rdflib's
    parser does not read it (Oxigraph then reads the clauses itself, or says what is wrong)."""
    from pyparsing import ParseBaseException

    try:
        default, named, clauses = graphs_of(*parse(text), predeclared)
    except (ParseBaseException, RecursionError, UndeclaredPrefix):
        return None
    return (default, named) if clauses else None
