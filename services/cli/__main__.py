"""``python -m services.cli``: the same as the ``regietafel`` command."""

from services.cli import main

raise SystemExit(main())
