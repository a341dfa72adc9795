"""Shape strength: every defect of the mutation catalogue is caught with the expected focus node
and constraint component (pyshacl), and the real data conforms."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from diplokg.loading import load_dataset
from diplokg.namespaces import DIP, SCHEMA
from diplokg.paths import default_layout
from mutations import LUNCH, LUNCH_EVENT, MUTATIONS, Mutation, both, pyshacl_findings, reference_findings, replace


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


def test_a_day_named_from_the_dateline_is_one_day_from_it() -> None:
    """'yesterday' under the dateline of 11 August: the 10th conforms (the 9th is a mutation above)."""
    dataset = load_dataset(default_layout())
    both(replace(LUNCH, LUNCH_EVENT, DIP.dateBasis, DIP.DayRelativeToDateline),
         replace(LUNCH, LUNCH_EVENT, SCHEMA.startDate, Literal("2021-08-10", datatype=XSD.date)))(dataset)
    assert pyshacl_findings(dataset) == set()
