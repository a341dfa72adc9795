"""Content negotiation: the Accept header, the `format=` parameter, and the media types on offer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from diplokg.http.problems import Problem

if TYPE_CHECKING:
    from starlette.requests import Request

GRAPH_ANSWER_FORMATS = ("ttl", "nt", "jsonld", "xml")  # by preference
RESULT_ANSWER_FORMATS = ("json", "xml", "csv", "tsv")


def result_offers() -> dict[str, str]:
    """Media types of SELECT/ASK answers, by preference, to short format names."""
    from diplokg.formats import RESULT_FORMATS

    media = {f.name: f.media_type for f in RESULT_FORMATS}
    return {media[name]: name for name in RESULT_ANSWER_FORMATS} | {"application/json": "json", "application/xml": "xml",
                                                                   "text/xml": "xml"}


def graph_offers() -> dict[str, str]:
    """Media types of CONSTRUCT/DESCRIBE answers and entity descriptions, by preference."""
    from diplokg.formats import GRAPH_FORMATS

    media = {f.name: f.media_type for f in GRAPH_FORMATS}
    return {media[name]: name for name in GRAPH_ANSWER_FORMATS} | {"application/json": "jsonld", "application/xml": "xml",
                                                                  "text/xml": "xml", "text/n3": "ttl",
                                                                  "text/plain": "nt"}


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offered media type the Accept header ranks highest (ties go to the earlier offer), None if it takes none."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    best, best_quality = None, 0.0
    for offer in offers:
        ranks = {offer: 3, offer.split("/")[0] + "/*": 2, "*/*": 1}
        matched = [(ranks[media], quality) for media, quality in ranges if media in ranks]
        if matched and (quality := max(matched)[1]) > best_quality:
            best, best_quality = offer, quality
    return best


GRAPH_ALIASES = {"n3": "ttl", "rdf": "xml", "rdf+xml": "xml"}  # as SPARQLWrapper names them


def format_named(requested: str, offers: dict[str, str]) -> str | None:
    """The short name of a format given by `format=` (short name, alias or media type), None if not on offer."""
    from diplokg.formats import ALIASES

    key = requested.split(",")[0].lower().strip()  # a list of media types counts by its first
    names = list(dict.fromkeys(offers.values()))
    key = (GRAPH_ALIASES if "ttl" in names else {}).get(key, ALIASES.get(key, key))
    if key in offers:
        return offers[key]
    if key == "json" and "jsonld" in names:
        return "jsonld"
    return key if key in names else None


def unknown_format(requested: str, *offers: dict[str, str]) -> Problem:
    names = list(dict.fromkeys(name for offer in offers for name in offer.values()))
    media = list(dict.fromkeys(m for offer in offers for m in offer))
    return Problem(400, f"Unknown format {requested!r}; use one of {', '.join(names)} or a media type: {', '.join(media)}.")


def requested_format(values: list[str]) -> str | None:
    """The one `format=` of a request. It may be repeated if every value names the same format (SPARQLWrapper sends
    `format=tsv&format=text/tab-separated-values`); the first is taken then. Values that disagree are a 400."""
    given = [value.strip() for value in values if value.strip()]
    kinds = (("results", result_offers()), ("graph", graph_offers()))
    meanings = [{(kind, named) for kind, offers in kinds if (named := format_named(value, offers))} for value in given]
    if meanings and not set.intersection(*meanings) and any(meanings):
        raise Problem(400, f"The parameter 'format' names different formats ({', '.join(dict.fromkeys(given))}); "
                           "give it once.")
    return given[0] if given else None


def choose_format(request: Request, offers: dict[str, str], requested: str | None = None) -> str | None:
    """The answer's format: `format=` if it names one on offer, else the best match for Accept (None if it takes none).

    A `format=` that fits another kind of answer (SPARQLWrapper sends `format=turtle` with a SELECT) falls back to
    Accept, as Oxigraph and Fuseki do; one that names no format at all is a 400."""
    requested = requested or requested_format(request.query_params.getlist("format"))
    if requested:
        named = format_named(requested, offers)
        if named is not None:
            return named
        if all(format_named(requested, other) is None for other in (result_offers(), graph_offers())):
            raise unknown_format(requested, offers, result_offers(), graph_offers())
    chosen = negotiate(request.headers.get("accept"), list(offers))
    return None if chosen is None else offers[chosen]


def require_format(request: Request, offers: dict[str, str], requested: str | None = None) -> str:
    """As choose_format, 406 if Accept takes none of the offers."""
    chosen = choose_format(request, offers, requested)
    if chosen is None:
        raise Problem(406, f"Cannot answer in any of the media types of Accept: {request.headers.get('accept')}. "
                           f"Available here: {', '.join(offers)}.")
    return chosen


def media_type(name: str, offers: dict[str, str]) -> str:
    """The canonical media type of a short format name (the first offer with that name)."""
    return next(media for media, short in offers.items() if short == name)
