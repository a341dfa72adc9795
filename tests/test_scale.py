"""Scale and speed: the fast closure and the fast validator give the reference engines' answers, on the
real data, on a generated corpus of about 10k triples and on every mutation; the corpus generator
writes valid, deterministic layouts; the benchmark runs in quick mode."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, XSD

from diplokg import reasoning, rules, shacl
from diplokg.anchor import anchor_facts
from diplokg.engines import to_rdflib
from diplokg.loading import load_dataset
from diplokg.namespaces import DIP, ID, OA
from diplokg.paths import Layout
from diplokg.validation import store_of, validate
from mutations import MUTATIONS, Mutation, copy_of, reference_findings

ROOT = Path(__file__).resolve().parents[1]


def bench_module(name: str) -> ModuleType:
    """A script of bench/ imported as a module."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def fast_findings(dataset: Dataset, layout: Layout) -> set[tuple[str, str]]:
    return {r.key() for r in shacl.validate_store(store_of(dataset), layout.shapes_file)}


def assert_same_closure(asserted: Graph) -> None:
    reference, fast = reasoning.owl_rl_closure(asserted), rules.owl_rl_closure(asserted)
    assert set(fast.inferred) == set(reference.inferred)
    assert fast.inconsistencies == reference.inconsistencies


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    folder = tmp_path_factory.mktemp("corpus") / "c"
    counts = bench_module("generate").generate(folder, 10_000, seed=7)
    assert 9_000 <= counts["triples"] <= 12_000
    return Layout(folder)


@pytest.fixture(scope="module")
def corpus_dataset(corpus: Layout) -> Dataset:
    return load_dataset(corpus)


def test_generator_is_deterministic(tmp_path: Path) -> None:
    generate = bench_module("generate").generate
    generate(tmp_path / "a", 6_000, seed=3)
    generate(tmp_path / "b", 6_000, seed=3)
    generate(tmp_path / "c", 6_000, seed=4)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert any(p.name.startswith("syn-") for p in files)
    assert all((tmp_path / "a" / p).read_bytes() == (tmp_path / "b" / p).read_bytes() for p in files)
    assert any((tmp_path / "a" / p).read_bytes() != (tmp_path / "c" / p).read_bytes() for p in files)


def test_generated_anchors_are_what_the_anchor_tool_computes(corpus: Layout) -> None:
    facts = sorted(corpus.facts_dir.glob("syn-*.ttl"))[:3]
    assert facts
    for path in facts:
        anchors = Graph().parse(corpus.anchors_dir / path.name)
        computed = {(str(a.selector), a.start, a.end) for a in anchor_facts(path, corpus)}
        stored = {(str(s), int(anchors.value(s, OA.start)), int(anchors.value(s, OA.end)))
                  for s in anchors.subjects(RDF.type, OA.TextPositionSelector)}
        assert computed == stored and len(stored) >= 8


def test_generated_corpus_conforms_to_the_shapes(corpus: Layout, corpus_dataset: Dataset) -> None:
    reasoned = copy_of(corpus_dataset)
    reasoning.reason(reasoned)
    assert validate(reasoned, corpus).findings == []
    store = rules.load_store(corpus)
    assert rules.reason_store(store).consistent
    assert shacl.validate_store(store, corpus.shapes_file) == []


def test_fast_closure_equals_owlrl_on_the_real_data(dataset: Dataset) -> None:
    assert_same_closure(reasoning.asserted_graph(dataset))


def test_fast_closure_equals_owlrl_on_a_generated_corpus(corpus_dataset: Dataset) -> None:
    asserted = reasoning.asserted_graph(corpus_dataset)
    assert len(asserted) >= 9_000
    assert_same_closure(asserted)


def test_fast_closure_finds_the_same_inconsistencies(dataset: Dataset) -> None:
    asserted = reasoning.asserted_graph(dataset)
    asserted.add((ID["person/marcelo-ebrard"], RDF.type, FOAF.Organization))  # disjoint classes
    later = ID["event/foreign-ministry-meeting-scherer-cardenas-batel"]
    asserted.add((later, DIP.followedBy, ID["event/2021-08-11-lunch-meeting"]))
    asserted.add((ID["participation/lm-lunch-marcelo-ebrard"], DIP.participant, ID["person/jake-sullivan"]))  # functional
    asserted.add((ID["evidence/lm-dateline#position"], OA.start, Literal("-3", datatype=XSD.nonNegativeInteger)))
    reference = reasoning.owl_rl_closure(asserted)
    assert len(reference.inconsistencies) >= 4
    assert_same_closure(asserted)


def test_store_closure_equals_the_graph_closure(layout: Layout, dataset: Dataset) -> None:
    store = rules.load_store(layout)
    closure = rules.reason_store(store)
    reference = reasoning.owl_rl_closure(reasoning.asserted_graph(dataset))
    without_blank = {t for t in reference.inferred if not any(isinstance(x, URIRef) is False and not isinstance(x, Literal)
                                                              for x in t)}
    fast = {tuple(map(to_rdflib, t)) for t in closure.triples()}
    assert closure.added == len(reference.inferred)
    assert without_blank <= fast
    assert closure.inconsistencies == reference.inconsistencies


