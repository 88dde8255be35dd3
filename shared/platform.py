"""What the platform itself declares beside the services: the API-keys read model and the authorizer."""

from __future__ import annotations

from shared.declarations import ServiceDeclaration, Subscription

AUTHORIZER_HANDLER = "shared.auth.authorizer.lambda_handler"

PLATFORM = ServiceDeclaration(
    name="platform",
    subscriptions=(
        Subscription(
            name="api-keys",
            handler="shared.auth.api_key_projection.lambda_handler",
            event_types=("ApiKeyCreated", "ApiKeyRevoked"),
            projection="shared.auth.api_key_projection.ApiKeyProjection",
        ),
    ),
)
