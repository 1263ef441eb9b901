"""Deprecated argument and function names, kept working for one release.

The toolkit speaks one vocabulary (``docs/architecture.md``):

- ``unit=``: the level of comparison (``hospital``, ``region``, ``practice``; where a
  function takes a table, the column that holds the units);
- ``by=``: only ever columns to group by;
- ``confidence=``: a confidence level, as a fraction (``0.95``);
- ``highlight=``: 'my unit', the one unit a chart or report marks.

Names that meant something else before (``level=`` for a confidence level or a unit
type, ``by="region"`` for a level) keep working for one release, as FunnelPlotR did:
the old name still gives identical output and emits a :class:`SazDeprecationWarning`
(a ``DeprecationWarning``) that names the new argument. The package's own code never
uses an old name: the test configuration turns these warnings into errors.

Examples
--------
>>> import warnings
>>> @renamed_arguments(level="confidence")
... def interval(x, confidence=0.95):
...     return confidence
>>> interval(1, confidence=0.9)
0.9
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     interval(1, level=0.9)
0.9
>>> print(caught[0].message)
interval(): argument 'level' is deprecated and will be removed in the next release; use confidence= instead
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "SazDeprecationWarning",
    "renamed_arguments",
    "deprecated_alias",
    "warn_renamed",
    "DeprecatedItemAccess",
]

F = TypeVar("F", bound=Callable[..., Any])


class SazDeprecationWarning(DeprecationWarning):
    """An old name of saz_geboortezorg was used; it goes in the next release."""


def warn_renamed(function: str, old: str, new: str, stacklevel: int = 2) -> None:
    """Warn that argument ``old`` of ``function`` is now ``new`` (for wrappers that need
    more than :func:`renamed_arguments`; ``stacklevel`` as for ``warnings.warn``, counted
    from the caller of this function).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_renamed("flow_links", "by", "unit")
    >>> print(caught[0].message)
    flow_links(): argument 'by' is deprecated and will be removed in the next release; use unit= instead
    """
    warnings.warn(
        f"{function}(): argument {old!r} is deprecated and will be removed in the next "
        f"release; use {new}= instead",
        SazDeprecationWarning,
        stacklevel=stacklevel + 1,
    )


def renamed_arguments(**old_to_new: str) -> Callable[[F], F]:
    """Decorator: accept each old keyword ``old`` as ``new`` with a deprecation warning.

    Positional calls are unaffected (the new argument takes the old one's place).
    Passing both the old and the new name is an error, as a repeated argument is.

    Examples
    --------
    >>> @renamed_arguments(by="unit")
    ... def rates(table, unit="hospital"):
    ...     return unit
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rates(None, by="region")
    'region'
    >>> rates(None, by="region", unit="region")
    Traceback (most recent call last):
    ...
    TypeError: rates() got both 'by' (deprecated) and 'unit'; pass only unit=
    """

    def decorate(func: F) -> F:
        name = func.__qualname__.removesuffix(".__init__")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(
                            f"{name}() got both {old!r} (deprecated) and {new!r}; pass only {new}="
                        )
                    warn_renamed(name, old, new, stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        wrapper.__deprecated_arguments__ = dict(old_to_new)  # type: ignore[attr-defined]
        if wrapper.__doc__:
            names = ", ".join(f"``{old}`` (now ``{new}``)" for old, new in old_to_new.items())
            wrapper.__doc__ = (
                f"{wrapper.__doc__.rstrip()}\n\n    Deprecated argument names, accepted until "
                f"the next release: {names}.\n"
            )
        return wrapper  # type: ignore[return-value]

    return decorate


def deprecated_alias(func: F, old_name: str) -> F:
    """``func`` under its old name ``old_name``: works, and warns that the name goes.

    Examples
    --------
    >>> def sii_chart(x):
    ...     return x
    >>> old = deprecated_alias(sii_chart, "slope_chart")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     old(3)
    3
    >>> print(caught[0].message)
    slope_chart() is deprecated and will be removed in the next release; use sii_chart() instead
    """

    @functools.wraps(func)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"{old_name}() is deprecated and will be removed in the next release; "
            f"use {func.__name__}() instead",
            SazDeprecationWarning,
            stacklevel=2,
        )
        return func(*args, **kwargs)

    alias.__name__ = old_name
    alias.__qualname__ = old_name
    alias.__doc__ = f"Deprecated alias of :func:`{func.__module__}.{func.__name__}`."
    return alias  # type: ignore[return-value]


class DeprecatedItemAccess:
    """Mixin for a typed result that used to be a dict: ``result["key"]`` still reads the
    attribute ``key`` (or the one ``_item_aliases`` maps it to) for one release, with a
    :class:`SazDeprecationWarning` naming the attribute.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Effect(DeprecatedItemAccess):
    ...     estimate: float
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     Effect(0.5)["estimate"]
    0.5
    >>> print(caught[0].message)
    Effect['estimate'] is deprecated and will be removed in the next release; use .estimate instead
    """

    #: Old dict keys whose attribute has another name: key -> attribute.
    _item_aliases: dict[str, str] = {}

    #: Not iterable: iterating the old dict gave its keys, which item access cannot.
    __iter__ = None

    def __getitem__(self, key: str) -> Any:
        name = self._item_aliases.get(key, key) if isinstance(key, str) else None
        if name is None or name.startswith("_") or not hasattr(self, name):
            raise KeyError(key)
        warnings.warn(
            f"{type(self).__name__}[{key!r}] is deprecated and will be removed in the next "
            f"release; use .{name} instead",
            SazDeprecationWarning,
            stacklevel=2,
        )
        return getattr(self, name)
