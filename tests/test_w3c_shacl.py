"""The W3C SHACL test suite (the copy in ../shared/w3c-shacl-tests, or $DIPLOKG_SHACL_SUITE):
every test passes on the fast engine, and the conformance run writes an EARL report of each engine."""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import pytest
from rdflib import Graph

from diplokg.shacl import conformance

SUITE = Path(os.environ.get("DIPLOKG_SHACL_SUITE", Path(__file__).resolve().parents[2] / "shared" / "w3c-shacl-tests"))
OUTPUT = Path(__file__).parent / "output" / "shacl-suite"
pytestmark = pytest.mark.filterwarnings("ignore:Parsing weird boolean")  # the suite's ill-formed literals


def cases() -> list[conformance.Case]:
    assert (SUITE / "manifest.ttl").exists(), f"the W3C SHACL suite is not at {SUITE} (set DIPLOKG_SHACL_SUITE)"
    logging.disable(logging.WARNING)  # rdflib logs the ill-formed literals the suite holds on purpose
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return conformance.read_manifest(SUITE / "manifest.ttl")
    finally:
        logging.disable(logging.NOTSET)


CASES = cases()


def test_the_manifest_lists_the_121_tests_the_published_reports_list() -> None:
    published = Graph().parse(SUITE / "topbraid-earl.ttl")
    assert {str(c.iri) for c in CASES} == {str(t) for t in published.objects(None, conformance.EARL.test)}


@pytest.mark.parametrize("case", CASES, ids=[str(c.iri).removeprefix(conformance.TEST_IRIS) for c in CASES])
def test_the_fast_engine_passes(case: conformance.Case) -> None:
    outcome = conformance.run_case(case, conformance.run_fast)
    assert outcome.passed, outcome.info


def test_a_wrong_report_fails_the_comparison() -> None:
    case = next(c for c in CASES if str(c.iri).endswith("core/node/class-001"))
    conforms, report, node, context = conformance.run_fast(case)
    result = next(report.objects(node, conformance.SH.result))
    report.remove((result, conformance.SH.sourceShape, None))
    assert conformance.compare(case, conforms, report, node, context).startswith("missing")
    assert conformance.compare(case, not conforms, report, node, context).startswith("sh:conforms")


def test_the_conformance_run_writes_earl_for_both_engines() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        runs = [conformance.Run(engine, [conformance.run_case(c, function) for c in CASES])
                for engine, function in (("diplokg", conformance.run_fast), ("pyshacl", conformance.run_pyshacl))]
        logging.disable(logging.NOTSET)
    paths = conformance.write_earl(runs, OUTPUT)
    for run, path in zip(runs, paths, strict=True):
        earl = Graph().parse(path)
        outcomes = list(earl.objects(None, conformance.EARL.outcome))
        assert len(outcomes) == 121
        assert outcomes.count(conformance.EARL.passed) == run.passed
    assert runs[0].passed == 121
    assert runs[1].passed >= 119  # pyshacl: the reference, with the two failures its own EARL report states
    assert "| 121/121 |" in conformance.summary(runs, SUITE)
