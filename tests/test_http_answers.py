"""The saved queries' answer cache on its own: what is kept, what goes first, what is never kept."""

from __future__ import annotations

from diplokg.http.answers import AnswerCache, repeatable


def test_least_recently_used_answers_go_first_within_the_capacity() -> None:
    cache = AnswerCache(10)
    cache.put("a", "text/csv", b"aaaa")
    cache.put("b", "text/csv", b"bbbb")
    assert cache.get("a") == ("text/csv", b"aaaa")  # a is now the most recently used
    cache.put("c", "application/json", b"cccc")
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") == ("application/json", b"cccc")
    assert cache.size == 8
    cache.put("huge", "text/csv", b"x" * 11)  # larger than the whole capacity: not kept, nothing evicted
    assert cache.get("huge") is None and cache.size == 8


def test_a_zero_capacity_keeps_nothing() -> None:
    cache = AnswerCache(0)
    cache.put("a", "text/csv", b"a")
    assert cache.get("a") is None and cache.size == 0


def test_queries_calling_changing_functions_are_not_repeatable() -> None:
    assert repeatable('SELECT ?s WHERE { ?s ?p "now()" } # RAND() in a comment')
    assert repeatable("SELECT ?now WHERE { ?s <http://x/rand> ?now }")
    for call in ("RAND()", "now()", "UUID()", "STRUUID()", "BNODE()", 'BNODE("x")'):
        assert not repeatable(f"SELECT (({call}) AS ?v) WHERE {{}}"), call
