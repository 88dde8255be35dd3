"""`bops outbox`: the messages a council without a GOV.UK Notify key sent to the local outbox (newest first), and
one of them whole."""

from __future__ import annotations

import dataclasses
from typing import Any

import click


def _outbox() -> Any:
    from services.notifications.outbox import LocalOutbox, outbox_path
    from shared.wiring import dependencies

    deps = dependencies()
    return LocalOutbox(outbox_path(deps.settings.data_dir), deps.clock)


def list_text(messages: list[Any]) -> str:
    if not messages:
        return "The outbox is empty."
    return "\n".join(f"{m.sent_at}  {m.id}  {m.email_address}  {m.subject}" for m in messages)


def message_text(message: Any) -> str:
    lines = [
        f"Id:        {message.id}",
        f"Reference: {message.reference}",
        f"Sent:      {message.sent_at}",
        f"To:        {message.email_address}",
        f"Template:  {message.template_id}",
        f"Subject:   {message.subject}",
        "",
        message.body,
    ]
    return "\n".join(lines)


def as_dict(message: Any) -> dict[str, Any]:
    return dataclasses.asdict(message)


def register(main: click.Group, data_dir_option: Any, json_option: Any, emit: Any) -> None:
    @main.group("outbox", invoke_without_command=True)
    @click.option("--to", "to", help="Only the messages to this address.")
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
    @json_option
    @data_dir_option
    @click.pass_context
    def outbox(context: click.Context, to: str | None, limit: int, as_json: bool) -> None:
        """The local outbox: what was sent without a GOV.UK Notify key, newest first (`show ID` prints one)."""
        if context.invoked_subcommand is not None:
            return
        messages = _outbox().messages(limit=limit, to=to)
        emit(as_json, {"messages": [as_dict(m) for m in messages]}, list_text(messages))

    @outbox.command("show")
    @click.argument("message_id")
    @json_option
    @data_dir_option
    def outbox_show(message_id: str, as_json: bool) -> None:
        """One message whole: its id or its reference (the notification id)."""
        message = _outbox().message(message_id)
        if message is None:
            raise click.ClickException(f"no message {message_id} in the outbox")
        emit(as_json, as_dict(message), message_text(message))
