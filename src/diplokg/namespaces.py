"""rdflib Namespace objects for the diplokg prefixes, and binding them on a graph."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import NamespaceManager

from diplokg import prefixes

BASE = prefixes.BASE
DIP = Namespace(prefixes.PREFIX_IRIS["dip"])
ID = Namespace(prefixes.ID)
GRAPH = Namespace(prefixes.GRAPH)
SCHEMA = Namespace(prefixes.PREFIX_IRIS["schema"])
OA = Namespace(prefixes.PREFIX_IRIS["oa"])
SKOSXL = Namespace(prefixes.PREFIX_IRIS["skosxl"])
SH = Namespace(prefixes.PREFIX_IRIS["sh"])
VOID = Namespace(prefixes.PREFIX_IRIS["void"])
DCAT = Namespace(prefixes.PREFIX_IRIS["dcat"])

ONTOLOGY_GRAPH = URIRef(prefixes.ONTOLOGY_GRAPH)
ENTITIES_GRAPH = URIRef(prefixes.ENTITIES_GRAPH)
INFERRED_GRAPH = URIRef(prefixes.INFERRED_GRAPH)


def bind_prefixes(manager: NamespaceManager) -> None:
    """Bind every diplokg prefix on a graph's namespace manager, replacing rdflib's defaults."""
    for prefix, iri in prefixes.PREFIX_IRIS.items():
        manager.bind(prefix, Namespace(iri), override=True, replace=True)
