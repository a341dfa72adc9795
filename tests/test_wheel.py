"""The installed tool, as a new user gets it: build the wheel, install it into a fresh venv outside the
repository, and from an empty folder run stats, validate, query (saved, with a parameter), export, draw
and one HTTP request against `serve`; then `diplokg init` a project and do the same there.

The venv gets only the wheel (pip install --no-deps); its dependencies come from the test venv's
site-packages through a .pth line, which adds that folder to sys.path without running the test
venv's own .pth files, so the editable checkout is not importable there: the wheel's files are what runs.
"""

from __future__ import annotations

import os
import shutil
import site
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]


def command(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv holding only the wheel built from this checkout."""
    root = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k != "DIPLOKG_HOME"}
    command([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), str(REPO)], root, env)
    (wheel,) = (root / "dist").glob("diplokg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("diplokg/builtin/diplokg.toml", "diplokg/builtin/ontology/shapes.ttl",
                    "diplokg/builtin/data/entities.ttl", "diplokg/builtin/queries/07-timeline.rq",
                    "diplokg/builtin/data/sources/sre-2021-08-11-lunch-meeting.txt",
                    "diplokg/templates/layout.html", "diplokg/static/style.css"):
        assert shipped in names, shipped
    venv = root / "venv"
    command([sys.executable, "-m", "venv", "--without-pip", str(venv)], root, env)
    python = venv / "bin" / "python"
    purelib = Path(command([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           root, env).stdout.strip())
    (purelib / "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    command([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)], root, env)
    return venv / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def one_http_request(diplokg: str, cwd: Path, env: dict[str, str]) -> str:
    """Start `diplokg serve`, run the saved query `timeline` over HTTP as CSV, stop the server."""
    port = free_port()
    process = subprocess.Popen([diplokg, "serve", "--port", str(port), "--workers", "1"], cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/queries/timeline", headers={"Accept": "text/csv"},
                                   timeout=30)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert answer.status_code == 200, answer.text
        return answer.text
    finally:
        process.terminate()
        process.wait(30)


def exercise(bin_dir: Path, cwd: Path, env: dict[str, str]) -> dict[str, str]:
    """Every command of the brief, from `cwd`; the first stderr line of each, by command."""
    diplokg = str(bin_dir / "diplokg")
    first: dict[str, str] = {}
    runs = {
        "stats": [diplokg, "stats", "--format", "json"],
        "validate": [diplokg, "validate"],
        "query": [diplokg, "query", "who-met-whom", "--param", "minimum=1", "--format", "csv", "-o", "met.csv"],
        "export": [diplokg, "export", "-o", "dump.trig"],
        "draw": [diplokg, "draw", "timeline", "-o", "timeline.svg"],
    }
    for name, args in runs.items():
        first[name] = command(args, cwd, env).stderr.splitlines()[0]
    met = (cwd / "met.csv").read_text(encoding="utf-8").splitlines()
    assert met[0].startswith("minimum,sides,calls,umbrella,person,") and len(met) > 1
    assert all(row.startswith("1,") for row in met[1:])
    assert (cwd / "dump.trig").stat().st_size > 0 and b"<svg" in (cwd / "timeline.svg").read_bytes()
    first["serve"] = one_http_request(diplokg, cwd, env)
    return first


def test_wheel_installs_and_works_from_anywhere(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DIPLOKG_HOME", "PYTHONPATH")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    diplokg = str(installed / "diplokg")
    where = command([str(installed / "python"), "-c", "import diplokg, diplokg.paths as p; "
                     "print(diplokg.__file__); print(p.default_layout().root)"], empty, env).stdout.splitlines()
    assert where[0].startswith(str(installed.parent)), "the wheel's own files must run, not the checkout"
    assert where[1] == str(Path(where[0]).parent / "builtin")
    first = exercise(installed, empty, env)
    for name in ("stats", "validate", "query", "export", "draw"):
        assert first[name].startswith(f"diplokg: no project here (no diplokg.toml in {empty} or above); "
                                      "using the built-in two-source graph"), (name, first[name])
    assert first["serve"].startswith("date,") or "," in first["serve"].splitlines()[0]
    assert sorted(p.name for p in empty.iterdir()) == ["dump.trig", "met.csv", "timeline.svg"]
    assert any((tmp_path / "cache" / "diplokg").iterdir()), "the built-in graph caches in the user's cache folder"
    loaded = command([str(installed / "python"), "-c", "import diplokg; print(len(diplokg.load()))"], empty, env)
    assert int(loaded.stdout) > 3000

    command([diplokg, "init", "project"], empty, env)
    project = empty / "project"
    for name in ("sources/sre-2021-08-11-lunch-meeting.txt", "facts/sre-2021-08-11-lunch-meeting.ttl", "entities.ttl"):
        shutil.copy2(REPO / "data" / name, project / "data" / name)  # a curator adds the first source
    command([diplokg, "anchor"], project, env)
    assert (project / "data/anchors/sre-2021-08-11-lunch-meeting.ttl").is_file()
    first = exercise(installed, project, env)
    for name in ("stats", "validate", "query", "export", "draw"):
        assert first[name] == f"diplokg: project project at {project} (diplokg.toml here)", (name, first[name])
    assert (project / ".diplokg").is_dir()
    shutil.rmtree(project / ".diplokg")
