"""The SPARQL 1.1 Protocol query operation at /sparql: GET, POST form and POST direct.

Parameters are read as the protocol says (`query` once, `default-graph-uri`/`named-graph-uri` any
number of times; `format=` may repeat if every value agrees, as SPARQLWrapper sends it). Updates
are refused here; everything else about the query (SERVICE, FROM graphs, syntax) is decided by
the guard in the worker, after the nesting limit. The answer is streamed from the worker.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from diplokg.http.app import rdf_response, service_of
from diplokg.http.dispatch import Trip, TripResponse
from diplokg.http.guard import READ_ONLY, check_graphs, check_nesting
from diplokg.http.negotiation import choose_format, graph_offers, media_type, negotiate, requested_format, result_offers
from diplokg.http.problems import Problem
from diplokg.http.worker import Job

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from diplokg.http.app import Service


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The request body, refusing more than `limit` bytes (413) or one that takes more than `timeout` seconds to
    arrive (408: a client trickling a body would otherwise hold its connection for ever)."""
    import asyncio

    too_large = Problem(413, f"The request body is larger than this server's limit of {limit} bytes.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    try:
        async with asyncio.timeout(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_large
                chunks.append(chunk)
    except TimeoutError:
        raise Problem(408, f"The request body did not arrive within {timeout:g} s (this server's time limit); send "
                           "it at once.",
                      {"Connection": "close"}) from None
    return b"".join(chunks)


def form_fields(raw: bytes, where: str) -> list[tuple[str, str]]:
    """The fields of a query string or form body, refusing (400) one that is not UTF-8 once percent-decoded (else
    the bytes would become U+FFFD and the query run on text nobody sent)."""
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise Problem(400, f"The {where} is not UTF-8 text once percent-decoded; send every value as UTF-8.") from None


def single(values: list[tuple[str, str]], name: str) -> str | None:
    """The one value of a protocol parameter (400 if given more than once)."""
    found = [value for key, value in values if key == name]
    if len(found) > 1:
        raise Problem(400, f"The parameter {name!r} is given {len(found)} times; give it once.")
    return found[0] if found else None


async def sparql(request: Request) -> Response:
    """The SPARQL 1.1 Protocol query operation (and the service description on a GET without a query)."""
    from starlette.responses import RedirectResponse

    service = service_of(request)
    params = form_fields(request.scope["query_string"], "query string")
    if request.method == "POST":
        body = await read_body(request, service.settings.max_request_bytes, service.settings.timeout)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            raise Problem(403, READ_ONLY)
        if content_type == "application/x-www-form-urlencoded":
            params += form_fields(body, "form body")
        elif content_type == "application/sparql-query":
            try:
                params.append(("query", body.decode("utf-8")))
            except UnicodeDecodeError:
                raise Problem(400, "The query is not UTF-8 text.") from None
        else:
            raise Problem(415, "POST a query as application/sparql-query, or as the form field 'query' in "
                               f"application/x-www-form-urlencoded (not {content_type or 'no content type'}).")
    if single(params, "update") is not None:
        raise Problem(403, READ_ONLY)
    text = single(params, "query")
    requested = requested_format([value for key, value in params if key == "format"])
    if text is None:
        if request.method == "POST":
            raise Problem(400, "The request has no 'query'.")
        if not requested and negotiate(request.headers.get("accept"), ["text/turtle", "text/html"]) == "text/html":
            return RedirectResponse("/query", 303)
        return rdf_response(request, service.descriptions.described("sd", service.base), requested)
    return await answer(request, service, text, params, requested)


async def answer(request: Request, service: Service, text: str, params: list[tuple[str, str]],
                 requested: str | None) -> Response:
    """Check a query, run it on a worker with the protocol's dataset, stream the answer in the negotiated format."""
    check_nesting(text)
    default = tuple(dict.fromkeys(value for key, value in params if key == "default-graph-uri"))  # each graph once
    named = tuple(dict.fromkeys(value for key, value in params if key == "named-graph-uri"))
    check_graphs([*default, *named], service.descriptions.graphs)
    offers = {"results": result_offers(), "graph": graph_offers()}
    formats = {kind: name for kind, offer in offers.items() if (name := choose_format(request, offer, requested))}
    protocol = bool(default or named)
    settings = service.settings
    job = Job(text, formats, settings.max_results, settings.max_bytes, default_graphs=default if protocol else None,
              named_graphs=named if protocol else None, accept=request.headers.get("accept", ""))
    return await run(request, service, job, offers)


async def run(request: Request, service: Service, job: Job, offers: dict[str, dict[str, str]],
              answer_key: Hashable | None = None) -> Response:
    """Run a job for a request and send its answer, streamed if it came in chunks (errors become Problems);
    with an `answer_key`, a small answer is remembered under it and given again without running the job."""
    from starlette.responses import Response

    headers = {"Vary": "Accept", "Cache-Control": "public, max-age=60"}
    kept = None if answer_key is None else service.answers.get(answer_key)
    if kept is not None:
        return Response(kept[1], media_type=kept[0], headers=headers)
    trip = Trip(service.pool, request.client.host if request.client else "unknown")
    head = await trip.run(request, job, service.settings.timeout)
    if head.status != 200:
        raise Problem(head.status, head.detail)
    kind, _, name = head.detail.partition(":")
    media = media_type(name, offers[kind])
    if isinstance(head.payload, bytes):  # the whole answer came with its head
        if answer_key is not None:
            service.answers.put(answer_key, media, head.payload)
        return Response(head.payload, media_type=media, headers=headers)
    return TripResponse(trip, service.settings.timeout, media_type=media, headers={**headers,
                                                                                   "Content-Length": str(head.payload)})
