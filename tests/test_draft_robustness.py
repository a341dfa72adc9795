"""`diplokg draft` refuses bad source names and bad abbreviations before writing anything, and never leaves a
facts file that does not parse; the prefix that tells a repeated quote apart is the one `diplokg anchor` finds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from diplokg.anchor import find_quote
from diplokg.cli import main
from diplokg.drafting import cli as draft_cli
from diplokg.drafting.writer import MIN_PREFIX, prefix_for
from diplokg.paths import Layout

REPO = Path(__file__).resolve().parents[1]
VISIT = "sre-washington-working-visit.txt"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Layout:
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.setenv("DIPLOKG_HOME", str(tmp_path))
    return Layout(tmp_path)


def written(layout: Layout) -> set[str]:
    return {str(p.relative_to(layout.root)) for d in (layout.facts_dir, layout.anchors_dir) for p in d.iterdir()}


@pytest.mark.parametrize("name", ["Café über", "caf-ü", "News", "two words", "-dash", "news."])
def test_a_source_name_that_cannot_name_a_graph_is_refused_and_nothing_is_written(
        project: Layout, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    source = project.sources_dir / f"{name}.txt"
    shutil.copy(project.sources_dir / VISIT, source)
    before = written(project)
    assert main(["draft", str(source)]) == 2
    err = capsys.readouterr().err
    assert f"the file name {name!r} cannot name a source" in err and "lowercase ASCII letters" in err
    assert "Rename the text" in err and "Nothing was written" in err
    assert written(project) == before
    assert main(["draft", str(source), "-o", "-"]) == 2  # the name is in the draft's IRIs wherever it goes
    assert capsys.readouterr().out == ""


def test_a_facts_file_name_the_loader_refuses_is_refused(project: Layout, capsys: pytest.CaptureFixture[str]) -> None:
    before = written(project)
    assert main(["draft", str(project.sources_dir / VISIT), "-o", str(project.facts_dir / "Visit.ttl")]) == 2
    assert "cannot name a graph" in capsys.readouterr().err
    assert written(project) == before


@pytest.mark.parametrize("abbreviation", ['a b/../"x', "", "LM", "1a", "w-v", "abcdefghijklmnopq"])
def test_a_bad_abbreviation_is_refused(project: Layout, abbreviation: str, capsys: pytest.CaptureFixture[str]) -> None:
    source = project.sources_dir / "new-visit.txt"
    shutil.copy(project.sources_dir / VISIT, source)
    before = written(project)
    assert main(["draft", str(source), "--abbreviation", abbreviation]) == 2
    captured = capsys.readouterr()
    assert f"--abbreviation {abbreviation!r}" in captured.err and "lowercase slug" in captured.err
    assert written(project) == before
    assert main(["draft", str(source), "-o", "-", "--abbreviation", abbreviation]) == 2
    assert capsys.readouterr().out == ""


def test_a_good_abbreviation_names_the_evidence(project: Layout, capsys: pytest.CaptureFixture[str]) -> None:
    source = project.sources_dir / "new-visit.txt"
    shutil.copy(project.sources_dir / VISIT, source)
    assert main(["draft", str(source), "--abbreviation", "nv2"]) == 0
    facts = project.facts_dir / "new-visit.ttl"
    assert "ev:nv2-" in facts.read_text(encoding="utf-8")
    assert Graph().parse(facts)
    assert (project.anchors_dir / "new-visit.ttl").exists()


def test_a_draft_that_does_not_parse_is_never_written(project: Layout, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import diplokg.drafting.writer as writer

    source = project.sources_dir / "new-visit.txt"
    shutil.copy(project.sources_dir / VISIT, source)
    monkeypatch.setattr(writer, "render", lambda draft, version=None: "ex:broken a a a .\n")
    before = written(project)
    assert main(["draft", str(source)]) == 2
    err = capsys.readouterr().err
    assert "is not valid, so nothing was written" in err and "new-visit.ttl" in err
    assert written(project) == before
    assert main(["draft", str(source), "-o", "-"]) == 2
    assert capsys.readouterr().out == ""
    assert draft_cli.ABBREVIATION.fullmatch("lm") and draft_cli.ABBREVIATION.fullmatch("wv")


def slow_prefix_for(text: str, start: int, exact: str) -> str | None:
    """The rule as first written (one length after another, each checked with `find_quote`)."""
    if len(find_quote(text, exact, None)) == 1:
        return None
    length = MIN_PREFIX
    while length <= start:
        candidate = text[start - length:start]
        at_word = length == start or text[start - length - 1].isspace()
        if at_word and not candidate[:1].isspace() and len(find_quote(text, exact, candidate)) == 1:
            return candidate
        length += 1
    return text[:start]


def test_the_prefix_of_a_repeated_quote_is_the_shortest_that_anchor_accepts() -> None:
    import random

    text = (REPO / "data" / "sources" / VISIT).read_text(encoding="utf-8")
    samples = [text, text * 2, text + " and " + text[: len(text) // 2], "ab ab  ab ab\nab ab ab " * 5]
    rng = random.Random(7)
    for sample in samples:
        for _ in range(150):
            start = rng.randrange(len(sample) - 1)
            exact = sample[start:start + rng.randint(1, 12)]
            assert prefix_for(sample, start, exact) == slow_prefix_for(sample, start, exact)
