"""The `bops` command: run the embedded system and manage councils, officers, API keys, audits and read models."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from bops import environment

if TYPE_CHECKING:  # `bops --help` imports no service
    from services.councils.service import CouncilService

DATA_DIR_HELP = "Where the event log, read models, documents and secrets live (default ./.bops)."
data_dir_argument = click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    envvar="BOPS_DATA_DIR",
    default=Path(".bops"),
    show_default=True,
    help=DATA_DIR_HELP,
)


def data_dir_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Every command takes --data-dir, so several independent instances can run side by side."""

    @data_dir_argument
    @functools.wraps(command)
    def wrapper(*args: Any, data_dir: Path, **kwargs: Any) -> Any:
        data_dir.mkdir(parents=True, exist_ok=True)
        environment.configure(data_dir)
        return command(*args, **kwargs)

    return wrapper


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(command)


def emit(as_json: bool, value: Any, text: str) -> None:
    click.echo(json.dumps(value, indent=None, default=str) if as_json else text)


def fail_on_domain_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Domain refusals are the user's input errors: a clear message and exit status 2, no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from shared.eventstore import ConcurrencyError

        try:
            return command(*args, **kwargs)
        except (ValueError, LookupError, ConcurrencyError) as error:
            raise click.ClickException(str(error)) from error

    return wrapper


def councils_service() -> CouncilService:
    from services.councils.own_writes import project_at_once
    from services.councils.service import CouncilService
    from shared.wiring import dependencies

    deps = dependencies()
    return CouncilService(deps.event_store, deps.clock, after_append=project_at_once(deps))


