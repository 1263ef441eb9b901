"""The layers of the package: who may import whom.

Data flow through the toolkit in one direction: extracts are read (``io``), derived
columns are added (``derive``), models are fitted (``model``), units are compared
(``compare``) and followed over time (``monitor``), published numbers are protected
(``disclosure``), drawn (``present``) and assembled into reports and the explorer
(``report``, ``explore``); the command line sits on top. :data:`LAYERS` writes this
order down, lowest first. ``tests/test_layers.py`` parses every module (imports inside
functions included) and fails, naming file and line, when

1. a module imports a module of a *higher* layer;
2. two packages that share a layer import each other (they are independent);
3. modules import each other in a cycle (the cycle is printed);
4. a module imports another module's private name (``from x import _name``).

The layers, lowest first (a package may import its own layer's package and any layer
below it):

==  ==========================================  =================================================
#   packages                                    what they hold
==  ==========================================  =================================================
0   ``errors``, ``deprecation``, ``result``,    the exception types, renamed-argument helpers,
    ``progress``, ``memory``                    the result protocol every analysis follows,
                                                the progress bar and the memory settings
                                                of long operations
1   ``expressions``, ``schema``, ``stats``,     the filter language of definitions, the extract
    ``version``                                 schema and code lists, interval formulas, the
                                                version number; they import only layer 0
2   ``io``                                      reading, decoding, validating and linking extracts
3   ``indicators``                              the indicator catalogue and per-unit rates; it
                                                reads columns, derived ones included
4   ``derive``                                  the derived columns, added once at load
                                                (``sg.load``), and derived views (Robson table,
                                                costs, care flows)
5   ``model``                                   case-mix models
6   ``compare``                                 funnels, benchmarks, positions, value, equity
7   ``monitor``                                 control charts, trends, change points
8   ``disclosure``                              small-number protection
9   ``present``                                 charts (Altair)
10  ``report`` | ``explore``                    reports; the notebook explorer (independent)
11  ``federated``                               the vantage6 algorithm: node sums, central rounds
12  ``synthetic``                               the generator and the method scoring harness
13  ``commands``                                one module per CLI command
14  ``cli``, ``__main__``, ``charts``,          the entry points, the flat public API (lazy),
    ``layers``, the package itself              and this declaration (which imports nothing)
==  ==========================================  =================================================

Where the packages outside the data path sit, and why:

* ``errors`` and layer 1 are the vocabulary every layer shares; they import nothing
  above ``errors``. The expression language (``saz_geboortezorg.expressions``) moved
  there from ``derive`` because ``io`` (validation rules), ``indicators``, ``model``
  and ``compare`` all evaluate definitions with it (``derive.expressions`` stays as a
  re-export for old imports).
* ``indicators`` sits *below* ``derive``. The derived columns (Robson group, SGA, a
  caesarean flag per baby) are built once, when ``sg.load``
  (:func:`saz_geboortezorg.derive.tables.load`: ``io.load``, then ``add_derived`` on
  ``births`` and ``women``) makes the analysis tables; ``io`` cannot do it, as it sits
  below ``derive``. Indicators, models and comparisons then only read columns (a
  missing derived column is a ``SpecError`` naming ``sg.add_derived``), so
  ``indicators`` imports nothing from ``derive``, while ``derive.costs``
  (``cost_summary``, ``cost_drivers``) and ``derive.flows`` (``referral_rates``)
  compute per-unit rates with the indicator catalogue. Moving those per-unit
  summaries to ``compare`` would let ``derive`` sit directly on ``io``.
* ``synthetic`` is a client of the library, not a part of the data path: nothing in the
  library imports it, and its scoring harness runs the whole pipeline (load, benchmark)
  on generated data with a known truth. So it sits just below the commands.
* The package itself (``saz_geboortezorg/__init__``) resolves the public names lazily
  from every layer, so it is the top; no module imports it except for
  ``__version__``, which lives in ``saz_geboortezorg.version``.

Two rules about *how* modules import:

* **A result draws itself through present.** The result protocol asks every result for
  ``.chart()``, while the drawing code lives in ``present``. A method of a class (a
  result's ``chart``, ``caterpillar``, ...) may therefore import a ``present`` module
  *inside the method*; this is the one upward import allowed. The ``present`` module
  must not import the result's module at run time (``if TYPE_CHECKING:`` for
  annotations), otherwise the cycle check fails.
* **Imports go at the top of the module.** An import stays inside a function only
  when import time needs it lazy, that is when it would load a third-party library
  the module does not load already:

  - the heavy or optional libraries ``altair``, ``statsmodels``, ``vl_convert``,
    ``ipywidgets``, ``matplotlib``, ``openpyxl`` and ``yaml``, and ``scipy``
    submodules (``scipy.stats`` alone takes seconds) used by one function;
  - package modules that pull those in, e.g. ``compare.funnel`` (``scipy.stats``) from
    a module without it, ``synthetic.generator``, and the ``present`` chart module of
    a result's ``chart()`` method;
  - everything the ``commands`` import: each command module is imported by the CLI
    before it parses its arguments, so ``saz-geboortezorg --help`` stays instant;
  - the lazy public names of ``saz_geboortezorg``, ``saz_geboortezorg.explore`` and
    ``saz_geboortezorg.synthetic`` (module ``__getattr__``), so that
    ``import saz_geboortezorg`` takes a few milliseconds.

  An import of a module of the same or a lower layer that loads no new third-party
  library goes at the top, where a reader sees the dependency.

Examples
--------
>>> layer_of("saz_geboortezorg.compare.funnel.api")
6
>>> layer_of("saz_geboortezorg.indicators.compute") < layer_of("saz_geboortezorg.derive.tables")
True
>>> layer_of("saz_geboortezorg.io.read") < layer_of("saz_geboortezorg.derive.robson")
True
>>> package_of("saz_geboortezorg"), package_of("saz_geboortezorg.present.style")
('', 'present')
"""

