"""Export: every format round-trips; named graphs survive where the format has them; writes are atomic."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from diplokg.cli import main
from diplokg.export import export, select_graphs, union_graph
from diplokg.formats import graph_format


@pytest.mark.parametrize("name", ["ttl", "nt", "nq", "trig", "jsonld", "xml"])
def test_export_round_trips(dataset: Dataset, tmp_path: Path, name: str) -> None:
    rdf_format = graph_format(name)
    target = tmp_path / f"dump{rdf_format.extensions[0]}"
    export(dataset, rdf_format, target)
    expected = select_graphs(dataset, ontology=True, inferred=False)
    if rdf_format.quads:
        back = Dataset()
        back.parse(target, format=rdf_format.rdflib_name)
        for graph in expected.graphs():
            if len(graph):
                assert isomorphic(back.graph(graph.identifier), graph), graph.identifier
    else:
        back = Graph().parse(target, format=rdf_format.rdflib_name)
        merged = union_graph(expected)
        assert len(back) == len(merged)
        assert isomorphic(back, merged)


def test_export_can_leave_the_ontology_out(dataset: Dataset) -> None:
    without = select_graphs(dataset, ontology=False, inferred=False)
    names = {str(g.identifier) for g in without.graphs() if len(g)}
    assert not any(name.endswith("/ontology") for name in names)


def test_failed_export_leaves_no_file(dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "dump.ttl"
    target.write_text("previous content")

    def explode(self: object, *args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Graph, "serialize", explode)
    with pytest.raises(RuntimeError):
        export(dataset, graph_format("ttl"), target)
    assert target.read_text() == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["dump.ttl"]


def test_unknown_export_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "yaml", "-o", "-"]) == 2
    assert "Unknown RDF format 'yaml'" in capsys.readouterr().err
