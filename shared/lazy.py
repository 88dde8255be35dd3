"""Imports on first use (package exports, package `__init__`s), so a Lambda handler pays at cold start only for what
it touches."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.machinery import ModuleSpec, PathFinder
from importlib.util import find_spec
from types import ModuleType
from typing import Any

# The finder and loader below are duck-typed: `importlib.abc` would import `importlib.resources` (pathlib, tempfile,
# zipfile...), ~20 ms of a cold start before anything else has run.


def lazy_exports(package: dict[str, Any], exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `name` from `exports[name]` (a module path) when first asked for."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        package[name] = value
        return value

    return __getattr__


def defer_package_inits(names: Iterable[str]) -> None:
    """When packages `names` are first imported, do not run their `__init__` until something asks for a name in it.

    `import name.sub` and `from name import sub` then load just that submodule, and a name the `__init__` re-exports
    with a relative import (`from .sub import Thing`) loads just `sub`; any other attribute runs the real `__init__`
    first, so code that needs it still gets it. For packages whose `__init__` imports much more than a handler uses.
    Nothing is imported now; a package already imported is left as it is.
    """
    import sys

    pending = {name for name in names if name not in sys.modules}
    if pending:
        sys.meta_path.insert(0, _DeferredInitFinder(pending))


class _DeferredInitFinder:
    def __init__(self, names: set[str]) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in self.names:
            return None
        self.names.discard(fullname)
        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            raise ImportError(f"{fullname} is not a package")
        spec.loader = _DeferredInitLoader(spec.loader)  # type: ignore[assignment]  # duck-typed, see above
        return spec


class _DeferredInitLoader:
    def __init__(self, real: Any) -> None:
        self.real = real

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        name, real = module.__name__, self.real
        reexports = _relative_reexports(real, name)

        def __getattr__(attribute: str) -> Any:
            if attribute in reexports:
                submodule, original = reexports[attribute]
                value = getattr(importlib.import_module(f"{name}.{submodule}"), original)
                setattr(module, attribute, value)
                return value
            if find_spec(f"{name}.{attribute}") is not None:
                return importlib.import_module(f"{name}.{attribute}")
            del module.__getattr__
            real.exec_module(module)
            return getattr(module, attribute)

        module.__getattr__ = __getattr__  # type: ignore[method-assign]


def _relative_reexports(loader: Any, name: str) -> dict[str, tuple[str, str]]:
    """{name: (submodule, its name there)} for each `from .submodule import ...` at the top of an `__init__`."""
    try:
        source = loader.get_source(name)
    except (AttributeError, ImportError, OSError):
        source = None
    if not source:
        return {}
    import ast

    found: dict[str, tuple[str, str]] = {}
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.ImportFrom) and statement.level == 1 and statement.module:
            for alias in statement.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = (statement.module, alias.name)
    return found
