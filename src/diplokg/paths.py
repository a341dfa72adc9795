"""Which project diplokg works on, and where its files live.

A project is a folder holding the marker file `diplokg.toml` (like git's `.git` or dbt's
`dbt_project.yml`). The project in use is, in this order:

1. the folder given with `-C DIR` / `--project DIR` (see `use_project`);
2. the folder named by `$DIPLOKG_HOME`;
3. the nearest folder, from the current directory upward, that holds `diplokg.toml`;
4. else the built-in two-source graph shipped inside the package (read-only).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from diplokg.errors import DiplokgError

MARKER = "diplokg.toml"
SETTINGS = {"name", "title", "licence", "description"}
RESOLUTION_ORDER = (f"-C DIR / --project DIR, else $DIPLOKG_HOME, else the nearest folder from the current directory "
                    f"upward that holds {MARKER}, else the built-in two-source graph shipped with diplokg")
PACKAGE_DIR = Path(__file__).resolve().parent
_chosen: list[Path] = []  # set by use_project (the -C option)


@dataclass(frozen=True)
class Layout:
    """The folders of a diplokg project; `origin` says how it was found (for the first line on stderr)."""

    root: Path
    origin: str = field(default="given", compare=False)
    fallback: bool = field(default=False, compare=False)  # no project found: the built-in graph

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def sources_dir(self) -> Path:
        return self.data_dir / "sources"

    @property
    def facts_dir(self) -> Path:
        return self.data_dir / "facts"

    @property
    def anchors_dir(self) -> Path:
        return self.data_dir / "anchors"

    @property
    def entities_file(self) -> Path:
        return self.data_dir / "entities.ttl"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    @property
    def marker_file(self) -> Path:
        return self.root / MARKER

    @property
    def builtin(self) -> bool:
        """True for the graph shipped inside the installed package (read-only, no project)."""
        return self.root.resolve().is_relative_to(PACKAGE_DIR)

    @property
    def is_project(self) -> bool:
        """False for the built-in graph, which commands read but never write into."""
        return not (self.builtin or self.fallback)

    @property
    def cache_dir(self) -> Path:
        """`<project>/.diplokg/`; for the built-in graph a per-user folder, since site-packages may be read-only."""
        if not self.builtin:
            return self.root / ".diplokg"
        from diplokg import __version__

        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return base / "diplokg" / f"{__version__}-{hashlib.sha256(str(self.root.resolve()).encode()).hexdigest()[:12]}"

    @property
    def inputs(self) -> list[Path]:
        """The folders and files the graph is made from, which no command may write into."""
        return [self.ontology_dir, self.data_dir, self.queries_dir, self.marker_file]

    def settings(self) -> dict[str, str]:
        """The `[project]` table of diplokg.toml (name, title, licence, description); {} without a marker."""
        if not self.marker_file.is_file():
            return {}
        import tomllib

        try:
            table = tomllib.loads(self.marker_file.read_text(encoding="utf-8")).get("project", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise DiplokgError(f"{self.marker_file}: cannot read the project settings: {error}.") from None
        unknown = sorted(set(table) - SETTINGS) if isinstance(table, dict) else ["(not a table)"]
        if unknown:
            raise DiplokgError(f"{self.marker_file}: unknown setting(s) in [project]: {', '.join(unknown)}; "
                               f"known: {', '.join(sorted(SETTINGS))}.")
        return {key: str(value) for key, value in table.items()}

    def describe(self) -> str:
        """One line saying which project (or the built-in graph) a command works on, and why."""
        if not self.is_project:
            return f"no project here ({self.origin}); using the built-in two-source graph ({self.root})"
        name = self.settings().get("name")
        return f"project {name + ' ' if name else ''}at {self.root} ({self.origin})"


def builtin_root() -> Path:
    """The built-in graph: `diplokg/builtin/` in an installed wheel, the repository in a source checkout."""
    shipped = PACKAGE_DIR / "builtin"
    if (shipped / MARKER).is_file():
        return shipped
    checkout = PACKAGE_DIR.parents[1]
    if (checkout / MARKER).is_file():
        return checkout
    raise DiplokgError(f"The built-in graph is missing from this installation ({shipped}); reinstall diplokg.")


def find_project(start: Path) -> Path | None:
    """The nearest folder from `start` upward that holds the marker file, if any."""
    start = start.resolve()
    return next((folder for folder in (start, *start.parents) if (folder / MARKER).is_file()), None)


def checked_folder(folder: Path, given_by: str) -> Path:
    """A project folder named by the user: it must exist and look like a project."""
    if not folder.is_dir():
        raise DiplokgError(f"{given_by} {folder}: no such folder.")
    if not ((folder / MARKER).is_file() or any((folder / name).is_dir() for name in ("ontology", "data", "queries"))):
        raise DiplokgError(f"{given_by} {folder}: not a diplokg project (no {MARKER}, no ontology/, data/ or queries/); "
                           f"create one with `diplokg init {folder}`.")
    return folder.resolve()


def use_project(folder: str | Path | None) -> None:
    """Make `folder` the project of this process (the -C option); None goes back to the usual order."""
    _chosen.clear()
    if folder is not None:
        _chosen.append(checked_folder(Path(folder), "-C"))


def default_layout() -> Layout:
    """The project in use: -C, else $DIPLOKG_HOME, else the nearest diplokg.toml upward, else the built-in graph."""
    if _chosen:
        return Layout(_chosen[0], "given with -C")
    home = os.environ.get("DIPLOKG_HOME")
    if home:
        return Layout(checked_folder(Path(home), "DIPLOKG_HOME="), "from DIPLOKG_HOME")
    cwd = Path.cwd()
    found = find_project(cwd)
    if found is not None:
        return Layout(found, f"{MARKER} found from {cwd}" if found != cwd.resolve() else f"{MARKER} here")
    return Layout(builtin_root(), f"no {MARKER} in {cwd} or above", fallback=True)


def layout_of(project: str | Path | None) -> Layout:
    """The Layout of a project folder given to the Python API, or the usual resolution when None."""
    if project is None:
        return default_layout()
    return Layout(checked_folder(Path(project), "project"), "given")
