"""diplokg: a knowledge graph of diplomacy, built from source texts with evidence for every fact.

Exit codes: 0 ok (or the data conforms), 1 violations found, 2 usage or input error.
Formats are guessed from the output file's extension and can be set by short name or media type;
'-' means standard output.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from diplokg.errors import DiplokgError
from diplokg.paths import Layout, default_layout

if TYPE_CHECKING:
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
  diplokg stats                                   counts per named graph
  diplokg validate                                reason, then check the shapes (exit 1 on violations)
  diplokg validate data/facts/new-source.ttl      check one new facts file against the rest
  diplokg queries                                 the saved queries
  diplokg query attendees-by-delegation --param event=event:2021-08-11-lunch-meeting
  diplokg query -e 'SELECT ?p WHERE { ?p a foaf:Person }' --format csv
  diplokg export -o dump.trig                     the whole dataset, named graphs kept
"""


def progress(message: str) -> None:
    """A progress line on stderr, for long steps (only on a terminal)."""
    if sys.stderr.isatty():
        print(f"… {message}", file=sys.stderr, flush=True)


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
    from diplokg.stats import KINDS
    from diplokg.store import open_built

    table = open_built(default_layout(), progress=progress).statistics()  # counted once per build
    columns = ["triples", *KINDS]
    width = max(len(name) for name in table) + 2
    print("graph".ljust(width) + "".join(c.rjust(14) for c in columns))
    for name, counts in table.items():
        print(name.ljust(width) + "".join(str(counts[c]).rjust(14) for c in columns))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from diplokg.export import export_store
    from diplokg.formats import graph_format
    from diplokg.store import open_store

    rdf_format = graph_format(args.format, args.output)
    export_store(open_store(default_layout()), rdf_format, args.output, ontology=not args.no_ontology,
                 inferred=args.inferred)
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

    from diplokg.fileio import write_atomically
    from diplokg.formats import graph_format

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
        write_atomically(args.output, lambda stream: stream.write(data))
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


def run_validate(args: argparse.Namespace) -> int:
    from diplokg.fileio import write_atomically
    from diplokg.validation import display_path, render_json, render_text, validate

    layout = default_layout()
    extra = [Path(p) for p in args.files]
    if args.engine == "fast":
        report, closure = fast_validation(layout, not args.no_reason, extra, args.endpoint)
    else:
        if args.endpoint:
            from diplokg.remote import fetch_dataset

            dataset, closure = fetch_dataset(args.endpoint), None
        else:
            dataset, closure = load_reasoned(layout, reason=not args.no_reason, extra=extra)
        progress("validating (pyshacl)")
        from diplokg.namespaces import GRAPH

        report = validate(dataset, layout, {GRAPH[p.stem]: [p] for p in extra})
    if closure is not None and not closure.consistent:
        print("OWL RL inconsistencies:\n  - " + "\n  - ".join(closure.inconsistencies), file=sys.stderr)
    only = display_path(extra[0], layout.root) if len(extra) == 1 else None
    if args.format == "turtle":
        text = report.results_graph.serialize(format="turtle")
    elif args.format == "json":
        text = render_json(report)
    else:
        text = render_text(report, only)
    write_atomically(args.output, lambda stream: stream.write(text.encode("utf-8")))
    failed = report.fails(args.fail_on) or (closure is not None and not closure.consistent)
    return 1 if failed else 0


