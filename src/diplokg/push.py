"""`diplokg push`: upload the dataset to a SPARQL server through the SPARQL 1.1 Graph Store Protocol.

Each named graph (ontology, entities, one per source, and the inferred graph on request) goes up
in one PUT to a temporary graph; once every upload is in and its triple count checked, each moves
into place with SPARQL Update `MOVE`, so a target graph is either untouched or complete. A server
without SPARQL Update gets one PUT straight into each target graph instead. Transient failures (no
answer, HTTP 502/503/504) are retried with backoff; a failure removes the temporary graphs and says
exactly which graphs were written. At the end the server's triple count of every graph must equal ours.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from tqdm import tqdm

    from diplokg.remote import Http, RemoteEngine

# The last path segment of the query endpoint -> those of the Graph Store and of the update endpoint:
# Oxigraph (/query), Virtuoso (/sparql, /sparql-auth); anything else (a Fuseki dataset URL) serves all three.
SIBLINGS = {"query": ("store", "update"), "sparql": ("sparql-graph-crud", "sparql"),
            "sparql-auth": ("sparql-graph-crud-auth", "sparql-auth")}
CHUNK = 1 << 16


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = """examples:
  diplokg push --endpoint http://localhost:7878/query --inferred                  Oxigraph
  diplokg push --endpoint http://localhost:3030/ds --replace                      Fuseki (dataset URL)
  DIPLOKG_USER=dba DIPLOKG_PASSWORD=... diplokg push --endpoint http://localhost:8890/sparql \\
      --graph-store http://localhost:8890/sparql-graph-crud-auth --update http://localhost:8890/sparql-auth
credentials: DIPLOKG_USER and DIPLOKG_PASSWORD, else ~/.netrc; sent only when the server asks."""
    parser.add_argument("--endpoint", required=True, help="the server's SPARQL query endpoint (used for the counts)")
    parser.add_argument("--graph-store", help="its Graph Store Protocol URL (default: guessed from --endpoint: "
                        "/query -> /store, /sparql -> /sparql-graph-crud, else the endpoint itself)")
    parser.add_argument("--update", help="its SPARQL Update endpoint (default: /query -> /update, else the endpoint)")
    parser.add_argument("--replace", action="store_true", help="replace graphs the server already holds")
    parser.add_argument("--inferred", action="store_true", help="push the inferred graph (OWL RL closure) too")
    from diplokg.cli import bounded

    parser.add_argument("--retries", type=bounded(int, 0, 100), default=4,
                        help="retries of a request on a transient failure (default 4)")
    parser.add_argument("--timeout", type=bounded(float, 0.001), default=120.0,
                        help="seconds to wait for each answer (default 120)")
    parser.set_defaults(run=run_push)


@dataclass(frozen=True)
class LocalGraph:
    """One named graph to push: its IRI, triple count and N-Triples bytes."""

    name: str
    triples: int
    data: bytes


def local_graphs(inferred: bool) -> list[LocalGraph]:
    """The built store's named graphs: ontology, entities, the sources, and the inferred graph if asked."""
    import pyoxigraph as ox

    from diplokg.paths import default_layout
    from diplokg.prefixes import ENTITIES_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
    from diplokg.store import open_built

    built = open_built(default_layout())
    names = [name for name in built.manifest.graphs if inferred or name != INFERRED_GRAPH]
    first = {ONTOLOGY_GRAPH: 0, ENTITIES_GRAPH: 1, INFERRED_GRAPH: 3}
    graphs = []
    for name in sorted(names, key=lambda name: (first.get(name, 2), name)):
        data = built.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)) or b""
        graphs.append(LocalGraph(name, built.manifest.graphs[name], data))
    return graphs


def sibling_urls(endpoint: str) -> tuple[str, str]:
    """The Graph Store and update URLs a server usually puts beside its query endpoint."""
    parts = urlsplit(endpoint)
    head, _, last = parts.path.rpartition("/")
    store, update = SIBLINGS.get(last, (last, last))
    return (urlunsplit(parts._replace(path=f"{head}/{store}")), urlunsplit(parts._replace(path=f"{head}/{update}")))


