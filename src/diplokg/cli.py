"""diplokg: a knowledge graph of diplomacy, built from source texts with evidence for every fact.

The project: -C DIR / --project DIR, else $DIPLOKG_HOME, else the nearest folder from the current
directory upward that holds diplokg.toml, else the built-in two-source graph shipped with diplokg.
Every command names the project it works on in the first line it writes to stderr.

Exit codes: 0 ok (or the data conforms), 1 violations found, 2 usage or input error (one paragraph,
no traceback unless --debug; no file changed), 3 internal error (a bug: please report it).
Formats follow the output file's extension or --format (short name or media type), never
contradicting each other; '-' means standard output. Outputs are written atomically, only to
regular files, never over the project's inputs.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from diplokg import __version__
from diplokg.errors import DiplokgError
from diplokg.paths import Layout, default_layout, use_project

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from diplokg.reasoning import Closure
    from diplokg.rules import StoreClosure
    from diplokg.validation import Report

# Subcommands implemented in modules of their own: each module has configure(parser), which adds
# the arguments and sets `run`; its top-level imports stay light so that startup stays fast.
EXTENSIONS = {
    "serve": ("diplokg.http.serve", "serve the graph over HTTP: SPARQL endpoint, entity pages, query page"),
    "push": ("diplokg.push", "upload the dataset to a SPARQL server (Graph Store Protocol)"),
    "draw": ("diplokg.draw", "draw who met whom, or the timeline of events, as SVG or PNG"),
    "docs": ("diplokg.docs", "write the HTML reference of the ontology and shapes"),
    "draft": ("diplokg.drafting.cli", "propose the facts of a new source text, each with its evidence, for review"),
}

EXAMPLES = """examples:
  diplokg init my-project                         start a project of your own (then: cd my-project)
  diplokg stats                                   counts per named graph
  diplokg validate                                reason, then check the shapes (exit 1 on violations)
  diplokg validate data/facts/new-source.ttl      check one new facts file against the rest
  diplokg queries                                 the saved queries
  diplokg query attendees-by-delegation --param event=event:2021-08-11-lunch-meeting
  diplokg query -e 'SELECT ?p WHERE { ?p a foaf:Person }' --format csv
  diplokg export -o dump.trig                     the whole dataset, named graphs kept
  diplokg -C ../other-project stats               work on another project