class _Commands(click.Group):
    """Every command: a symbolic link in the data directory where a file belongs is a clear error, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from shared.private_files import UnsafeDataFile

        try:
            return super().invoke(ctx)
        except UnsafeDataFile as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bops-next")
def main() -> None:
    """BOPS: an event-sourced back-office planning system for English local planning authorities."""
    from shared.settings import Settings, SettingsError

    try:  # a bad BOPS_ variable stops every command with its name, before anything starts
        Settings.from_environment(os.environ)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@data_dir_argument
@click.option("--now", help="Freeze time at this ISO moment (tests, demos).")
@click.option("--time-offset", "time_offset", type=float, help="Shift time by this many days.")
@click.option(
    "--odp-schema-dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Folder of the ODP JSON Schemas (default: odp/schemas in $BOPS_REFERENCE_DIR, or in ../shared).",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=os.cpu_count() or 1,
    show_default=True,
    help="HTTP worker processes (0: serve HTTP in the relay's process).",
)
@click.option("--quiet", is_flag=True, help="Print only the URL line.")
def serve(
    host: str,
    port: int,
    data_dir: Path,
    now: str | None,
    time_offset: float | None,
    odp_schema_dir: Path | None,
    workers: int,
    quiet: bool,
) -> None:
    """Start the whole system on this machine: HTTP server, event log, relay and subscribers."""
    from bops.demo import allow_demo_files, banner, ensure_demo, write_demo_example
    from bops.demo_files import DemoFileServer
    from bops.routing import UnenforceableRoute
    from bops.runtime import EmbeddedRuntime, RuntimeOptions
    from bops.schedule import Scheduler
    from bops.server import CannotListen
    from services import scheduled_jobs
    from shared import reference_data

    schema_dir = odp_schema_dir or reference_data.odp_schema_dir()
    if not schema_dir.is_dir():
        raise click.ClickException(f"{reference_data.missing_message(schema_dir)}. Intake cannot validate submissions.")
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        runtime = EmbeddedRuntime(RuntimeOptions(data_dir, host, port, now, time_offset, schema_dir))
    except UnenforceableRoute as error:
        raise click.ClickException(str(error)) from error
    except CannotListen as error:
        raise click.ClickException(str(error)) from error
    files = DemoFileServer(runtime.server.server_address[1] + 1).start()
    logins = ensure_demo(councils_service(), runtime.deps.secrets, data_dir)
    allow_demo_files(councils_service(), files.allowlist_entry)
    example = write_demo_example(data_dir, files.base_url)
    _apply_api_keys()
    from bops.daily import catch_up_auto_close_read_model

    catch_up_auto_close_read_model()  # before the daily job's run at start, which reads it
    quiet_line = f"BOPS listening on {runtime.base_url}"
    click.echo(quiet_line if quiet else banner(logins, runtime.base_url, example, files.base_url))
    sys.stdout.flush()
    from bops.shutdown import end_within, stop_on_signals

    stop_on_signals()
    jobs = Scheduler(scheduled_jobs(), clock=runtime.deps.clock)
    jobs.start()
    try:
        if workers:
            from bops.workers import serve_with_workers

            serve_with_workers(runtime, workers)
        else:
            runtime.start(block=True)
    except KeyboardInterrupt:
        pass
    finally:
        runtime.stop()  # the server (its request threads: idle ones end now) and the relay
        files.stop()
        jobs.stop()
        end_within(STOP_GRACE_SECONDS)


STOP_GRACE_SECONDS = 5.0  # for what still runs once everything has stopped (`bops.shutdown`)


@main.group()
def councils() -> None:
    """Councils: create, list and change settings."""


@councils.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--slug", required=True, help="The URL-friendly name public registers use.")
@json_option
@data_dir_option
@fail_on_domain_errors
def councils_create(code: str, name: str, slug: str, as_json: bool) -> None:
    """Create a council. CODE is the ODP metadata.organisation (at most 4 characters)."""
    state = councils_service().create_council(code, name, slug)
    emit(as_json, {"code": state.code, "name": state.name, "slug": state.slug}, f"Created council {state.code}")


@councils.command("list")
@json_option
@data_dir_option
def councils_list(as_json: bool) -> None:
    """List councils."""
    rows = [{"code": s.code, "name": s.name, "slug": s.slug} for s in councils_service().list_councils()]
    emit(as_json, {"councils": rows}, "\n".join(f"{r['code']:<5} {r['slug']:<20} {r['name']}" for r in rows))


@councils.command("set")
@click.argument("code")
@click.option("--name")
@click.option("--public-base-url")
@click.option("--allow-download-host", "hosts", multiple=True, help="A host files may be downloaded from (repeat).")
@click.option(
    "--reference-suffix",
    "suffixes",
    multiple=True,
    metavar="TYPE=SUFFIX",
    help="Override the reference suffix of an ODP type code (repeat).",
)
@click.option(
    "--determination-period",
    "periods",
    multiple=True,
    metavar="TYPE=DAYS",
    help="Override the determination period (calendar days) of an ODP type code and its children (repeat).",
)
@click.option("--reply-to-email")
@click.option(
    "--publish-applicant-names",
    type=click.Choice(["yes", "no"]),
    help="Whether the public register shows the applicant's name and the agent's company.",
)
@click.option(
    "--download-credential",
    help="The api-key header for the council's private PlanX files (kept in the secrets store, never in the log).",
)
@json_option
@data_dir_option
@fail_on_domain_errors
def councils_set(
    code: str,
    name: str | None,
    public_base_url: str | None,
    hosts: tuple[str, ...],
    suffixes: tuple[str, ...],
    periods: tuple[str, ...],
    reply_to_email: str | None,
    publish_applicant_names: str | None,
    download_credential: str | None,
    as_json: bool,
) -> None:
    """Record new settings for a council (over its deployment configuration)."""
    from events.council import CouncilSettingsChanges
    from shared.whole_numbers import whole_number

    parsed = {}
    for item in suffixes:
        type_code, sep, suffix = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not TYPE=SUFFIX", param_hint="--reference-suffix")
        parsed[type_code] = suffix
    days_by_type = {}
    for item in periods:
        type_code, sep, days = item.partition("=")
        number = whole_number(days.strip())
        if not sep or number is None:
            raise click.BadParameter(f"{item!r} is not TYPE=DAYS", param_hint="--determination-period")
        days_by_type[type_code] = number
    changes = CouncilSettingsChanges(
        name=name,
        public_base_url=public_base_url,
        allow_download_hosts=hosts or None,
        reference_suffixes=parsed or None,
        determination_periods=days_by_type or None,
        reply_to_email=reply_to_email,
        publish_applicant_names=None if publish_applicant_names is None else publish_applicant_names == "yes",
    )
    service = councils_service()
    if not service.load(code).exists:
        raise click.ClickException(f"no council {code!r}")
    if download_credential:
        from services.intake.documents.credentials import store_download_credential
        from shared.wiring import dependencies

        store_download_credential(dependencies().secrets, code, download_credential)
    if changes.model_dump(exclude_none=True) or not download_credential:
        service.change_settings(code, changes)
    settings = service.settings(code)
    emit(as_json, settings.model_dump(mode="json"), f"Updated council {code}")


@councils.command("set-notify")
@click.argument("code")
@click.option("--api-key", help="The council's GOV.UK Notify API key (secrets store only); default: the one saved.")
@click.option(
    "--template", "templates", multiple=True, metavar="KIND=ID", help="The template of one kind of message (repeat)."
)
@click.option("--generic-template", help="A template whose subject is ((subject)) and body ((body)), for other kinds.")
@click.option("--reply-to", help="The Notify email reply-to id.")
@click.option("--base-url", help="Notify's API address (default https://api.notifications.service.gov.uk).")
@click.option(
    "--callback-token",
    help="The bearer token given to Notify for its delivery-status callbacks (POST /callbacks/notify/CODE); alone, "
    "it is all that changes.",
)
@json_option
@data_dir_option
@fail_on_domain_errors
def councils_set_notify(
    code: str,
    api_key: str | None,
    templates: tuple[str, ...],
    generic_template: str | None,
    reply_to: str | None,
    base_url: str | None,
    callback_token: str | None,
    as_json: bool,
) -> None:
    """Send a council's mail through GOV.UK Notify: checked against Notify (the key, each template) before saving; a
    refusal is also recorded for the council's administrators to see."""
    from events import Actor
    from events.council import CouncilSettingsChanges
    from shared.notify import settings as notify
    from shared.notify.problems import record_problem
    from shared.wiring import dependencies

    if callback_token is not None:
        problems = notify.check_callback_token(callback_token)
        if problems:
            raise click.BadParameter("; ".join(problems), param_hint="--callback-token")
    if callback_token is not None and not (api_key or templates or generic_template or reply_to or base_url):
        if not councils_service().load(code).exists:
            raise click.ClickException(f"no council {code!r}")
        notify.save_callback_token(code, callback_token, dependencies().secrets)
        emit(
            as_json, {"callback_token": "(saved in the secrets store)"}, f"Council {code}'s Notify callback token saved"
        )
        return

    pairs = []
    for item in templates:
        kind, sep, template_id = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not KIND=ID", param_hint="--template")
        pairs.append((kind.strip(), template_id.strip()))
    service, deps = councils_service(), dependencies()
    state = service.load(code)
    if not state.exists:
        raise click.ClickException(f"no council {code!r}")
    configuration = notify.merged_configuration(
        state.settings.notify,
        base_url=base_url,
        templates=pairs,
        generic_template_id=generic_template,
        reply_to_id=reply_to,
    )
    who = Actor(kind="system", id="bops-cli", display_name="bops councils set-notify")
    try:
        notify.change_notify_settings(
            code,
            api_key,
            configuration,
            deps.secrets,
            lambda saved: service.change_settings(code, CouncilSettingsChanges(notify=saved)),
            callback_token=callback_token,
            refused=lambda reasons: record_problem(deps.event_store, code, "check", reasons, who, deps.clock.now()),
        )
    except notify.NotifySettingsRefused as refused:
        raise click.ClickException(
            "Notify settings refused, nothing saved:\n" + "\n".join(f"- {reason}" for reason in refused.reasons)
        ) from None
    shown = configuration.model_dump(mode="json") | {"api_key": "(saved in the secrets store)"}
    emit(as_json, shown, f"Council {code} sends its mail through GOV.UK Notify ({configuration.base_url})")


