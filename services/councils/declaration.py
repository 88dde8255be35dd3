"""What the councils service declares: the API-keys read model's subscriber and the API-key authorizer.

Its commands (councils, officers, API keys) are run by `bops` today; the officers' console will serve them.
"""

from __future__ import annotations

from services.councils import API_KEYS_READ_MODEL
from shared.declarations import Authorizer, ServiceDeclaration, Subscription

AUTHORIZER_HANDLER = "services.councils.authorizer.lambda_handler"

SERVICE = ServiceDeclaration(
    name="councils",
    subscriptions=(
        Subscription(
            name="api-keys",
            handler="services.councils.api_key_projection.lambda_handler",
            event_types=("ApiKeyCreated", "ApiKeyRevoked"),
            projection="services.councils.api_key_projection.ApiKeyProjection",
            writes_read_models=(API_KEYS_READ_MODEL,),
        ),
    ),
    authorizer=Authorizer(
        name="api-key-authorizer",
        handler=AUTHORIZER_HANDLER,
        reads_read_models=(API_KEYS_READ_MODEL,),
    ),
)
