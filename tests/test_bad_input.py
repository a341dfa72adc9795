"""Nothing lost, no wrong answer, no traceback: every subcommand under bad input.

Each case sets up one bad input in a copy of the project, hashes every file of the project (and of
the scratch folder beside it), runs the command, and asserts the exit code, the first line of the
message (after the line naming the project), that there is no traceback, and that no file changed.
The build cache (.diplokg/) is derived data, not part of the project, and is left out of the hashes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from diplokg.cli import main

REPO = Path(__file__).resolve().parents[1]
LUNCH = "sre-2021-08-11-lunch-meeting"
VALID_NQ = "<https://w3id.org/diplokg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" <https://e/g> .\n"


@dataclass(frozen=True)
class Case:
    """One bad input: the command, what to set up first, the exit code and the start of the message."""

    name: str
    args: tuple[str, ...]
    code: int
    message: str
    setup: Callable[[Path, Path], None] | None = None
    usage: bool = False  # an argparse usage error: "usage: ..." then "diplokg ...: error: MESSAGE"
    announced: bool = True  # the first line of stderr names the project


def write(relative: str, content: str | bytes) -> Callable[[Path, Path], None]:
    """A setup step writing a file under the project (relative) or the scratch folder ('@...')."""

    def setup(project: Path, scratch: Path) -> None:
        path = scratch / relative[1:] if relative.startswith("@") else project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return setup


def cp1252_text(project: Path, scratch: Path) -> None:
    path = project / "data" / "sources" / f"{LUNCH}.txt"
    path.write_bytes(path.read_text(encoding="utf-8").replace("\u2019", "'").replace("\u201c", '"')
                     .replace("\u201d", '"').encode("cp1252"))
    assert any(b > 127 for b in path.read_bytes()), "the text has a non-ASCII letter to encode"


def rename_facts(new_name: str) -> Callable[[Path, Path], None]:
    def setup(project: Path, scratch: Path) -> None:
        for folder in ("facts", "anchors"):
            (project / "data" / folder / f"{LUNCH}.ttl").rename(project / "data" / folder / new_name)
        (project / "data" / "sources" / f"{LUNCH}.txt").rename(
            project / "data" / "sources" / new_name.replace(".ttl", ".txt"))

    return setup


def edit(relative: str, old: str, new: str) -> Callable[[Path, Path], None]:
    def setup(project: Path, scratch: Path) -> None:
        path = project / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return setup


def fifo(project: Path, scratch: Path) -> None:
    os.mkfifo(scratch / "pipe.ttl")


def symlink(project: Path, scratch: Path) -> None:
    (scratch / "real.ttl").write_text("kept\n", encoding="utf-8")
    (scratch / "link.ttl").symlink_to(scratch / "real.ttl")


def folder(name: str) -> Callable[[Path, Path], None]:
    def setup(project: Path, scratch: Path) -> None:
        (scratch / name).mkdir()

    return setup


def odd_facts_entry(kind: str) -> Callable[[Path, Path], None]:
    """A setup step putting into data/facts an entry named *.ttl that is not a regular file."""

    def setup(project: Path, scratch: Path) -> None:
        facts = project / "data" / "facts"
        if kind == "dangling":
            (facts / "odd.ttl").symlink_to(scratch / "nowhere.ttl")
        elif kind == "loop":
            (facts / "odd.ttl").symlink_to(facts / "loop")
            (facts / "loop").symlink_to(facts / "odd.ttl")
        else:
            (facts / "odd.ttl").mkdir()

    return setup


def remove(relative: str) -> Callable[[Path, Path], None]:
    def setup(project: Path, scratch: Path) -> None:
        (project / relative).unlink()

    return setup


ENCODING_COMMANDS = ["build", "validate", "stats", "export", "reason", "anchor", "docs", "serve"]
NAME_COMMANDS = ["build", "validate", "stats", "export", "reason", "anchor", "docs", "draw"]
COMMAND_ARGS = {"export": ("export", "-o", "@out.ttl"), "docs": ("docs", "-o", "@docs"), "draw": ("draw", "timeline", "-o",
                "@t.svg"), "query": ("query", "timeline"), "serve": ("serve", "--port", "0")}

CASES = [
    # writing
    Case("fifo", ("export", "-o", "@pipe.ttl"), 2, "@pipe.ttl: is a named pipe (FIFO)", fifo),
    Case("char-device", ("query", "timeline", "-o", os.devnull), 2, f"{os.devnull}: is a device"),
    Case("symlink", ("export", "-o", "@link.ttl"), 2, "@link.ttl: is a symbolic link", symlink),
    Case("export-onto-entities", ("export", "-o", "data/entities.ttl"), 2, "data/entities.ttl: is an input of the project"),
    Case("validate-onto-facts", ("validate", "-o", f"data/facts/{LUNCH}.ttl"), 2, "is an input of the project"),
    Case("reason-onto-ontology", ("reason", "-o", "ontology/diplomacy.ttl"), 2, "is an input of the project"),
    Case("query-onto-query", ("query", "timeline", "-o", "queries/07-timeline.rq"), 2,
         "queries/07-timeline.rq: is an input of the project"),
    Case("query-onto-query-csv", ("query", "timeline", "-o", "queries/07-timeline.csv"), 2, "is an input of the project"),
    Case("new-file-in-facts", ("export", "-o", "data/facts/new.ttl"), 2, "is an input of the project"),
    Case("onto-marker", ("export", "--format", "ttl", "-o", "diplokg.toml"), 2, "diplokg.toml: is an input of the project"),
    Case("validate-file-onto-itself", ("validate", "@new.ttl", "-o", "@new.ttl", "--format", "turtle"), 2,
         "@new.ttl: is an input of the project", write("@new.ttl", "@prefix ex: <http://e/> .\nex:a ex:b ex:c .\n")),
    Case("query-file-onto-itself", ("query", "-f", "@q.rq", "-o", "@q.rq", "--format", "csv"), 2,
         "@q.rq: is an input of the project", write("@q.rq", "SELECT * WHERE { ?s ?p ?o } LIMIT 1\n")),
    Case("output-is-folder", ("export", "-o", "@folder"), 2, "@folder: is a folder", folder("folder")),
    Case("parent-is-file", ("export", "-o", "@plain.txt/x.ttl"), 2, "@plain.txt/x.ttl: cannot write here: ",
         write("@plain.txt", "text\n")),
    Case("unwritable-place", ("export", "-o", "/proc/diplokg-test.ttl"), 2, "/proc/diplokg-test.ttl: cannot write here"),
    Case("docs-onto-file", ("docs", "-o", "@plain.txt"), 2, "@plain.txt: exists and is not a folder",
         write("@plain.txt", "text\n")),
    Case("docs-onto-data", ("docs", "-o", "data"), 2, "data: is an input of the project"),
    Case("docs-to-stdout", ("docs", "-o", "-"), 2, "-o -: this command writes a folder"),
    Case("export-txt", ("export", "-o", "@x.txt"), 2, "@x.txt: cannot tell the RDF format from the extension .txt"),
    Case("export-contradiction", ("export", "--format", "nt", "-o", "@x.ttl"), 2,
         "@x.ttl: the extension .ttl contradicts the RDF format 'nt'"),
    Case("draw-png-into-svg", ("draw", "timeline", "--format", "png", "-o", "@n.svg"), 2,
         "@n.svg: the extension .svg contradicts the picture format 'png'"),
    Case("query-csv-into-json", ("query", "timeline", "--format", "csv", "-o", "@x.json"), 2,
         "@x.json: the extension .json contradicts the results format 'csv'"),
    Case("validate-json-into-ttl", ("validate", "--format", "json", "-o", "@r.ttl"), 2,
         "@r.ttl: the extension .ttl contradicts the report format 'json'"),
    Case("stats-into-svg", ("stats", "-o", "@s.svg"), 2, "@s.svg: cannot tell the table format"),
    Case("reason-unknown-format", ("reason", "--format", "yaml", "-o", "@x.yaml"), 2, "Unknown RDF format 'yaml'"),
    Case("stats-unknown-format", ("stats", "--format", "yaml"), 2, "Unknown table format 'yaml'"),
    # reading: files, formats, encodings, names
    Case("validate-missing-file", ("validate", "@none.ttl"), 2, "@none.ttl: no such file."),
    Case("validate-folder", ("validate", "@folder.ttl"), 2, "@folder.ttl: not a regular file.", folder("folder.ttl")),
    Case("validate-txt", ("validate", "@notes.txt"), 2, "@notes.txt: the extension .txt is not an RDF format",
         write("@notes.txt", "hello")),
    Case("validate-empty-ttl", ("validate", "@empty.ttl"), 2, "@empty.ttl: holds no triples", write("@empty.ttl", "")),
    Case("validate-remote-context", ("validate", "@remote.jsonld"), 2, "the JSON-LD document refers to a remote @context",
         write("@remote.jsonld", '{"@context": "https://schema.org/", "@id": "https://e/x", "name": "x"}')),
    Case("validate-nested-remote-context", ("validate", "@nested.jsonld"), 2, "remote @context (https://e/ctx)",
         write("@nested.jsonld", '{"@context": {"@vocab": "https://e/"}, "@graph": [{"@context": ["https://e/ctx"], '
                                 '"@id": "https://e/x", "name": "x"}]}')),
    Case("validate-jsonld-syntax", ("validate", "@bad.jsonld"), 2, "@bad.jsonld:1:9: syntax error",
         write("@bad.jsonld", '{"@id": ')),
    Case("validate-cp1252-facts", ("validate", "@latin.ttl"), 2, "@latin.ttl:2:", write(
        "@latin.ttl", '@prefix ex: <http://e/> .\nex:a ex:b "caf\u00e9" .\n'.encode("cp1252"))),
    Case("bad-facts-name-space", ("validate", "@new source.ttl"), 2, "cannot name a graph",
         write("@new source.ttl", "@prefix ex: <http://e/> .\nex:a ex:b ex:c .\n")),
    Case("query-binary-file", ("query", "-f", "@binary.rq"), 2, "@binary.rq:1:1: the query file is not UTF-8",
         write("@binary.rq", b"\x89PNG\r\n\x1a\n\x00\xff")),
    Case("query-missing-file", ("query", "-f", "@none.rq"), 2, "@none.rq: no such query file."),
    Case("query-folder-file", ("query", "-f", "@dir.rq"), 2, "@dir.rq: is a folder, not a query file.", folder("dir.rq")),
    Case("query-syntax", ("query", "-e", "SELECT ?x WHERE { ?x ?p }"), 2, "The query is not valid SPARQL 1.1"),
    Case("query-unknown-name", ("query", "atendees"), 2, "No saved query named 'atendees'"),
    Case("param-unknown-prefix", ("query", "attendees-by-delegation", "--param", "event=foo:bar"), 2,
         "Parameter 'event' (iri): 'foo:bar' is not an IRI: the prefix 'foo' is not one of diplokg's"),
    Case("param-impossible-date", ("query", "planned-events", "--param", "after=2021-13-45"), 2,
         "Parameter 'after' (date): '2021-13-45' is not a date that exists"),
    Case("param-february-30", ("query", "planned-events", "--param", "after=2021-02-30"), 2,
         "Parameter 'after' (date): '2021-02-30' is not a date that exists"),
    Case("param-not-integer", ("query", "who-met-whom", "-p", "minimum=two"), 2, "Parameter 'minimum' (integer)"),
    Case("param-unknown", ("query", "timeline", "-p", "x=1"), 2, "Query 'timeline' has no parameter x"),
    Case("param-ad-hoc", ("query", "-e", "ASK {}", "-p", "x=1"), 2, "--param works with saved queries only"),
    Case("param-no-equals", ("query", "timeline", "-p", "x"), 2, "--param takes name=value"),
    Case("export-unknown-graph", ("export", "--graph", "graph:none", "-o", "@x.ttl"), 2, "--graph graph:none: no such"),
    Case("export-unknown-format", ("export", "--format", "yaml"), 2, "Unknown RDF format 'yaml'"),
    Case("draw-unknown-person", ("draw", "network", "--person", "person:nobody-at-all", "-o", "@n.svg"), 2, "No person"),
    Case("entities-syntax", ("stats",), 2, "data/entities.ttl:", edit("data/entities.ttl", "@prefix", "@prefx")),
    Case("ontology-not-utf8", ("validate",), 2, "ontology/diplomacy.ttl:", write(
        "ontology/diplomacy.ttl", (REPO / "ontology/diplomacy.ttl").read_text(encoding="utf-8")
        .replace("# ", "# \u00e9 ", 1).encode("latin-1", "replace"))),
    Case("query-header-bad", ("queries",), 2, "queries/99-bad.rq: bad parameter line",
         write("queries/99-bad.rq", "# title: t\n# description: d\n# param: x (colour) = red\nSELECT * {}\n")),
    Case("query-header-not-utf8", ("queries",), 2, "queries/99-bad.rq:1:13: the query file is not UTF-8",
         write("queries/99-bad.rq", "# title: caf\u00e9\n# description: d\nSELECT * {}\n".encode("latin-1"))),
    Case("anchor-syntax", ("anchor",), 2, f"data/facts/{LUNCH}.ttl:",
         edit(f"data/facts/{LUNCH}.ttl", "oa:exact", "oa:exact oa:exact")),
    Case("anchor-missing-text", ("anchor",), 2, f"data/sources/{LUNCH}.txt: no such source text.",
         remove(f"data/sources/{LUNCH}.txt")),
    Case("anchor-quote-not-found", ("anchor",), 2, "Evidence could not be anchored",
         edit(f"data/facts/{LUNCH}.ttl", 'oa:exact "In a lunch meeting', 'oa:exact "In a dinner meeting')),
    Case("anchor-filename-escapes", ("anchor",), 2, "Evidence could not be anchored",
         edit(f"data/facts/{LUNCH}.ttl", f'dip:fileName "{LUNCH}.txt"', 'dip:fileName "../../../etc/passwd"')),
    Case("marker-malformed", ("stats",), 2, "diplokg.toml: cannot read the project settings",
         write("diplokg.toml", "[project\nname = 1\n"), announced=False),
    Case("marker-unknown-key", ("stats",), 2, "diplokg.toml: unknown setting(s) in [project]: colour",
         write("diplokg.toml", '[project]\nname = "x"\ncolour = "red"\n'), announced=False),
    Case("project-missing", ("-C", "@nowhere", "stats"), 2, "-C @nowhere: no such folder.", announced=False),
    Case("project-not-a-project", ("-C", "@folder", "stats"), 2, "-C @folder: not a diplokg project",
         folder("folder"), announced=False),
    Case("init-existing", ("init", "."), 2, ".: already holds diplokg.toml, ontology, data, queries", announced=False),
    Case("init-onto-file", ("init", "@plain.txt"), 2, "@plain.txt: exists and is not a folder",
         write("@plain.txt", "text\n"), announced=False),
    Case("endpoint-not-http", ("query", "timeline", "--endpoint", "ftp://example.org/sparql"), 2,
         "'ftp://example.org/sparql' is not an http:// or https:// URL"),
    # numbers out of range (usage errors)
    Case("serve-port", ("serve", "--port", "99999"), 2, "argument --port: 99999 is out of range", usage=True,
         announced=False),
    Case("push-retries", ("push", "--endpoint", "http://127.0.0.1:9/query", "--retries", "-1"), 2,
         "argument --retries: -1 is out of range", usage=True, announced=False),
    Case("push-timeout", ("push", "--endpoint", "http://127.0.0.1:9/query", "--timeout", "0"), 2,
         "argument --timeout: 0 is out of range", usage=True, announced=False),
    Case("serve-timeout", ("serve", "--timeout", "0", "--port", "0"), 2, "--timeout must be positive, not 0.0."),
    Case("serve-answer-cache", ("serve", "--answer-cache", "-1", "--port", "0"), 2,
         "--answer-cache must be 0 (off) or more, not -1."),
    # every command on a source text in cp1252, and on facts files named with a space or a non-ASCII letter
    *[Case(f"cp1252-{c}", COMMAND_ARGS.get(c, (c,)), 2, f"data/sources/{LUNCH}.txt:", cp1252_text)
      for c in ENCODING_COMMANDS],
    *[Case(f"space-name-{c}", COMMAND_ARGS.get(c, (c,)), 2,
           "data/facts/lunch meeting.ttl: the file name 'lunch meeting' cannot name a graph",
           rename_facts("lunch meeting.ttl")) for c in NAME_COMMANDS],
    Case("accented-name-query", ("query", "timeline"), 2, "data/facts/f\u00eate.ttl: the file name",
         rename_facts("f\u00eate.ttl")),
    # entries of data/facts that are not files, and a byte-order mark: errors, never skipped in silence
    *[Case(f"facts-{kind}", ("build",), 2, "data/facts/odd.ttl: not a regular file", odd_facts_entry(kind))
      for kind in ("dangling", "loop", "folder")],
    Case("facts-bom", ("build",), 2, "data/facts/bom.ttl:1:1: the RDF file starts with a byte-order mark",
         write("data/facts/bom.ttl", "\ufeff@prefix ex: <http://e/> .\n")),
    # saved queries and their parameters
    Case("query-name-twice", ("query", "timeline"), 2,
         "a saved query named 'planned-events' is already in 11-planned-events.rq",
         lambda project, _: shutil.copy(project / "queries/11-planned-events.rq", project / "queries/99-planned-events.rq")),
    Case("param-never-used", ("query", "timeline"), 2, "the parameter 'nothere' is declared, but the query never uses",
         write("queries/98-x.rq", "# title: x\n# description: x\n# param: nothere (date) = 2021-01-01 -- x\nASK {}\n")),
    Case("param-not-a-choice", ("query", "who-met-whom", "--param", "sides=none"), 2,
         "Parameter 'sides' (string): 'none' is not one of different, any"),
    Case("param-twice", ("query", "timeline", "--param", "a=1", "--param", "a=2"), 2, "--param a is given more than once"),
    Case("saved-query-syntax", ("query", "planned-events"), 2,
         "queries/11-planned-events.rq: The query is not valid SPARQL 1.1: error at 20:",
         edit("queries/11-planned-events.rq", "FILTER(", "FILTER(!BOUND ((")),
    Case("update-as-query", ("query", "-e", "DELETE WHERE { ?s ?p ?o }"), 2, "This is a SPARQL update"),
    Case("draw-not-an-iri", ("draw", "network", "--event", "x y", "-o", "@x.svg"), 2, "The event 'x y' is not an IRI"),
    Case("endpoint-bad-ipv6", ("validate", "--endpoint", "http://[::1"), 2, "'http://[::1' is not an http:// or https:// URL"),
]


def fingerprint(*roots: Path) -> dict[str, str]:
    """SHA-256 of every regular file under the roots (the build cache left out), with its mode."""
    found = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if ".diplokg" in path.parts or path.is_symlink() or not path.is_file():
                continue
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest() + oct(path.stat().st_mode)
    return found


@pytest.fixture()
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    project, scratch = tmp_path / "project", tmp_path / "scratch"
    for name in ("ontology", "data", "queries"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy2(REPO / "diplokg.toml", project / "diplokg.toml")
    scratch.mkdir()
    monkeypatch.chdir(project)
    monkeypatch.delenv("DIPLOKG_HOME", raising=False)
    return project, scratch


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, places: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    project, scratch = places
    if case.setup:
        case.setup(project, scratch)
    before = fingerprint(project, scratch)
    args = [a.replace("@", f"{scratch}/", 1) if a.startswith("@") else a for a in case.args]
    if case.usage:
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        code = exit_info.value.code
    else:
        code = main(args)
    err = capsys.readouterr().err
    expected = case.message.replace("@", f"{scratch}/", 1) if case.message.startswith(("@", "-C @")) else case.message
    lines = [line for line in err.splitlines() if not line.startswith(("diplokg: project ", "diplokg: no project here",
                                                                          "diplokg: note: "))]
    assert "Traceback" not in err and code == case.code, err
    if case.usage:
        assert lines[0].startswith("usage: diplokg ") and expected in lines[-1], err
    else:
        assert lines[0].startswith("diplokg: ") and expected in lines[0], err
        assert all(line.startswith("  ") for line in lines[1:]), "one paragraph: " + err
    if case.announced:
        assert err.splitlines()[0].startswith("diplokg: project "), err
    assert fingerprint(project, scratch) == before, "a file changed"
    assert not [p for p in scratch.rglob(".*.tmp")], "a temporary file was left behind"


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 40 and len({c.name for c in CASES}) == len(CASES)
    assert {c.args[0] for c in CASES} >= {"build", "validate", "stats", "export", "reason", "anchor", "docs", "draw",
                                           "query", "queries", "serve", "push", "init"}


def test_valid_rdf_in_any_format_validates_as_a_new_file(places: tuple[Path, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Today: traceback (the on-the-fly anchoring re-parsed the file as Turtle). Now: checked like Turtle."""
    _, scratch = places
    facts = REPO / "data" / "facts" / f"{LUNCH}.ttl"
    from rdflib import Graph

    graph = Graph().parse(facts, format="turtle")
    for suffix, rdf_format in ((".jsonld", "json-ld"), (".rdf", "xml"), (".nt", "nt")):
        path = scratch / f"new-source{suffix}"
        path.write_text(graph.serialize(format=rdf_format), encoding="utf-8")
        code, out = main(["validate", str(path)]), capsys.readouterr()
        assert code in (0, 1) and "Traceback" not in out.err, out.err
        assert "The data" in out.out
    quads = scratch / "quads.nq"
    quads.write_text(VALID_NQ, encoding="utf-8")
    code, out = main(["validate", str(quads), "--format", "json"]), capsys.readouterr()
    assert code in (0, 1) and '"conforms"' in out.out and "Traceback" not in out.err


