"""The GOV.UK Frontend assets (CSS, JavaScript, fonts, images), served by a public route `/assets/{path+}`.

They come from the `govuk-frontend` npm package, pinned in package.json / package-lock.json and installed by
`make install` (`npm ci`) into node_modules/. The stylesheet is built from its Sass without GOV.UK's brand font
(`styles/council.scss`, by `make install` into build/pages/): GDS Transport may only be used on GOV.UK domains. The
Lambda bundle carries the same files as `govuk-frontend/` beside the source packages (`make lambda-bundle`). The
stylesheet names its images under `/assets/`, so the route serves the package's `assets/` folder there, plus the
stylesheet and the compiled JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Where the files are: in the Lambda bundle (a copy made by `make lambda-bundle`), else the npm install of a checkout
# and the stylesheet `make install` built.
BUNDLED = PROJECT_ROOT / "govuk-frontend"
CHECKOUT = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
BUILT = PROJECT_ROOT / "build" / "pages"
ASSET_ROUTE = "/assets"
STYLESHEET = "council.min.css"
SCRIPT = "govuk-frontend.min.js"
COMPILED = frozenset({STYLESHEET, SCRIPT})
CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
CACHE_CONTROL = "public, max-age=86400"


class AssetsMissing(RuntimeError):
    """The govuk-frontend package is not installed (`make install` runs `npm ci`)."""


@dataclass(frozen=True)
class Asset:
    content: bytes
    content_type: str


@cache
def assets_dir() -> Path:
    """Where the package's files are (its compiled JavaScript and its `assets/` folder)."""
    for candidate in (BUNDLED, CHECKOUT):
        if (candidate / SCRIPT).is_file():
            return candidate
    raise AssetsMissing(
        f"The GOV.UK Frontend assets are missing (looked in {BUNDLED} and {CHECKOUT}): run `make install`"
    )


@cache
def stylesheet_dir() -> Path:
    for candidate in (BUNDLED, BUILT):
        if (candidate / STYLESHEET).is_file():
            return candidate
    raise AssetsMissing(f"The pages' stylesheet is missing (looked in {BUNDLED} and {BUILT}): run `make install`")


def find_asset(path: str) -> Asset | None:
    """The asset at `path` (relative to /assets/), or None: only known file types inside the package's folders."""
    parts = path.split("/")
    if not path or any(part in ("", ".", "..") or part.startswith(".") for part in parts) or "\\" in path:
        return None
    if "\x00" in path or not path.isprintable():
        return None
    content_type = CONTENT_TYPES.get(Path(parts[-1]).suffix.lower())
    if content_type is None:
        return None
    if path == STYLESHEET:
        file = stylesheet_dir() / path
    else:
        file = assets_dir() / path if path in COMPILED else assets_dir() / "assets" / path
    if not file.is_file():
        return None
    return Asset(file.read_bytes(), content_type)
