"""Compiled code for the source texts the standard library generates at start-up, recorded at build time and shipped
with the Lambda asset.

A cold start compiles the same texts every time: `@dataclass` writes each class's `__init__`, `__repr__`, `__eq__`...
as source and runs it with `exec` (about 0.6 ms of a class's ~0.9 ms, and a handler's imports create 60 to 80
dataclasses: pydantic's, annotated_types', Powertools', ours); `typing.ForwardRef` compiles every string annotation
Pydantic evaluates (about a thousand per handler, ours being `from __future__ import annotations`); `namedtuple`
compiles its `__new__`. Each text depends only on the definition it came from, so it can be compiled once: `record`
imports the code that runs on Lambda with a Python of the runtime's version, builds its Pydantic models, and writes
every text compiled meanwhile with its code object to `<folder>/<cache tag>.marshal`. On Lambda, `install`
(`shared.startup`) makes those three modules compile through that table (their own `exec`, `compile` and `eval`
names shadow the builtins, for them alone); a text it does not hold is compiled as usual. The code object is the one
`compile` returns (the three modules use no `__future__` flags, so none are inherited), so what they build is
identical either way.

    python -m shared.codecache FOLDER [MODULE ...]    # records the modules (default: events, shared, services)

A table from another Python version (bytecode magic number) is ignored; so is a missing or unreadable file.
"""

from __future__ import annotations

import builtins
import importlib
import marshal
import os
import sys
from collections.abc import Iterable, Iterator
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

ASSET_FOLDER = "code-cache"  # the table's folder in the Lambda asset (cdk/lambda_code.py, cdk/codecache.py)
SOURCE_PACKAGES = ("events", "shared", "services")  # what runs on Lambda (never `bops/`, the local CLI, or tests)
FILENAME = "<string>"  # what exec, eval and these modules' compile calls name generated code
Key = tuple[str, str]  # (mode, source)
_compile, _exec, _eval = builtins.compile, builtins.exec, builtins.eval
_installed: CodeTable | None = None


def cache_file(folder: Path) -> Path:
    """The table for this interpreter's bytecode version in `folder`."""
    return Path(folder) / f"{sys.implementation.cache_tag}.marshal"


class CodeTable:
    """`exec`, `eval` and `compile` for modules that compile generated text: a text in the table gets its code
    object, any other is compiled as usual and kept (a process compiles the same annotation texts again and again)."""

    def __init__(self, codes: dict[Key, CodeType]) -> None:
        self.codes = codes
        self.hits = 0

    def code(self, source: str, mode: str) -> CodeType:
        code = self.codes.get((mode, source))
        if code is None:
            code = self.codes[(mode, source)] = _compile(source, FILENAME, mode, dont_inherit=True)
        else:
            self.hits += 1
        return code

    def exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:  # the builtin's parameter names
        if globals is None:  # as the builtin: the caller's namespaces (ours would be this module's)
            globals, locals = _callers_namespaces(locals)
        _exec(self.code(source, "exec") if type(source) is str else source, globals, locals)

    def eval(self, source: Any, globals: Any = None, locals: Any = None) -> Any:
        if globals is None:
            globals, locals = _callers_namespaces(locals)
        return _eval(self.code(source, "eval") if type(source) is str else source, globals, locals)

    def compile(
        self, source: Any, filename: Any, mode: str, flags: int = 0, dont_inherit: bool = False, optimize: int = -1
    ) -> Any:
        if type(source) is str and filename == FILENAME and flags == 0 and optimize == -1:
            return self.code(source, mode)
        return _compile(source, filename, mode, flags, dont_inherit=True, optimize=optimize)


def _callers_namespaces(locals: Any) -> tuple[dict[str, Any], Any]:
    """The globals (and, unless given, locals) of the code that called `exec` or `eval`."""
    frame = sys._getframe(2)
    return frame.f_globals, frame.f_locals if locals is None else locals


def _hooked_modules() -> list[tuple[ModuleType, str, str]]:
    """(module, the builtin's name it calls, the table's method) for every module that compiles generated text."""
    import collections
    import dataclasses
    import typing

    return [(dataclasses, "exec", "exec"), (typing, "compile", "compile"), (collections, "eval", "eval")]


def _hook(table: CodeTable) -> None:
    global _installed
    for module, name, method in _hooked_modules():
        setattr(module, name, getattr(table, method))
    _installed = table


def installed() -> CodeTable | None:
    """The table the hooked modules compile through, if one is installed."""
    return _installed


def load(folder: Path) -> dict[Key, CodeType] | None:
    """The table recorded in `folder` for this interpreter, or None (missing, unreadable, another Python version)."""
    try:
        magic, codes = marshal.loads(cache_file(folder).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if magic != MAGIC_NUMBER or not isinstance(codes, dict):
        return None
    return codes


def install(folder: Path) -> bool:
    """Make the hooked modules use the table in `folder` (idempotent); False, and nothing changed, if there is none."""
    if _installed is not None:
        return True
    codes = load(folder)
    if codes is None:
        return False
    _hook(CodeTable(codes))
    return True


def uninstall() -> None:
    """Back to the builtins (tests, and the end of a recording)."""
    global _installed
    for module, name, _ in _hooked_modules():
        vars(module).pop(name, None)
    _installed = None


def modules_of(packages: Iterable[str]) -> Iterator[str]:
    """Every module of the packages, subpackages included."""
    import pkgutil

    for package in packages:
        yield package
        imported = sys.modules.get(package)
        if imported is not None:  # record() imported it (else it failed, and says so)
            yield from (found.name for found in pkgutil.walk_packages(imported.__path__, prefix=f"{package}."))


def record(folder: Path, modules: Iterable[str]) -> tuple[int, list[str]]:
    """Import the modules and build their Pydantic models, then write every text compiled meanwhile to `folder`;
    (texts, what failed).

    Run it in a fresh interpreter of the runtime's version: what was built before it started is not recorded. The
    modules are imported as they are iterated, so a generator (`modules_of`) is walked with the recorder in place.
    Models built on first use (`defer_build`) are built here, so the annotations they evaluate then are recorded too.
    """
    recorder = CodeTable({})
    _hook(recorder)
    failed = []
    try:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception as error:  # a module this platform cannot import is left out, and named
                failed.append(f"{name}: {type(error).__name__}: {error}")
        failed.extend(_build_models())
    finally:
        uninstall()
    target = cache_file(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(marshal.dumps((MAGIC_NUMBER, recorder.codes)))
    os.replace(partial, target)
    return len(recorder.codes), failed


def _build_models() -> list[str]:
    """Build every Pydantic model not built yet (those of the recorded modules); what could not be built."""
    pydantic = sys.modules.get("pydantic")
    if pydantic is None:
        return []
    failed = []
    pending, seen = list(pydantic.BaseModel.__subclasses__()), set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        pending.extend(model.__subclasses__())
        if not model.__pydantic_complete__ and not model.__pydantic_generic_metadata__["parameters"]:
            try:
                model.model_rebuild()
            except Exception as error:  # e.g. a model whose annotations name types only a caller knows
                failed.append(f"{model.__module__}.{model.__qualname__}: {type(error).__name__}: {error}")
    return failed


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-3].strip(), file=sys.stderr)
        return 2
    folder, names = Path(argv[0]), argv[1:]
    texts, failed = record(folder, names or modules_of(SOURCE_PACKAGES))
    for failure in failed:
        print(f"not recorded: {failure}", file=sys.stderr)
    print(f"{cache_file(folder)}: {texts} compiled texts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