def test_suspect_literals_of_the_store_are_the_ill_typed_ones_and_the_unchecked_kinds() -> None:
    import pyoxigraph as ox

    graph, xsd = ox.NamedNode("https://example.org/g"), "http://www.w3.org/2001/XMLSchema#"
    literals = {"abc": "integer", "2021-13-45": "date", "maybe": "boolean", "-3": "nonNegativeInteger",
                "12": "integer", "2021-08-11": "date", "true": "boolean", "plain": "string", "1.5": "decimal",
                "https://example.org/": "anyURI"}
    store = ox.Store()
    for index, (text, kind) in enumerate(literals.items()):
        store.add(ox.Quad(ox.NamedNode(f"https://example.org/s{index}"), ox.NamedNode("https://example.org/p"),
                          ox.Literal(text, datatype=ox.NamedNode(xsd + kind)), graph))
    store.add(ox.Quad(ox.NamedNode("https://example.org/t"), ox.NamedNode("https://example.org/p"),
                      ox.Literal("texte", language="fr"), graph))
    suspects = {(literal.value, literal.datatype.value.removeprefix(xsd)) for literal in rules.suspect_literals(store)}
    # ill-typed castable literals, and anyURI (a datatype owlrl checks that SPARQL cannot cast); -3 is stored
    # as xsd:integer by pyoxigraph, so it is not a suspect here (owl_rl_closure passes the literals as written)
    assert suspects == {("abc", "integer"), ("2021-13-45", "date"), ("maybe", "boolean"), ("https://example.org/", "anyURI")}
    assert rules.ill_typed(rules.suspect_literals(store)) == [
        f"Lexical value of the literal '{text}' does not match its datatype ({xsd}{kind})"
        for text, kind in (("2021-13-45", "date"), ("maybe", "boolean"), ("abc", "integer"))]


def test_fast_validation_matches_pyshacl_on_the_real_data(layout: Layout, dataset: Dataset, reasoned: Dataset) -> None:
    assert fast_findings(dataset, layout) == reference_findings()[""]
    expected = {(f.focus, "http://www.w3.org/ns/shacl#" + f.component.split(":")[1]) for f in validate(reasoned, layout).findings}
    store = rules.load_store(layout)
    rules.reason_store(store)
    assert {r.key() for r in shacl.validate_store(store, layout.shapes_file)} == expected


def test_fast_validation_matches_pyshacl_on_a_generated_corpus_with_defects(corpus: Layout, corpus_dataset: Dataset) -> None:
    broken = copy_of(corpus_dataset)
    for mutation in MUTATIONS[:12]:
        mutation.apply(broken)
    from mutations import pyshacl_findings

    expected = pyshacl_findings(broken)
    assert len(expected) >= 10
    assert fast_findings(broken, corpus) == expected


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_fast_validation_matches_pyshacl_on_every_mutation(layout: Layout, dataset: Dataset, mutation: Mutation) -> None:
    changed = copy_of(dataset)
    mutation.apply(changed)
    found = fast_findings(changed, layout)
    assert (mutation.focus, mutation.component) in found
    assert found == reference_findings()[mutation.name]


def test_fast_validation_results_carry_path_severity_and_message(layout: Layout, dataset: Dataset) -> None:
    changed = copy_of(dataset)
    next(m for m in MUTATIONS if m.component.endswith("MinCountConstraintComponent")).apply(changed)
    results = shacl.validate_store(store_of(changed), layout.shapes_file)
    assert results
    for result in results:
        assert result.severity.startswith("http://www.w3.org/ns/shacl#") and result.message
        assert result.path or not result.component.endswith("MinCountConstraintComponent")
    findings = shacl.findings(results, store_of(changed), layout)
    assert all(f.file.endswith(".ttl") and f.line for f in findings if not f.focus.startswith("_:"))


def test_quick_benchmark_runs_and_writes_json(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--results", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    [written] = list(tmp_path.glob("*.json"))
    report = json.loads(written.read_text())
    assert report["machine"]["cores"] >= 1 and report["versions"]["pyoxigraph"]
    assert len(report["sizes"]) >= 2
    for size in report["sizes"]:
        steps = {row["step"] for row in size["rows"]}
        assert {"load", "reason", "validate", "export"} <= steps
        assert any(step.startswith("query ") for step in steps)
        assert all(row["fast_seconds"] >= 0 for row in size["rows"])
    assert "| step |" in done.stdout
    for size in report["sizes"]:
        commands = size["commands"]
        assert commands["build, no store"]["seconds"] > 0 and commands["build, store current"]["peak_mb"] > 0
        cold = commands["cold query attendees-by-delegation"]
        assert cold["diplokg"]["seconds"] > 0 and cold["oxigraph"]["seconds"] > 0
    assert "| cold query attendees-by-delegation |" in done.stdout
