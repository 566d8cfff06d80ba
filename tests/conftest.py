"""Test configuration: real services as session fixtures, and the guard that makes tests declare them."""

from __future__ import annotations

import os

# chDB reports the host time zone as the server's; evwatch always runs in UTC.
os.environ.setdefault("TZ", "UTC")

pytest_plugins = ["tests.plugins.services", "tests.plugins.service_guard"]
