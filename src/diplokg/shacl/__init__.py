"""The fast SHACL engine: SHACL Core and SHACL-SPARQL on pyoxigraph (pyshacl stays the reference).

- shapes: the shapes graph, indexed; paths: property paths (SPARQL text, evaluation, display);
- data: the data graph on a pyoxigraph store, with cached lookups and value tests;
- expressions: each Core value test as one SPARQL expression;
- compile: set-based queries, one per constraint over every focus node (the speed at scale);
- evaluate: per-node checks of everything else (sh:node, and/or/xone/not, qualified, closed, ...);
- sparql: SHACL-SPARQL constraints and constraint components with pre-binding;
- engine: the hybrid run; report: results, report graph, located findings;
- conformance: the W3C SHACL test suite, on this engine and on pyshacl, with EARL reports.
"""

from diplokg.shacl.engine import validate, validate_store
from diplokg.shacl.report import ValidationResult, findings, results_graph
from diplokg.shacl.shapes import ShapesGraph

__all__ = ["ShapesGraph", "ValidationResult", "findings", "results_graph", "validate", "validate_store"]
