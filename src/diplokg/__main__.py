"""`python -m diplokg` runs the command line."""

from diplokg.cli import main

raise SystemExit(main())
