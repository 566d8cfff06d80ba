"""Hook for `pipeline/flow.py`: the station-day windows, SHADE through Triton, and the station writes.

The implementation lives in `pipeline/station_dataflow.py`; this module is the name the flow
looks for (`add_station_steps(flow, valid, deps)`).
"""

from __future__ import annotations

from pipeline.station_dataflow import add_station_steps

__all__ = ["add_station_steps"]
