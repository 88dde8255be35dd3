"""What the councils service declares: the API-keys and officers read models' subscribers, the authorizer of API-key
and officer routes, and officers' sign-in.

Its commands (councils, officers, API keys) are run by `bops` today; the officers' console will serve them.
"""

from __future__ import annotations

from services.councils import API_KEYS_READ_MODEL, OFFICERS_READ_MODEL
from shared.declarations import Authorizer, HttpFunction, Route, ServiceDeclaration, Subscription
from shared.notification_records import OUTSTANDING_READ_MODEL
from shared.notify import NOTIFY_API_KEY_SECRET, NOTIFY_CALLBACK_TOKEN_SECRET

AUTHORIZER_HANDLER = "services.councils.authorizer.lambda_handler"
OFFICER_API_HANDLER = "services.councils.officer_api.lambda_handler"
ADMIN_PAGES_HANDLER = "services.councils.admin_pages.lambda_handler"
OFFICER_TOKEN_KEY = "{council}/officer-token-key"  # the council's token signing keys (services.councils.officer_tokens)
SIGN_IN_ATTEMPTS = "sign-in"  # the attempt counters sign-in throttling keeps (shared.attempts)
# Signed-out sessions (services.councils.session_revocation: sign-out writes, the authorizer reads).
REVOKED_SESSIONS = ("revoked-session-even", "revoked-session-odd")

SERVICE = ServiceDeclaration(
    name="councils",
    http=(
        HttpFunction(
            name="officer-sign-in",
            handler=OFFICER_API_HANDLER,
            routes=(
                Route("POST", "/api/officer/v1/session", auth="public"),
                Route("GET", "/api/officer/v1/me", auth="officer"),
                # The officers' console's sign-in and sign-out pages (the console itself is the assessment service's).
                Route("GET", "/sign-in", auth="public"),
                Route("POST", "/sign-in", auth="public"),
                Route("POST", "/sign-out", auth="public"),
            ),
            secrets=(OFFICER_TOKEN_KEY,),
            reads_read_models=(OFFICERS_READ_MODEL,),
            attempt_counters=(SIGN_IN_ATTEMPTS, *REVOKED_SESSIONS),
            officer_directory=True,
        ),
        # The console's administration pages (administrators only; the handler checks the role): officers, API keys and
        # settings, through the same council commands as `bops`.
        HttpFunction(
            name="console-admin",
            handler=ADMIN_PAGES_HANDLER,
            routes=(
                Route("GET", "/admin", auth="officer"),
                Route("GET", "/admin/officers", auth="officer"),
                Route("POST", "/admin/officers", auth="officer"),
                Route("GET", "/admin/officers/{officer_id}", auth="officer"),
                Route("POST", "/admin/officers/{officer_id}/{action}", auth="officer"),
                Route("GET", "/admin/api-keys", auth="officer"),
                Route("POST", "/admin/api-keys", auth="officer"),
                Route("POST", "/admin/api-keys/{key_id}/revoke", auth="officer"),
                Route("GET", "/admin/settings", auth="officer"),
                Route("POST", "/admin/settings", auth="officer"),
            ),
            # The settings page saves the council's GOV.UK Notify settings (shared/notify/settings.py), as the CLI does.
            secrets=(NOTIFY_API_KEY_SECRET, NOTIFY_CALLBACK_TOKEN_SECRET),
            writes_secrets=(NOTIFY_API_KEY_SECRET, NOTIFY_CALLBACK_TOKEN_SECRET),
            reads_read_models=(OUTSTANDING_READ_MODEL,),  # the settings page counts failed messages
            # An administrator's change to an officer or an API key applies from the next request (own_writes.py).
            writes_read_models=(OFFICERS_READ_MODEL, API_KEYS_READ_MODEL),
            officer_directory=True,
        ),
    ),
    subscriptions=(
        Subscription(
            name="api-keys",
            handler="services.councils.api_key_projection.lambda_handler",
            event_types=("ApiKeyCreated", "ApiKeyRevoked"),
            projection="services.councils.api_key_projection.ApiKeyProjection",
            writes_read_models=(API_KEYS_READ_MODEL,),
        ),
        Subscription(
            name="officers",
            handler="services.councils.officer_projection.lambda_handler",
            event_types=("OfficerCreated", "OfficerDeactivated", "OfficerRoleChanged"),
            projection="services.councils.officer_projection.OfficerProjection",
            writes_read_models=(OFFICERS_READ_MODEL,),
        ),
    ),
    authorizer=Authorizer(
        name="api-key-authorizer",
        handler=AUTHORIZER_HANDLER,
        reads_read_models=(API_KEYS_READ_MODEL, OFFICERS_READ_MODEL),
        secrets=(OFFICER_TOKEN_KEY,),
        attempt_counters=REVOKED_SESSIONS,
    ),
)