@main.group()
def officers() -> None:
    """Officers: create, list, change roles, deactivate; the key that signs their sign-in tokens."""


@officers.command("create")
@click.option("--council", required=True)
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["assessor", "reviewer", "administrator"]))
@click.option("--password", help="Leave out to create the account without a password.")
@json_option
@data_dir_option
@fail_on_domain_errors
def officers_create(council: str, email: str, name: str, role: str, password: str | None, as_json: bool) -> None:
    """Create an officer account: with BOPS_RUNTIME=aws a user of the council's Cognito user pool, in its role's group;
    embedded, the password is kept as an argon2 hash in the secrets store."""
    from services.councils.officer_directory import officer_directory
    from shared.wiring import dependencies

    deps = dependencies()
    officer = councils_service().create_officer(
        council, email, name, role, password, deps.secrets, directory=officer_directory(deps)
    )
    _apply_officers()
    emit(
        as_json,
        {"id": officer.id, "council": council, "email": officer.email, "name": officer.name, "role": officer.role},
        f"Created officer {officer.email} ({officer.role}) id {officer.id}",
    )


def _officer_by_email(council: str, email: str) -> str:
    officer = councils_service().load(council).officer_by_email(email)
    if officer is None:
        raise click.ClickException(f"no officer with e-mail address {email} in council {council}")
    return officer.id


