"""The W3C SHACL test suite on diplokg's fast engine and on pyshacl, in the same run.

    python bench/shacl_suite.py                          # the copy in ../shared/w3c-shacl-tests
    python bench/shacl_suite.py --suite DIR -o OUTDIR     # another copy; EARL reports into OUTDIR

Reads the suite's manifest, runs every test on both engines, writes an EARL report of each
(`diplokg-earl.ttl`, `pyshacl-earl.ttl`, default bench/results/shacl-suite/) and prints the pass
counts and total time of each engine beside the published TopBraid and pySHACL 0.9.4 results.
Exit status 1 if the fast engine fails a test.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT.parent / "shared" / "w3c-shacl-tests"


def main(argv: list[str] | None = None) -> int:
    from diplokg.shacl.conformance import run_suite, summary, write_earl

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", type=Path, default=SUITE, help="folder of the suite (with manifest.ttl)")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "bench" / "results" / "shacl-suite",
                        help="folder for the EARL reports")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # rdflib logs each ill-formed literal the suite contains on purpose
    warnings.simplefilter("ignore")
    runs = [run_suite(args.suite / "manifest.ttl", engine) for engine in ("diplokg", "pyshacl")]
    for path in write_earl(runs, args.output):
        print(f"wrote {path}", file=sys.stderr)
    print(summary(runs, args.suite))
    return 0 if runs[0].passed == len(runs[0].outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
