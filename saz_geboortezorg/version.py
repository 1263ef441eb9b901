"""The version of the package, in a module of its own so that any layer can import it.

``saz_geboortezorg.__version__`` re-exports it; modules inside the package import it from
here (the package itself is the top layer, see :mod:`saz_geboortezorg.layers`).

Examples
--------
>>> import saz_geboortezorg
>>> from saz_geboortezorg.version import __version__
>>> __version__ == saz_geboortezorg.__version__
True
"""

__version__ = "0.1.0"
