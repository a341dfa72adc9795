"""Helpers for tests that start servers as subprocesses."""

from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen, seconds: float) -> None:
    """Ask a server to stop (SIGTERM), and kill it if it has not within `seconds`."""
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
