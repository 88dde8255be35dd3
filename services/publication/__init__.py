"""The publication service: the public read model of published applications, the public APIs and the change feed."""

PUBLIC_READ_MODEL = "public"  # the public register's name in declarations and `bops replay public`
# A council's events the register's projection takes: what the public faces show of the council
# (`councils.council_facts`). Here, not in the declaration, so that the projection's handler reads them cheaply.
COUNCIL_EVENT_TYPES = ("CouncilCreated", "CouncilSettingsChanged")
# The public faces' paths (their handlers read them here, without loading the declaration and the event types).
FEED_PATH = "/api/@next/public/feed"
# What a public answer depends on besides its URL: the council the `x-client` header names. Every answer that reads
# the register says so, or a shared cache (a CDN, a proxy, a browser) would hand one council's answer, or a 404 for an
# unknown council, to a request that named another.
VARY_BY_COUNCIL = {"Vary": "x-client"}
# How long a shared cache may keep a published file or decision notice served by either face (and a redirect to one):
# an officer can withdraw a file (make it private) at any moment, so both faces hold it no longer than their answers.
PUBLIC_FILE_CACHE = "public, max-age=60"
# The BOPS-compatible public API (services/publication/bops_v2).
PUBLIC_V2 = "/api/v2/public"
APPLICATIONS = f"{PUBLIC_V2}/planning_applications"
APPLICATION = APPLICATIONS + "/{reference}"
# The ODP face (services.publication.odp.api).
ODP_PUBLIC = "/api/@next/public"
ODP_APPLICATION = ODP_PUBLIC + "/applications/{reference}"
