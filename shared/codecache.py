"""Compiled code for the methods `@dataclass` generates, recorded at build time and shipped with the Lambda asset.

`@dataclass` writes each class's `__init__`, `__repr__`, `__eq__`, `__setattr__`... as Python source and compiles it
with `exec` when the class is created: about 0.6 ms of a class's ~0.9 ms. A handler's imports create 60 to 80
dataclasses (pydantic's, annotated_types', Powertools', ours), so ~40 ms of every cold start is spent compiling the
same few hundred texts again. The text depends only on the class definition, so it can be compiled once: `record`
imports the code that runs on Lambda with a Python of the runtime's version and writes each text's code object to
`<folder>/<cache tag>.marshal`; on Lambda, `install` (`shared.startup`) makes `dataclasses` compile through that
table, and a text it does not hold is compiled as usual. The code object is the one `compile` would return, so the
classes are identical either way.

    python -m shared.codecache FOLDER [MODULE ...]    # records the modules (default: events, shared, services)

A table from another Python version (bytecode magic number) is ignored; so is a missing or unreadable file.
"""

from __future__ import annotations

import builtins
import dataclasses
import importlib
import marshal
import os
import sys
from collections.abc import Iterable, Iterator
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any

ASSET_FOLDER = "code-cache"  # the table's folder in the Lambda asset (cdk/lambda_code.py, cdk/codecache.py)
DEFAULT_PACKAGES = ("events", "shared", "services")  # what runs on Lambda (cdk/lambda_code.py SOURCE_PACKAGES)
_exec = builtins.exec


def cache_file(folder: Path) -> Path:
    """The table for this interpreter's bytecode version in `folder`."""
    return Path(folder) / f"{sys.implementation.cache_tag}.marshal"


class CompiledTexts:
    """`exec` for `dataclasses`: a source text found in the table runs its recorded code; any other is compiled."""

    def __init__(self, codes: dict[str, CodeType], record: bool = False) -> None:
        self.codes = codes
        self.record = record
        self.hits = 0

    def __call__(self, source: Any, globals: Any = None, locals: Any = None) -> None:  # exec's own parameter names
        if type(source) is str:
            code = self.codes.get(source)
            if code is None:
                code = compile(source, "<string>", "exec")
                if self.record:
                    self.codes[source] = code
            else:
                self.hits += 1
            source = code
        _exec(source, globals, locals)


def installed() -> CompiledTexts | None:
    """The table `dataclasses` compiles through, if one is installed."""
    found = vars(dataclasses).get("exec")
    return found if isinstance(found, CompiledTexts) else None


def load(folder: Path) -> dict[str, CodeType] | None:
    """The table recorded in `folder` for this interpreter, or None (missing, unreadable, another Python version)."""
    try:
        magic, codes = marshal.loads(cache_file(folder).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if magic != MAGIC_NUMBER or not isinstance(codes, dict):
        return None
    return codes


def install(folder: Path) -> bool:
    """Make `dataclasses` use the table in `folder` (idempotent); False, and nothing changed, if there is none."""
    if installed() is not None:
        return True
    codes = load(folder)
    if codes is None:
        return False
    dataclasses.exec = CompiledTexts(codes)  # type: ignore[attr-defined]  # shadows the builtin for that module only
    return True


def uninstall() -> None:
    """Back to the builtin `exec` (tests)."""
    vars(dataclasses).pop("exec", None)


def modules_of(packages: Iterable[str]) -> Iterator[str]:
    """Every module of the packages, subpackages included."""
    import pkgutil

    for package in packages:
        yield package
        imported = sys.modules.get(package)
        if imported is not None:  # record() imported it (else it failed, and says so)
            yield from (found.name for found in pkgutil.walk_packages(imported.__path__, prefix=f"{package}."))


def record(folder: Path, modules: Iterable[str]) -> tuple[int, list[str]]:
    """Import the modules, write every dataclass text compiled meanwhile to `folder`; (texts, modules that failed).

    Run it in a fresh interpreter of the runtime's version: classes created before it started are not recorded. The
    modules are imported as they are iterated, so a generator (`modules_of`) is walked with the recorder in place.
    """
    recorder = CompiledTexts({}, record=True)
    dataclasses.exec = recorder  # type: ignore[attr-defined]
    failed = []
    try:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception as error:  # a module this platform cannot import is left out, and named
                failed.append(f"{name}: {type(error).__name__}: {error}")
    finally:
        uninstall()
    target = cache_file(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(marshal.dumps((MAGIC_NUMBER, recorder.codes)))
    os.replace(partial, target)
    return len(recorder.codes), failed


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[-3].strip(), file=sys.stderr)
        return 2
    folder, names = Path(argv[0]), argv[1:]
    texts, failed = record(folder, names or modules_of(DEFAULT_PACKAGES))
    for failure in failed:
        print(f"not recorded: {failure}", file=sys.stderr)
    print(f"{cache_file(folder)}: {texts} compiled dataclass texts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