def test_replaced_output_keeps_its_mode(places: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, scratch = places
    target = scratch / "private.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    assert main(["query", "timeline", "-o", str(target)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text(encoding="utf-8") != "old\n"
    assert main(["export", "-o", str(scratch / "new.ttl")]) == 0
    assert stat.S_IMODE((scratch / "new.ttl").stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_interrupted_run_changes_nothing(places: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    project, scratch = places
    target = scratch / "dump.ttl"
    target.write_text("before\n", encoding="utf-8")
    before = fingerprint(project, scratch)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("diplokg.export.write_store", interrupted)
    code = main(["export", "-o", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and err.splitlines()[-1] == "diplokg: interrupted; no file was changed."
    assert fingerprint(project, scratch) == before and not list(scratch.glob(".*.tmp"))


def test_sigterm_ends_a_run_through_the_interrupted_path(places: tuple[Path, Path]) -> None:
    """`kill PID` (or a CI timeout) during a long query: one line, exit 2, the output file untouched."""
    project, scratch = places
    target = scratch / "rows.csv"
    target.write_text("before\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DIPLOKG_HOME"}
    endless = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^11 rows, produced one at a time
    process = subprocess.Popen([sys.executable, "-m", "diplokg", "query", "-e", endless, "-o", str(target)],
                               cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2, err
    assert err.splitlines()[-1] == "diplokg: interrupted; no file was changed." and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "before\n" and not list(scratch.glob(".*.tmp"))


def test_broken_pipe_is_one_line_and_exit_2(places: tuple[Path, Path]) -> None:
    """`diplokg build | head -1`: today a traceback; now one line and exit 2. (The reader closes the pipe
    before the first write, so the write fails every time, not only when the output outgrows the pipe.)"""
    project, _ = places
    env = {k: v for k, v in os.environ.items() if k != "DIPLOKG_HOME"}
    process = subprocess.Popen([sys.executable, "-m", "diplokg", "build"], cwd=project, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    err = process.stderr.read().decode()
    assert process.wait(600) == 2 and "Traceback" not in err
    assert err.splitlines()[-1] == "diplokg: the output was closed before it was complete (broken pipe); stopped."


def test_hidden_files_in_data_are_not_inputs(places: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    project, _ = places
    (project / "data" / "facts" / ".#sre-2021-08-11-lunch-meeting.ttl").write_text("not turtle {", encoding="utf-8")
    assert main(["query", "met", "--format", "csv"]) == 0, capsys.readouterr().err  # an editor's lock file


def test_a_full_disk_is_one_line_and_exit_2(places: tuple[Path, Path]) -> None:
    project, _ = places
    env = {k: v for k, v in os.environ.items() if k != "DIPLOKG_HOME"}
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "diplokg", "query", "timeline", "--format", "csv"], cwd=project,
                              env=env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=600)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.splitlines()[-1].startswith("diplokg: the system refused: No space left on device; the disk is full")


def test_a_file_the_system_refuses_to_read_is_named(places: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import diplokg.store

    def refused(path: str | Path) -> str:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(diplokg.store, "file_digest", refused)  # as for a file of mode 000 (tests run as root)
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ": Permission denied; check the permissions of the file or folder." in err


def test_a_value_too_long_for_the_parser_is_named(places: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    project, _ = places
    (project / "data" / "facts" / "huge.ttl").write_text(
        '<https://w3id.org/diplokg/id/x> <http://www.w3.org/2000/01/rdf-schema#comment> "' + "a" * (17 << 20) + '" .\n',
        encoding="utf-8")
    assert main(["build"]) == 2
    err = capsys.readouterr().err
    assert "data/facts/huge.ttl: cannot load it: one value is too long" in err and "Traceback" not in err
