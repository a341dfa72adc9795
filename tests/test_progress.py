"""Long steps show a tqdm bar on stderr when it is a terminal, and nothing when it is a pipe or a file."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def stderr_of(args: list[str], terminal: bool, home: Path) -> str:
    """What `diplokg ARGS` writes on stderr, with stderr a pseudo-terminal or a pipe (stdout discarded)."""
    env = {**os.environ, "DIPLOKG_HOME": str(home)}
    command = [sys.executable, "-m", "diplokg", *args]
    if not terminal:
        return subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              timeout=300).stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0 columns wide
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_reason_validate_and_export_show_bars_on_a_terminal_only(tmp_path: Path) -> None:
    for folder in ("ontology", "data", "queries"):
        subprocess.run(["cp", "-r", str(REPO / folder), str(tmp_path / folder)], check=True)
    (tmp_path / "diplokg.toml").write_text('[project]\nname = "progress"\n', encoding="utf-8")
    validate = stderr_of(["validate"], terminal=True, home=tmp_path)
    for bar in ("loading sources", "reasoning, pass 1", "validating"):
        assert bar in validate, (bar, validate[-2000:])
    assert "shape/s" in validate or "shape]" in validate
    export = stderr_of(["export", "-o", str(tmp_path / "out.nq")], terminal=True, home=tmp_path)
    assert "exporting" in export
    quiet = stderr_of(["validate"], terminal=False, home=tmp_path)
    assert "reasoning, pass" not in quiet and "validating:" not in quiet and "\r" not in quiet
    assert quiet.startswith("diplokg: project progress at")
