"""The Lambda bundle's bytecode: compiled by an interpreter of the runtime's version, used without source checks."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

from cdk.bytecode import compile_bundle, interpreter
from cdk.functions import RUNTIME

ROOT = Path(__file__).resolve().parents[2]


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


def test_the_makefile_records_the_dataclass_code_with_the_runtime_python_after_compiling():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    bytecode = makefile.index("python cdk/bytecode.py $(LAMBDA_PYTHON) $(LAMBDA_DIR)")
    recording = makefile.index("python -m cdk.codecache $(LAMBDA_PYTHON) $(LAMBDA_DIR)")
    assert bytecode < recording


def test_the_bundle_recording_uses_an_interpreter_of_the_given_version_and_the_bundle_code(tmp_path):
    from cdk.codecache import record_bundle
    from shared.codecache import ASSET_FOLDER, load

    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    bundle = tmp_path / "lambda"
    shutil.copytree(ROOT / "shared", bundle / "shared", ignore=shutil.ignore_patterns("__pycache__"))
    (bundle / "events").mkdir()
    (bundle / "events" / "__init__.py").write_text(
        "from dataclasses import dataclass\n\n@dataclass(frozen=True)\nclass BundleOnly:\n    planning_ref: str\n"
    )
    (bundle / "services").mkdir()
    (bundle / "services" / "__init__.py").write_text("")
    assert record_bundle(version, bundle, None)
    table = load(bundle / ASSET_FOLDER)
    assert table is not None and any("planning_ref" in text for _, text in table)
    assert not record_bundle("2.1", bundle, None)
