"""Public API benchmark: published applications generated from the ODP examples, fed through the public register's
projection, then searched and shown.

    uv run python bench/public_api.py [--applications N] [--keep DIR] [--url BASE]    # default 100,000

Each application is made from one of the ODP examples (`application` and `prototypeApplication`, every type but
pre-applications) with its own address (house number, street, town), postcode, description (the example's, varied
with one of a few phrasings), type and dates spread over 20 years: its submission, a submitted document, its
validation and, for most, a decision (notice and determination) are appended to the log, and the projection
(`services.publication.projection.project`, which reads the application's streams and folds them) writes its
record. Search and show are measured when the first 10,000 are in, and again at the end.

Search is a mix: references, postcodes (with and without their space), address words, description words (the last
typed in part), filters on status, type, decision and dates, and text with filters; page 1 of 10, newest first.
They are measured over HTTP (one keep-alive connection, as a register's server pools them) on `bops serve`'s
BOPS-compatible face, `GET /api/v2/public/planning_applications/search` and
`GET /api/v2/public/planning_applications/{reference}`, when that face is served (an embedded runtime is
started on the bench's data, its relay already at the log's head); otherwise through the register's port in this
process (the JSON says which: `measured_over`). `--url http://127.0.0.1:8000` measures a `bops serve` already running
on the same data instead (`--keep DIR` keeps the data: `bops serve --data-dir DIR/data`).

Last line, one JSON object: `search_ms_p99`, `show_ms_p99` (targets ≤ 25 and ≤ 10), `applications`,
`search_ms_p99_10k` (the same searches with only the first 10,000 loaded; target: search_ms_p99 ≤ 1.5 times it),
`naive_search_ms_p99` (the same text searches as a full scan: LIKE over every record, in the same run),
`floor_ms_p99` (the same server answering its trivial `GET /health`, in the same run), `load_average`,
`projection_applications_per_s`, `measured_over`.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import random
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"

COUNCIL = "BNCH"
START = datetime(2006, 1, 2, 9, 0, tzinfo=UTC)
YEARS = 20
FIRST = 10_000
SEARCHES = 600
SHOWS = 1_000
NAIVE_SEARCHES = 30
STREETS = (
    "High Street",
    "Mill Lane",
    "Church Road",
    "Station Road",
    "The Green",
    "Park Avenue",
    "London Road",
    "Victoria Road",
    "Queens Road",
    "Kings Road",
    "Manor Way",
    "Orchard Close",
    "Elm Grove",
    "Oak Avenue",
    "Bridge Street",
    "Market Place",
    "Chapel Lane",
    "School Lane",
    "North Street",
    "South Street",
    "West End",
    "Springfield Road",
    "Meadow View",
)
TOWNS = ("Southwark", "Camberwell", "Peckham", "Dulwich", "Bermondsey", "Rotherhithe", "Walworth", "Nunhead")
PHRASES = (
    "{}",
    "{} with associated landscaping",
    "Retrospective: {}",
    "{} and internal alterations",
    "{} including demolition of existing garage",
    "Amended scheme: {}",
)
VERBS = ("Erection of", "Construction of", "Installation of", "Replacement of", "Alterations to")
THINGS = (
    "single storey rear extension",
    "two storey side extension",
    "loft conversion with rear dormer",
    "outbuilding for use as home office",
    "front porch",
    "roof lights",
    "solar panels on the south roof slope",
    "boundary wall and gates",
    "basement excavation",
    "change of use to a dwelling",
    "new shopfront",
    "replacement windows",
    "garden room",
    "vehicle crossover",
    "external staircase",
    "first floor balcony",
)


def log(message: str) -> None:
    print(message, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def templates() -> list[Any]:
    """Submission summaries of every ODP example but pre-applications."""
    from shared.odp.parse import parse_submission
    from shared.odp.summary import summarise
    from shared.reference_data import odp_examples_dir

    found = []
    for folder in ("application", "prototypeApplication"):
        for path in sorted((odp_examples_dir() / folder).rglob("*.json")):
            try:
                summary = summarise(parse_submission(json.loads(path.read_text())))
            except Exception:  # an example the intake's parser does not read: not a template
                continue
            if summary.application_type != "preApp":
                found.append(summary)
    return found


def postcode(rng: random.Random) -> str:
    area = rng.choice(("SE", "SW", "N", "E", "NW", "W", "EC", "BR", "CR", "DA"))
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{area}{rng.randint(1, 28)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"


class Bench:
    def __init__(self, directory: Path) -> None:
        os.environ["BOPS_DATA_DIR"] = str(directory / "data")
        os.environ["BOPS_NOW"] = "2026-03-02T10:00:00Z"
        from services.councils.service import CouncilService
        from services.publication.read_model.wiring import public_register
        from shared import wiring

        wiring.reset()
        self.deps = wiring.dependencies()
        CouncilService(self.deps.event_store, self.deps.clock).create_council(COUNCIL, "Bench Borough", "bench")
        self.register = public_register(self.deps)
        self.templates = templates()
        self.rng = random.Random(14)
        self.references: list[str] = []
        self.postcodes: list[str] = []
        self.projected = 0
        self.projection_s = 0.0

    def load(self, count: int) -> None:
        from events import Actor, NewEvent
        from events.application import DocumentReceived, PlanningApplicationSubmitted
        from events.assessment import DecisionNoticeIssued, PlanningApplicationDetermined, PlanningApplicationValidated
        from events.streams import application_side_stream, application_stream
        from events.submission import SiteSummary
        from services.publication.projection import project
        from shared.clock import FrozenClock
        from shared.eventstore.port import StreamAppend

        store, rng, actor = self.deps.event_store, self.rng, Actor.system("bench")
        clock = FrozenClock(START)
        store.clock = clock  # type: ignore[attr-defined]
        span = YEARS * 365 * 24 * 3600
        for _ in range(count):
            number = len(self.references) + 1
            received = START + timedelta(seconds=span * number // 200_000 + rng.randint(0, 3600))
            reference = f"{received:%y}-{number:06d}-BNCH"
            template = rng.choice(self.templates)
            code = postcode(rng)
            description = rng.choice(PHRASES).format(f"{rng.choice(VERBS)} {rng.choice(THINGS)}")
            if template.description and rng.random() < 0.3:
                description = template.description
            summary = template.model_copy(
                update={
                    "description": description,
                    "site": SiteSummary(
                        address=f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
                        town=rng.choice(TOWNS),
                        postcode=code,
                        uprn=str(100_000_000 + number),
                        latitude=51.45 + rng.random() / 10,
                        longitude=-0.1 + rng.random() / 10,
                    ),
                    "applicant": None,
                    "agent": None,
                }
            )
            main = application_stream(COUNCIL, reference)
            documents = application_side_stream(COUNCIL, reference, "documents")
            sha = "0" * 64
            submitted = PlanningApplicationSubmitted(
                reference=reference,
                received_at=received,
                submission=summary,
                payload_key=f"{COUNCIL}/{reference}/submission.json",
                payload_sha256=sha,
                payload_size=1,
            )
            document = DocumentReceived(
                document_id="d1",
                file_index=0,
                source_url="https://example.org/plan.pdf",
                file_name="plan.pdf",
                key=f"{COUNCIL}/{reference}/plan.pdf",
                sha256=sha,
                size=1,
                content_type="application/pdf",
            )
            published = received + timedelta(days=rng.randint(1, 20), seconds=rng.randint(0, 8 * 3600))
            valid = published.date()
            main_events = [
                submitted,
                PlanningApplicationValidated(valid_from=valid, validated_on=valid, determination_period_days=56),
            ]
            side_events: list[Any] = [document]
            if rng.random() < 0.8:
                side_events.append(
                    DecisionNoticeIssued(
                        document_id="n1",
                        key=f"{COUNCIL}/{reference}/notice.html",
                        sha256=sha,
                        size=1,
                        content_type="text/html",
                    )
                )
                main_events.append(
                    PlanningApplicationDetermined(
                        decision=rng.choice(("granted", "granted", "granted", "refused")),
                        decision_date=min(valid + timedelta(days=rng.randint(20, 70)), date(2026, 3, 1)),
                        notice_document_id="n1",
                    )
                )
            # Submitted when received, published (validated, so recorded) some days later: the log's recorded-at
            # moments are those of a real register's, so publication dates are spread like received dates.
            clock.moment = received
            store.append_streams(
                [
                    StreamAppend(main, 0, [NewEvent(main_events[0], COUNCIL, actor, received)]),
                    StreamAppend(documents, 0, [NewEvent(p, COUNCIL, actor, received) for p in side_events]),
                ]
            )
            clock.moment = published
            store.append_streams(
                [StreamAppend(main, 1, [NewEvent(p, COUNCIL, actor, published) for p in main_events[1:]])]
            )
            started = time.perf_counter()
            self.projected += project(self.register, store, COUNCIL, reference)
            self.projection_s += time.perf_counter() - started
            self.references.append(reference)
            self.postcodes.append(code)
            if number % 10_000 == 0:
                log(f"  {number} applications, {self.projected / self.projection_s:.0f} projected per second")

    def queries(self, count: int) -> list[dict[str, Any]]:
        """A mix of searches as (port query, HTTP parameters)."""
        rng = random.Random(7)
        mix: list[dict[str, Any]] = []
        for index in range(count):
            kind = index % 8
            if kind == 0:
                text = rng.choice(self.references)
            elif kind == 1:
                text = rng.choice(self.postcodes)
                text = text.replace(" ", "") if rng.random() < 0.5 else text.lower()
            elif kind == 2:
                text = f"{rng.randint(1, 250)} {rng.choice(STREETS)}"
            elif kind == 3:
                text = rng.choice(STREETS).split()[0].lower()[:4]
            elif kind in (4, 5):
                words = rng.choice(THINGS).split()
                start = rng.randrange(len(words))
                text = " ".join(words[start : start + 2])
                text = text[: max(3, len(text) - rng.randint(0, 3))]
            else:
                text = ""
            filters: dict[str, Any] = {}
            if kind in (5, 6, 7) or rng.random() < 0.2:
                choice = rng.randrange(4)
                if choice == 0:
                    filters["statuses"] = frozenset({rng.choice(("determined", "in_assessment"))})
                elif choice == 1:
                    filters["application_types"] = frozenset({rng.choice(self.templates).application_type})
                elif choice == 2:
                    filters["decisions"] = frozenset({rng.choice(("granted", "refused"))})
                else:
                    year = rng.randint(2006, 2025)
                    filters["received"] = (date(year, 1, 1), date(year, 12, 31))
            mix.append({"text": text, **filters})
        return mix

    def search(self, spec: dict[str, Any]) -> int:
        from services.publication.read_model.port import DateRange, PublicSearch

        ranges = ()
        if "received" in spec:
            ranges = (DateRange("received_at", *spec["received"]),)
        query = PublicSearch(
            text=spec["text"],
            statuses=spec.get("statuses", frozenset()),
            application_types=spec.get("application_types", frozenset()),
            decisions=spec.get("decisions", frozenset()),
            date_ranges=ranges,
        )
        return self.register.search(query).total

    def naive(self, spec: dict[str, Any]) -> int:
        """The same free text as a full scan of every record (LIKE), no index."""
        connection = self.register.connection()  # type: ignore[attr-defined]
        pattern = f"%{spec['text'].lower()}%"
        rows = connection.execute(
            "SELECT record FROM public_applications WHERE lower(record) LIKE ? ORDER BY published_at DESC",
            (pattern,),
        ).fetchall()
        return len(rows)


def http_parameters(spec: dict[str, Any]) -> list[tuple[str, str]]:
    parameters = [("q", spec["text"])] if spec["text"] else []
    parameters += [("applicationStatus[]", s) for s in spec.get("statuses", ())]
    parameters += [("applicationType[]", t) for t in spec.get("application_types", ())]
    parameters += [("councilDecision", d) for d in spec.get("decisions", ())]
    if "received" in spec:
        parameters += [
            ("receivedAtFrom", spec["received"][0].isoformat()),
            ("receivedAtTo", spec["received"][1].isoformat()),
        ]
    return [*parameters, ("page", "1"), ("resultsPerPage", "10")]


class Http:
    """A keep-alive HTTP/1.1 client, as a register's server-side fetches pool their connections (a new connection is
    opened only when the server closed the last one)."""

    SEARCH = "/api/v2/public/planning_applications/search"
    SHOW = "/api/v2/public/planning_applications/{}"

    def __init__(self, base: str) -> None:
        self.base = urllib.parse.urlsplit(base.rstrip("/"))
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str, parameters: list[tuple[str, str]] = ()) -> int:  # type: ignore[assignment]
        target = self.base.path + path + ("?" + urllib.parse.urlencode(parameters) if parameters else "")
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=10)
            try:
                self.connection.request("GET", target)
                response = self.connection.getresponse()
                response.read()
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.connection.close()
                self.connection = None
            return response.status
        raise AssertionError("unreachable")

    def served(self, reference: str) -> bool:
        return self.get(self.SHOW.format(reference)) == 200


def timed(calls: list[Any]) -> list[float]:
    gc.collect()
    gc.disable()
    try:
        timings = []
        for call in calls:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        return timings
    finally:
        gc.enable()


def measure(bench: Bench, http: Http | None) -> tuple[float, float, float | None]:
    """p99 of the searches, of the shows, and of the server's trivial route (`GET /health`: the floor of any answer
    over HTTP on this machine now)."""
    specs = bench.queries(SEARCHES)
    rng = random.Random(3)
    shown = [rng.choice(bench.references) for _ in range(SHOWS)]
    if http is not None:
        searches = [lambda s=s: answered(http.get(Http.SEARCH, http_parameters(s)), s) for s in specs]
        shows = [lambda r=r: answered(http.get(Http.SHOW.format(r)), r) for r in shown]
    else:
        searches = [lambda s=s: bench.search(s) for s in specs]
        shows = [lambda r=r: bench.register.get(COUNCIL, r) for r in shown]
    timed(searches[:50] + shows[:50])  # warm up
    floor = None if http is None else percentile(timed([lambda: http.get("/health")] * SHOWS), 0.99)
    return percentile(timed(searches), 0.99), percentile(timed(shows), 0.99), floor


def answered(status: int, asked: Any) -> int:
    """A timed answer must be a 200: an error answered fast would pass for a fast search."""
    if status != 200:
        raise SystemExit(f"{asked!r} was answered {status}")
    return status


def face_served() -> bool:
    """Whether a service declares the BOPS-compatible face's search route."""
    from services import http_functions

    return any(
        route.matches("GET", Http.SEARCH) is not None for function in http_functions() for route in function.routes
    )