@officers.command("set-role")
@click.option("--council", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["assessor", "reviewer", "administrator"]))
@json_option
@data_dir_option
@fail_on_domain_errors
def officers_set_role(council: str, email: str, role: str, as_json: bool) -> None:
    """Give an officer another role: it applies to their next request (no new sign-in needed)."""
    from services.councils.officer_directory import officer_directory
    from shared.wiring import dependencies

    service = councils_service()
    officer = service.change_officer_role(
        council, _officer_by_email(council, email), role, directory=officer_directory(dependencies())
    )
    _apply_officers()
    emit(as_json, {"id": officer.id, "role": officer.role}, f"Officer {officer.email} is now {officer.role}")


@officers.command("deactivate")
@click.option("--council", required=True)
@click.option("--email", required=True)
@json_option
@data_dir_option
@fail_on_domain_errors
def officers_deactivate(council: str, email: str, as_json: bool) -> None:
    """Deactivate an officer: they cannot sign in, and their current token stops working at its next request."""
    from services.councils.officer_directory import officer_directory
    from shared.wiring import dependencies

    service = councils_service()
    officer = service.deactivate_officer(
        council, _officer_by_email(council, email), directory=officer_directory(dependencies())
    )
    _apply_officers()
    emit(as_json, {"id": officer.id, "active": False}, f"Deactivated officer {officer.email}")


@officers.command("rotate-signing-key")
@click.option("--council", required=True)
@json_option
@data_dir_option
@fail_on_domain_errors
def officers_rotate_signing_key(council: str, as_json: bool) -> None:
    """Sign officers' tokens with a new key; the previous one keeps verifying until the tokens it signed expire."""
    from services.councils.officer_tokens import OfficerTokens
    from shared.councils.rules import check_code
    from shared.wiring import dependencies

    deps = dependencies()
    key = OfficerTokens(deps.secrets, deps.clock).rotate(check_code(council))
    emit(as_json, {"council": council, "key_id": key.id}, f"Council {council} signs officers' tokens with key {key.id}")


