"""The routes, and the handlers of everything but the SPARQL protocol: the start page, the query page,
saved queries, entity pages, pictures, the ontology reference, VoID, dumps and the favicon.

Pages read the server process's own store in a thread and never wait for a query worker, except a
saved query (which runs on the workers like any query). Pages are cached where they are built
(`Pages`) and sent with an ETag.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from diplokg.http.answers import repeatable
from diplokg.http.app import rdf_response, service_of, tagged
from diplokg.http.negotiation import graph_offers, require_format, result_offers
from diplokg.http.problems import Problem
from diplokg.http.protocol import form_fields, run, sparql
from diplokg.http.worker import Job

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import BaseRoute

    from diplokg.catalogue import SavedQuery
    from diplokg.http.app import Service

HTML = "text/html; charset=utf-8"
FAVICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f4e79"/>'
           '<circle cx="10" cy="11" r="4" fill="#fff"/><circle cx="22" cy="11" r="4" fill="#fff"/>'
           '<circle cx="16" cy="23" r="4" fill="#f2c14e"/><path d="M10 11L22 11M10 11L16 23M22 11L16 23" '
           'stroke="#fff" stroke-width="1.5"/></svg>')


def catalogue_entry(query: SavedQuery) -> dict[str, Any]:
    return {"name": query.name, "title": query.title, "description": query.description, "form": query.form,
            "parameters": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                           for p in query.parameters],
            "url": f"/queries/{query.name}", "text": query.text}


def catalogue(request: Request) -> Response:
    """The saved queries, as HTML or JSON."""
    import json

    service = service_of(request)
    entries = [catalogue_entry(q) for q in service.catalogue.values()]
    if require_format(request, {"text/html": "html", "application/json": "json"}) == "json":
        return tagged(request, json.dumps(entries), "application/json", {"Vary": "Accept"})
    return tagged(request, service.pages.render("catalogue.html", queries=entries), HTML, {"Vary": "Accept"})


def parameter_values(request: Request) -> dict[str, str]:
    """A saved query's parameters from the query string, each given once (`format` aside)."""
    values: dict[str, str] = {}
    for key, value in form_fields(request.scope["query_string"], "query string"):
        if key == "format":
            continue
        if key in values:
            raise Problem(400, f"The parameter {key!r} is given more than once; give it once.")
        values[key] = value
    return values


def saved_query_text(request: Request) -> Response:
    """A saved query's text with the request's parameters bound (a VALUES block), as the query page's editor shows it."""
    from diplokg.catalogue import find_query
    from diplokg.errors import DiplokgError
    from diplokg.sparqltext import inject_values

    service = service_of(request)
    try:
        query = find_query(service.catalogue, request.path_params["name"])
    except DiplokgError as error:
        raise Problem(404, str(error).replace("Run `diplokg queries`", "See /queries")) from None
    text = inject_values(query.text, query.bind(parameter_values(request)))
    return tagged(request, text, "application/sparql-query; charset=utf-8", lifetime=60)


async def saved_query(request: Request) -> Response:
    """A saved query run with the request's parameters: results by content negotiation, or an HTML table."""
    from diplokg.catalogue import find_query
    from diplokg.errors import DiplokgError

    service = service_of(request)
    try:
        query = find_query(service.catalogue, request.path_params["name"])
    except DiplokgError as error:
        raise Problem(404, str(error).replace("Run `diplokg queries`", "See /queries")) from None
    values = parameter_values(request)
    bindings = query.bind(values)
    offers = {"results": result_offers(), "graph": graph_offers()}
    kind = "graph" if query.form in ("CONSTRUCT", "DESCRIBE") else "results"
    name = require_format(request, {"text/html": "html", **offers[kind]})
    settings = service.settings
    job = Job(query.text, {kind: "python" if name == "html" else name}, settings.max_results, settings.max_bytes,
              bindings, trusted=True)
    if name != "html":
        key = (query.name, tuple((k, str(term)) for k, term in sorted(bindings.items())), name)
        return await run(request, service, job, offers, key if repeatable(query.text) else None)
    from diplokg.http.dispatch import Trip

    trip = Trip(service.pool, request.client.host if request.client else "unknown")
    head = await trip.run(request, job, settings.timeout)
    if head.status != 200:
        raise Problem(head.status, head.detail)
    shown = {p.name: values.get(p.name, p.default or "") for p in query.parameters}
    page = await run_in_threadpool(service.pages.results_page, catalogue_entry(query), shown, head.payload)
    return tagged(request, page, HTML, {"Vary": "Accept"}, lifetime=60)


async def entity(request: Request) -> Response:
    """An entity IRI dereferenced: an HTML page, or its concise bounded description in RDF."""
    from diplokg.prefixes import ID

    pages = service_of(request).pages
    iri = ID + request.path_params["path"]
    if not pages.exists(iri):
        raise Problem(404, f"<{iri}> is not an entity of this graph.")
    if require_format(request, {"text/html": "html", **graph_offers()}) == "html":
        return tagged(request, await run_in_threadpool(pages.entity_page, iri), HTML, {"Vary": "Accept"})
    return rdf_response(request, await run_in_threadpool(pages.bounded_description, iri))


