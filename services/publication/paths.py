"""The public faces' paths (no imports: the faces' handlers read them without loading the declaration, which loads
the event types)."""

FEED_PATH = "/api/@next/public/feed"
# The BOPS-compatible public API (services/publication/bops_v2).
PUBLIC_V2 = "/api/v2/public"
APPLICATIONS = f"{PUBLIC_V2}/planning_applications"
APPLICATION = APPLICATIONS + "/{reference}"
# The ODP face (services.publication.odp.api).
ODP_PUBLIC = "/api/@next/public"
ODP_APPLICATION = ODP_PUBLIC + "/applications/{reference}"
