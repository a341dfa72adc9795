"""The ASGI application: the shared service, response helpers, headers, errors and the routes.

Every response carries the security headers (nosniff, a same-origin Content-Security-Policy,
no framing, same-origin referrers); large ones are gzipped; pages, descriptions and dumps carry an
ETag (answered 304 when it matches) and a Cache-Control lifetime, since the data never changes while
the server runs. Errors are plain text, JSON or HTML by the Accept header, always with a sentence.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from diplokg.http.negotiation import graph_offers, media_type, negotiate, require_format
from diplokg.http.problems import Problem

if TYPE_CHECKING:
    import pyoxigraph as ox
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from diplokg.catalogue import SavedQuery
    from diplokg.http.describe import Descriptions
    from diplokg.http.pool import WorkerPool
    from diplokg.pages import Pages
    from diplokg.paths import Layout
    from diplokg.store import Built

PAGE_LIFETIME = 300  # seconds a browser or proxy may keep a page without asking again


@dataclass(frozen=True)
class Settings:
    """What `diplokg serve` was asked for."""

    layout: Layout
    base_url: str
    timeout: float = 10.0
    max_results: int = 10_000
    max_bytes: int = 16 << 20
    max_request_bytes: int = 1 << 20
    workers: int = 2
    max_workers: int = 8
    per_client: int = 4
    answer_cache: int = 16 << 20
    worker_memory: int = 1024  # MiB a query may add to its worker process


class Service:
    """Everything the handlers share: settings, the pages' store, the catalogue, the workers, the saved queries'
    remembered answers, descriptions, dumps."""

    def __init__(self, settings: Settings, built: Built) -> None:
        from diplokg.catalogue import load_catalogue
        from diplokg.export import Dumps
        from diplokg.http.answers import AnswerCache
        from diplokg.http.describe import Descriptions
        from diplokg.http.pool import WorkerPool
        from diplokg.pages import Pages
        from diplokg.store import DUMPS

        self.settings = settings
        self.dumps = Dumps(built.store, built.folder / DUMPS)
        self.catalogue: dict[str, SavedQuery] = load_catalogue(settings.layout.queries_dir)
        self.pages: Pages = Pages(built.store)
        self.descriptions: Descriptions = Descriptions.of(built, self.dumps)
        self.pool: WorkerPool = WorkerPool(built.folder, settings.workers, settings.max_workers, settings.per_client,
                                              settings.worker_memory)
        self.answers = AnswerCache(settings.answer_cache)

    @property
    def base(self) -> str:
        return self.settings.base_url


def service_of(request: Request) -> Service:
    return request.app.state.service


def tagged(request: Request, body: bytes | str, media: str, headers: dict[str, str] | None = None,
           lifetime: int = PAGE_LIFETIME) -> Response:
    """A response with an ETag and a lifetime; 304 if the client already holds this body."""
    from starlette.responses import Response

    data = body.encode("utf-8") if isinstance(body, str) else body
    etag = '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'
    headers = {**(headers or {}), "ETag": etag, "Cache-Control": f"public, max-age={lifetime}"}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media, headers=headers)


def rdf_response(request: Request, triples: list[ox.Triple], requested: str | None = None) -> Response:
    """Triples in the RDF format the client asks for (Turtle by default)."""
    import pyoxigraph as ox

    from diplokg.http.describe import EXTRA_PREFIXES
    from diplokg.prefixes import PREFIX_IRIS
    from diplokg.results import OX_GRAPH_FORMATS

    offers = graph_offers()
    name = require_format(request, offers, requested)
    iris = {t.value for triple in triples for t in triple if isinstance(t, ox.NamedNode)}
    used = {p: ns for p, ns in (PREFIX_IRIS | EXTRA_PREFIXES).items() if any(iri.startswith(ns) for iri in iris)}
    data = ox.serialize(triples, format=OX_GRAPH_FORMATS[name], prefixes=used) or b""
    return tagged(request, data, media_type(name, offers), {"Vary": "Accept"})


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error as plain text, JSON or HTML, by the request's Accept header."""
    from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse

    chosen = negotiate(request.headers.get("accept"), ["text/plain", "application/json", "text/html"])
    phrase = HTTPStatus(status).phrase
    headers = {**(headers or {}), "Cache-Control": "no-store", "Vary": "Accept"}
    if chosen == "application/json":
        return JSONResponse({"status": status, "error": phrase, "message": message}, status, headers)
    if chosen == "text/html":
        return HTMLResponse(service_of(request).pages.render("error.html", status=status, phrase=phrase,
                                                             message=message), status, headers)
    return PlainTextResponse(f"{status} {phrase}: {message}\n", status, headers)


def security_headers(base_url: str) -> list[tuple[bytes, bytes]]:
    """The headers every response carries (the public origin may be fetched by the query page)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
    policy = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
              f"connect-src 'self' {origin}; font-src 'self' data:; object-src 'none'; base-uri 'none'; "
              "form-action 'self'; frame-ancestors 'none'")
    return [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"), (b"content-security-policy", policy.encode())]


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, base_url: str) -> None:
        self.app = app
        self.headers = security_headers(base_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in self.headers if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(service: Service) -> Starlette:
    """The ASGI application on a service; its lifespan starts and stops the query workers."""
    import contextlib
    from collections.abc import AsyncIterator

    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.requests import ClientDisconnect
    from starlette.responses import Response

    from diplokg.errors import DiplokgError
    from diplokg.http.dispatch import ClientGone
    from diplokg.http.routes import routes

    async def on_problem(request: Request, error: Exception) -> Response:
        assert isinstance(error, Problem)
        return error_response(request, error.status, error.message, error.headers)

    async def on_bad_input(request: Request, error: Exception) -> Response:
        return error_response(request, 400, str(error))

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        message = {404: f"Nothing at {request.url.path}; see / for the start page and /queries for the saved queries.",
                   405: f"{request.method} is not accepted at {request.url.path}."}.get(error.status_code, str(error.detail))
        return error_response(request, error.status_code, message, error.headers)

    async def on_client_gone(request: Request, error: Exception) -> Response:
        """The client left mid-request (an upload cut short, a hang-up during its query): nothing to answer or log."""
        return Response(status_code=400)

    async def on_anything(request: Request, error: Exception) -> Response:
        return error_response(request, 500, f"The server failed on this request ({type(error).__name__}); "
                                            "this is a bug of diplokg, please report it with the URL.")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await service.pool.start()
        try:
            yield
        finally:
            await service.pool.close()

    middleware = [Middleware(SecurityHeaders, base_url=service.base), Middleware(GZipMiddleware, minimum_size=1024),
                  Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST"],
                             allow_headers=["*"], max_age=86400)]
    app = Starlette(routes=routes(), middleware=middleware, lifespan=lifespan,
                    exception_handlers={Problem: on_problem, DiplokgError: on_bad_input, HTTPException: on_http,
                                        ClientDisconnect: on_client_gone, ClientGone: on_client_gone,
                                        Exception: on_anything})
    app.state.service = service
    return app
