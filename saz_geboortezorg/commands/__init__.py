"""Subcommands of the ``saz-geboortezorg`` command line, one module each."""
