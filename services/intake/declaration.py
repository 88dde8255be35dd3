"""What the intake service serves and what it reacts to."""

from __future__ import annotations

from services.intake import DOWNLOAD_CREDENTIAL, READ_SCOPE, WRITE_SCOPE
from shared.declarations import HttpFunction, Route, ServiceDeclaration, Subscription

COLLECTION = "/api/v2/planning_applications"

SERVICE = ServiceDeclaration(
    name="intake",
    http=(
        HttpFunction(
            name="intake-api",
            handler="services.intake.api.lambda_handler",
            routes=(
                Route("POST", COLLECTION, auth="api_key", scopes=(WRITE_SCOPE,)),
                Route("GET", COLLECTION + "/{reference}", auth="api_key", scopes=(READ_SCOPE,)),
                Route("GET", "/api/v2/openapi.json"),
                Route("GET", "/api/v2/docs"),
                Route("GET", "/api/v2/docs/assets/{asset}"),
            ),
            memory_mb=1024,
        ),
    ),
    subscriptions=(
        Subscription(
            name="intake-documents",
            handler="services.intake.documents.handler.lambda_handler",
            # a submission's files; one failed file again when an officer asks (the console's documents page)
            event_types=("PlanningApplicationSubmitted", "DocumentFetchRequested"),
            timeout_s=300,
            secrets=(DOWNLOAD_CREDENTIAL,),
            concurrency=4,  # downloads wait on the network: several applications' files at once
        ),
    ),
)
