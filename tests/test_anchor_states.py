"""Both engines agree in every state of the anchors: missing (computed on the fly by both loaders, with
a note) and stale (read as they are by both, and reported by the shapes in both)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import diplokg
from diplokg.validation import Report

REPO = Path(__file__).resolve().parents[1]
LUNCH = "sre-2021-08-11-lunch-meeting"
QUOTE = 'oa:exact "In a lunch meeting lasting more than two hours"'


def findings(report: Report) -> set[tuple[str, str, str]]:
    return {(f.focus, f.component, f.path) for f in report.findings}


def copy(target: Path) -> Path:
    for name in ("ontology", "data", "queries"):
        shutil.copytree(REPO / name, target / name)
    return target


def agree(project: Path) -> tuple[set[tuple[str, str, str]], list]:
    fast, reference = (diplokg.validate(project=project, engine=e) for e in ("fast", "pyshacl"))
    assert findings(fast) == findings(reference)
    rows = [diplokg.query("evidence-for", project=project, engine=e).rows for e in ("oxigraph", "rdflib")]
    assert sorted(map(str, rows[0])) == sorted(map(str, rows[1]))
    return findings(fast), rows[0]


def test_missing_anchors_are_computed_by_both_loaders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy(tmp_path / "p")
    whole, rows = agree(copy(tmp_path / "whole"))
    (project / "data" / "anchors" / f"{LUNCH}.ttl").unlink()
    missing, missing_rows = agree(project)
    assert missing == whole == set() and sorted(map(str, missing_rows)) == sorted(map(str, rows)) and rows
    assert "anchors/sre-2021-08-11-lunch-meeting.ttl is missing; the evidence offsets were computed on the fly" in (
        capsys.readouterr().err)


def test_stale_anchors_are_reported_alike(tmp_path: Path) -> None:
    project = copy(tmp_path / "p")
    facts = project / "data" / "facts" / f"{LUNCH}.ttl"
    text = facts.read_text(encoding="utf-8")
    assert QUOTE in text
    facts.write_text(text.replace(QUOTE, 'oa:exact "In a lunch meeting"'), encoding="utf-8")
    stale, _ = agree(project)
    assert {(focus.rsplit("/", 1)[-1], component) for focus, component, _ in stale} >= {
        ("lm-lunch-duration", "sh:SPARQLConstraintComponent")}
