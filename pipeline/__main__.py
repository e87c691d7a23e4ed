"""`python -m pipeline` runs the same command line as `parallax`."""

from pipeline.cli import main

raise SystemExit(main())