def parse_params(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise DiplokgError(f"--param takes name=value, not {pair!r}.")
        values[name] = value
    return values


def run_queries(args: argparse.Namespace) -> int:
    from diplokg.catalogue import load_catalogue

    for query in load_catalogue(default_layout().queries_dir).values():
        params = ", ".join(f"{p.name} ({p.type})" for p in query.parameters)
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


def run_query(args: argparse.Namespace) -> int:
    from diplokg.catalogue import find_query, load_catalogue
    from diplokg.engines import labels_of
    from diplokg.fileio import write_atomically
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
        if args.file:
            try:
                text = Path(args.file).read_text(encoding="utf-8")
            except OSError as error:
                raise DiplokgError(f"{args.file}: cannot read the query file: {error}.") from None
        else:
            text = args.expression
        bindings = {}
    engine = make_engine(args, layout)
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
    write_atomically(args.output, lambda stream: stream.write(data))
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
        result = engine.query(query.text, query.bind({}))
        return len(result.rows) if result.kind == "select" else len(result.triples) if result.kind == "graph" else 1

    for query in load_catalogue(layout.queries_dir).values():  # each answer counted once per build and query text
        key = "answer size " + hashlib.sha256(query.text.encode()).hexdigest()
        size = built.derived(key, lambda query=query: answer_size(query))
        print(f"query {query.name:34} {size:5} result(s)  {query.title}")
    return 1 if manifest.validation["fails"]["violation"] or manifest.inconsistencies else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="diplokg", description=__doc__, epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="the main job: load, reason, validate, cache and run every saved query")
    build.set_defaults(run=run_build)

    stats = commands.add_parser("stats", help="count triples, persons, organisations, posts, events, statements per graph")
    stats.set_defaults(run=run_stats)

    export = commands.add_parser("export", help="write the dataset in a W3C RDF format")
    export.add_argument("--format", "-f", help="ttl, nt, nq, trig, jsonld or xml (default: from -o, else ttl)")
    export.add_argument("-o", "--output", default="-", help="output file, '-' for stdout (written atomically)")
    export.add_argument("--no-ontology", action="store_true", help="leave the ontology graph out")
    export.add_argument("--inferred", action="store_true", help="reason first and include the inferred graph")
    export.set_defaults(run=run_export)

    anchor = commands.add_parser("anchor", help="compute the character offsets of every evidence quote")
    anchor.add_argument("--check", action="store_true", help="only check data/anchors/ is up to date (exit 1 if not)")
    anchor.set_defaults(run=run_anchor)

    reason = commands.add_parser("reason", help="compute the OWL RL closure and report inconsistencies")
    reason.add_argument("-o", "--output", help="write the inferred triples to this file")
    reason.add_argument("--format", help="RDF format of the output (default: from -o)")
    reason.add_argument("--engine", choices=["fast", "owlrl"], default="fast",
                        help="fast: SPARQL rules on pyoxigraph (default); owlrl: the reference reasoner")
    reason.set_defaults(run=run_reason)

    validate = commands.add_parser("validate", help="reason, then validate against the SHACL shapes")
    validate.add_argument("files", nargs="*", help="extra RDF files to check against the rest (e.g. a new source)")
    validate.add_argument("--format", choices=["text", "turtle", "json"], default="text", help="report format")
    validate.add_argument("-o", "--output", default="-", help="report file, '-' for stdout")
    validate.add_argument("--fail-on", choices=["violation", "warning", "info"], default="violation",
                          help="lowest severity that makes the exit code 1 (default: violation)")
    validate.add_argument("--no-reason", action="store_true", help="validate the asserted triples only")
    validate.add_argument("--endpoint", help="validate the data of a remote SPARQL endpoint instead")
    validate.add_argument("--engine", choices=["fast", "pyshacl"], default="fast",
                          help="fast: rules and the fast SHACL engine on pyoxigraph (default, also for extra files "
                               "and --endpoint); pyshacl: owlrl + pyshacl, the reference")
    validate.set_defaults(run=run_validate)

    queries = commands.add_parser("queries", help="list the saved queries")
    queries.set_defaults(run=run_queries)

    query = commands.add_parser("query", help="run a saved query by name, or an ad-hoc one")
    which = query.add_mutually_exclusive_group(required=True)
    which.add_argument("name", nargs="?", help="saved query name (see `diplokg queries`)")
    which.add_argument("-f", "--file", help="a SPARQL query file")
    which.add_argument("-e", "--expression", help="SPARQL text (the diplokg prefixes are declared for you)")
    query.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                       help="a parameter of the saved query (repeatable)")
    query.add_argument("--format", help="table, csv, tsv, json, xml (SELECT/ASK); ttl, nt, jsonld, xml (CONSTRUCT)")
    query.add_argument("-o", "--output", default="-", help="output file, '-' for stdout")
    query.add_argument("--iri", action="store_true", help="show IRIs beside labels in the table")
    query.add_argument("--inferred", action=argparse.BooleanOptionalAction, default=True,
                       help="include the reasoner's graph (default: yes)")
    query.add_argument("--engine", choices=["oxigraph", "rdflib"], default="oxigraph",
                       help="embedded engine: oxigraph (fast, default) or rdflib (reference)")
    query.add_argument("--endpoint", help="run on a remote SPARQL endpoint instead")
    query.set_defaults(run=run_query)

    for name, (module, summary) in EXTENSIONS.items():
        if importlib.util.find_spec(module) is not None:
            importlib.import_module(module).configure(commands.add_parser(name, help=summary))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except DiplokgError as error:
        if args.debug:
            raise
        print(f"diplokg: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("diplokg: interrupted", file=sys.stderr)
        return 130
