"""The Python API: load the graph, run saved or ad-hoc queries, validate, list the saved queries.

Every function takes `project=` (a folder holding diplokg.toml); without it the project is found
as the command line finds it (DIPLOKG_HOME, then the nearest diplokg.toml upward from the current
directory, else the built-in two-source graph). Bad input raises `diplokg.DiplokgError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diplokg.errors import DiplokgError

if TYPE_CHECKING:
    import pandas
    from rdflib import Dataset, Graph

    from diplokg.catalogue import SavedQuery
    from diplokg.results import Result
    from diplokg.validation import Report


def load(project: str | Path | None = None, inferred: bool = False) -> Dataset:
    """The dataset as an rdflib Dataset: the ontology graph, the shared entities, one named graph per
    source and, with `inferred=True`, the OWL RL closure in the graph .../graph/inferred.

    The default graph is the union of the named graphs, so `dataset.query(...)` sees everything."""
    from diplokg.paths import layout_of

    layout = layout_of(project)
    if not inferred:
        from diplokg.loading import load_dataset

        return load_dataset(layout)
    from diplokg.engines import to_rdflib
    from diplokg.loading import new_dataset
    from diplokg.store import open_store

    dataset = new_dataset()
    store = open_store(layout)
    for quad in (q for g in store.named_graphs() for q in store.quads_for_pattern(None, None, None, g)):
        graph = dataset.graph(to_rdflib(quad.graph_name))
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return dataset


@dataclass(frozen=True)
class Table:
    """The answer to a SELECT query: `.columns`, `.rows` of Python values (str for IRIs, int, date, ...),
    `.terms` (the RDF terms, as rdflib terms), `.to_csv()`, `.to_dataframe()`, and an HTML table in notebooks."""

    columns: list[str]
    terms: list[tuple[Any, ...]]
    result: Result

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        return [tuple(None if term is None else term.toPython() for term in row) for row in self.terms]

    def __len__(self) -> int:
        return len(self.terms)

    def to_csv(self) -> str:
        """SPARQL 1.1 CSV (lexical values, CRLF line ends)."""
        from diplokg.results import to_csv

        return to_csv(self.result)

    def to_dataframe(self) -> pandas.DataFrame:
        """A pandas DataFrame of `.rows` (needs pandas: `pip install 'diplokg[dataframe]'`)."""
        try:
            import pandas
        except ImportError:
            raise DiplokgError("Table.to_dataframe() needs pandas, which is not installed; install it with "
                               "`pip install 'diplokg[dataframe]'` (or `pip install pandas`).") from None
        return pandas.DataFrame(self.rows, columns=self.columns)

    def _repr_html_(self) -> str:
        import html

        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{'' if v is None else html.escape(str(v))}</td>" for v in row) + "</tr>"
                       for row in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><p>{len(self)} row(s)</p>"


def parameter_text(name: str, value: object) -> str:
    """A Python parameter value as the command line would give it (dates ISO, booleans lower case)."""
    import datetime

    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, datetime.date | int | float | str):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    raise DiplokgError(f"Parameter {name!r}: {value!r} is a {type(value).__name__}; give a str, int, float, bool "
                       "or datetime.date.")


def query(name_or_sparql: str, project: str | Path | None = None, inferred: bool = True, engine: str = "oxigraph",
          **params: object) -> Table | Graph | bool:
    """Run a saved query by name (with typed parameters, bound as RDF terms exactly as on the command
    line) or SPARQL text (diplokg's prefixes declared). SELECT gives a `Table`, ASK a bool,
    CONSTRUCT/DESCRIBE an rdflib Graph. `engine` is "oxigraph" (default) or "rdflib" (the reference)."""
    from diplokg.catalogue import find_query, load_catalogue
    from diplokg.paths import layout_of
    from diplokg.prefixes import PREFIX_IRIS

    layout = layout_of(project)
    values = {name: parameter_text(name, value) for name, value in params.items()}
    catalogue = load_catalogue(layout.queries_dir) if layout.queries_dir.is_dir() else {}
    if any(character.isspace() or character == "{" for character in name_or_sparql):  # names are slugs
        if values:
            raise DiplokgError("Parameters work with saved queries only; write the values into your SPARQL text.")
        text, bindings, prefixes = name_or_sparql, {}, PREFIX_IRIS
    else:
        saved = find_query(catalogue, name_or_sparql)
        text, bindings, prefixes = saved.text, saved.bind(values), None
    return answer(run_on(layout, engine).query(text, bindings, inferred=inferred, prefixes=prefixes))


def run_on(layout: object, engine: str) -> Any:
    """The query engine of a project: pyoxigraph on the built store, or rdflib on the reasoned dataset."""
    if engine == "oxigraph":
        from diplokg.engines import OxigraphEngine
        from diplokg.store import open_store

        return OxigraphEngine(open_store(layout))
    if engine == "rdflib":
        from diplokg.cli import load_reasoned
        from diplokg.engines import RdflibEngine

        return RdflibEngine(load_reasoned(layout)[0])
    raise DiplokgError(f"Unknown engine {engine!r}; use 'oxigraph' or 'rdflib'.")


def answer(result: Result) -> Table | Graph | bool:
    """A query Result in the API's terms."""
    from diplokg.engines import to_rdflib

    if result.kind == "ask":
        return bool(result.boolean)
    if result.kind == "graph":
        from rdflib import Graph

        from diplokg.namespaces import bind_prefixes

        graph = Graph()
        bind_prefixes(graph.namespace_manager)
        for triple in result.triples:
            graph.add(tuple(map(to_rdflib, triple)))
        return graph
    terms = [tuple(None if t is None else to_rdflib(t) for t in row) for row in result.rows]
    return Table(list(result.variables), terms, result)


def validate(project: str | Path | None = None, files: list[str | Path] | tuple[str | Path, ...] = (),
             engine: str = "fast", reason: bool = True) -> Report:
    """Reason, then check the SHACL shapes; a Report with `.conforms`, `.findings` (file, line, node, path,
    message, severity) and `.results_graph`. `files` are extra facts files checked with the rest;
    `engine` is "fast" (default) or "pyshacl" (the reference)."""
    from diplokg.cli import validation_report
    from diplokg.paths import layout_of

    if engine not in ("fast", "pyshacl"):
        raise DiplokgError(f"Unknown engine {engine!r}; use 'fast' or 'pyshacl'.")
    report, _ = validation_report(layout_of(project), [Path(p) for p in files], engine, reason)
    return report


def saved_queries(project: str | Path | None = None) -> list[SavedQuery]:
    """The saved queries: name, title, description, typed parameters with defaults, examples, text."""
    from diplokg.catalogue import load_catalogue
    from diplokg.paths import layout_of

    return list(load_catalogue(layout_of(project).queries_dir).values())
