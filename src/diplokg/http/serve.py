"""`diplokg serve`: the command line, and uvicorn with a limit on slow request headers."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from typing import Any

HEADER_TIMEOUT = 10.0  # seconds a client has to send a request's headers
MAX_HEADER_BYTES = 512 << 10  # bytes a request's headers may take (more than a socket read, which may hold body too)
MAX_TARGET_BYTES = 65535  # bytes of a request target httptools parses (it reads a URL's offsets as 16-bit numbers)
MAX_CONNECTIONS = 1000  # open connections and requests at once; past it new ones get 503


def check_port(host: str, port: int) -> None:
    """Fail early, with a clear message, if the address cannot be listened on."""
    from diplokg.errors import DiplokgError

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise DiplokgError(f"Cannot listen on {host}:{port}: {error.strerror or error}. "
                           "Pick another --port, or stop what is listening there.") from None


def protocol_class() -> type:
    """uvicorn's httptools protocol, closing connections that do not finish their headers in HEADER_TIMEOUT or
    send more than MAX_HEADER_BYTES of them, and saying what is wrong with a request its parser refuses."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class TimedHeaders(HttpToolsProtocol):
        header_timer: asyncio.TimerHandle | None = None
        header_bytes = 0

        def arm(self) -> None:
            self.disarm()
            self.header_timer = self.loop.call_later(HEADER_TIMEOUT, self.too_slow)

        def disarm(self) -> None:
            if self.header_timer is not None:
                self.header_timer.cancel()
                self.header_timer = None

        def refuse(self, status: str, reason: str) -> None:
            self.disarm()
            if self.transport is not None and not self.transport.is_closing():
                body = f"{status}: {reason}\n".encode()
                self.transport.write(f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close"
                                     f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
                self.transport.close()

        def too_slow(self) -> None:
            self.header_timer = None
            self.refuse("408 Request Timeout", "the request headers took too long.")

        def data_received(self, data: bytes) -> None:
            if self.header_timer is not None:  # still reading headers
                self.header_bytes += len(data)
                if self.header_bytes > MAX_HEADER_BYTES:
                    self.refuse("431 Request Header Fields Too Large",
                                f"the request headers are larger than this server's limit of {MAX_HEADER_BYTES} bytes.")
                    return
            super().data_received(data)

        def send_400_response(self, msg: str) -> None:  # uvicorn's answer to a parser error: "Invalid HTTP request"
            target = len(getattr(self, "url", b""))
            if target > MAX_TARGET_BYTES:
                self.refuse("414 URI Too Long", f"the request target is {target} bytes, more than the {MAX_TARGET_BYTES} "
                                                "this server reads. Send a long query by POST: the query itself as "
                                                "application/sparql-query, or a form with query=...")
            else:
                self.refuse("400 Bad Request", "this is not an HTTP/1.1 request this server can read: its request line or "
                                               "headers are malformed.")

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self.arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self.arm()

        def on_headers_complete(self) -> None:
            self.disarm()
            self.header_bytes = 0
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self.disarm()
            super().connection_lost(exc)

    return TimedHeaders


def base_url_of(args: argparse.Namespace) -> str:
    """The public base URL: --base-url, else the address listened on; always ending in a slash."""
    from urllib.parse import urlsplit

    from diplokg.errors import DiplokgError

    if args.base_url:
        parts = urlsplit(args.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise DiplokgError(f"--base-url {args.base_url!r} is not an http(s) URL such as https://example.org/kg/.")
        return args.base_url.rstrip("/") + "/"
    shown = f"[{args.host}]" if ":" in args.host else args.host
    return f"http://{shown}:{args.port}/"


def default_worker_memory(max_workers: int) -> int:
    """MiB per query by default: the machine's memory over the most workers and two (the server, the rest), within
    256 to 2048."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") >> 20
    return max(256, min(2048, physical // (max_workers + 2)))


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from diplokg.errors import DiplokgError
    from diplokg.http.app import Service, Settings, create_app
    from diplokg.http.sandbox import filter_program
    from diplokg.http.startup import load_served_data
    from diplokg.paths import default_layout

    if args.worker_memory is None:
        args.worker_memory = default_worker_memory(args.max_workers)
    for option, value in (("--timeout", args.timeout), ("--max-results", args.max_results), ("--max-bytes", args.max_bytes),
                          ("--workers", args.workers), ("--max-workers", args.max_workers),
                          ("--queries-per-client", args.queries_per_client), ("--worker-memory", args.worker_memory)):
        if value <= 0:
            raise DiplokgError(f"{option} must be positive, not {value}.")
    if args.answer_cache < 0:
        raise DiplokgError(f"--answer-cache must be 0 (off) or more, not {args.answer_cache}.")
    if args.max_workers < args.workers:
        raise DiplokgError(f"--max-workers ({args.max_workers}) must be at least --workers ({args.workers}).")
    try:
        filter_program()
    except OSError as error:
        raise DiplokgError(f"Cannot serve: {error}.") from None
    check_port(args.host, args.port)
    base = base_url_of(args)
    layout = default_layout()
    built = load_served_data(layout, args.allow_invalid)
    if built is None:
        return 1
    settings = Settings(layout, base, args.timeout, args.max_results, args.max_bytes, workers=args.workers,
                        max_workers=args.max_workers, per_client=args.queries_per_client, answer_cache=args.answer_cache,
                        worker_memory=args.worker_memory)
    service = Service(settings, built)
    print(f"diplokg: serving {base} on {args.host}:{args.port} (SPARQL endpoint {base}sparql, {settings.workers} "
          f"query workers ready, up to {settings.max_workers}, {settings.timeout:g} s and {settings.worker_memory} MiB "
          "per query); Ctrl-C stops",
          file=sys.stderr, flush=True)
    uvicorn.run(create_app(service), host=args.host, port=args.port, log_level="warning", http=protocol_class(),
                timeout_keep_alive=5, limit_concurrency=MAX_CONNECTIONS)
    return 0


def configure(parser: argparse.ArgumentParser) -> None:
    """The `serve` subcommand's arguments."""
    parser.description = (
        "Serve the graph over HTTP, read-only: a start page (/), a SPARQL 1.1 endpoint (/sparql) and its query page "
        "(/query), the saved queries (/queries), an HTML or RDF page for every entity IRI (/id/...), pictures "
        "(/pictures), the ontology reference (/docs), VoID (/.well-known/void) and dumps (/dumps/). It serves the "
        "built store (built first if the data changed: loaded, reasoned and validated). Queries run in sandboxed "
        "worker processes (no network) that open the same store read-only, with a "
        "deadline, answer caps and a limit per client.")
    from diplokg.cli import bounded

    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=bounded(int, 0, 65535), default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--base-url", metavar="URL",
                        help="the public URL of the server (behind a proxy), used in every link and description; "
                             "default: http://HOST:PORT/. The Host header is never used.")
    parser.add_argument("--allow-invalid", action="store_true",
                        help="serve even if the data has SHACL violations or OWL RL inconsistencies")
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S",
                        help="stop a query after S seconds and answer 503 (default: 10)")
    parser.add_argument("--max-results", type=int, default=10_000, metavar="N",
                        help="refuse answers of more than N rows or triples (422; default: 10000)")
    parser.add_argument("--max-bytes", type=int, default=16 << 20, metavar="B",
                        help="refuse answers of more than B bytes (422; default: 16 MiB)")
    parser.add_argument("--workers", type=int, default=max(2, min(4, os.cpu_count() or 1)), metavar="N",
                        help="query worker processes kept ready (default: the number of CPUs, 2 to 4)")
    parser.add_argument("--max-workers", type=int, default=8, metavar="N",
                        help="query worker processes at most, so queries running at once (default: 8)")
    parser.add_argument("--queries-per-client", type=int, default=4, metavar="N",
                        help="queries one client address may have running or waiting (429 past it; default: 4)")
    parser.add_argument("--worker-memory", type=int, metavar="MIB",
                        help="memory a query may use beyond its worker's open store; past it the worker stops and the "
                             "answer is 503 (default: the machine's memory over --max-workers + 2, within 256 to 2048 MiB)")
    parser.add_argument("--answer-cache", type=int, default=16 << 20, metavar="B",
                        help="remember the saved queries' small answers, up to B bytes in all (the data never changes "
                             "while the server runs; 0 turns it off; default: 16 MiB)")
    parser.set_defaults(run=run_serve)
