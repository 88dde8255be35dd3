"""The services (councils, intake, and later assessment, notifications, publication); each talks to the others only by
events, and none imports another.

The list of services lives here: the embedded runtime serves and dispatches from it and CDK builds the stack from it.
The declarations are imported on first call, so a Lambda handler importing its own module pays for none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.declarations import Authorizer, HttpFunction, ScheduledJob, ServiceDeclaration, Subscription


def declarations() -> list[ServiceDeclaration]:
    """Every service's declaration."""
    from services.assessment.declaration import SERVICE as ASSESSMENT
    from services.councils.declaration import SERVICE as COUNCILS
    from services.intake.declaration import SERVICE as INTAKE
    from services.publication.declaration import SERVICE as PUBLICATION

    return [COUNCILS, INTAKE, ASSESSMENT, PUBLICATION]


def http_functions() -> list[HttpFunction]:
    return [function for declaration in declarations() for function in declaration.http]


def subscriptions() -> list[Subscription]:
    return [subscription for declaration in declarations() for subscription in declaration.subscriptions]


def scheduled_jobs() -> list[ScheduledJob]:
    return [job for declaration in declarations() for job in declaration.scheduled]


def authorizer() -> Authorizer:
    """The one authorizer of API-key routes."""
    [found] = [declaration.authorizer for declaration in declarations() if declaration.authorizer is not None]
    return found