@officers.command("list")
@click.option("--council", help="Only this council's officers.")
@json_option
@data_dir_option
def officers_list(council: str | None, as_json: bool) -> None:
    """List officers."""
    service = councils_service()
    codes = [council] if council else [state.code for state in service.list_councils()]
    rows = [
        {"council": code, "id": o.id, "email": o.email, "name": o.name, "role": o.role, "active": o.active}
        for code in codes
        for o in service.list_officers(code)
    ]
    emit(
        as_json,
        {"officers": rows},
        "\n".join(f"{r['council']:<5} {r['role']:<14} {r['email']:<32} {r['name']}" for r in rows),
    )


@main.group("api-keys")
def api_keys() -> None:
    """API keys of councils' online services: create, list, revoke."""


@api_keys.command("create")
@click.option("--council", required=True)
@click.option("--name", required=True)
@click.option("--scope", "scopes", multiple=True, required=True, help="e.g. planning_application:write (repeat).")
@json_option
@data_dir_option
@fail_on_domain_errors
def api_keys_create(council: str, name: str, scopes: tuple[str, ...], as_json: bool) -> None:
    """Issue an API key. The key is printed once and stored only as a hash."""
    view, key = councils_service().create_api_key(council, name, scopes)
    _apply_api_keys()
    emit(
        as_json,
        {"id": view.id, "key": key, "council": council, "scopes": list(view.scopes)},
        f"API key {view.id} for {council}: {key}\n(shown once: keep it safe)",
    )


@api_keys.command("list")
@click.option("--council", help="Only this council's keys.")
@json_option
@data_dir_option
def api_keys_list(council: str | None, as_json: bool) -> None:
    """List API keys (never the keys themselves)."""
    service = councils_service()
    codes = [council] if council else [state.code for state in service.list_councils()]
    rows: list[dict[str, Any]] = [
        {
            "council": code,
            "id": k.id,
            "name": k.name,
            "scopes": list(k.scopes),
            "prefix": k.prefix,
            "revoked": k.revoked,
            "created_at": k.created_at,
        }
        for code in codes
        for k in service.list_api_keys(code)
    ]
    emit(
        as_json,
        {"api_keys": rows},
        "\n".join(
            f"{r['council']:<5} {r['id']} {'revoked' if r['revoked'] else 'active ':<8} {r['name']} "
            f"[{' '.join(r['scopes'])}]"
            for r in rows
        ),
    )


@api_keys.command("revoke")
@click.argument("key_id")
@json_option
@data_dir_option
@fail_on_domain_errors
def api_keys_revoke(key_id: str, as_json: bool) -> None:
    """Revoke an API key: it stops working at once."""
    service = councils_service()
    found = service.find_api_key(key_id)
    if found is None:
        raise click.ClickException(f"no API key with id {key_id!r}")
    view = service.revoke_api_key(found[0].code, key_id)
    _apply_api_keys()
    emit(as_json, {"id": view.id, "revoked": True}, f"Revoked API key {view.id}")


def _apply_officers() -> None:
    """Bring the officers read model up to date now (the relay would, a moment later): sign-in and the authorizer
    read it."""
    from services.councils.officer_projection import projector
    from shared.wiring import dependencies

    apply = projector()
    for stream_id in dependencies().event_store.stream_ids("council:"):
        for event in dependencies().event_store.read(stream_id):
            if event.event_type in apply.projection.event_types:
                apply.handle(event)


def _apply_api_keys() -> None:
    """Bring the API-keys read model up to date now (the relay would, a moment later): revocation is immediate."""
    from services.councils.api_key_projection import projector
    from shared.wiring import dependencies

    apply = projector()
    for stream_id in dependencies().event_store.stream_ids("council:"):
        for event in dependencies().event_store.read(stream_id):
            if event.event_type in apply.projection.event_types:
                apply.handle(event)


