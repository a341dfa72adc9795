"""A query worker process: `python -m diplokg.http.worker BUILD_FOLDER`, driven by the server over its stdin/stdout.

It installs the network sandbox, opens the server's build read-only (`startup.open_worker_store`),
says it is ready,
then answers jobs one at a time: check the query (`guard`), run it on pyoxigraph with the job's
dataset, collect at most `limit` rows or triples and `max_bytes` bytes of values, serialise it as
asked and send it back: with its head when it fits one message, else in chunks after the head (or a
pickled Result, for the HTML pages). Messages are pickles
with a 4-byte length; the server is the only peer. The server kills a worker whose query outlives
its deadline or whose client went away, so nothing here watches the clock.
"""

from __future__ import annotations

import itertools
import os
import pickle
import signal
import struct
import sys
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, BinaryIO

import pyoxigraph as ox

from diplokg.engines import default_dataset, named_dataset, query_dataset
from diplokg.http.guard import Checked, check_graphs, check_query, readable_syntax_error
from diplokg.http.problems import Problem
from diplokg.prefixes import PREFIX_IRIS
from diplokg.results import Result, Term

CHUNK = 32 * 1024  # bytes per message of an answer (below a pipe's buffer)
TERM_OVERHEAD = 16  # bytes a serialisation adds to each value, at least, for the byte estimate
PARSER_STACK = 512 << 20  # the guard's parser recurses deeply on nested queries
HEADER = struct.Struct(">I")
CHECKED = (" (This server checks each query with the SPARQL 1.1 grammar before it runs; the grammar reads \\u escapes "
           "before anything else, so \\u0022 ends a string.)")


@dataclass(frozen=True)
class Job:
    """One query: text, answer formats, caps and dataset.

    `formats` maps the answer's kind ("results" for SELECT/ASK, "graph" for CONSTRUCT/DESCRIBE) to a
    short format name, "python" for the Result itself; a kind missing from it is a 406 (`accept` says why).
    `default_graphs`/`named_graphs` are the protocol's dataset; when both are None the query's own FROM
    clauses apply if it has any, else the union of the named graphs. A `trusted` query (a saved one)
    skips the guard; the diplokg prefixes are predeclared either way.
    """

    text: str
    formats: dict[str, str]
    limit: int
    max_bytes: int
    bindings: dict[str, Term] = field(default_factory=dict)
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    trusted: bool = False
    accept: str = ""


def send(stream: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: BinaryIO) -> Any:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise EOFError
    return pickle.loads(stream.read(HEADER.unpack(header)[0]))  # from our own server only


def too_large(limit: int, unit: str) -> Problem:
    return Problem(422, f"The answer has more than {limit} {unit}, this server's limit. Add LIMIT (with OFFSET to page "
                        "through it), select fewer or shorter values, or download a dump from /dumps/.")


def size_of(terms: Any) -> int:
    return sum(len(term.value) + TERM_OVERHEAD for term in terms if term is not None)


def collect(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, limit: int, max_bytes: int) -> Result:
    """A pyoxigraph answer as a Result, refusing more than `limit` rows or triples or `max_bytes` of values."""
    if isinstance(answer, ox.QueryBoolean):
        return Result("ask", boolean=bool(answer))
    triples = isinstance(answer, ox.QueryTriples)
    variables = [] if triples else [v.value for v in answer.variables]
    items: list[Any] = []
    size = 0
    for item in itertools.islice(answer, limit + 1):
        row = item if triples else tuple(item)  # a solution's values, in the order of the variables
        size += size_of(row)
        if size > max_bytes:
            raise too_large(max_bytes, "bytes")
        items.append(row)
    if len(items) > limit:
        raise too_large(limit, "triples" if triples else "rows")
    return Result("graph", triples=items) if triples else Result("select", variables, items)


def job_dataset(job: Job, verdict: Checked | None, store: ox.Store) -> tuple[ox.Store, dict[str, Any]]:
    """The store to ask and the keyword arguments of Store.query that give the job its dataset: the protocol's,
    else the query's FROM clauses (engines.named_dataset: each graph once, several default graphs merged), else
    the union of the named graphs. A saved query (no verdict: the guard does not check it) is read as
    `diplokg query` reads it."""
    if job.default_graphs is not None or job.named_graphs is not None:
        return named_dataset(store, job.default_graphs or (), job.named_graphs or ())
    if verdict is None:
        return query_dataset(store, job.text, PREFIX_IRIS, True)
    if verdict.dataset_clause:
        return named_dataset(store, verdict.default_graphs, verdict.named_graphs)
    return store, default_dataset(store)


