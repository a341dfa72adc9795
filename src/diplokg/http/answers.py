"""Saved queries' answers, remembered while the server runs.

The server answers from one read-only store that never changes while it runs, and a saved query's
text is fixed at startup, so the same query with the same parameters in the same format always
gives the same bytes. Answers that came from the worker in one message (small ones) are kept, least
recently used out first, up to `capacity` bytes of bodies in all; a query that calls a function
whose value changes from call to call (RAND, NOW, UUID, STRUUID, BNODE) is never kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from functools import lru_cache

from diplokg.sparqltext import TOKEN

CHANGING = {"RAND", "NOW", "UUID", "STRUUID", "BNODE"}  # SPARQL functions whose value changes between calls


@lru_cache(maxsize=256)
def repeatable(text: str) -> bool:
    """Whether a query gives the same answer on the same data every time (no RAND, NOW, UUID, STRUUID, BNODE)."""
    return not any(m.lastgroup == "word" and m.group().upper() in CHANGING for m in TOKEN.finditer(text))


class AnswerCache:
    """Answer bodies and their media types by key, at most `capacity` bytes in all (0 keeps nothing)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = 0
        self.entries: OrderedDict[Hashable, tuple[str, bytes]] = OrderedDict()

    def get(self, key: Hashable) -> tuple[str, bytes] | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: Hashable, media: str, body: bytes) -> None:
        if len(body) > self.capacity or key in self.entries:
            return
        self.entries[key] = (media, body)
        self.size += len(body)
        while self.size > self.capacity:
            _, (_, old) = self.entries.popitem(last=False)
            self.size -= len(old)
