"""Scoring station-days with SHADE: one batched inference per micro-batch, results as stored rows."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evwatch.clock import Clock
from evwatch.domain.stations import StationInferenceRow
from evwatch.failures import isolate
from evwatch.inference import BatchInfer
from models.shade.features import prepare, stack_inputs
from models.shade.interpret import interpret
from models.shade.schema import MODEL_VERSION, ShadeResult, StationDay
from pipeline.keys import entity_key, split_key
from pipeline.stations.processor import ScoreDay, StationOutput
from pipeline.stations.windows import station_inference_id

SCORE_STEP = "station_score"


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
    requests: Sequence[ScoreRequest], infer: BatchInfer, threshold: float, analyzed_at: datetime
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


@dataclass(frozen=True)
class DayScored:
    """A SHADE result to store (and to announce when anomalous)."""

    row: StationInferenceRow


class StationScorer:
    """The scoring step: the micro-batch's station-days go through SHADE in one call; other items pass.

    While Triton is unreachable the step waits; a day SHADE cannot score (a rejected request, a
    bug) is counted, logged and left unscored, and the others are scored.
    """

    def __init__(self, infer: BatchInfer, threshold: float, clock: Clock, stop: threading.Event) -> None:
        self.infer = infer
        self.threshold = threshold
        self.clock = clock
        self.stop = stop

    def __call__(self, batch: list[tuple[str, StationOutput]]) -> list[tuple[str, StationOutput | DayScored]]:
        """Score the batch's station-days."""
        requests: dict[tuple[str, str, int], ScoreRequest] = {}
        passed: list[tuple[str, StationOutput | DayScored]] = []
        for key, out in batch:
            if isinstance(out, ScoreDay):
                tenant_id, station_id = split_key(key)
                # A later score of the same day in this batch supersedes an earlier one.
                requests[(tenant_id, station_id, out.day.day_start)] = ScoreRequest(tenant_id, station_id, out)
            else:
                passed.append((key, out))
        if requests:
            analyzed_at = datetime.fromtimestamp(self.clock(), UTC)
            rows = isolate(
                SCORE_STEP,
                list(requests.values()),
                lambda some: score_days(some, self.infer, self.threshold, analyzed_at),
                lambda _request, _exc: [],
                self.stop,
            )
            passed.extend((entity_key(r.tenant_id, r.charging_station_id), DayScored(r)) for r in rows)
        return passed
