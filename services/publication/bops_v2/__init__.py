"""The BOPS-compatible public API (`/api/v2/public/...`): the paths and JSON shapes of the BOPS v2 public API that
existing integrations (public planning registers) call, rendered from the public read model.

`render` turns a `PublicApplication` into each endpoint's body (pure), `params` reads and checks the query string,
`handler` is the thin Powertools resolver and `openapi` the document of this face."""

from services.publication import APPLICATION, APPLICATIONS, PUBLIC_V2

__all__ = ["APPLICATION", "APPLICATIONS", "PUBLIC_V2"]
