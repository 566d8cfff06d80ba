"""Score station-days with SHADE (batched, one inference call) and turn results into stored rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from evwatch.domain.stations import StationInferenceRow
from models.shade.features import prepare, stack_inputs
from models.shade.interpret import interpret
from models.shade.schema import MODEL_VERSION, ShadeResult, StationDay
from pipeline.station_processor import ScoreDay
from pipeline.station_windows import station_inference_id

Infer = Callable[[Mapping[str, np.ndarray]], dict[str, np.ndarray]]


@dataclass(frozen=True)
class ScoreRequest:
    """One station-day to score, with its owner."""

    tenant_id: str
    charging_station_id: str
    request: ScoreDay


def result_row(
    tenant_id: str, station_id: str, day: StationDay, result: ShadeResult, partial: bool, analyzed_at: datetime
) -> StationInferenceRow:
    """The `station_inferences` row of one SHADE result."""
    day_start = datetime.fromtimestamp(day.day_start, UTC)
    details = dict(result.detection_details)
    first = result.markers[0].start_minute if result.markers else None
    return StationInferenceRow(
        tenant_id=tenant_id,
        charging_station_id=station_id,
        inference_id=station_inference_id(tenant_id, station_id, day.day_start),
        day_start=day_start,
        local_date=datetime.fromtimestamp(day.day_start, ZoneInfo(day.tz)).date(),
        time_zone=day.tz,
        analyzed_at=analyzed_at,
        day_score=float(result.day_score),
        is_anomaly=bool(result.is_anomaly),
        is_partial=partial,
        minutes_observed=int(day.minutes_observed),
        anomaly_type=str(details["anomaly_type"]) if result.is_anomaly and "anomaly_type" in details else None,
        anomaly_at=day_start + timedelta(minutes=first) if result.is_anomaly and first is not None else None,
        expected_energy_kwh=float(details.get("expected_energy_kwh", 0.0)),
        actual_energy_kwh=float(details.get("actual_energy_kwh", 0.0)),
        marker_start_minutes=tuple(m.start_minute for m in result.markers),
        marker_end_minutes=tuple(m.end_minute for m in result.markers),
        marker_scores=tuple(float(m.score) for m in result.markers),
        detection_details=details,
        model_version=result.model_version or MODEL_VERSION,
    )


def score_days(
    requests: Sequence[ScoreRequest], infer: Infer, threshold: float, analyzed_at: datetime
) -> list[StationInferenceRow]:
    """Prepare every day, run one batched inference, interpret each result."""
    if not requests:
        return []
    prepared = [prepare(r.request.day, r.request.history) for r in requests]
    outputs = infer(stack_inputs(prepared))
    rows = []
    for i, (req, prep) in enumerate(zip(requests, prepared, strict=True)):
        result = interpret(prep, {name: value[i] for name, value in outputs.items()}, threshold)
        rows.append(
            result_row(
                req.tenant_id, req.charging_station_id, req.request.day, result, req.request.partial, analyzed_at
            )
        )
    return rows
