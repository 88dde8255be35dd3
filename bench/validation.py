"""Bench: ODP schema validation, project validator (jsonschema-rs) vs python `jsonschema`.

Validates the application and prototypeApplication examples plus invalid mutations of each with both
validators in the same run (both warmed up; compilation excluded) and prints, as its last line, one JSON
object: baseline_ms_p50, ours_ms_p50, speedup, same_verdicts, application_ms_p50, prototype_ms_p50.
Both sides do the same work: collect every error of the payload (ours: `OdpValidator.validate`, which also
sorts/expands them; baseline: `list(Draft7Validator.iter_errors(payload))`).
"""

from __future__ import annotations

import copy
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shared import reference_data  # noqa: E402
from shared.odp.validation import (  # noqa: E402
    SCHEMA_FILES,
    OdpValidator,
    is_uuid,
    prototype_branch_schema,
    prototype_branches,
)

SCHEMA_DIR = reference_data.odp_schema_dir()
EXAMPLES_DIR = reference_data.odp_examples_dir()
FORMATS = ("application", "prototypeApplication")
OURS_REPEATS = 40
BASELINE_REPEATS = 3
TIME_BUDGET_S = 180  # past this, time the (slow) baseline once per payload so the run stays under 5 minutes


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(payload: dict[str, Any]) -> None:
        *head, last = path.split(".")
        target = payload
        for key in head:
            target = target[key]
        target[last] = value

    return mutate


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(payload: dict[str, Any]) -> None:
        *head, last = path.split(".")
        target = payload
        for key in head:
            target = target[key]
        del target[last]

    return mutate


MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("missing metadata.id", _delete("metadata.id")),
    ("metadata.id not a uuid", _set("metadata.id", "not-a-uuid")),
    ("bad applicant email", _set("data.applicant.email", "not-an-email")),
    ("easting wrong type", _set("data.property.address.x", "east")),
    ("extra data property", _set("data.unexpected", True)),
]


def _baseline_validator(fmt: str, application_type: str | None) -> jsonschema.Draft7Validator:
    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = dict(jsonschema.Draft7Validator.FORMAT_CHECKER.checkers)
    checker.checks("uuid")(is_uuid)
    if fmt == "prototypeApplication" and application_type in prototype_branches(SCHEMA_DIR):
        schema = prototype_branch_schema(SCHEMA_DIR, application_type, compacted=False)
    else:
        schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[fmt]).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=checker)


def _payloads() -> list[tuple[str, str, dict[str, Any]]]:
    cases: list[tuple[str, str, dict[str, Any]]] = []
    for fmt in FORMATS:
        for path in sorted((EXAMPLES_DIR / fmt).glob("**/*.json")):
            payload = json.loads(path.read_text(encoding="utf-8"))
            name = str(path.relative_to(EXAMPLES_DIR))
            cases.append((name, fmt, payload))
            for label, mutate in MUTATIONS:
                clone = copy.deepcopy(payload)
                mutate(clone)
                cases.append((f"{name}: {label}", fmt, clone))
    return cases


def _median_ms(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    try:
        reference_data.require_odp()
    except reference_data.ReferenceDataMissing as error:
        sys.exit(str(error))
    cases = _payloads()
    print(f"{len(cases)} payloads ({len(MUTATIONS)} mutations per example) from {EXAMPLES_DIR}", flush=True)
    ours = OdpValidator(SCHEMA_DIR)
    baselines: dict[tuple[str, str | None], jsonschema.Draft7Validator] = {}

    ours_ms: list[float] = []
    base_ms: list[float] = []
    by_format: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    same = True
    started = time.perf_counter()
    for index, (name, fmt, payload) in enumerate(cases, 1):
        key = (fmt, payload.get("applicationType"))
        if key not in baselines:
            baselines[key] = _baseline_validator(*key)
        baseline = baselines[key]
        # warm-up (compiles our validator for this type; lets python resolve its refs) and verdicts
        ours_valid = not ours.validate(payload)
        base_valid = not list(baseline.iter_errors(payload))
        expected_valid = ":" not in name
        if ours_valid != base_valid or ours_valid != expected_valid:
            same = False
            print(f"  DISAGREE {name}: ours={ours_valid} baseline={base_valid}", flush=True)
        ours_time = _median_ms(lambda p=payload: ours.validate(p), OURS_REPEATS)
        repeats = BASELINE_REPEATS if time.perf_counter() - started < TIME_BUDGET_S else 1
        base_time = _median_ms(lambda p=payload, b=baseline: list(b.iter_errors(p)), repeats)
        ours_ms.append(ours_time)
        base_ms.append(base_time)
        by_format[fmt].append(ours_time)
        if index % 30 == 0 or index == len(cases):
            elapsed = time.perf_counter() - started
            print(f"  {index}/{len(cases)} payloads, {elapsed:.0f}s elapsed", flush=True)

    ratios = sorted(b / o for b, o in zip(base_ms, ours_ms, strict=True) if o > 0)
    baseline_p50 = statistics.median(base_ms)
    ours_p50 = statistics.median(ours_ms)
    print(
        f"ours p50 {ours_p50:.3f} ms (max {max(ours_ms):.3f}); python jsonschema p50 {baseline_p50:.1f} ms; "
        f"per-payload speedup min {ratios[0]:.0f}x, median {statistics.median(ratios):.0f}x"
    )
    print(
        json.dumps(
            {
                "baseline_ms_p50": round(baseline_p50, 3),
                "ours_ms_p50": round(ours_p50, 3),
                "speedup": round(baseline_p50 / ours_p50, 1),
                "same_verdicts": same,
                "application_ms_p50": round(statistics.median(by_format["application"]), 3),
                "prototype_ms_p50": round(statistics.median(by_format["prototypeApplication"]), 3),
                "payloads": len(cases),
            }
        )
    )


if __name__ == "__main__":
    main()
