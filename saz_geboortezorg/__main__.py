"""``python -m saz_geboortezorg``: the same as the ``saz-geboortezorg`` command."""

from saz_geboortezorg.cli import main

raise SystemExit(main())
