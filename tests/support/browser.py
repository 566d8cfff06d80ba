"""The system Chromium for the browser tests (`./dev setup` installs Debian's `chromium`; Playwright's
own browser downloads are never used)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser")


def system_chromium() -> Path | None:
    """`EVWATCH_CHROMIUM`, else the first Chromium on PATH (Debian: /usr/bin/chromium), else None."""
    configured = os.environ.get("EVWATCH_CHROMIUM")
    if configured:
        return Path(configured)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None
