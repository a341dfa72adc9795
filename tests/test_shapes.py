"""Shape strength: every defect of the mutation catalogue is caught with the expected focus node
and constraint component (pyshacl), and the real data conforms."""

from __future__ import annotations

import pytest

from mutations import MUTATIONS, Mutation, reference_findings


def test_catalogue_has_at_least_thirty_distinct_defects() -> None:
    assert len(MUTATIONS) >= 30
    assert len({m.name for m in MUTATIONS}) == len(MUTATIONS)


def test_the_real_data_conforms() -> None:
    assert reference_findings()[""] == set()


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mutation_is_caught(mutation: Mutation) -> None:
    found = reference_findings()[mutation.name]
    assert (mutation.focus, mutation.component) in found, sorted(found)


def test_catch_rate(capsys: pytest.CaptureFixture[str]) -> None:
    findings = reference_findings()
    hits = sum((m.focus, m.component) in findings[m.name] for m in MUTATIONS)
    with capsys.disabled():
        print(f"\nmutation catch rate: {hits}/{len(MUTATIONS)} = {hits / len(MUTATIONS):.0%}")
    assert hits == len(MUTATIONS)
