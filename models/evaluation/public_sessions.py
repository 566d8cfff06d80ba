"""Real public metered charging sessions, as an evaluation fixture (false-alarm rate on ordinary sessions).

The fixture is ``models/evaluation/data/public_sessions.jsonl.gz``: one JSON object per session,

    {"sessionId": str, "source": str, "chargingStationId": str, "connectorId": str,
     "currentType": "AC" | "DC" | null, "maxPowerKw": float | null,
     "readings": [{"ts": epoch seconds, "measurand": ENERGY | POWER | SOC, "value": kWh | kW | %}, ...]}

with readings sorted by ``ts``. It is produced by ``models/evaluation/data/convert_public.py`` from raw
files that are not committed; ``models/evaluation/data/SOURCES.md`` says where each source comes from,
its licence and how it was converted.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evwatch.domain.ocpp import ENERGY, POWER, SOC
from models.csar2.schema import Reading

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "public_sessions.jsonl.gz"
MEASURANDS = frozenset({ENERGY, POWER, SOC})
CURRENT_TYPES = frozenset({"AC", "DC"})


@dataclass(frozen=True, slots=True)
class PublicSession:
    """One real charging session: its identity, what is known of the station, and its meter readings."""

    session_id: str
    source: str
    charging_station_id: str
    connector_id: str
    current_type: str | None
    max_power_kw: float | None
    readings: tuple[Reading, ...]

    def series(self, measurand: str) -> tuple[Reading, ...]:
        """The readings of one measurand, in time order."""
        return tuple(r for r in self.readings if r.measurand == measurand)


def _str(obj: dict[str, Any], key: str) -> str:
    value = obj[key]
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} must be a non-empty string, got {value!r}")
    return value


def _optional_float(obj: dict[str, Any], key: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number or null, got {value!r}")
    return float(value)


def _reading(raw: Any) -> Reading:
    if not isinstance(raw, dict):
        raise ValueError(f"a reading must be an object, got {raw!r}")
    measurand = raw["measurand"]
    if measurand not in MEASURANDS:
        raise ValueError(f"unexpected measurand {measurand!r}")
    ts, value = raw["ts"], raw["value"]
    for name, number in (("ts", ts), ("value", value)):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise ValueError(f"reading {name} must be a number, got {number!r}")
    return Reading(ts=float(ts), measurand=str(measurand), value=float(value))


def parse_session(obj: dict[str, Any]) -> PublicSession:
    """One fixture line (already JSON-decoded) as a ``PublicSession``; raises ``ValueError`` if malformed."""
    current_type = obj.get("currentType")
    if current_type is not None and current_type not in CURRENT_TYPES:
        raise ValueError(f"currentType must be AC, DC or null, got {current_type!r}")
    raw_readings = obj["readings"]
    if not isinstance(raw_readings, list):
        raise ValueError("readings must be a list")
    readings = tuple(sorted((_reading(r) for r in raw_readings), key=lambda r: r.ts))
    return PublicSession(
        session_id=_str(obj, "sessionId"),
        source=_str(obj, "source"),
        charging_station_id=_str(obj, "chargingStationId"),
        connector_id=_str(obj, "connectorId"),
        current_type=current_type,
        max_power_kw=_optional_float(obj, "maxPowerKw"),
        readings=readings,
    )


def iter_public_sessions(lines: Iterable[str]) -> Iterator[PublicSession]:
    """Sessions from JSON lines; blank lines are skipped."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        obj = json.loads(line)
        if not isinstance(obj, dict):
            raise ValueError(f"line {number}: a session must be a JSON object")
        try:
            yield parse_session(obj)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"line {number}: {exc}") from exc


def load_public_sessions(path: Path = DEFAULT_PATH) -> list[PublicSession]:
    """Every session of a (gzip-compressed, when the name ends in .gz) JSON-lines fixture, in file order."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return list(iter_public_sessions(fh))
    with path.open(encoding="utf-8") as fh:
        return list(iter_public_sessions(fh))
