"""Front-end libraries that ship inside installed Python packages, so the dashboard needs no CDN."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def plotly_bundle() -> Path:
    """`plotly.min.js` from the `plotly` wheel (plotly.js, MIT), found without importing the package."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The plotly package is not installed; the dashboard's charts need its plotly.min.js.")
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise RuntimeError(f"{path} is missing; reinstall plotly (uv sync).")
    return path
