"""The draft of each real text, cold and warm, against the curated facts (bench/draft_quality.py), at the targets."""

from __future__ import annotations

import pytest

from test_scale import bench_module

quality = bench_module("draft_quality")


@pytest.mark.parametrize("source", quality.SOURCES)
def test_cold_draft_meets_the_targets(source: str) -> None:
    figures = quality.measure(source, "cold")
    for name, target in quality.TARGETS.items():
        value = getattr(figures, name)
        assert (value <= target if name.endswith("_wrong") else value >= target), (name, value, figures)
    assert figures.anchored


@pytest.mark.parametrize("source", quality.SOURCES)
def test_warm_draft_links_known_people_and_meets_the_targets(source: str) -> None:
    figures = quality.measure(source, "warm")
    for name, target in quality.TARGETS.items():
        value = getattr(figures, name)
        assert (value <= target if name.endswith("_wrong") else value >= target), (name, value, figures)
    assert figures.new_people == []
