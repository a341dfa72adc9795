"""The built dataset: one on-disk pyoxigraph store per project, built once per change of the inputs and
opened read-only by every command and every server worker.

Under `layout.cache_dir`:

- `store` — a symbolic link to the current build, an ordinary Oxigraph database
  (`oxigraph query --location .../store` reads what diplokg reads): a named graph per input as loaded, the
  inferred graph, and in the default graph every triple of them once (their union as a set, which Oxigraph's
  own union of graphs is not, and one graph for a query to read: see diplokg.engines.default_dataset);
- `store-<id>/` — one build: the RocksDB files, `diplokg.manifest.json` (written last) and what is derived
  from the build later (`diplokg.derived.json`, the server's dumps in `diplokg.dumps/`);
- `store.lock` — held while building, so that concurrent commands build once and the others wait.

A build parses every file with pyoxigraph, reasons (rules to fixpoint), validates (shapes compiled to
SPARQL) while a thread writes the quads to a fresh `store-<id>.tmp/`, hashes the files RocksDB wrote, writes the
manifest, renames the folder into place and points `store` at it. The manifest records what the store
was built from (a digest of every input file's path, size and mtime, beside `diplokg.inputs.tsv` with each
file's SHA-256; the package version), what it holds (quads per graph), the SHA-256 of each of its own files,
and the reasoning and validation outcome; `diplokg.statistics.json` holds the statistics.

Every open checks, cheaply: the manifest and the package version; the inputs (the folders' mtimes, a stat
of each file and one digest of the stats; only files whose stat changed are hashed); the store's own files
(names, sizes, mtimes: any write to a RocksDB database adds or rewrites files). `build` and `validate`
verify fully (the SHA-256 of every input file and every store file).
A store that fails is rebuilt; one that is damaged, not merely out of date, is reported by one line on
stderr. Old builds are removed under the build lock once no process holds them open (each reader holds a
shared lock on its build's folder).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from diplokg import __version__
from diplokg.errors import DiplokgError
from diplokg.fileio import folder_files, write_atomically
from diplokg.paths import Layout

if TYPE_CHECKING:
    from diplokg.rules import StoreClosure

FORMAT = 4  # the layout of a build folder and its manifest; a change rebuilds every store
OURS = "diplokg."  # our files in a build folder start with this; the rest are RocksDB's
MANIFEST = OURS + "manifest.json"
DERIVED = OURS + "derived.json"  # values computed from a build after it was written (e.g. saved queries' answer sizes)
INPUTS = OURS + "inputs.tsv"  # each input file: path, size, mtime_ns, SHA-256 (read only when a stat changed)
STATISTICS = OURS + "statistics.json"
DUMPS = OURS + "dumps"  # the server's dump files, written on first use
RACY_NS = 2_000_000_000  # a file modified this close to when its stat is taken may change again unseen
HELD: dict[str, int] = {}  # build folder -> the descriptor holding its shared lock, for the process's life


class Damaged(DiplokgError):
    """The store or its manifest is not what the manifest says (as opposed to merely out of date)."""

    def __init__(self, message: str, folder: Path | None = None) -> None:
        super().__init__(message)
        self.folder = folder


def input_folders(layout: Layout) -> list[tuple[Path, str]]:
    """The folders of the input files, each with the suffix of its files."""
    return [(layout.ontology_dir, ".ttl"), (layout.facts_dir, ".ttl"), (layout.anchors_dir, ".ttl"), (layout.sources_dir, ".txt")]


def input_files(layout: Layout) -> list[str]:
    """Every file the built store depends on (ontology, shapes, entities, facts, anchors, source texts), as
    paths relative to the project root, sorted."""
    root = str(layout.root)
    found = [os.path.relpath(layout.entities_file, root)] if layout.entities_file.is_file() else []
    for folder, suffix in input_folders(layout):
        prefix = os.path.relpath(folder, root)
        found += [os.path.join(prefix, name) for name in folder_files(folder, suffix)]
    return sorted(found)


def folder_stamps(layout: Layout) -> dict[str, int]:
    """The mtime of each input folder (it changes when a file is added, removed or renamed there); -1 when
    recent or missing, so that the folder is listed again next time."""
    recent, stamps = time.time_ns() - RACY_NS, {}
    for folder, _ in input_folders(layout):
        try:
            mtime = folder.stat().st_mtime_ns
        except FileNotFoundError:
            mtime = -1
        stamps[os.path.relpath(folder, layout.root)] = -1 if mtime > recent else mtime
    return stamps


def file_digest(path: str | Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def index_files(root: Path, names: list[str], known: dict[str, list[Any]] | None = None) -> dict[str, list[Any]]:
    """{name: [size, mtime_ns, sha256]} of files under `root`, hashing only those whose stat is not in `known`.

    A file modified in the last two seconds gets size -1 (it may change again within the same mtime),
    so that it is hashed again next time."""
    known = known or {}
    index = {}
    for name, size, mtime in stats_of(root, names):
        old = known.get(name)
        same = old is not None and size >= 0 and old[0] == size and old[1] == mtime
        index[name] = [size, mtime, old[2] if same else file_digest(os.path.join(root, name))]
    return index


def stats_of(root: Path, names: list[str]) -> list[tuple[str, int, int]]:
    """(name, size, mtime_ns) of each file; size -1 for a file modified in the last two seconds. Each name is
    looked up from the root's descriptor (a cold query at 10^6 triples stats 11,000 files: 31 ms, not 50)."""
    recent, stat = time.time_ns() - RACY_NS, os.stat
    descriptor = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return [(name, -1 if info.st_mtime_ns > recent else info.st_size, info.st_mtime_ns)
                for name in names for info in (stat(name, dir_fd=descriptor),)]
    finally:
        os.close(descriptor)


