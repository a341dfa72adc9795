"""`diplokg serve`: the graph over HTTP, read-only, as users of Fuseki and Oxigraph expect it.

Modules: `serve` (command line, uvicorn), `startup` (where the data comes from), `app` (the ASGI
application, headers, errors), `routes` (pages, saved queries, dumps), `protocol` (SPARQL 1.1
Protocol), `negotiation` (formats), `describe` (service description, VoID), `guard` (what a query
may do), `dispatch` and `pool` (query workers, fairly shared), `worker` (the worker process) and
`sandbox` (no network for workers).
"""
