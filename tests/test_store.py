"""The built store: never trusted blindly (damage of any kind gives the data files' answers), rebuilt when an
input changes and only then, safe under concurrent builds; statistics, export and reasoning read from it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from diplokg.export import select_graphs, union_graph
from diplokg.paths import Layout, default_layout
from diplokg.prefixes import INFERRED_GRAPH, PREFIX_IRIS
from diplokg.stats import ALL, KINDS, graph_statistics
from diplokg.store import MANIFEST, open_built, release, store_files, store_link

TIMELINE = (default_layout().queries_dir / "07-timeline.csv").read_text(encoding="utf-8")
LUNCH = "https://w3id.org/diplokg/id/event/2021-08-11-lunch-meeting"


def project_copy(target: Path) -> Layout:
    """A copy of the project's inputs and queries (no store yet)."""
    source = default_layout()
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(source.root / folder, target / folder)
    return Layout(target)


def diplokg(layout: Layout, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DIPLOKG_HOME": str(layout.root)}
    done = subprocess.run([sys.executable, "-m", "diplokg", *args], capture_output=True, text=True, env=env, timeout=300)
    first, _, rest = done.stderr.partition("\n")  # every command first names its project
    assert first.startswith("diplokg: project at "), done.stderr
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout, rest)


def timeline(layout: Layout) -> tuple[str, str]:
    """The timeline query's CSV answer and stderr (the command must succeed)."""
    done = diplokg(layout, "query", "timeline", "--format", "csv")
    assert done.returncode == 0, done.stderr
    return done.stdout.replace("\r\n", "\n"), done.stderr


@pytest.fixture
def project(tmp_path: Path) -> Layout:
    layout = project_copy(tmp_path / "project")
    assert timeline(layout)[0] == TIMELINE.replace("\r\n", "\n")
    return layout


def build_folder(layout: Layout) -> Path:
    return store_link(layout).parent / os.readlink(store_link(layout))


def empty(folder: Path) -> None:
    for path in store_files(folder):
        path.write_bytes(b"")


