"""Build step: ship the repository's ontology/, data/ and queries/ (the built-in two-source graph)
inside the wheel as diplokg/builtin/, so that an installed diplokg works with no project at all."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUILTIN = ["diplokg.toml", "ontology", "data", "queries"]
SKIP = shutil.ignore_patterns("__pycache__", ".*")


class BuildWithGraph(build_py):
    """build_py that also copies the built-in graph into the package (not for editable installs,
    which read it from the checkout itself)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "diplokg" / "builtin"
        shutil.rmtree(target, ignore_errors=True)
        for name in BUILTIN:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=SKIP)
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithGraph})