def start_runtime(directory: Path) -> Any:
    """`bops serve` on the bench's data (its relay at the log's head: the events were projected already)."""
    from bops.runtime import EmbeddedRuntime, RuntimeOptions
    from services import subscriptions
    from shared.reference_data import odp_schema_dir

    runtime = EmbeddedRuntime(
        RuntimeOptions(directory / "data", port=0, odp_schema_dir=odp_schema_dir(), now="2026-03-02T10:00:00Z")
    )
    head = runtime.deps.event_store.head_position()  # type: ignore[attr-defined]
    for subscription in subscriptions():
        runtime.checkpoints.advance(subscription.name, runtime.checkpoints.get(subscription.name), head)
    runtime.start()
    return runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the data in this folder")
    parser.add_argument("--url", help="measure a bops serve already running on the bench's data at this base URL")
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="bench-public-"))
    directory.mkdir(parents=True, exist_ok=True)
    bench = Bench(directory)
    log(f"{len(bench.templates)} ODP examples as templates; loading {args.applications} applications in {directory}")
    first = min(FIRST, args.applications)
    bench.load(first)
    http, runtime = None, None
    if args.url:
        http = Http(args.url)
    elif face_served():
        runtime = start_runtime(directory)
        http = Http(runtime.base_url)
    measured_over = "http" if http is not None else "port (the BOPS-compatible face is not served yet)"
    log(f"measuring over {measured_over}")
    search_10k, show_10k, floor_10k = measure(bench, http)
    log(f"{first} applications: search p99 {search_10k:.2f} ms, show p99 {show_10k:.2f} ms, floor p99 {floor_10k}")
    if runtime is not None:  # stopped while the rest is loaded (its relay would project it all a second time)
        runtime.stop()
    bench.load(args.applications - first)
    if runtime is not None:
        runtime = start_runtime(directory)
        http = Http(runtime.base_url)
    search, show, floor = measure(bench, http)
    log(f"{len(bench.references)} applications: search p99 {search:.2f} ms, show p99 {show:.2f} ms, floor {floor}")
    text_specs = [s for s in bench.queries(SEARCHES) if s["text"]][:NAIVE_SEARCHES]
    naive = percentile(timed([lambda s=s: bench.naive(s) for s in text_specs]), 0.99)
    log(f"naive full scan p99 {naive:.1f} ms")
    if runtime is not None:
        runtime.stop()
    print(
        json.dumps(
            {
                "search_ms_p99": round(search, 2),
                "show_ms_p99": round(show, 2),
                "applications": len(bench.references),
                "search_ms_p99_10k": round(search_10k, 2),
                "show_ms_p99_10k": round(show_10k, 2),
                "search_ratio_to_10k": round(search / search_10k, 2),
                "naive_search_ms_p99": round(naive, 2),
                "floor_ms_p99": None if floor is None else round(floor, 2),
                "floor_ms_p99_10k": None if floor_10k is None else round(floor_10k, 2),
                "load_average": [round(load, 2) for load in os.getloadavg()],
                "projection_applications_per_s": round(bench.projected / bench.projection_s),
                "measured_over": "http" if http is not None else "port",
            }
        )
    )


if __name__ == "__main__":
    main()