class Body:
    """The bytes of one upload in chunks, advancing the progress bar; iterable again for a retry."""

    def __init__(self, data: bytes, bar: tqdm) -> None:
        self.data, self.bar, self.sent = data, bar, 0

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), CHUNK):
            chunk = self.data[start:start + CHUNK]
            yield chunk
            end = start + len(chunk)
            if end > self.sent:
                self.bar.update(end - self.sent)
                self.sent = end


@dataclass
class Pusher:
    """One push: the server's URLs, the HTTP client, and which graphs have been written so far."""

    engine: RemoteEngine
    http: Http
    store_url: str
    update_url: str
    token: str = field(default_factory=lambda: secrets.token_hex(6))
    atomic: bool = True
    written: list[str] = field(default_factory=list)
    writing: str | None = None

    def temporary(self, name: str) -> str:
        """The temporary graph a graph is uploaded to before it moves into place."""
        return f"urn:diplokg:upload:{self.token}:{name.rsplit('/', 1)[-1]}"

    def put(self, target: str, graph: LocalGraph, bar: tqdm) -> None:
        started = time.monotonic()
        self.http.request("PUT", self.store_url, f"Uploading {graph.name}", params={"graph": target},
                          content=Body(graph.data, bar),
                          headers={"Content-Type": "text/turtle", "Content-Length": str(len(graph.data))})
        bar.write(f"uploaded {graph.name} ({graph.triples} triples, {len(graph.data) / 1024:.0f} KiB) "
                  f"in {time.monotonic() - started:.2f} s", file=sys.stderr)

    def update(self, text: str, what: str) -> None:
        self.http.request("POST", self.update_url, what, data={"update": text})

    def prepare(self, graphs: list[LocalGraph], replace: bool) -> None:
        """Refuse to overwrite graphs unless told to; use temporary graphs and MOVE if the update endpoint
        takes SPARQL Update (tried with a harmless CLEAR of an unused graph)."""
        from diplokg.errors import DiplokgError
        from diplokg.remote import TRANSIENT_STATUS, RemoteError

        occupied = [f"{name} ({n} triples)" for name, n in self.engine.counts([g.name for g in graphs]).items() if n]
        if occupied and not replace:
            raise DiplokgError(f"The server already holds {', '.join(occupied)}; push with --replace to replace them.")
        try:
            self.update(f"CLEAR SILENT GRAPH <{self.temporary('probe')}>", "SPARQL Update")
        except RemoteError as error:
            if error.status is None or error.status in TRANSIENT_STATUS:
                raise
            print(f"diplokg: note: {self.update_url} takes no SPARQL Update (HTTP {error.status}); each graph is "
                  "uploaded in place with one PUT instead (atomic per graph on the usual servers).", file=sys.stderr)
            self.atomic = False

    def upload(self, graphs: list[LocalGraph]) -> None:
        """Upload every graph (to temporary graphs, checked, then moved; or in place), noting each one written."""
        from tqdm import tqdm

        from diplokg.remote import RemoteError

        with tqdm(total=sum(len(g.data) for g in graphs), unit="B", unit_scale=True, unit_divisor=1024, desc="push",
                  file=sys.stderr, disable=None, leave=False) as bar:
            for graph in graphs:
                self.writing = None if self.atomic else graph.name
                self.put(self.temporary(graph.name) if self.atomic else graph.name, graph, bar)
                if not self.atomic:
                    self.written.append(graph.name)
        if not self.atomic:
            return
        uploaded = self.engine.counts([self.temporary(g.name) for g in graphs])
        for graph in graphs:
            if uploaded[self.temporary(graph.name)] != graph.triples:
                raise RemoteError(f"The server holds {uploaded[self.temporary(graph.name)]} triples of the upload of "
                                  f"{graph.name}, not {graph.triples}: it changed or lost data while loading it.")
        for graph in graphs:
            self.writing = graph.name
            self.update(f"MOVE <{self.temporary(graph.name)}> TO <{graph.name}>", f"Moving {graph.name} into place")
            self.written.append(graph.name)
        self.writing = None

    def settle(self, graphs: list[LocalGraph]) -> str:
        """After a failure: ask whether the graph being written made it, remove the temporary graphs, and
        say exactly what the server holds of this push."""
        from diplokg.errors import DiplokgError

        unsure = [self.writing] if self.writing else []
        if unsure:
            ours = next(g.triples for g in graphs if g.name == self.writing)
            temporary = self.temporary(self.writing) if self.atomic else None
            try:
                counts = self.engine.counts(unsure + ([temporary] if temporary else []))
                if counts[self.writing] == ours and not counts.get(temporary or "", 0):
                    self.written.append(self.writing)
                unsure = []
            except DiplokgError:
                pass
        left = self.remove([self.temporary(g.name) for g in graphs if g.name not in self.written]) if self.atomic else []
        not_written = [g.name for g in graphs if g.name not in self.written and g.name not in unsure]
        parts = [f"Written (complete): {', '.join(self.written)}." if self.written else "No graph was written."]
        if unsure:
            parts.append(f"Unknown (the server did not confirm and could not be asked): {', '.join(unsure)}.")
        if not_written and self.written:
            parts.append(f"Not written: {', '.join(not_written)}.")
        if left:
            parts.append(f"Temporary graphs left on the server (drop them): {', '.join(left)}.")
        return " ".join(parts)

    def remove(self, names: list[str]) -> list[str]:
        """Delete temporary graphs (best effort); the ones that could not be deleted."""
        from diplokg.remote import RemoteError

        left = []
        for name in names:
            try:
                self.http.request("DELETE", self.store_url, f"Removing {name}", params={"graph": name},
                                  accept_status=(404,))
            except RemoteError:
                left.append(name)
        return left