from __future__ import annotations

__all__ = ["LAYERS", "ROOT", "package_of", "layer_of"]

#: The top-level package name.
ROOT = "saz_geboortezorg"

#: Layers, lowest first; each is a tuple of the top-level packages (or modules) in it.
#: ``""`` is the package itself (``saz_geboortezorg/__init__.py``).
#: ``deprecation`` and ``charts`` arrive with the vocabulary work (wt-i15vocab): the
#: renamed-argument helpers every layer uses, and the lazy namespace of chart functions.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "deprecation", "result", "progress", "memory"),
    ("expressions", "schema", "stats", "version"),
    ("io",),
    ("indicators",),
    ("derive",),
    ("model",),
    ("compare",),
    ("monitor",),
    ("disclosure",),
    ("present",),
    ("report", "explore"),
    ("federated",),
    ("synthetic",),
    ("commands",),
    ("cli", "__main__", "", "charts", "layers"),
)

#: Layers whose packages must not import each other (siblings, not a stack).
INDEPENDENT: tuple[tuple[str, ...], ...] = (
    ("expressions", "schema", "stats", "version"),
    ("report", "explore"),
)


def package_of(module: str) -> str:
    """The top-level package (or module) of a dotted module name under :data:`ROOT`.

    Examples
    --------
    >>> package_of("saz_geboortezorg.compare.funnel.limits")
    'compare'
    """
    if module == ROOT:
        return ""
    if not module.startswith(ROOT + "."):
        raise ValueError(f"{module!r} is not a module of {ROOT}")
    return module.split(".")[1]


def layer_of(module: str) -> int:
    """The layer number (0 = lowest) of a module of the package.

    Examples
    --------
    >>> layer_of("saz_geboortezorg.errors"), layer_of("saz_geboortezorg.cli")
    (0, 14)
    >>> layer_of("saz_geboortezorg.nowhere")
    Traceback (most recent call last):
    ...
    KeyError: "package 'nowhere' has no layer in saz_geboortezorg.layers.LAYERS"
    """
    package = package_of(module)
    for number, packages in enumerate(LAYERS):
        if package in packages:
            return number
    raise KeyError(f"package {package!r} has no layer in {__name__}.LAYERS")
