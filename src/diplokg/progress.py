"""Progress on long steps: a tqdm bar on stderr when it is a terminal, nothing otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")


def shown() -> bool:
    """True when stderr is a terminal (bars would only clutter a log or a pipe)."""
    return sys.stderr.isatty()


def bar(items: Iterable[Item], what: str, unit: str = "file") -> Iterator[Item]:
    """`items`, with a bar named `what` while they are worked through (a count and a rate when their
    number is not known in advance)."""
    if not shown():
        yield from items
        return
    from tqdm import tqdm

    with tqdm(items, desc=what, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True,
              unit_scale=unit == "quad") as items_bar:
        yield from items_bar


def step(message: str) -> None:
    """A line naming the long step that starts now (only on a terminal)."""
    if shown():
        from tqdm import tqdm

        tqdm.write(f"… {message}", file=sys.stderr)
