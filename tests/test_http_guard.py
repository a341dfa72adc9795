"""The query guard on its own (no server): SERVICE refused however it is spelled, the nesting limit,
FROM graphs resolved, readable parser errors."""

from __future__ import annotations

import pytest

from diplokg.http.guard import NESTING_LIMIT, check_graphs, check_nesting, check_query, readable_syntax_error
from diplokg.http.problems import Problem
from diplokg.prefixes import ENTITIES_GRAPH, PREFIX_IRIS
from diplokg.sparqlparse import dataset_clauses
from test_server_hardening import service_variants


def test_every_service_variant_is_refused_by_the_parser() -> None:
    verdicts = []
    for query in service_variants(9):
        with pytest.raises((Problem, SyntaxError)) as refused:
            check_graphs(check_query(query, PREFIX_IRIS).graphs, [ENTITIES_GRAPH])
        error = refused.value
        verdicts.append(isinstance(error, Problem) and (error.status == 403 or "escape" in error.message))
    assert sum(verdicts) >= 50  # recognised as SERVICE, a foreign graph or an ASCII escape, not merely as bad syntax


def test_a_foreign_graph_is_refused_in_one_paragraph_however_many_graphs_there_are() -> None:
    graphs = [f"http://x/g{i:04d}" for i in range(3000)]
    check_graphs(graphs[:3], graphs)
    with pytest.raises(Problem) as refused:
        check_graphs(["http://x/g0001", "file:///etc/passwd"], graphs)
    message = refused.value.message
    assert refused.value.status == 403 and message.startswith("<file:///etc/passwd> is not a graph of this dataset")
    assert message.count("<http://x/g") == 10 and "<http://x/g0009>" in message and "and 2990 more" in message


def test_nesting_limit_counts_every_bracket() -> None:
    check_nesting("SELECT * WHERE " + "{" * NESTING_LIMIT + "}" * NESTING_LIMIT)
    with pytest.raises(Problem, match=f"{NESTING_LIMIT + 1} deep"):
        check_nesting("SELECT * WHERE " + "{" * (NESTING_LIMIT + 1) + "}" * (NESTING_LIMIT + 1))
    with pytest.raises(Problem):  # closing brackets in a string do not hide the opening ones
        check_nesting('SELECT * WHERE { BIND(")))))" AS ?x) ' + "(" * 70 + "1" + ")" * 70 + " }")


def test_from_graphs_are_resolved() -> None:
    checked = check_query("BASE <http://a.example/b/> PREFIX f: <file:///etc/> SELECT * FROM <c> FROM NAMED f:passwd "
                          "FROM graph:entities WHERE { ?s ?p ?o }", PREFIX_IRIS)
    assert checked.form == "SELECT" and checked.dataset_clause
    assert checked.graphs == ("http://a.example/b/c", ENTITIES_GRAPH, "file:///etc/passwd")
    assert (checked.default_graphs, checked.named_graphs) == (("http://a.example/b/c", ENTITIES_GRAPH), ("file:///etc/passwd",))
    twice = check_query("SELECT * FROM graph:entities FROM graph:entities FROM NAMED graph:entities WHERE {}", PREFIX_IRIS)
    assert (twice.default_graphs, twice.named_graphs) == ((ENTITIES_GRAPH,), (ENTITIES_GRAPH,))
    assert check_query("ASK {}", PREFIX_IRIS).graphs == ()


def test_an_undeclared_prefix_in_from_is_a_400_here_and_left_to_oxigraph_by_the_engines() -> None:
    with pytest.raises(Problem) as refused:
        check_query("SELECT * FROM nowhere:g WHERE { ?s ?p ?o }", PREFIX_IRIS)
    assert refused.value.status == 400 and refused.value.message.startswith("The prefix nowhere: is not declared")
    assert dataset_clauses("SELECT * FROM nowhere:g WHERE { ?s ?p ?o }", PREFIX_IRIS) is None
    assert dataset_clauses("SELECT * FROM graph:entities WHERE { ?s ?p ?o }", PREFIX_IRIS) == ((ENTITIES_GRAPH,), ())
    assert dataset_clauses("SELECT * WHERE { ?s ?p ?o }", PREFIX_IRIS) is None


@pytest.mark.parametrize(("text", "message", "expected"), [
    ("SELECT * WHERE { ?s foo:bar ?o }", "error at 1:28: expected one of Prefix not found, ['%'], ['.']",
     "The prefix foo: used at line 1, column 28"),
    ("SELECT * WHERE {\n ?s ?p \n}", "error at 3:2: expected OPTIONAL", "line 3, column 2"),
    ("SELECT * WHERE { FILTER( }", "error at 1:27: expected one of ABS, AVG, [_]", "expected ABS, AVG there"),
])
def test_parser_errors_read_as_a_sentence(text: str, message: str, expected: str) -> None:
    readable = readable_syntax_error(text, message)
    assert expected in readable and "['" not in readable and "Prefix not found" not in readable


def test_a_query_too_long_for_the_parsers_recursion_is_refused_as_too_long_not_as_nested() -> None:
    """rdflib's grammar recurses once per triple pattern: thousands in a row overflow it (and Oxigraph takes
    a minute to plan a thousand). The refusal says so, where it used to say the query nests too deep."""
    patterns = " ".join(f"?s{i} <http://x/p> ?o{i} ." for i in range(3000))
    for text in (f"SELECT * WHERE {{ {patterns} }}", f"INSERT {{ ?s0 ?p ?o0 }} WHERE {{ {patterns} }}"):
        with pytest.raises(Problem) as refused:
            check_query(text, PREFIX_IRIS)
        assert refused.value.status == 400 and "too long for this server's SPARQL parser" in refused.value.message
        assert "split it into smaller queries" in refused.value.message
