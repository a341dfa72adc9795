"""Projects like git's: found upward from the current folder, -C, DIPLOKG_HOME, the built-in graph, `init`;
and the command line's conventions: --version, help texts, --debug anywhere, one meaning per short option."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from diplokg import __version__
from diplokg.cli import HELP, build_parser, main, requested_command
from diplokg.errors import DiplokgError
from diplokg.paths import MARKER, Layout, builtin_root, default_layout, find_project

REPO = Path(__file__).resolve().parents[1]
ENTITY_LABEL = 'skos:prefLabel "Marcelo Ebrard"'


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def copy_project(target: Path) -> Path:
    """A copy of the repository's project (marker, ontology, data, queries)."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(REPO / folder, target / folder)
    shutil.copy2(REPO / MARKER, target / MARKER)
    return target


@pytest.fixture()
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder outside any project, as the current directory, with DIPLOKG_HOME unset."""
    folder = tmp_path / "empty"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("DIPLOKG_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return folder


def names_of_marcelo(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[str, str]:
    code, out, err = run(capsys, *options, "query", "-e",
                         "SELECT ?n WHERE { person:marcelo-ebrard skos:prefLabel ?n }", "--format", "csv")
    assert code == 0, err
    return out.splitlines()[1], err.splitlines()[0]


def test_discovery_from_a_subfolder(tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(tmp_path / "mine")
    monkeypatch.chdir(project / "data" / "facts")
    assert find_project(Path.cwd()) == project.resolve()
    assert default_layout().root == project.resolve()
    _, first = names_of_marcelo(capsys)
    assert first == f"diplokg: project diplokg at {project.resolve()} ({MARKER} found from {Path.cwd()})"


def test_copied_project_reads_its_own_data(tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(tmp_path / "copy")
    entities = project / "data" / "entities.ttl"
    text = entities.read_text(encoding="utf-8")
    assert ENTITY_LABEL in text
    entities.write_text(text.replace(ENTITY_LABEL, 'skos:prefLabel "Marcelo Ebrard Casaubón"'), encoding="utf-8")
    monkeypatch.chdir(project)
    assert names_of_marcelo(capsys)[0] == "Marcelo Ebrard Casaubón"
    monkeypatch.chdir(REPO)
    assert names_of_marcelo(capsys)[0] == "Marcelo Ebrard"
    assert (project / ".diplokg").is_dir(), "a project's cache is <project>/.diplokg"


def test_minus_c_overrides_diplokg_home_which_overrides_the_current_folder(
        tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = copy_project(tmp_path / "first"), copy_project(tmp_path / "second")
    for project, name in ((first, "First"), (second, "Second")):
        entities = project / "data" / "entities.ttl"
        entities.write_text(entities.read_text(encoding="utf-8").replace(ENTITY_LABEL, f'skos:prefLabel "{name}"'),
                            encoding="utf-8")
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("DIPLOKG_HOME", str(first))
    name, line = names_of_marcelo(capsys)
    assert name == "First" and line.endswith("(from DIPLOKG_HOME)")
    name, line = names_of_marcelo(capsys, "-C", str(second))
    assert name == "Second" and line.endswith("(given with -C)")
    name, _ = names_of_marcelo(capsys, "--project", str(second))
    assert name == "Second"
    code, _, err = run(capsys, "-C", str(tmp_path / "nowhere"), "stats")
    assert code == 2 and "no such folder" in err and "Traceback" not in err


def test_outside_any_project_the_built_in_graph_is_used_and_said(elsewhere: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    layout = default_layout()
    assert layout.root == builtin_root() and not layout.is_project
    code, out, err = run(capsys, "query", "-e", "SELECT (COUNT(DISTINCT ?e) AS ?n) { ?e a schema:Event }", "--format",
                         "json")
    assert code == 0
    assert err.splitlines()[0].startswith(f"diplokg: no project here (no {MARKER} in {elsewhere} or above); "
                                          "using the built-in two-source graph")
    assert json.loads(out)["results"]["bindings"][0]["n"]["value"] == "12"
    code, _, err = run(capsys, "anchor")
    assert code == 2 and "there is no project here" in err
    assert list(elsewhere.iterdir()) == []


def test_builtin_cache_is_per_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    shipped = Layout(Path(__import__("diplokg").__file__).parent / "builtin")
    assert shipped.builtin and not shipped.is_project
    assert shipped.cache_dir.parent == tmp_path / "xdg" / "diplokg"
    assert shipped.cache_dir.name.startswith(f"{__version__}-")
    assert Layout(tmp_path).cache_dir == tmp_path / ".diplokg"


def test_init_makes_a_project_that_validates_and_builds(tmp_path: Path, elsewhere: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "new-project"
    code, _, err = run(capsys, "init", str(target))
    assert code == 0 and "created the diplokg project" in err
    assert 'name = "new-project"' in (target / MARKER).read_text(encoding="utf-8")
    assert sorted(p.name for p in (target / "ontology").iterdir()) == sorted(
        p.name for p in (REPO / "ontology").glob("*.ttl"))
    assert sorted(p.name for p in (target / "queries").iterdir()) == sorted(p.name for p in (REPO / "queries").glob("*.rq"))
    for folder in ("sources", "facts", "anchors"):
        assert [p.name for p in (target / "data" / folder).iterdir()] == [".gitkeep"]
    assert "data/facts/" in (target / "README.md").read_text(encoding="utf-8")
    assert (target / ".gitignore").read_text(encoding="utf-8") == ".diplokg/\n"
    monkeypatch.chdir(target)
    code, out, err = run(capsys, "validate")
    assert code == 0 and "The data conforms" in out and err.startswith("diplokg: project new-project at ")
    code, out, _ = run(capsys, "build")
    assert code == 0 and "query timeline" in out
    code, _, err = run(capsys, "init", str(target))
    assert code == 2 and "never overwrites" in err


def test_every_subcommand_help_has_a_description_exit_codes_and_an_example(
        capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) == set(HELP)
    for name, sub in commands.choices.items():
        text = sub.format_help()
        description = HELP[name][0]
        assert description.split(".")[0][:40] in " ".join(text.split()), name
        assert "exit codes: 0 " in text, name
        assert f"examples:\n  diplokg {name}" in text or "  diplokg -C " in text, name
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0 and capsys.readouterr().out.strip() == f"diplokg {__version__}"


def test_only_the_command_run_gets_a_parser() -> None:
    assert requested_command(["-C", "query", "--debug", "stats", "--format", "csv"]) == "stats"
    assert requested_command(["--project=x", "query", "met"]) == "query"
    assert requested_command(["bogus"]) is None and requested_command(["--version"]) is None
    args = ["query", "met", "--format", "csv", "-p", "a=b", "--no-inferred"]
    one = build_parser("query")
    assert vars(one.parse_args(args)) == vars(build_parser().parse_args(args))
    commands = next(a for a in one._actions if isinstance(a, argparse._SubParsersAction))
    assert list(commands.choices) == ["query"]


def test_one_meaning_per_short_option() -> None:
    meaning: dict[str, set[str]] = {}
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for sub in [parser, *commands.choices.values()]:
        for action in sub._actions:
            shorts = [o for o in action.option_strings if len(o) == 2]
            longs = [o for o in action.option_strings if o.startswith("--")]
            for short in shorts:
                meaning.setdefault(short, set()).update(longs or ["(none)"])
    assert {short: longs for short, longs in meaning.items() if len(longs) != 1} == {}
    assert meaning["-o"] == {"--output"} and meaning["-C"] == {"--project"}


def test_debug_before_or_after_the_subcommand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "none.rq")
    for args in (["--debug", "query", "-f", missing], ["query", "-f", missing, "--debug"]):
        with pytest.raises(DiplokgError, match="no such query file"):
            main(args)
    code, _, err = run(capsys, "query", "-f", missing)
    assert code == 2 and "Traceback" not in err


def test_queries_shows_defaults_and_export_writes_one_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "queries")
    assert "[event (iri, default event:2021-08-11-lunch-meeting)]" in out
    target = tmp_path / "entities.nt"
    code, _, _ = run(capsys, "export", "--graph", "graph:entities", "-o", str(target))
    assert code == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) and any("person/marcelo-ebrard" in line for line in lines)
    assert not any("ontology#Meeting>" in line.split()[0] for line in lines)
    code, _, err = run(capsys, "export", "--graph", "graph:nothing", "-o", str(tmp_path / "x.nt"))
    assert code == 2 and "no such named graph" in err and "graph/entities" in err


def test_stats_formats_agree(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The three formats of one table (the counting itself is tested with the store)."""
    kinds = ["triples", "persons", "organisations", "posts", "events", "statements"]
    table = {"graph/a": dict.fromkeys(kinds, 3), "all (distinct)": dict.fromkeys(kinds, 5)}

    class Built:
        def statistics(self) -> dict[str, dict[str, int]]:
            return table

    monkeypatch.setattr("diplokg.store.open_built", lambda layout, progress=None: Built())
    _, as_json, _ = run(capsys, "stats", "--format", "json")
    _, as_csv, _ = run(capsys, "stats", "--format", "csv")
    _, as_table, _ = run(capsys, "stats")
    assert json.loads(as_json) == table
    rows = [line.split(",") for line in as_csv.splitlines()]
    assert rows == [["graph", *kinds], ["graph/a", *["3"] * 6], ["all (distinct)", *["5"] * 6]]
    assert [line.split() for line in as_table.splitlines()] == [rows[0], rows[1], ["all", "(distinct)", *["5"] * 6]]