def engine_syntax_error(text: str, prefixes: dict[str, str]) -> str | None:
    """pyoxigraph's own syntax error for a text, if it has one (parsed against an empty store, no network)."""
    try:
        ox.Store().query(text, prefixes=prefixes)
    except SyntaxError as error:
        return str(error)
    except (OSError, ValueError, TypeError, RuntimeError):
        return None
    return None


@lru_cache(maxsize=256)
def checked(text: str) -> Checked:
    """The guard's verdict on a query text (the parser takes milliseconds per line; a repeated text is free)."""
    return check_query(text, PREFIX_IRIS)


def execute(store: ox.Store, graphs: list[str], job: Job) -> tuple[int, str, bytes | Result]:
    """Run one job: (status, "kind:format" or an error message, serialised answer or Result)."""
    from diplokg.engines import bound_query
    from diplokg.errors import DiplokgError
    from diplokg.results import WRITERS, graph_bytes

    try:
        verdict = None
        if not job.trusted:
            try:
                verdict = checked(job.text)
            except SyntaxError as error:
                engine = engine_syntax_error(job.text, PREFIX_IRIS)
                message = readable_syntax_error(job.text, engine or str(error))
                escaped = not engine and ("\\u" in job.text or "\\U" in job.text)  # where the grammars part ways
                raise Problem(400, message + CHECKED if escaped else message) from None
            check_graphs([*verdict.graphs, *(job.default_graphs or ()), *(job.named_graphs or ())], graphs)
        asked, dataset = job_dataset(job, verdict, store)
        answer = bound_query(asked, job.text, job.bindings, prefixes=PREFIX_IRIS, **dataset)
        result = collect(answer, job.limit, job.max_bytes)
    except SyntaxError as error:
        return 400, readable_syntax_error(job.text, str(error)), b""
    except Problem as problem:
        return problem.status, problem.message, b""
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        return 500, f"The query failed while running: {' '.join(str(error).split())}", b""
    kind = "graph" if result.kind == "graph" else "results"
    name = job.formats.get(kind)
    if name is None:
        return 406, (f"Cannot give this {'graph' if kind == 'graph' else 'result'} in any of the media types of Accept: "
                     f"{job.accept}."), b""
    if name == "python":
        return 200, f"{kind}:{name}", result
    try:
        body = graph_bytes(result, name) if kind == "graph" else WRITERS[name](result).encode("utf-8")
    except DiplokgError as error:  # a value the asked format cannot carry
        return 406, str(error), b""
    if len(body) > job.max_bytes:
        return 422, too_large(job.max_bytes, "bytes").message, b""
    return 200, f"{kind}:{name}", body


def serve(jobs: BinaryIO, answers: BinaryIO, folder: str, memory_mib: int) -> None:
    """Open the build, limit the memory a query may add, say so, then answer jobs until the server closes the pipe."""
    from diplokg.http.startup import open_worker_store

    store = open_worker_store(folder)
    graphs = sorted(g.value for g in store.named_graphs())
    check_query("ASK {}", {})  # load the parser now, not during the first query
    limit_memory(memory_mib)
    send(answers, ("ready", os.getpid()))
    while True:
        try:
            job = receive(jobs)
        except EOFError:
            return
        try:
            status, detail, body = execute(store, graphs, job)
        except MemoryError:
            os._exit(1)  # past the memory limit: the server says so and starts another worker
        if isinstance(body, Result) or status != 200 or len(body) <= CHUNK:
            send(answers, (status, detail, body))  # the whole answer in one message
            continue
        send(answers, (status, detail, len(body)))
        for start in range(0, len(body), CHUNK):
            send(answers, body[start:start + CHUNK])


def limit_memory(extra_mib: int) -> None:
    """Let this process's data (heap and private mappings: RLIMIT_DATA) grow by at most `extra_mib` MiB beyond what
    it holds now, the store open: a query that needs more fails to allocate (MemoryError in Python; pyoxigraph
    aborts the process, and the server replaces it), instead of taking the machine's memory. No core dump."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with open("/proc/self/status", encoding="ascii") as status:
        held = next(int(line.split()[1]) << 10 for line in status if line.startswith("VmData:"))
    limit, (_, hard) = held + (extra_mib << 20), resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def main(argv: list[str]) -> int:
    from diplokg.http.sandbox import block_network

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints go to stderr, never into the answers
    block_network()
    sys.setrecursionlimit(20_000)
    threading.stack_size(PARSER_STACK)
    runner = threading.Thread(target=serve, args=(sys.stdin.buffer, answers, argv[1], int(argv[2])), name="diplokg-query-worker")
    runner.start()
    runner.join()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
