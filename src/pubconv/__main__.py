"""``python -m pubconv``: the same command as ``pubconv`` (``cli.main``)."""
from .cli import main

raise SystemExit(main())
