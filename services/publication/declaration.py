"""What the publication service declares: the public register's projection subscriber and the public change feed.

The public faces (ODP `@next` and the BOPS-compatible v2) add their own HttpFunctions here, each reading the
`public` read model.
"""

from __future__ import annotations

from events.streams import MAIN_STREAM_EVENT_TYPES
from services.publication import (
    APPLICATION,
    APPLICATIONS,
    COUNCIL_EVENT_TYPES,
    FEED_PATH,
    ODP_APPLICATION,
    ODP_PUBLIC,
    PUBLIC_READ_MODEL,
    PUBLIC_V2,
)
from shared.declarations import HttpFunction, Route, ServiceDeclaration, Subscription

# What the public register is built from: every event of an application's main stream and documents side stream (so
# each record's audit heads are current), and a council's own events, by type. The document events of the officers'
# console are consumed by type name and fields (events/documents.py), so this list names them whether or not their
# classes are loaded.
DOCUMENT_EVENT_TYPES = (
    "DocumentReceived",
    "DocumentFetchFailed",
    "DocumentFetchRequested",
    "ApplicantDocumentUploaded",
    "DecisionNoticeIssued",
    "DocumentUploaded",
    "DocumentTagsChanged",
    "DocumentPublished",
    "DocumentUnpublished",
    "RedactedCopyUploaded",
    "DocumentArchived",
)
PUBLIC_EVENT_TYPES = MAIN_STREAM_EVENT_TYPES + DOCUMENT_EVENT_TYPES + COUNCIL_EVENT_TYPES

# The BOPS-compatible public API (services/publication/bops_v2): search is declared before `{reference}`, so that
# `search` is never taken for a reference.
BOPS_V2_PATHS = (
    f"{APPLICATIONS}/search",
    APPLICATION,
    f"{APPLICATION}/documents",
    f"{APPLICATION}/documents/{{document_id}}",
    f"{APPLICATION}/decision_notice",
    f"{APPLICATION}/submission",
    f"{APPLICATION}/comments/public",
    f"{APPLICATION}/comments/specialist",
    f"{PUBLIC_V2}/application_types",
    f"{PUBLIC_V2}/openapi.json",
    f"{PUBLIC_V2}/docs",
    f"{PUBLIC_V2}/docs/assets/{{asset}}",
)
# The ODP face (services.publication.odp.api).
ODP_PATHS = (
    ODP_PUBLIC + "/applications",
    ODP_APPLICATION,
    ODP_APPLICATION + "/documents",
    ODP_APPLICATION + "/documents/{document_id}",
    ODP_APPLICATION + "/documents/{document_id}/file",
    ODP_APPLICATION + "/publicComments",
    ODP_APPLICATION + "/specialistComments",
    ODP_APPLICATION + "/specialistComments/{specialist_id}",
)

SERVICE = ServiceDeclaration(
    name="publication",
    http=(
        HttpFunction(
            name="public-odp",
            handler="services.publication.odp.api.lambda_handler",
            routes=(
                *(Route("GET", path) for path in ODP_PATHS),
                *(Route("OPTIONS", path) for path in ODP_PATHS),  # CORS preflight (registers send x-client)
                Route("GET", ODP_PUBLIC + "/openapi.json"),
                Route("GET", ODP_PUBLIC + "/docs"),
                Route("GET", ODP_PUBLIC + "/docs/assets/{asset}"),
            ),
            reads_read_models=(PUBLIC_READ_MODEL,),
            memory_mb=1024,
        ),
        HttpFunction(
            name="public-feed",
            handler="services.publication.feed.lambda_handler",
            routes=(Route("GET", FEED_PATH), Route("OPTIONS", FEED_PATH)),  # CORS preflight (a page sends x-client)
            reads_read_models=(PUBLIC_READ_MODEL,),
        ),
        HttpFunction(
            name="public-bops-v2",
            handler="services.publication.bops_v2.handler.lambda_handler",
            routes=(
                *(Route("GET", path) for path in BOPS_V2_PATHS),
                *(Route("OPTIONS", path) for path in BOPS_V2_PATHS[:9]),  # CORS preflight (registers send x-client)
            ),
            reads_read_models=(PUBLIC_READ_MODEL,),
        ),
    ),
    subscriptions=(
        Subscription(
            name="public-register",
            handler="services.publication.projection.lambda_handler",
            event_types=(*PUBLIC_EVENT_TYPES, "PublicRecordsRefreshRequested"),  # chunks of records made again
            projection="services.publication.projection.PublicRegisterProjection",
            writes_read_models=(PUBLIC_READ_MODEL,),
            reads_documents=True,  # a new record's public submission is made from the stored original
            concurrency=4,
        ),
        Subscription(  # a change of what records show (names): asks for every record of the council, in chunks
            name="public-register-refresh",
            handler="services.publication.refresh.lambda_handler",
            event_types=("CouncilSettingsChanged",),
            timeout_s=300,  # lists a council's applications: 200,000 of them in well under a minute
        ),
    ),
)