def truncate(folder: Path) -> None:
    largest = max(store_files(folder), key=lambda p: p.stat().st_size)
    largest.write_bytes(largest.read_bytes()[: largest.stat().st_size // 2])


def junk(folder: Path) -> None:
    for path in store_files(folder):
        path.write_bytes(os.urandom(path.stat().st_size))


def edit_a_date(folder: Path) -> None:
    """Change the lunch meeting's date inside the store, through Oxigraph itself (a valid store, other content)."""
    store = ox.Store(str(folder))
    store.update(f"""PREFIX schema: <https://schema.org/> PREFIX xsd: <{PREFIX_IRIS['xsd']}>
        DELETE {{ GRAPH ?g {{ <{LUNCH}> schema:startDate ?d }} }}
        INSERT {{ GRAPH ?g {{ <{LUNCH}> schema:startDate "1999-01-01"^^xsd:date }} }}
        WHERE {{ GRAPH ?g {{ <{LUNCH}> schema:startDate ?d }} }}""")
    store.flush()
    del store


def junk_manifest(folder: Path) -> None:
    (folder / MANIFEST).write_text("{not json")


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder)


@pytest.mark.parametrize("damage", [empty, truncate, junk, edit_a_date, junk_manifest, remove_folder])
def test_a_damaged_store_is_rebuilt_and_answers_from_the_data(project: Layout, damage: Callable[[Path], None]) -> None:
    damage(build_folder(project))
    answer, errors = timeline(project)
    assert answer == TIMELINE.replace("\r\n", "\n")
    assert "1999-01-01" not in answer
    assert len(errors.splitlines()) == 1 and "is damaged" in errors and "rebuilding" in errors, errors
    assert timeline(project)[1] == "", "rebuilt once, then trusted"


def test_an_out_of_date_store_is_rebuilt_without_a_damage_report_whatever_its_state(project: Layout) -> None:
    """The inputs' check and the store's open run side by side; an input changed decides, whatever the open found."""
    truncate(build_folder(project))
    facts = project.facts_dir / "sre-2021-08-11-lunch-meeting.ttl"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert timeline(project) == (TIMELINE.replace("\r\n", "\n"), "")


def test_build_verifies_the_bytes_and_repairs(project: Layout) -> None:
    folder = build_folder(project)
    victim = max(store_files(folder), key=lambda p: p.stat().st_size)
    stat = victim.stat()
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte, with its size and mtime put back: only a digest sees it
    victim.write_bytes(bytes(data))
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    done = diplokg(project, "build")
    assert done.returncode == 0, done.stderr
    assert "does not match its digest" in done.stderr and "(built)" in done.stdout
    assert timeline(project) == (TIMELINE.replace("\r\n", "\n"), "")


def test_build_hashes_every_input_so_an_edit_that_hides_its_stat_is_seen(project: Layout) -> None:
    facts = project.facts_dir / "sre-2021-08-11-lunch-meeting.ttl"
    first = build_folder(project)
    info = facts.stat()
    facts.write_text(facts.read_text(encoding="utf-8").replace('"2021-09-09"^^xsd:date', '"2021-09-10"^^xsd:date'),
                     encoding="utf-8")  # the same size; the mtime put back as `touch -r` would
    os.utime(facts, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert build_folder(project) == first  # every command trusts the stat (documented)
    done = diplokg(project, "build")
    assert done.returncode == 0 and "(built)" in done.stdout, done.stdout + done.stderr
    assert "\n2021-09-10," in timeline(project)[0]


def test_the_answers_follow_the_data_files(project: Layout) -> None:
    facts = project.facts_dir / "sre-2021-08-11-lunch-meeting.ttl"
    first = build_folder(project)
    os.utime(facts)  # touched, not changed: the store stays
    assert timeline(project) == (TIMELINE.replace("\r\n", "\n"), "") and build_folder(project) == first
    facts.write_text(facts.read_text(encoding="utf-8").replace('"2021-09-09"^^xsd:date', '"2021-09-10"^^xsd:date'),
                     encoding="utf-8")
    answer, errors = timeline(project)
    assert "\n2021-09-10," in answer and "\n2021-09-09," not in answer and errors == ""
    assert build_folder(project) != first and not first.exists(), "the old build is removed once nobody uses it"
    second = build_folder(project)
    (project.ontology_dir / "extra.ttl").write_text("<https://example.org/a> a <https://example.org/B> .\n")
    done = diplokg(project, "query", "-e", "ASK { <https://example.org/a> a <https://example.org/B> }", "--format", "csv")
    assert (done.returncode, done.stdout.split()) == (0, ["boolean", "true"]), "a new file is seen"
    assert build_folder(project) != second


def test_a_build_in_use_is_kept_until_released(project: Layout) -> None:
    held = open_built(project)
    (project.facts_dir / "sre-2021-08-11-lunch-meeting.ttl").open("a").write("\n# changed\n")
    assert timeline(project)[1] == ""
    assert build_folder(project) != held.folder and held.folder.exists()
    assert len(list(held.store.query("SELECT * WHERE { ?s ?p ?o } LIMIT 3", use_default_graph_as_union=True))) == 3
    release(held.folder)
    del held
    (project.facts_dir / "sre-washington-working-visit.ttl").open("a").write("\n# changed\n")
    timeline(project)
    assert len([p for p in project.cache_dir.iterdir() if p.name.startswith("store-")]) == 1


def test_concurrent_cold_builds(tmp_path: Path) -> None:
    layout = project_copy(tmp_path / "project")
    for _ in range(10):
        shutil.rmtree(layout.cache_dir, ignore_errors=True)
        with ThreadPoolExecutor(8) as pool:
            runs = list(pool.map(lambda _: diplokg(layout, "build"), range(8)))
        assert [run.returncode for run in runs] == [0] * 8, [run.stderr for run in runs if run.returncode]
        assert sum("(built)" in run.stdout for run in runs) == 1, "one process builds, the others wait and open it"
        assert all("timeline" in run.stdout and run.stderr == "" for run in runs)
        assert len([p for p in layout.cache_dir.iterdir() if p.name.startswith("store-")]) == 1


def test_statistics_equal_rdflib_on_the_reasoned_data(reasoned: Dataset, layout: Layout) -> None:
    table = graph_statistics(open_built(layout).store)
    for graph in reasoned.graphs():
        if len(graph) and not str(graph.identifier).startswith("urn:"):
            assert table[str(graph.identifier)]["triples"] == len(graph)
    asserted = [g for g in reasoned.graphs() if str(g.identifier) != INFERRED_GRAPH]
    for kind, curie in KINDS.items():
        typed = {row[0] for row in reasoned.query(
            f"SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ ?x a ?c }} ?c rdfs:subClassOf* {curie} "
            f"FILTER(?g != <{INFERRED_GRAPH}>) }}", initNs=PREFIX_IRIS)}
        assert table[ALL][kind] == len(typed) > 0
        for graph in asserted:
            mentioned = {t for s, _, o in graph for t in (s, o)} & typed
            assert table.get(str(graph.identifier), {}).get(kind, 0) == len(mentioned), (graph.identifier, kind)
    assert table[ALL]["triples"] == len({t for g in reasoned.graphs() for t in g})


@pytest.mark.parametrize("name", ["ttl", "nt", "nq", "trig", "jsonld", "xml"])
def test_export_from_the_store(reasoned: Dataset, tmp_path: Path, name: str) -> None:
    from diplokg.cli import main

    target = tmp_path / f"dump.{name}"
    assert main(["export", "--inferred", "-o", str(target)]) == 0
    expected = select_graphs(reasoned, ontology=True, inferred=True)
    rdflib_name = {"ttl": "turtle", "nq": "nquads", "jsonld": "json-ld"}.get(name, name)
    if name in ("nq", "trig", "jsonld"):
        back = Dataset().parse(target, format=rdflib_name)
        for graph in expected.graphs():
            if len(graph):
                assert isomorphic(back.graph(graph.identifier), graph), graph.identifier
    else:
        assert isomorphic(Graph().parse(target, format=rdflib_name), union_graph(expected))


def test_the_default_graph_is_the_union_of_the_graphs_as_a_set(reasoned: Dataset, layout: Layout) -> None:
    """Every command reads the union of the named graphs with each triple once, as rdflib does and as RDF merge
    defines it (Oxigraph's own union is a multiset: a triple that two sources both state would count twice);
    with --no-inferred, the union of the asserted graphs, each triple once too."""
    from diplokg.engines import OxigraphEngine, RdflibEngine

    built = open_built(layout)
    graphs = [g for g in reasoned.graphs() if not str(g.identifier).startswith("urn:")]
    asserted = [g for g in graphs if str(g.identifier) != INFERRED_GRAPH]
    stated = {t for g in asserted for t in g}
    assert sum(len(g) for g in asserted) > len(stated)  # the data has triples two sources both state
    everything = {t for g in graphs for t in g}
    assert built.manifest.merged == len(everything)  # the default graph: one graph to read, each triple once
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for engine in (OxigraphEngine(built.store), RdflibEngine(reasoned)):
        for inferred, expected in ((True, everything), (False, stated)):
            assert int(engine.query(query, inferred=inferred).rows[0][0].value) == len(expected), (engine, inferred)


def test_the_store_writer_stops_when_the_build_does(tmp_path: Path) -> None:
    """The thread that writes a build's quads beside the validation stops at its next quad once told (an
    interrupted or failed validation does not wait for a whole write)."""
    import threading

    from diplokg.store import write_quads

    memory = ox.Store()
    memory.add(ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                       ox.Literal("o"), ox.NamedNode("https://example.org/graph")))
    stop = threading.Event()
    assert write_quads(memory, tmp_path / "written", stop) == ({"https://example.org/graph": 1}, 1)
    stop.set()
    with pytest.raises(InterruptedError):
        write_quads(memory, tmp_path / "stopped", stop)
