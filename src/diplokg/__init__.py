"""diplokg: a knowledge graph of diplomacy built from source texts, with evidence for every fact.

The Python API (see README "From Python"):

    import diplokg
    dataset = diplokg.load(inferred=True)                       # rdflib Dataset
    table = diplokg.query("planned-events", after="2021-08-01")  # a saved query, typed parameters
    table.rows, table.columns, table.to_csv(), table.to_dataframe()
    report = diplokg.validate()                                  # report.conforms, report.findings
    diplokg.saved_queries()                                      # the catalogue

Each takes `project=` (a folder); without it the project is found as the command line finds it.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from diplokg.errors import DiplokgError

if TYPE_CHECKING:
    from diplokg.api import Table, load, query, saved_queries, validate

__all__ = ["DiplokgError", "Table", "__version__", "load", "query", "saved_queries", "validate"]
API = {"Table", "load", "query", "saved_queries", "validate"}


def __getattr__(name: str) -> object:
    """The API functions, imported on first use (the command line does not need them: 30 ms per command)."""
    if name in API:
        from diplokg import api

        return getattr(api, name)
    raise AttributeError(f"module 'diplokg' has no attribute {name!r}")
