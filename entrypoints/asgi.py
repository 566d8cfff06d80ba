"""What Granian runs: `granian --interface asgi --factory entrypoints.asgi:create_app`."""

from __future__ import annotations

import logging

from litestar import Litestar

from entrypoints.runtime import open_api_services
from evwatch.config import load_settings
from serving.app import build_app


def create_app() -> Litestar:
    """The API over a runtime opened from `EVWATCH_*` settings when the app starts."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    return build_app(lambda: open_api_services(settings), settings.api, settings.bounds)
