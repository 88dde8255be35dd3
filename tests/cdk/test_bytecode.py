"""The Lambda bundle's bytecode: compiled by an interpreter of the runtime's version, used without source checks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from cdk.bytecode import compile_bundle, interpreter
from cdk.functions import RUNTIME


def test_the_bundle_is_compiled_for_the_runtime_version_and_without_timestamp_checks(tmp_path):
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    (tmp_path / "package").mkdir()
    (tmp_path / "package" / "module.py").write_text("VALUE = 1\n")
    assert compile_bundle(version, tmp_path)
    [compiled] = (tmp_path / "package" / "__pycache__").iterdir()
    assert compiled.name == f"module.{sys.implementation.cache_tag}.pyc"
    flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based, unchecked: a zip's timestamps cannot invalidate it
    assert compiled.read_bytes()[:4] == importlib.util.MAGIC_NUMBER


def test_without_an_interpreter_of_that_version_the_bundle_is_left_as_it_is(tmp_path, capsys):
    (tmp_path / "module.py").write_text("VALUE = 1\n")
    assert interpreter("2.1") is None
    assert not compile_bundle("2.1", tmp_path)
    assert "without bytecode" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.pyc"))


def test_the_makefile_compiles_for_the_runtime_the_stack_declares():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert f"LAMBDA_PYTHON ?= {RUNTIME.name.removeprefix('python')}\n" in makefile