"""

# Per subcommand: what it does (one line first), its exit codes, examples. Shown by `diplokg COMMAND --help`.
HELP: dict[str, tuple[str, str, str]] = {
    "init": ("Start a new project in DIR: the marker diplokg.toml, a copy of the ontology, shapes and vocabularies "
             "(which the project may extend), empty data/sources and data/facts, the saved queries and a README.",
             "0 created, 2 DIR already holds a project's files or cannot be written",
             "diplokg init my-project\n  diplokg init .                                  (an empty folder)"),
    "build": ("The main job: load the ontology and every source's facts, reason (OWL RL), validate (SHACL), "
              "cache the built store and run every saved query.",
              "0 conforms, 1 violations or inconsistencies, 2 bad input",
              "diplokg build\n  diplokg -C my-project build"),
    "stats": ("Count triples, persons, organisations, posts, events and statements in each named graph.",
              "0 ok, 2 bad input",
              "diplokg stats\n  diplokg stats --format csv -o stats.csv"),
    "export": ("Write the dataset (or one named graph) in a W3C RDF format; named graphs are kept in N-Quads, "
               "TriG and JSON-LD.",
               "0 written, 2 bad input or output",
               "diplokg export -o dump.trig\n  diplokg export --graph graph:entities -o entities.ttl\n"
               "  diplokg export --inferred --format nq -o -"),
    "anchor": ("Compute the character offsets of every evidence quote (data/anchors/), after editing quotes.",
               "0 written or up to date, 1 out of date (--check), 2 a quote not found or bad input",
               "diplokg anchor\n  diplokg anchor --check"),
    "reason": ("Compute the OWL 2 RL closure and report any inconsistency.",
               "0 consistent, 1 inconsistent, 2 bad input",
               "diplokg reason\n  diplokg reason -o inferred.ttl --engine owlrl"),
    "validate": ("Reason, then validate against the SHACL shapes; each finding names the file and line.",
                 "0 conforms, 1 violations (or warnings with --fail-on warning), 2 bad input",
                 "diplokg validate\n  diplokg validate data/facts/new-source.ttl\n"
                 "  diplokg validate --format json -o report.json --fail-on warning"),
    "queries": ("List the saved queries with their parameters (type and default).",
                "0 ok, 2 a query file is malformed",
                "diplokg queries"),
    "query": ("Run a saved query by name, with typed parameters, or an ad-hoc SPARQL query.",
              "0 ok, 2 bad query, parameter or output",
              "diplokg query timeline\n  diplokg query attendees-by-delegation --param event=event:2021-08-11-lunch-meeting\n"
              "  diplokg query -e 'SELECT ?p WHERE { ?p a foaf:Person }' --format csv\n"
              "  diplokg query -f my-query.rq -o answer.json"),
    "serve": ("Serve the graph over HTTP, read-only: SPARQL endpoint, saved queries, entity pages, query page.",
              "0 stopped, 1 the data does not conform (without --allow-invalid), 2 bad input or port in use",
              "diplokg serve --port 8000"),
    "push": ("Upload the dataset to a SPARQL server through the Graph Store Protocol, graph by graph.",
             "0 pushed and counts checked, 2 bad input or the server failed",
             "diplokg push --endpoint http://localhost:7878/query --inferred"),
    "draw": ("Draw who met whom, or the timeline of events, with Graphviz, as SVG or PNG.",
             "0 written, 2 bad input or output",
             "diplokg draw network -o network.svg\n  diplokg draw timeline -o timeline.png"),
    "draft": ("Propose the facts of a new source text, each with its evidence quote, for a curator to review.",
              "0 drafted, 2 bad input (an unreadable or empty text, a facts file already there without --force)",
              "diplokg draft data/sources/new-release.txt\n  diplokg draft data/sources/new-release.txt -o - --explain"),
    "docs": ("Write the HTML reference of the ontology, its shapes and SKOS schemes into a folder.",
             "0 written, 2 bad input or output",
             "diplokg docs -o build/docs"),
}


def progress(message: str) -> None:
    """A progress line on stderr, for long steps (only on a terminal)."""
    from diplokg.progress import step

    step(message)


def load_reasoned(layout: Layout, reason: bool = True, extra: list[Path] | None = None):  # noqa: ANN201
    """Load the dataset (and extra files) and, unless told not to, add the OWL RL closure."""
    from diplokg.loading import load_dataset

    progress("loading")
    dataset = load_dataset(layout, extra_files=extra)
    closure = None
    if reason:
        from diplokg.reasoning import reason as run_reasoner

        progress("reasoning (OWL RL)")
        closure = run_reasoner(dataset)
    return dataset, closure


def run_stats(args: argparse.Namespace) -> int:
    from diplokg.fileio import write_output
    from diplokg.formats import table_format
    from diplokg.stats import KINDS
    from diplokg.store import open_built

    chosen = table_format(args.format, args.output)
    table = open_built(default_layout(), progress=progress).statistics()  # counted once per build
    columns = ["triples", *KINDS]
    if chosen.name == "json":
        text = json.dumps(table, indent=2) + "\n"
    elif chosen.name == "csv":
        text = "".join(",".join([name, *(str(counts[c]) for c in columns)]) + "\r\n"
                       for name, counts in [("graph", dict(zip(columns, columns, strict=True))), *table.items()])
    else:
        width = max(len(name) for name in table) + 2
        lines = ["graph".ljust(width) + "".join(c.rjust(14) for c in columns)]
        lines += [name.ljust(width) + "".join(str(counts[c]).rjust(14) for c in columns) for name, counts in table.items()]
        text = "\n".join(lines) + "\n"
    write_output(args.output, lambda stream: stream.write(text.encode("utf-8")))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from diplokg.export import export_store
    from diplokg.fileio import check_output
    from diplokg.formats import graph_format
    from diplokg.store import open_store

    layout = default_layout()
    rdf_format = graph_format(args.format, args.output)
    check_output(args.output, layout)
    store = open_store(layout)
    progress(f"writing {args.output} ({rdf_format.name})")
    export_store(store, rdf_format, args.output, ontology=not args.no_ontology, inferred=args.inferred, graph=args.graph)
    if args.output != "-":
        print(f"wrote {args.output} ({rdf_format.name})", file=sys.stderr)
    return 0


def run_anchor(args: argparse.Namespace) -> int:
    from diplokg.anchor import anchor_all

    changed = anchor_all(default_layout(), check=args.check)
    if args.check and changed:
        print("Out of date (run `diplokg anchor`): " + ", ".join(str(p) for p in changed), file=sys.stderr)
        return 1
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print("every anchors file is up to date")
    return 0


def run_reason(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from diplokg.fileio import check_output, write_output
    from diplokg.formats import graph_format

    if args.output:
        graph_format(args.format, args.output)
        check_output(args.output, default_layout())
    if args.engine == "owlrl":
        from diplokg.engines import to_oxigraph

        _, closure = load_reasoned(default_layout())
        assert closure is not None
        added, triples = len(closure.inferred), [ox.Triple(*map(to_oxigraph, t)) for t in closure.inferred]
        seconds, inconsistencies = closure.seconds, closure.inconsistencies
    else:
        from diplokg.prefixes import INFERRED_GRAPH
        from diplokg.store import open_built

        built = open_built(default_layout(), progress=progress)  # the closure is computed when the store is built
        inferred = built.store.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH))
        added, triples = built.manifest.inferred, [quad.triple for quad in inferred]
        seconds, inconsistencies = built.manifest.reason_seconds, built.manifest.inconsistencies
    print(f"OWL RL closure ({args.engine}): {added} triples added in {seconds:.2f} s", file=sys.stderr)
    if args.output:
        from diplokg.prefixes import INFERRED_GRAPH
        from diplokg.results import OX_GRAPH_FORMATS

        rdf_format = graph_format(args.format, args.output)
        graph = ox.NamedNode(INFERRED_GRAPH)
        items = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples] if rdf_format.quads else triples
        data = ox.serialize(items, format=OX_GRAPH_FORMATS[rdf_format.name]) or b""
        write_output(args.output, lambda stream: stream.write(data))
    if inconsistencies:
        print("The ontology and data are INCONSISTENT under OWL RL:", file=sys.stderr)
        for message in inconsistencies:
            print(f"  - {message}", file=sys.stderr)
        return 1
    print("No inconsistency found.", file=sys.stderr)
    return 0


def fast_validation(layout: Layout, reason: bool, extra: list[Path] | None = None,
                    endpoint: str | None = None) -> tuple[Report, StoreClosure | None]:
    """Reason with the rules and validate with the fast SHACL engine, both on pyoxigraph."""
    from diplokg.validation import validate_fast

    progress("loading, reasoning and validating (pyoxigraph)")
    return validate_fast(layout, reason, extra, endpoint)


def validation_report(layout: Layout, extra: list[Path], engine: str = "fast", reason: bool = True,
                      endpoint: str | None = None) -> tuple[Report, Closure | StoreClosure | None]:
    """Validate with the chosen engine: the Report (its inconsistencies filled in) and the closure, if any."""
    from diplokg.validation import validate

    if engine == "fast":
        report, closure = fast_validation(layout, reason, extra, endpoint)
    else:
        if endpoint:
            from diplokg.remote import fetch_dataset

            dataset, closure = fetch_dataset(endpoint), None
        else:
            dataset, closure = load_reasoned(layout, reason=reason, extra=extra)
        progress("validating (pyshacl)")
        from diplokg.namespaces import GRAPH

        report = validate(dataset, layout, {GRAPH[p.stem]: [p] for p in extra})
    if closure is not None:
        report.inconsistencies = list(closure.inconsistencies)
    return report, closure


def run_validate(args: argparse.Namespace) -> int:
    from diplokg.fileio import check_output, write_output
    from diplokg.formats import report_format
    from diplokg.validation import display_path, render_json, render_text

    layout = default_layout()
    extra = [Path(p) for p in args.files]
    chosen = report_format(args.format, args.output).name
    check_output(args.output, layout, inputs=extra)
    report, closure = validation_report(layout, extra, args.engine, not args.no_reason, args.endpoint)
    if closure is not None and not closure.consistent:
        print("OWL RL inconsistencies:\n  - " + "\n  - ".join(closure.inconsistencies), file=sys.stderr)
    only = display_path(extra[0], layout.root) if len(extra) == 1 else None
    if chosen == "turtle":
        text = report.results_graph.serialize(format="turtle")
    elif chosen == "json":
        text = render_json(report)
    else:
        text = render_text(report, only)
    write_output(args.output, lambda stream: stream.write(text.encode("utf-8")), layout, inputs=extra)
    failed = report.fails(args.fail_on) or (closure is not None and not closure.consistent)
    return 1 if failed else 0


def parse_params(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise DiplokgError(f"--param takes name=value, not {pair!r}.")
        if name in values:
            raise DiplokgError(f"--param {name} is given more than once ({values[name]!r}, {value!r}); give it once.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # bytes the terminal's encoding could not decode
            raise DiplokgError(f"--param {name}: the value is not UTF-8 text; give it as UTF-8.") from None
        values[name] = value
    return values


def run_queries(args: argparse.Namespace) -> int:
    from diplokg.catalogue import load_catalogue

    for query in load_catalogue(default_layout().queries_dir).values():
        params = ", ".join(f"{p.name} ({p.type}{', default ' + p.default if p.default else ''})" for p in query.parameters)
        print(f"{query.name:34} {query.title}" + (f"  [{params}]" if params else ""))
    return 0


def make_engine(args: argparse.Namespace, layout: Layout):  # noqa: ANN201
    """The engine the query runs on: pyoxigraph on the cached build, rdflib, or a remote endpoint."""
    if getattr(args, "endpoint", None):
        from diplokg.remote import RemoteEngine

        return RemoteEngine(args.endpoint)
    if args.engine == "rdflib":
        from diplokg.engines import RdflibEngine

        dataset, _ = load_reasoned(layout)
        return RdflibEngine(dataset)
    from diplokg.engines import OxigraphEngine
    from diplokg.store import open_store

    return OxigraphEngine(open_store(layout))


@contextlib.contextmanager
def in_file(path: str | Path | None) -> Iterator[None]:
    """Errors raised inside name the query file they come from (its line numbers are the file's)."""
    try:
        yield
    except DiplokgError as error:
        if path is None:
            raise
        raise DiplokgError(f"{path}: {error}", error.exit_code) from None


def run_query(args: argparse.Namespace) -> int:
    from diplokg.catalogue import find_query, load_catalogue
    from diplokg.engines import labels_of
    from diplokg.fileio import check_output, read_text, write_output
    from diplokg.formats import graph_format, result_format
    from diplokg.prefixes import PREFIX_IRIS
    from diplokg.results import WRITERS, graph_bytes, to_table

    layout = default_layout()
    values = parse_params(args.param)
    if args.name:
        saved = find_query(load_catalogue(layout.queries_dir), args.name)
        text, bindings = saved.text, saved.bind(values)
    else:
        if values:
            raise DiplokgError("--param works with saved queries only; write the values into your ad-hoc query.")
        text = read_text(Path(args.file), "query file") if args.file else args.expression
        bindings = {}
    inputs = [args.file] if args.file else []
    check_output(args.output, layout, inputs)
    engine = make_engine(args, layout)
    source = saved.path if args.name else args.file
    with in_file(source):
        result = engine.query(text, bindings, inferred=args.inferred, prefixes=PREFIX_IRIS if args.expression else None)
    if result.kind == "graph":
        rdf_format = graph_format(args.format if args.format not in (None, "table") else None, args.output)
        data = graph_bytes(result, rdf_format.name)
    else:
        chosen = result_format(args.format, args.output)
        if chosen.name == "table":
            data = to_table(result, labels_of(engine, result), show_iri=args.iri).encode("utf-8")
        else:
            data = WRITERS[chosen.name](result).encode("utf-8")
    write_output(args.output, lambda stream: stream.write(data), layout, inputs)
    return 0


def run_build(args: argparse.Namespace) -> int:
    """The main job: build the store (load, reason, validate) unless it is current, and run every saved query."""
    import hashlib

    from diplokg.catalogue import SavedQuery, load_catalogue
    from diplokg.engines import OxigraphEngine
    from diplokg.store import open_built

    layout = default_layout()
    built = open_built(layout, verify=True, progress=progress)
    manifest = built.manifest
    state = "built" if built.fresh else "up to date, not rebuilt"
    print(f"store {built.folder} ({state}): {manifest.quads} quads; OWL RL added {manifest.inferred} in "
          f"{manifest.reason_seconds:.2f} s; loaded, reasoned, validated and written in {manifest.build_seconds:.2f} s")
    for message in manifest.inconsistencies:
        print(f"  inconsistency: {message}")
    print(manifest.validation["text"], end="")
    engine = OxigraphEngine(built.store)

    def answer_size(query: SavedQuery) -> int:
        with in_file(query.path):
            result = engine.query(query.text, query.bind({}))
        return len(result.rows) if result.kind == "select" else len(result.triples) if result.kind == "graph" else 1

    for query in load_catalogue(layout.queries_dir).values():  # each answer counted once per build and query text
        key = "answer size " + hashlib.sha256(query.text.encode()).hexdigest()
        size = built.derived(key, lambda query=query: answer_size(query))
        print(f"query {query.name:34} {size:5} result(s)  {query.title}")
    return 1 if manifest.validation["fails"]["violation"] or manifest.inconsistencies else 0


def bounded(kind: type[int] | type[float], low: float, high: float | None = None):  # noqa: ANN201
    """An argparse type: a number of `kind` in [low, high], else a usage error naming the value."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'an integer' if kind is int else 'a number'}") from None
        if value < low or (high is not None and value > high):
            limits = f"from {low:g} to {high:g}" if high is not None else f"at least {low:g}"
            raise argparse.ArgumentTypeError(f"{text} is out of range: give a number {limits}")
        return value

    parse.__name__ = kind.__name__
    return parse


def global_options(parser: argparse.ArgumentParser, subcommand: bool) -> None:
    """--debug and -C, accepted before or after the subcommand."""
    hidden = {"default": argparse.SUPPRESS} if subcommand else {}
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors", **hidden)
    parser.add_argument("-C", "--project", metavar="DIR", help="work on the project in DIR (see the resolution order "
                        "above)", **({"default": None} if not subcommand else hidden))


def subcommand(commands: argparse._SubParsersAction, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand whose --help has its description, exit codes and examples (from HELP)."""
    description, codes, examples = HELP[name]
    parser = commands.add_parser(name, help=summary, description=description,
                                 epilog=f"exit codes: {codes}\n\nexamples:\n  {examples}",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    global_options(parser, subcommand=True)
    return parser


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser; an extension's arguments are added only when that subcommand runs, so
    that `diplokg query` does not import the server, push, draw and docs modules."""

    extension: str | None = None

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None) -> tuple[argparse.Namespace, list[str]]:
        if self.extension is not None:
            module, self.extension = self.extension, None
            description, epilog = self.description, self.epilog
            importlib.import_module(module).configure(self)
            self.description = description + ("\n\n" + self.description if self.description != description else "")
            self.epilog = epilog if self.epilog == epilog else f"{epilog}\n\n{self.epilog}"
            self.formatter_class = argparse.RawDescriptionHelpFormatter
        return super().parse_known_args(args, namespace)


def extension(commands: argparse._SubParsersAction, name: str, module: str, summary: str) -> None:
    """A subcommand implemented in a module of its own (its configure(parser) adds the arguments)."""
    parser = subcommand(commands, name, summary)
    assert isinstance(parser, CommandParser)
    parser.extension = module


def add_init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", help="the new project's folder (new, or existing without a project)")
    parser.set_defaults(run=run_init)


def add_build(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(run=run_build)


def add_stats(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", help="table, csv or json (default: from -o, else table)")
    parser.add_argument("-o", "--output", default="-", help="output file, '-' for stdout (written atomically)")
    parser.set_defaults(run=run_stats)


def add_export(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", help="ttl, nt, nq, trig, jsonld or xml (default: from -o, else ttl)")
    parser.add_argument("-o", "--output", default="-", help="output file, '-' for stdout (written atomically)")
    parser.add_argument("--graph", metavar="IRI", help="write only this named graph (IRI or CURIE, e.g. graph:entities)")
    parser.add_argument("--no-ontology", action="store_true", help="leave the ontology graph out")
    parser.add_argument("--inferred", action="store_true", help="reason first and include the inferred graph")
    parser.set_defaults(run=run_export)


def add_anchor(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only check data/anchors/ is up to date (exit 1 if not)")
    parser.set_defaults(run=run_anchor)


def add_reason(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", help="write the inferred triples to this file")
    parser.add_argument("--format", help="RDF format of the output (default: from -o)")
    parser.add_argument("--engine", choices=["fast", "owlrl"], default="fast",
                        help="fast: SPARQL rules on pyoxigraph (default); owlrl: the reference reasoner")
    parser.set_defaults(run=run_reason)


def add_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", help="extra RDF files to check against the rest (e.g. a new source)")
    parser.add_argument("--format", choices=["text", "turtle", "json"], help="report format (default: from -o, else text)")
    parser.add_argument("-o", "--output", default="-", help="report file, '-' for stdout")
    parser.add_argument("--fail-on", choices=["violation", "warning", "info"], default="violation",
                        help="lowest severity that makes the exit code 1 (default: violation)")
    parser.add_argument("--no-reason", action="store_true", help="validate the asserted triples only")
    parser.add_argument("--endpoint", help="validate the data of a remote SPARQL endpoint instead")
    parser.add_argument("--engine", choices=["fast", "pyshacl"], default="fast",
                        help="fast: rules and the fast SHACL engine on pyoxigraph (default, also for extra files "
                             "and --endpoint); pyshacl: owlrl + pyshacl, the reference")
    parser.set_defaults(run=run_validate)


def add_queries(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(run=run_queries)


def add_query(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("name", nargs="?", help="saved query name (see `diplokg queries`)")
    which.add_argument("-f", "--file", help="a SPARQL query file (as sed -f and awk -f read a program)")
    which.add_argument("-e", "--expression", help="SPARQL text (the diplokg prefixes are declared for you)")
    parser.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter of the saved query (repeatable)")
    parser.add_argument("--format", help="table, csv, tsv, json, xml (SELECT/ASK); ttl, nt, jsonld, xml (CONSTRUCT)")
    parser.add_argument("-o", "--output", default="-", help="output file, '-' for stdout")
    parser.add_argument("--iri", action="store_true", help="show IRIs beside labels in the table")
    parser.add_argument("--inferred", action=argparse.BooleanOptionalAction, default=True,
                        help="include the reasoner's graph (default: yes)")
    parser.add_argument("--engine", choices=["oxigraph", "rdflib"], default="oxigraph",
                        help="embedded engine: oxigraph (fast, default) or rdflib (reference)")
    parser.add_argument("--endpoint", help="run on a remote SPARQL endpoint instead")
    parser.set_defaults(run=run_query)


COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "init": ("start a new project (marker, ontology, shapes, queries, empty data)", add_init),
    "build": ("the main job: load, reason, validate, cache and run every saved query", add_build),
    "stats": ("count triples, persons, organisations, posts, events, statements per graph", add_stats),
    "export": ("write the dataset in a W3C RDF format", add_export),
    "anchor": ("compute the character offsets of every evidence quote", add_anchor),
    "reason": ("compute the OWL RL closure and report inconsistencies", add_reason),
    "validate": ("reason, then validate against the SHACL shapes", add_validate),
    "queries": ("list the saved queries", add_queries),
    "query": ("run a saved query by name, or an ad-hoc one", add_query),
}


def requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand named on a command line (the first word that is not an option or -C's folder), if known."""
    words = iter(argv)
    for word in words:
        if word in ("-C", "--project"):
            next(words, None)
        elif not word.startswith("-"):
            return word if word in COMMANDS or word in EXTENSIONS else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with `only`, that subcommand's parser alone (building all fifteen costs ~10 ms, a
    tenth of a cold query)."""
    from importlib.util import find_spec

    parser = argparse.ArgumentParser(prog="diplokg", description=__doc__, epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"diplokg {__version__}")
    global_options(parser, subcommand=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=CommandParser)
    for name, (summary, add_arguments) in COMMANDS.items():
        if only in (None, name):
            add_arguments(subcommand(commands, name, summary))
    for name, (module, summary) in EXTENSIONS.items():
        if only in (None, name) and find_spec(module) is not None:
            extension(commands, name, module, summary)
    return parser


def run_init(args: argparse.Namespace) -> int:
    from diplokg.project import run_init as init

    return init(args)


def fail(message: str, code: int) -> int:
    """The one error path: one paragraph on stderr, prefixed with the program's name; the exit code."""
    print(f"diplokg: {message}", file=sys.stderr, flush=True)
    return code


def system_refusal(error: OSError) -> str:
    """One paragraph for an operating-system error: the file, what the system said and what to do; on a full disk
    standard output is sent to /dev/null, so that Python's own flush at exit does not fail a second time."""
    import errno
    import os

    hint = {errno.EACCES: "check the permissions of the file or folder",
            errno.EPERM: "check the permissions of the file or folder",
            errno.EROFS: "the file system is read-only; work on a writable copy",
            errno.ENOSPC: "the disk is full; free some space and run the command again (no file was half-written)",
            errno.ELOOP: "a symbolic link there leads to itself; remove it",
            errno.ENAMETOOLONG: "shorten the path"}.get(error.errno or 0, "check the path")
    where = f"{error.filename}: " if error.filename else "the system refused: "
    what = error.strerror or " ".join(str(error).split())
    if error.errno == errno.ENOSPC:
        with contextlib.suppress(OSError, ValueError):  # standard output may be no file at all
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return f"{where}{what}; {hint}. The command stopped."


def interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a `kill`, a CI timeout) ends the run as Ctrl-C does: through the one error path."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    import signal

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, interrupt)
    parser = build_parser(requested_command(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    try:
        use_project(args.project)
        if args.command != "init":
            print(f"diplokg: {default_layout().describe()}", file=sys.stderr, flush=True)
        code = int(args.run(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the one error path, not at exit
        return code
    except DiplokgError as error:
        if args.debug:
            raise
        return fail(str(error), error.exit_code)
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return fail("the output was closed before it was complete (broken pipe); stopped.", 2)
    except KeyboardInterrupt:
        return fail("interrupted; no file was changed.", 2)
    except OSError as error:  # the machine said no (permissions, a full disk, a link loop): not a bug
        if args.debug:
            raise
        return fail(system_refusal(error), 2)
    except Exception as error:  # a bug: one paragraph (the traceback with --debug)
        if args.debug:
            raise
        return fail(f"internal error: {type(error).__name__}: {error}. This is a bug in diplokg {__version__}; "
                    "run the command again with --debug to see the traceback, and report it.", 3)
    finally:
        use_project(None)
