"""SoC reconstruction from the energy register when the vehicle reports no SoC."""

from __future__ import annotations

import numpy as np

from models.csar2.schema import SessionContext

CHARGE_EFFICIENCY = 0.91  # battery kWh per metered kWh, typical of AC and DC charging


def estimate_capacity(ctx: SessionContext, p_ref: float) -> float:
    """Battery capacity: metadata if known, else a size typical of the connector's power."""
    if ctx.battery_capacity_kwh and ctx.battery_capacity_kwh > 0:
        return float(ctx.battery_capacity_kwh)
    if ctx.current_type == "DC" or p_ref > 25.0:
        return 75.0
    return 60.0


def reconstruct(energy_delivered: np.ndarray, ctx: SessionContext, capacity_kwh: float) -> np.ndarray:
    """SoC (%) per point from delivered energy (kWh since start), anchored on the target or a typical end."""
    total = float(max(np.nanmax(energy_delivered), 0.0)) if len(energy_delivered) else 0.0
    gain = 100.0 * CHARGE_EFFICIENCY / capacity_kwh
    # most sessions end near the announced target or ~80 %; start so that the end lands there
    end = float(ctx.target_soc) if ctx.target_soc else 80.0
    start = float(np.clip(end - total * gain, 0.0, end))
    return np.clip(start + np.maximum(energy_delivered, 0.0) * gain, 0.0, 100.0)
