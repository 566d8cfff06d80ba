"""What Granian runs: `granian --interface asgi --factory entrypoints.asgi:create_app`."""

from __future__ import annotations

import logging
import os

from litestar import Litestar

from devstack.lifeline import DIE_WITH_PARENT_ENV, die_with_parent
from entrypoints.runtime import open_api_services
from evwatch.config import load_settings
from serving.app import build_app


def create_app() -> Litestar:
    """The API over a runtime opened from `EVWATCH_*` settings when the app starts."""
    if os.environ.get(DIE_WITH_PARENT_ENV) == "1":
        # Set by `evwatch run`: this worker is Granian's child, and Granian is the supervisor's; an
        # orphaned worker would keep serving and keep chDB's data path locked for the next start.
        die_with_parent()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    return build_app(lambda: open_api_services(settings), settings.api, settings.bounds)
