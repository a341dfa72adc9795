"""The draft of each real text, cold and warm, against the curated facts (bench/draft_quality.py), at the targets."""

from __future__ import annotations

import pytest

from test_scale import bench_module

quality = bench_module("draft_quality")


@pytest.mark.parametrize("mode", ["cold", "warm"])
@pytest.mark.parametrize("source", quality.SOURCES)
def test_draft_meets_the_targets(source: str, mode: str) -> None:
    figures = quality.measure(source, mode)
    for name, target in quality.TARGETS.items():
        value = getattr(figures, name)
        assert (value <= target if name.endswith("_wrong") else value >= target), (name, value, figures)
    assert figures.anchored
    if mode == "warm":
        assert figures.new_people == [], "every person of the text is known: none may be proposed as new"
        assert figures.people_recall == 1.0, figures.missing_people