def run_push(args: argparse.Namespace) -> int:
    from diplokg.errors import DiplokgError
    from diplokg.remote import Http, RemoteEngine

    graphs = local_graphs(args.inferred)
    http = Http(timeout=args.timeout, retries=args.retries)
    engine = RemoteEngine(args.endpoint, http)
    guessed_store, guessed_update = sibling_urls(args.endpoint)
    pusher = Pusher(engine, http, args.graph_store or guessed_store, args.update or guessed_update)
    started = time.monotonic()
    try:
        try:
            pusher.prepare(graphs, args.replace)
        except DiplokgError as error:
            raise DiplokgError(f"{error} Nothing was written.") from None
        try:
            pusher.upload(graphs)
            seconds = time.monotonic() - started
            after = engine.counts()
        except DiplokgError as error:
            raise DiplokgError(f"{error} {pusher.settle(graphs)}") from None
    finally:
        http.close()
    size = sum(len(g.data) for g in graphs)
    print(f"pushed {len(graphs)} graphs ({sum(g.triples for g in graphs)} triples, {size / 1024:.0f} KiB) to "
          f"{pusher.store_url} in {seconds:.2f} s ({'temporary graphs + MOVE' if pusher.atomic else 'PUT in place'})")
    width = max(len(g.name) for g in graphs)
    print(f"{'graph'.ljust(width)}  {'here':>8}  {'server':>8}")
    mismatches = 0
    for graph in graphs:
        remote = after.get(graph.name, 0)
        mismatches += remote != graph.triples
        flag = "" if remote == graph.triples else "  MISMATCH"
        print(f"{graph.name.ljust(width)}  {graph.triples:>8}  {remote:>8}{flag}")
    others = sorted(set(after) - {g.name for g in graphs})
    if others:
        print(f"diplokg: note: the server also holds diplokg graphs this push did not write: {', '.join(others)}",
              file=sys.stderr)
    if mismatches:
        print(f"diplokg: {mismatches} graph(s) hold a different number of triples on the server.", file=sys.stderr)
    return 1 if mismatches else 0
