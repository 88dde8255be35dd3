"""Package exports imported on first use, so a Lambda handler pays at cold start only for what it touches."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: dict[str, Any], exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `name` from `exports[name]` (a module path) when first asked for."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        package[name] = value
        return value

    return __getattr__


def defer_package_init(name: str) -> None:
    """Import package `name` without running its `__init__` until something asks it for a name it does not have.

    `import name.sub` and `from name import sub` load just that submodule; any other attribute (say
    `from name import Thing`) runs the real `__init__` first, so code that needs it still gets it. For packages whose
    `__init__` imports much more than a handler uses. No effect if the package is already imported.
    """
    import sys
    from importlib.util import find_spec, module_from_spec

    if name in sys.modules:
        return
    spec = find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not a package")
    package = module_from_spec(spec)
    loader = spec.loader

    def __getattr__(attribute: str) -> Any:
        if find_spec(f"{name}.{attribute}") is not None:
            return importlib.import_module(f"{name}.{attribute}")
        del package.__getattr__
        loader.exec_module(package)
        return getattr(package, attribute)

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = package
