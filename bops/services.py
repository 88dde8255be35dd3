"""The composition root's list of what runs: the platform and every service's declaration (CDK reads the same list)."""

from __future__ import annotations

from shared.declarations import HttpFunction, ServiceDeclaration, Subscription
from shared.platform import PLATFORM


def declarations() -> list[ServiceDeclaration]:
    from services.intake.declaration import SERVICE as INTAKE

    return [PLATFORM, INTAKE]


def http_functions() -> list[HttpFunction]:
    return [function for declaration in declarations() for function in declaration.http]


def subscriptions() -> list[Subscription]:
    return [subscription for declaration in declarations() for subscription in declaration.subscriptions]
