"""The `/ui` routes: the page shell, its scripts and styles, the vocabulary and the charting library.

Public static content outside the `/v1` guard and left out of the OpenAPI document: the page holds no
data of its own, and every figure it shows comes from `/v1` with the credential the user signed in with.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.response import File
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from serving.ui.vendor import plotly_bundle
from serving.ui.vocabulary import Vocabulary, vocabulary

STATIC = Path(__file__).with_name("static")
# Everything the page loads comes from this origin; Plotly sets inline styles on the elements it draws.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# Scripts and styles change with every release: the browser revalidates them (cheap, by ETag).
REVALIDATE = CacheControlHeader(no_cache=True)
# The charting library changes only with the plotly pin.
VENDOR_MAX_AGE_S = 86_400


@cache
def _shell() -> bytes:
    return (STATIC / "index.html").read_bytes()


@get(["/ui", "/ui/"], include_in_schema=False, sync_to_thread=False, cache_control=REVALIDATE)
def shell() -> Response[bytes]:
    """The single page; its script routes by the URL fragment (`#/sessions/…`)."""
    return Response(_shell(), media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@get("/ui/vocabulary.json", include_in_schema=False, sync_to_thread=False, cache_control=REVALIDATE)
def vocabulary_json() -> Vocabulary:
    """Categories with their names, issue statuses and their allowed moves."""
    return vocabulary()


@get("/ui/vendor/plotly.min.js", include_in_schema=False, sync_to_thread=False)
def plotly_js() -> File:
    """plotly.js as the installed `plotly` wheel ships it."""
    return File(
        plotly_bundle(),
        media_type="text/javascript; charset=utf-8",
        content_disposition_type="inline",
        headers={"Cache-Control": f"public, max-age={VENDOR_MAX_AGE_S}", **SECURITY_HEADERS},
    )


def _secure(response: Response[object]) -> Response[object]:
    response.headers.update(SECURITY_HEADERS)
    return response


def ui_routes() -> list[ControllerRouterHandler]:
    """Every `/ui` handler, for the app to mount next to `/v1`."""
    return [
        shell,
        vocabulary_json,
        plotly_js,
        create_static_files_router(
            path="/ui/assets",
            directories=[STATIC / "assets"],
            name="ui-assets",
            include_in_schema=False,
            cache_control=REVALIDATE,
            after_request=_secure,
        ),
    ]
