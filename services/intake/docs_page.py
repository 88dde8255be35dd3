"""A small, self-contained HTML page describing the API from its OpenAPI document (no assets from elsewhere)."""

from __future__ import annotations

from html import escape
from typing import Any


def render(document: dict[str, Any], title: str) -> str:
    rows = []
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = "".join(
                f"<li><strong>{escape(code)}</strong> {escape(r.get('description', ''))}</li>"
                for code, r in operation.get("responses", {}).items()
            )
            rows.append(
                f"<h2 class='govuk-heading-m'><code>{escape(method.upper())} {escape(path)}</code></h2>"
                f"<p class='govuk-body'>{escape(operation.get('summary', ''))}</p>"
                f"<p class='govuk-body'>{escape(operation.get('description', ''))}</p>"
                f"<ul class='govuk-list govuk-list--bullet'>{responses}</ul>"
            )
    info = document.get("info", {})
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title></head><body class='govuk-template__body'>"
        f"<main class='govuk-main-wrapper'><h1 class='govuk-heading-l'>{escape(title)}</h1>"
        f"<p class='govuk-body'>{escape(info.get('description', ''))}</p>"
        "<p class='govuk-body'>Machine-readable: <a href='/api/v2/openapi.json'>openapi.json</a></p>"
        + "".join(rows)
        + "</main></body></html>"
    )
