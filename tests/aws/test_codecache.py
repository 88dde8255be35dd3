"""Compiled generated code (dataclass methods, string annotations, namedtuples): recorded once, used by a Lambda
process, identical results either way."""

from __future__ import annotations
import __future__

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.codecache import CodeTable, cache_file, load, record, uninstall

PROJECT = Path(__file__).resolve().parents[2]

SAMPLE_MODULE = """
from collections import namedtuple
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

Point = namedtuple("Point", "easting northing")


class Site(BaseModel):
    model_config = ConfigDict(defer_build=True)

    uprn: "str"
    area_m2: "float | None" = None


@dataclass(frozen=True, slots=True, order=True)
class Parcel:
    uprn: str
    area: float = 0.0
    tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(kw_only=True)
class Officer:
    name: str
    email: str = "officer@example.gov.uk"
"""

# What a class built from the table must still do: every generated method, with the table's code or compiled anew.
BEHAVIOUR = """
import dataclasses, inspect, json, sys, typing
from shared.codecache import installed
{setup}
from sample_classes import Officer, Parcel, Point, Site
a, b = Parcel("100", 2.5, ("flat",)), Parcel("100", 2.5, ("flat",))
try:
    a.area = 3.0
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
officer = Officer(name="Jo")
officer.email = "jo@example.gov.uk"
try:
    Officer("Jo")
    keyword_only = False
except TypeError:
    keyword_only = True

@dataclasses.dataclass
class Unrecorded:  # a text the table does not hold: compiled as usual
    reference: str
    version: int = 1

class Annotated:
    reference: "str"
    received: "typing.Optional[int]"

table = installed()
print(json.dumps({{
    "repr": [repr(a), repr(officer), repr(Unrecorded("DEMO-26-00001-HAPP")), repr(Point(1, 2))],
    "signature": [str(inspect.signature(Parcel.__init__)), repr(Officer.__init__.__annotations__)],
    "hints": repr(typing.get_type_hints(Annotated)),
    "site": [repr(Site(uprn="100", area_m2="2.5")), repr(Site.model_fields)],
    "equal": a == b, "hash": hash(a) == hash(b), "order": Parcel("1") < Parcel("2"), "frozen": frozen,
    "slots": not hasattr(a, "__dict__"), "default": Parcel("9").tags, "keyword_only": keyword_only,
    "fields": [f.name for f in dataclasses.fields(Parcel)],
    "hits": table.hits if table else None,
}}))
"""


def run_python(code: str, folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOPS_"))}
    environment.update(PYTHONPATH=os.pathsep.join([str(folder), str(PROJECT)]), **env)
    return subprocess.run([sys.executable, "-c", code], cwd=PROJECT, env=environment, capture_output=True, text=True)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    (tmp_path / "sample_classes.py").write_text(SAMPLE_MODULE)
    return tmp_path


def recorded(sample: Path) -> Path:
    cache = sample / "code-cache"
    done = run_python(f"from shared.codecache import main; main([{str(cache)!r}, 'sample_classes'])", sample)
    assert done.returncode == 0, done.stderr
    return cache


def behaviour(sample: Path, setup: str = "", **env: str) -> dict:
    done = run_python(BEHAVIOUR.format(setup=setup), sample, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_classes_built_from_the_recorded_code_behave_as_classes_compiled_from_source(sample):
    cache = recorded(sample)
    install = f"from pathlib import Path; from shared.codecache import install; assert install(Path({str(cache)!r}))"
    from_table = behaviour(sample, install)
    from_source = behaviour(sample)
    assert from_table["hits"] >= 5  # Parcel's and Officer's methods, Point's __new__, Site's annotations
    assert from_source["hits"] is None
    assert {**from_table, "hits": None} == from_source
    assert from_source["frozen"] and from_source["slots"] and from_source["keyword_only"]


def test_a_lambda_process_installs_the_table_its_environment_names_before_any_class_is_built(sample):
    cache = recorded(sample)
    on_lambda = behaviour(
        sample, "import shared", AWS_LAMBDA_FUNCTION_NAME="bops-demo-intake-api", BOPS_CODE_CACHE_DIR=str(cache)
    )
    assert on_lambda["hits"] >= 5
    elsewhere = behaviour(sample, "import shared", BOPS_CODE_CACHE_DIR=str(cache))
    assert elsewhere["hits"] is None
    missing = behaviour(
        sample, "import shared", AWS_LAMBDA_FUNCTION_NAME="x", BOPS_CODE_CACHE_DIR=str(sample / "no-such-folder")
    )
    assert missing["hits"] is None and missing["repr"] == on_lambda["repr"]


def test_a_table_from_another_python_or_an_unreadable_one_is_ignored(tmp_path):
    table = {("exec", "x = 1"): compile("x = 1", "<string>", "exec")}
    cache_file(tmp_path).write_bytes(marshal.dumps((b"\x00\x00\r\n", table)))
    assert load(tmp_path) is None
    cache_file(tmp_path).write_bytes(b"not marshal data")
    assert load(tmp_path) is None
    assert load(tmp_path / "missing") is None


def test_the_recorder_names_modules_it_cannot_import_and_keeps_the_rest(tmp_path, sample, monkeypatch):
    monkeypatch.syspath_prepend(str(sample))
    monkeypatch.delitem(sys.modules, "sample_classes", raising=False)
    try:
        texts, failed = record(tmp_path, ["sample_classes", "no_such_module_here"])
    finally:
        uninstall()
        sys.modules.pop("sample_classes", None)
    assert texts >= 5
    assert failed == ["no_such_module_here: ModuleNotFoundError: No module named 'no_such_module_here'"]
    assert len(load(tmp_path)) == texts


def test_the_default_recording_covers_the_code_that_runs_on_lambda(tmp_path):
    done = run_python(f"from shared.codecache import main; main([{str(tmp_path)!r}])", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "not recorded" not in done.stderr
    table = load(tmp_path)
    assert table is not None
    modes = {mode for mode, _ in table}
    assert modes == {"exec", "eval"} and len(table) > 300  # dataclasses (pydantic's, Powertools', ours), annotations
    assert ("eval", "EffectiveCouncilSettings") in table or any("Council" in text for _, text in table)
    assert not any(code.co_flags & __future__.annotations.compiler_flag for code in table.values())


MARKER = 41


def test_without_namespaces_the_code_runs_in_the_callers_as_with_the_builtins():
    table = CodeTable({})
    local_value = 1  # noqa: F841 (read by the evaluated text)
    assert table.eval("MARKER + local_value") == eval("MARKER + local_value") == 42
    found: dict[str, int] = {}
    table.exec("doubled = MARKER * 2", None, found)
    assert found == {"doubled": 82}
    assert table.eval("MARKER + local_value") == 42 and table.hits == 1  # the second time from the table