def stats_digest(stats: list[tuple[str, int, int]]) -> str:
    """One SHA-256 of every input's name, size and mtime: equal digests, unchanged inputs (no file hashed)."""
    return hashlib.sha256("".join(f"{n}\t{s}\t{m}\n" for n, s, m in sorted(stats)).encode()).hexdigest()


def write_inputs(folder: Path, index: dict[str, list[Any]]) -> None:
    data = "".join(f"{name}\t{size}\t{mtime}\t{digest}\n" for name, (size, mtime, digest) in sorted(index.items()))
    write_atomically(folder / INPUTS, lambda stream: stream.write(data.encode("utf-8")))


def read_inputs(folder: Path) -> dict[str, list[Any]]:
    try:
        rows = [line.split("\t") for line in (folder / INPUTS).read_text(encoding="utf-8").splitlines()]
        return {name: [int(size), int(mtime), digest] for name, size, mtime, digest in rows}
    except (OSError, ValueError) as error:
        raise Damaged(f"its list of input files is unreadable ({error})", folder) from None


@dataclass
class Manifest:
    """What a build was made from and what it holds (manifest.json, written last)."""

    inputs: str  # stats_digest of the input files when the store was built
    folders: dict[str, int] = field(default_factory=dict)
    files: dict[str, list[Any]] = field(default_factory=dict)
    graphs: dict[str, int] = field(default_factory=dict)
    merged: int = 0  # triples in the default graph: the union of every graph, the inferred one too, each triple once
    inferred: int = 0
    inconsistencies: list[str] = field(default_factory=list)
    reason_seconds: float = 0.0
    build_seconds: float = 0.0
    validation: dict[str, Any] = field(default_factory=dict)
    version: str = __version__
    format: int = FORMAT

    @property
    def quads(self) -> int:
        return sum(self.graphs.values())

    @property
    def consistent(self) -> bool:
        return not self.inconsistencies

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        """The manifest of a build folder; None if it is of another format (out of date, not damaged)."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("format") != FORMAT:
                return None
            manifest = cls(**{key: value for key, value in data.items() if key in cls.__dataclass_fields__})
        except FileNotFoundError:
            raise Damaged("it has no manifest") from None
        except (OSError, ValueError, TypeError) as error:
            raise Damaged(f"its manifest is unreadable ({error})") from None
        if not isinstance(manifest.inputs, str) or not isinstance(manifest.files, dict):
            raise Damaged("its manifest is malformed")
        return manifest

    def write(self, folder: Path) -> None:
        data = json.dumps(asdict(self)).encode("utf-8")
        write_atomically(folder / MANIFEST, lambda stream: stream.write(data))


@dataclass
class Built:
    """An opened build: the read-only store, its folder and its manifest; `fresh` if this process built it."""

    store: ox.Store
    folder: Path
    manifest: Manifest
    fresh: bool = False

    def statistics(self) -> dict[str, dict[str, int]]:
        """Triples and entities of each kind per graph (diplokg.stats), counted when the store was built."""
        try:
            return json.loads((self.folder / STATISTICS).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise Damaged(f"its statistics are unreadable ({error})", self.folder) from None

    def derived(self, key: str, compute: Callable[[], Any]) -> Any:
        """A value computed from this build (JSON), kept beside it so that it is computed once per build."""
        path = self.folder / DERIVED
        try:
            known = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        if key not in known:
            known[key] = compute()
            data = json.dumps(known).encode("utf-8")
            with contextlib.suppress(OSError):
                write_atomically(path, lambda stream: stream.write(data))
        return known[key]


def store_link(layout: Layout) -> Path:
    return layout.cache_dir / "store"


def store_files(folder: Path) -> list[Path]:
    """The files written once by the build (RocksDB's, the statistics): all but the manifest and what may be
    rewritten or added later (the inputs' stats, derived values, dumps) and temporary files."""
    later = (MANIFEST, DERIVED, INPUTS, DUMPS, ".")
    return sorted(p for p in folder.iterdir() if not p.name.startswith(later))


def check_files(folder: Path, manifest: Manifest, full: bool) -> None:
    """The store's own files are those of the manifest: same names, sizes and mtimes (and bytes, if `full`)."""
    on_disk = {p.name: p for p in store_files(folder)}
    if set(on_disk) != set(manifest.files):
        raise Damaged("its files are not those it was built with", folder)
    for name, path in on_disk.items():
        info = path.stat()
        size, mtime, digest = manifest.files[name]
        if [info.st_size, info.st_mtime_ns] != [size, mtime]:
            raise Damaged(f"{name} was changed after the build", folder)
        if full and file_digest(path) != digest:
            raise Damaged(f"{name} does not match its digest", folder)


def recorded_names(layout: Layout, folder: Path, manifest: Manifest, stamps: dict[str, int]) -> list[str]:
    """The input files' names: those the build recorded if no folder changed since (no file added or removed),
    else listed again."""
    if stamps == manifest.folders and min(stamps.values(), default=0) >= 0:
        lines = (folder / INPUTS).read_text(encoding="utf-8").splitlines() if (folder / INPUTS).exists() else []
        return [line.split("\t", 1)[0] for line in lines]
    return input_files(layout)


def inputs_current(layout: Layout, folder: Path, manifest: Manifest, full: bool = False) -> bool:
    """True if the input files are those the store was built from. Fast path: the folders' mtimes (no file added
    or removed) and one digest of every file's size and mtime; else the files whose stat changed are hashed,
    and if none changed in content the new stats are recorded, so that they are not hashed again. With `full`,
    every file is hashed (an edit that kept the size and put the mtime back is found too)."""
    if manifest.format != FORMAT or manifest.version != __version__:
        return False
    stamps = folder_stamps(layout)
    try:
        if not full and stats_digest(stats_of(layout.root, recorded_names(layout, folder, manifest, stamps))) == \
                manifest.inputs:
            return True
        known = read_inputs(folder)
        index = index_files(layout.root, input_files(layout), None if full else known)
    except FileNotFoundError:
        return False
    if {k: v[2] for k, v in index.items()} != {k: v[2] for k, v in known.items()}:
        return False
    if all(v[0] >= 0 for v in index.values()):
        with contextlib.suppress(OSError):
            write_inputs(folder, index)
            manifest.inputs, manifest.folders = stats_digest([(k, v[0], v[1]) for k, v in index.items()]), stamps
            manifest.write(folder)
    return True


def hold(folder: Path) -> bool:
    """Take a shared lock on a build folder for the rest of the process, so that no build removes it
    meanwhile; False if the folder is gone."""
    key = str(folder)
    if key not in HELD:
        try:
            descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            return False
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        HELD[key] = descriptor
    if folder.exists():  # not renamed away for removal before we had the lock
        return True
    os.close(HELD.pop(key))
    return False


def release(folder: Path) -> None:
    """Drop this process's hold on a build folder (a later build may then remove it)."""
    descriptor = HELD.pop(str(folder), None)
    if descriptor is not None:
        os.close(descriptor)


def current_folder(layout: Layout) -> Path | None:
    """The folder the store link points to, held (see `hold`); None if there is no build."""
    link = store_link(layout)
    for _ in range(10):
        if not link.is_symlink():
            if link.exists():
                raise Damaged(f"{link} is not a link to a build")
            return None
        folder = link.parent / os.readlink(link)
        if hold(folder):
            return folder
        if os.readlink(link) == folder.name:
            raise Damaged("its folder is missing", folder)
    return None


def open_folder(folder: Path, manifest: Manifest, full: bool) -> Built:
    """Open a build read-only after checking its files (their bytes too if `full`: the same bytes are the same
    database, so its quads need no count)."""
    check_files(folder, manifest, full)
    try:
        store = ox.Store.read_only(str(folder))
    except OSError as error:
        raise Damaged(f"RocksDB cannot open it: {' '.join(str(error).split())}", folder) from None
    return Built(store, folder, manifest)


def open_if_current(layout: Layout, folder: Path, manifest: Manifest, full: bool) -> Built | None:
    """The build opened (open_folder) while a thread checks that its inputs are current (inputs_current): at 10^6
    triples the stat of every input and the RocksDB open take tens of milliseconds each, and both mostly wait on
    the kernel. None if the inputs changed (whatever the open found); the open's error if they did not."""
    verdict: list[bool | BaseException] = []

    def check() -> None:
        try:
            verdict.append(inputs_current(layout, folder, manifest, full))
        except BaseException as error:  # handed to the caller's thread
            verdict.append(error)

    checker = threading.Thread(target=check, name="diplokg-inputs-check")
    checker.start()
    try:
        built: Built | BaseException = open_folder(folder, manifest, full)
    except Damaged as error:
        built = error
    finally:
        checker.join()
    if isinstance(verdict[0], BaseException):
        raise verdict[0]
    if not verdict[0]:
        return None
    if isinstance(built, BaseException):
        raise built
    return built


def open_current(layout: Layout, full: bool) -> Built | None:
    """The current build if it is current and intact; None if it is missing or out of date; Damaged if broken."""
    folder = current_folder(layout)
    if folder is None:
        return None
    try:
        manifest = Manifest.read(folder)
        if manifest is not None:
            built = open_if_current(layout, folder, manifest, full)
            if built is not None:
                return built
    except Damaged as error:
        release(folder)
        raise Damaged(str(error), folder) from None
    release(folder)  # out of date: not ours to keep
    return None


def graph_counts(store: ox.Store) -> dict[str, int]:
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


def default_count(store: ox.Store) -> int:
    """The triples in the store's default graph (a build's asserted and inferred triples, each once)."""
    return int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)


def write_quads(memory: ox.Store, folder: Path, stop: threading.Event) -> tuple[dict[str, int], int]:
    """Write a build's quads to a new on-disk store: each named graph as loaded and, in the default graph, every
    triple of them once; return the quads per graph and the default graph's size as written. It runs beside the
    validation (the bulk loader writes without the GIL) and stops when `stop` is set."""

    def until_stopped(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        for quad in quads:
            if stop.is_set():
                raise InterruptedError("the build was stopped")
            yield quad

    disk = ox.Store(str(folder))
    disk.bulk_extend(until_stopped(memory))
    disk.bulk_extend(until_stopped(merged_triples(memory)))
    disk.flush()
    return graph_counts(disk), default_count(disk)


def merged_triples(store: ox.Store) -> Iterator[ox.Quad]:
    """Every triple of every named graph in the default graph, for the bulk loader, which keeps each triple once:
    the union of the named graphs as a set, in one graph (diplokg.engines.default_dataset)."""
    return (ox.Quad(q.subject, q.predicate, q.object) for g in store.named_graphs()
            for q in store.quads_for_pattern(None, None, None, g))


@contextlib.contextmanager
def build_lock(layout: Layout) -> Iterator[None]:
    """One build at a time per cache folder (the lock goes with the process if it dies)."""
    layout.cache_dir.mkdir(parents=True, exist_ok=True)
    with (layout.cache_dir / "store.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def report_damage(layout: Layout, error: Damaged) -> None:
    print(f"diplokg: the built store {store_link(layout)} is damaged ({error}); rebuilding it from the data files",
          file=sys.stderr, flush=True)


def open_built(layout: Layout, verify: bool = False, progress: Callable[[str], None] | None = None) -> Built:
    """The built store of `layout`, read-only: the current build if it passes the checks, else a new one
    (built once, under the build lock). `verify` checks the store's bytes too."""
    damaged: Damaged | None = None
    try:
        built = open_current(layout, verify)
        if built is not None:
            return built
    except Damaged as error:
        damaged = error
    with build_lock(layout):
        if damaged is None or not points_to(layout, damaged.folder):
            try:
                built = open_current(layout, verify)  # another process may have built it meanwhile
                if built is not None:
                    return built
                damaged = None
            except Damaged as error:
                damaged = error
        if damaged is not None:
            report_damage(layout, damaged)
            unlink_if_current(layout, damaged.folder)
        folder = build(layout, progress)
        hold(folder)
        remove_old_builds(layout)
    manifest = Manifest.read(folder)
    assert manifest is not None
    built = open_folder(folder, manifest, full=False)
    built.fresh = True
    return built


def points_to(layout: Layout, folder: Path | None) -> bool:
    """True if the store link still points to `folder` (None: to no build folder at all)."""
    link = store_link(layout)
    if folder is None:
        return not link.is_symlink()
    return link.is_symlink() and os.readlink(link) == folder.name


def unlink_if_current(layout: Layout, folder: Path | None) -> None:
    """Remove the store link if it still points to `folder` (under build_lock: never another's fresh build)."""
    import shutil

    link = store_link(layout)
    if link.is_symlink():
        if folder is None or points_to(layout, folder):
            link.unlink()
    elif link.is_dir():
        shutil.rmtree(link)
    elif link.exists():
        link.unlink()


def open_store(layout: Layout) -> ox.Store:
    """The built dataset, read-only (built first if missing, out of date or damaged)."""
    return open_built(layout).store


def build_store(layout: Layout, reason: bool = True) -> tuple[ox.Store, StoreClosure | None]:
    """Parse every file into an in-memory pyoxigraph Store and, unless told not to, add the OWL RL closure
    (SPARQL rules to fixpoint; equal to owlrl's closure for the constructs the ontology uses)."""
    from diplokg.rules import load_store, reason_store

    store = load_store(layout)
    return store, reason_store(store) if reason else None


def build(layout: Layout, progress: Callable[[str], None] | None = None) -> Path:
    """Load, reason, validate and write a new build, then make it the current one (call under build_lock)."""
    import secrets
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    from diplokg import shacl
    from diplokg.stats import graph_statistics
    from diplokg.validation import Report, render_text

    step = progress or (lambda message: None)
    started = time.perf_counter()
    folders = folder_stamps(layout)  # before reading: an edit during the build shows later
    inputs = index_files(layout.root, input_files(layout))
    step("loading and reasoning (pyoxigraph)")
    memory, closure = build_store(layout)
    assert closure is not None
    step("validating (shapes compiled to SPARQL) and counting, while the store is written")
    name = f"store-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
    temporary = layout.cache_dir / f"{name}.tmp"
    stop = threading.Event()
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="diplokg-store-writer") as writer:
            written = writer.submit(write_quads, memory, temporary, stop)
            try:
                shapes = shacl.ShapesGraph.parse(layout.shapes_file)
                results = shacl.validate_store(memory, shapes)
                report = Report(shacl.findings(results, memory, layout, shapes, {}), shacl.results_graph(results, shapes))
                validation = {"text": render_text(report), "results": len(results),
                              "fails": {level: report.fails(level) for level in ("violation", "warning", "info")}}
                statistics = graph_statistics(memory)
            except BaseException:
                stop.set()  # the writer stops at its next quad
                raise
            graphs, merged = written.result()
        del memory
        write_inputs(temporary, inputs)
        data = json.dumps(statistics).encode("utf-8")
        write_atomically(temporary / STATISTICS, lambda stream: stream.write(data))
        manifest = Manifest(stats_digest([(k, v[0], v[1]) for k, v in inputs.items()]), folders, graphs=graphs,
                            merged=merged, inferred=closure.added, inconsistencies=closure.inconsistencies,
                            reason_seconds=closure.seconds, validation=validation)
        manifest.files = {p.name: [p.stat().st_size, p.stat().st_mtime_ns, file_digest(p)] for p in store_files(temporary)}
        manifest.build_seconds = time.perf_counter() - started
        manifest.write(temporary)
        folder = layout.cache_dir / name
        temporary.rename(folder)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    link = layout.cache_dir / f".{name}.link"
    link.symlink_to(name)
    if store_link(layout).is_dir() and not store_link(layout).is_symlink():
        shutil.rmtree(store_link(layout))  # not ours to keep: the link takes its place
    os.replace(link, store_link(layout))
    return folder


def remove_old_builds(layout: Layout) -> None:
    """Remove builds that are not current and that no process holds open, and unfinished ones (under build_lock)."""
    import shutil

    link = store_link(layout)
    current = os.readlink(link) if link.is_symlink() else None
    for path in layout.cache_dir.iterdir():
        if path.name == current or not path.name.startswith(("store-", ".store-")) or str(path) in HELD:
            continue
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
            continue
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            trash = path.with_name(f".{path.name}.trash")
            path.rename(trash)  # while locked: a reader that locks it next finds it gone
        except (BlockingIOError, OSError):
            continue  # a process still reads it
        finally:
            os.close(descriptor)
        shutil.rmtree(trash, ignore_errors=True)
    for legacy in layout.cache_dir.glob("dataset-*.nq"):  # the N-Quads cache of diplokg before the store
        legacy.unlink(missing_ok=True)