async def pictures(request: Request) -> Response:
    """`diplokg draw` over HTTP: /pictures/network[?event=IRI|?person=IRI], /pictures/timeline; SVG, or a page
    around it for browsers."""
    kind = request.path_params["kind"]
    if kind not in ("network", "timeline"):
        raise Problem(404, f"No picture {kind!r}; the pictures are: network, timeline.")
    fields = dict(form_fields(request.scope["query_string"], "query string"))
    event, person = (fields.get(name, "").strip() or None for name in ("event", "person"))
    if kind == "timeline" and (event or person):
        raise Problem(400, "The timeline takes no parameter 'event' or 'person'; those go with /pictures/network.")
    if event and person:
        raise Problem(400, "Give the parameter 'event' or 'person', not both.")
    pages = service_of(request).pages
    try:
        svg = await run_in_threadpool(pages.picture, kind, event, person)
    except ValueError as error:
        raise Problem(400, f"Cannot draw that picture: {error}") from None
    if require_format(request, {"image/svg+xml": "svg", "text/html": "html"}) == "svg":
        return tagged(request, svg, "image/svg+xml", {"Vary": "Accept"})
    download = request.url.include_query_params(format="svg")
    title = {"timeline": "Timeline"}.get(kind, "Who met whom" + (" at this event" if event else " — one person's contacts"
                                                                  if person else ""))
    page = pages.render("picture.html", title=title, svg=svg, download=f"{download.path}?{download.query}")
    return tagged(request, page, HTML, {"Vary": "Accept"})


async def pictures_index(request: Request) -> Response:
    """The pictures, with links to draw one event's delegations or one person's contacts."""
    pages = service_of(request).pages
    return tagged(request, pages.render("pictures.html", **await run_in_threadpool(pages.picture_choices)), HTML)


@lru_cache(maxsize=1)
def reference_page(service: Service) -> str:
    """The ontology reference as `diplokg docs` writes it, with the graph's IRIs linked to this server's pages."""
    from diplokg.docs import render_docs
    from diplokg.prefixes import ID

    page = render_docs(service.settings.layout, service.pages.engine)["index.html"]
    header = service.pages.render("site-header.html")
    return page.replace(f'href="{ID}', 'href="/id/').replace("<main>", "<main>\n" + header, 1)


async def reference(request: Request) -> Response:
    """The HTML reference of the ontology, shapes and vocabularies (built once)."""
    return tagged(request, await run_in_threadpool(reference_page, service_of(request)), HTML)


def void(request: Request) -> Response:
    service = service_of(request)
    return rdf_response(request, service.descriptions.described("void", service.base))


async def dump(request: Request) -> Response:
    """A dump of the asserted graphs, streamed from its file (written from the store on first use), with its ETag."""
    from starlette.responses import FileResponse
    from starlette.responses import Response as Plain

    service = service_of(request)
    name = request.path_params["name"]
    if name not in service.dumps.formats:
        raise Problem(404, f"No dump {name!r}; the dumps are: {', '.join(service.dumps.formats)}.")
    path = await run_in_threadpool(service.dumps.path, name)
    response = FileResponse(path, media_type=service.dumps.media_type(name), stat_result=os.stat(path), headers={
        "Content-Disposition": f'inline; filename="diplokg-{name}"', "Cache-Control": "public, max-age=3600"})
    if response.headers["etag"] in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Plain(status_code=304, headers={"ETag": response.headers["etag"], "Cache-Control": "public, max-age=3600"})
    return response


def favicon(request: Request) -> Response:
    return tagged(request, FAVICON, "image/svg+xml", lifetime=86400)


async def home(request: Request) -> Response:
    """The start page: what the dataset is, what is in it, and where to go from here."""
    service = service_of(request)
    pages = service.pages
    overview = await run_in_threadpool(pages.overview)
    return tagged(request, pages.render("home.html", base=service.base, overview=overview,
                                        queries=[catalogue_entry(q) for q in service.catalogue.values()]), HTML)


def query_page(request: Request) -> Response:
    """The query page: YASGUI on /sparql, with the saved queries as examples."""
    from diplokg.prefixes import ID, PREFIX_IRIS

    service = service_of(request)
    config = {"endpoint": service.base + "sparql", "idBase": ID, "prefixes": PREFIX_IRIS,
              "queries": [catalogue_entry(q) for q in service.catalogue.values()]}
    return tagged(request, service.pages.render("query.html", config=config, queries=config["queries"]), HTML)


def routes() -> list[BaseRoute]:
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from diplokg.pages import STATIC_DIR

    class CachedStaticFiles(StaticFiles):
        """Static files with a lifetime (they also carry ETag and Last-Modified)."""

        def file_response(self, *args: Any, **options: Any) -> Response:
            response = super().file_response(*args, **options)
            response.headers["Cache-Control"] = "public, max-age=3600"
            return response

    return [
        Route("/", home),
        Route("/query", query_page),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/queries", catalogue),
        Route("/queries/{name}", saved_query),
        Route("/queries/{name}/text", saved_query_text),
        Route("/id/{path:path}", entity),
        Route("/.well-known/void", void),
        Route("/pictures", pictures_index),
        Route("/pictures/{kind}", pictures),
        Route("/docs", reference),
        Route("/dumps/{name}", dump),
        Route("/favicon.ico", favicon),
        Mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static"),
    ]