@main.command("verify-audit")
@click.argument("reference", required=False)
@data_dir_option
def verify_audit(reference: str | None) -> None:
    """Check the log against its hash chains and sealed checkpoints (one application's streams, or all); a non-zero
    exit names each stream and version that was changed, removed, moved or added."""
    from bops.audit import run_audit
    from shared.audit_trail import describe_problem
    from shared.wiring import dependencies

    with _log_errors():
        report = run_audit(dependencies(), reference)
    if report is None:
        raise click.ClickException(f"no application with reference {reference!r}")
    for bad in report.problems:
        click.echo(describe_problem(bad), err=True)
    if not report.ok:
        sys.exit(1)
    against = f" against {report.checkpoints} checkpoints" if report.checkpoints else ""
    click.echo(f"OK: {report.events_checked} events in {report.streams_checked} streams verified{against}")
    if not report.checkpoints:
        click.echo(
            "No audit checkpoints yet: removing a stream's newest events goes unnoticed until one is written"
            " (`bops audit checkpoint`, or `bops serve` every 15 minutes)."
        )


@main.group("audit")
def audit_group() -> None:
    """Audit checkpoints: sealed records of every stream's head, so truncating the log is detected."""


@audit_group.command("checkpoint")
@json_option
@data_dir_option
def audit_checkpoint(as_json: bool) -> None:
    """Verify what changed since the last checkpoint, then seal the new heads (refused if the log fails)."""
    from shared.audit_trail import describe_problem, take_checkpoint
    from shared.eventstore.audit import AuditFailed
    from shared.eventstore.checkpoints import CheckpointConflict
    from shared.wiring import dependencies

    try:
        with _log_errors():
            written = take_checkpoint(dependencies())
    except AuditFailed as failed:
        for bad in failed.problems:
            click.echo(describe_problem(bad), err=True)
        raise click.ClickException("the log failed its audit: no checkpoint written") from None
    except CheckpointConflict as conflict:
        raise click.ClickException(f"{conflict}; run the command again") from None
    rows = [{"sequence": c.sequence, "streams": len(c.streams), "log": c.log, "seal": c.seal} for c in written]
    text = "\n".join(f"Checkpoint {r['sequence']}: {r['streams']} streams, seal {r['seal']}" for r in rows)
    emit(as_json, {"checkpoints": rows}, text or "Nothing changed since the last checkpoint")


@contextlib.contextmanager
def _log_errors() -> Iterator[None]:
    """A log or checkpoint file that cannot be read at all (not a database, a table changed) or a secrets file others
    can read is reported, not a traceback."""
    import sqlite3

    from shared.secrets.local import InsecureSecretsFile

    try:
        yield
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"the event log or its checkpoints cannot be read: {error}") from None
    except InsecureSecretsFile as error:
        raise click.ClickException(str(error)) from None


@main.command("run-daily")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), help="Run as on this day (YYYY-MM-DD).")
@json_option
@data_dir_option
def run_daily(day: Any, as_json: bool) -> None:
    """Run the daily job now: close, as accepted, the validation requests unanswered until their auto-close day
    (default day: that of the last scheduled run). Running it again changes nothing."""
    from bops.daily import run_daily_now

    with _log_errors():
        run = run_daily_now(day.date() if day else None)
    closed = [{"reference": reference, "requestId": request_id} for reference, request_id in run.closed_requests]
    text = "\n".join(f"Closed request {c['requestId']} of {c['reference']}" for c in closed)
    emit(
        as_json,
        {"day": run.day.isoformat(), "candidates": run.candidates, "closed": closed, "busy": run.busy},
        f"Daily job for {run.day.isoformat()}: {len(closed)} requests auto-closed"
        f" ({run.candidates} applications looked at)" + (f"\n{text}" if text else ""),
    )
    if run.busy:
        raise click.ClickException(f"{', '.join(run.busy)} kept changing while the job ran: run it again")


@main.command()
@click.argument("projection")
@data_dir_option
@fail_on_domain_errors
def replay(projection: str) -> None:
    """Rebuild a read model from the log into a fresh store and swap it in."""
    from bops.replay import rebuild

    rebuild(projection, echo=click.echo)


def _register_outbox() -> None:
    from bops.outbox import register

    register(main, data_dir_option, json_option, emit)


_register_outbox()


if __name__ == "__main__":
    main()
