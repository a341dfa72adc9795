"""Shared fixtures: the project layout, the loaded dataset, and its reasoned form (built once)."""

from __future__ import annotations

import pytest
from rdflib import Dataset

from diplokg.loading import load_dataset
from diplokg.paths import Layout, default_layout


@pytest.fixture(scope="session")
def layout() -> Layout:
    return default_layout()


@pytest.fixture(scope="session")
def dataset(layout: Layout) -> Dataset:
    return load_dataset(layout)


@pytest.fixture(scope="session")
def reasoned(layout: Layout) -> Dataset:
    from diplokg.reasoning import reason

    data = load_dataset(layout)
    closure = reason(data)
    assert closure.consistent, closure.inconsistencies
    return data
