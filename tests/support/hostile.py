"""Hostile inputs shared by the API and Kafka suites: each names what it breaks and how it is refused."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from tests.support.sessions import readings

GOOD_VALUES = readings(4)


@dataclass(frozen=True)
class Case:
    """One hostile input: raw bytes, the answer it gets (status or dead-letter kind) and the field named."""

    name: str
    raw: bytes
    status: int  # over the API; Kafka dead-letters every case whose status is a 4xx
    field: str | None = None


def body(**fields: Any) -> dict[str, Any]:
    """A valid Create Session body with `fields` replaced (None removes a field)."""
    doc: dict[str, Any] = {
        "sessionId": "hostile-s",
        "chargingStationId": "CP-H",
        "connectorId": "1",
        "metadata": {"maxPowerKw": 22},
        "meterValues": GOOD_VALUES,
    }
    for key, value in fields.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def reading(**fields: Any) -> dict[str, Any]:
    """One valid reading with `fields` replaced."""
    return {**GOOD_VALUES[0], **fields}


def encoded(doc: Any) -> bytes:
    return json.dumps(doc, allow_nan=True).encode()


def _deep(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"leaf": 1}
    for _ in range(levels):
        node = {"n": node}
    return node


def _deep_raw(levels: int) -> bytes:
    # Built as text: the json module itself cannot encode 1,000 levels.
    doc = encoded(body(metadata={"PLACEHOLDER": 0}))
    nested = b'{"n":' * levels + b"1" + b"}" * levels
    return doc.replace(b'{"PLACEHOLDER": 0}', nested)


# Every case here is valid JSON in the shape of a session write except where the name says so.
CASES: list[Case] = [
    Case("not json", b"{this is not json", 400),
    Case("truncated json", encoded(body())[:-7], 400),
    Case("random bytes", bytes([0xFF, 0xFE, *random.Random(7).randbytes(62)]), 400),
    Case("json array", b"[1, 2, 3]", 400),
    Case("json string", b'"session"', 400),
    Case("lone surrogate in an id", encoded(body()).replace(b"hostile-s", b"hostile-\\ud800"), 400),
    Case("missing sessionId", encoded(body(sessionId=None)), 422, "sessionId"),
    Case("sessionId of the wrong type", encoded(body(sessionId=7)), 422, "sessionId"),
    Case("chargingStationId missing", encoded(body(chargingStationId=None)), 422, "chargingStationId"),
    Case("connectorId of the wrong type", encoded(body(connectorId=[1])), 422, "connectorId"),
    Case("status of the wrong type", encoded(body(status={"a": 1})), 422, "status"),
    Case("metadata not an object", encoded(body(metadata=[1, 2])), 422, "metadata"),
    Case("meterValues not a list", encoded(body(meterValues={"a": 1})), 422, "meterValues"),
    Case("value of the wrong type", encoded(body(meterValues=[reading(value="12")])), 422, "meterValues[0].value"),
    Case(
        "timestamp of the wrong type",
        encoded(body(meterValues=[reading(timestamp=17)])),
        422,
        "meterValues[0].timestamp",
    ),
    Case(
        "naive timestamp",
        encoded(body(meterValues=[reading(timestamp="2026-02-27T10:00:00")])),
        422,
        "meterValues[0].timestamp",
    ),
    Case(
        "reading dated 9999",
        encoded(body(meterValues=[reading(timestamp="9999-12-31T12:00:00Z")])),
        422,
        "meterValues[0].timestamp",
    ),
    Case(
        "reading dated 2200",
        encoded(body(meterValues=[reading(timestamp="2200-01-01T00:00:00Z")])),
        422,
        "meterValues[0].timestamp",
    ),
    Case(
        "reading dated 1970",
        encoded(body(meterValues=[reading(timestamp="1970-01-01T00:00:00Z")])),
        422,
        "meterValues[0].timestamp",
    ),
    Case("NaN value", encoded(body(meterValues=[reading(value=float("nan"))])), 422, "meterValues[0].value"),
    Case("Infinity value", encoded(body(meterValues=[reading(value=float("inf"))])), 422, "meterValues[0].value"),
    Case("1e308 kWh", encoded(body(meterValues=[reading(value=1e308)])), 422, "meterValues[0].value"),
    Case(
        "SoC of 150 %",
        encoded(body(meterValues=[reading(measurand="SoC", unit="Percent", value=150)])),
        422,
        "meterValues[0].value",
    ),
    Case(
        "unknown measurand",
        encoded(body(meterValues=[reading(measurand="Energy.Imaginary")])),
        422,
        "meterValues[0].measurand",
    ),
    Case("unknown unit", encoded(body(meterValues=[reading(unit="MJ")])), 422, "meterValues[0].unit"),
    Case("unknown location", encoded(body(meterValues=[reading(location="Roof")])), 422, "meterValues[0].location"),
    Case("unknown phase", encoded(body(meterValues=[reading(phase="L4")])), 422, "meterValues[0].phase"),
    Case(
        "maxPowerKw of 400 digits",
        encoded(body()).replace(b'"maxPowerKw": 22', b'"maxPowerKw": 1' + b"0" * 400),
        422,
        "metadata.maxPowerKw",
    ),
    Case("maxPowerKw of 50 MW", encoded(body(metadata={"maxPowerKw": 50_000})), 422, "metadata.maxPowerKw"),
    Case(
        "batteryCapacityKwh negative",
        encoded(body(metadata={"batteryCapacityKwh": -5})),
        422,
        "metadata.batteryCapacityKwh",
    ),
    Case("currentType unknown", encoded(body(metadata={"currentType": "XC"})), 422, "metadata.currentType"),
    Case("metadata 1,000 levels deep", _deep_raw(1_000), 422, "metadata"),
    Case("metadata 10 levels deep", encoded(body(metadata=_deep(10))), 422, "metadata"),
    Case("metadata of 100 KB", encoded(body(metadata={"blob": "x" * 100_000})), 422, "metadata"),
    Case("a 1 MB connectorId", encoded(body(connectorId="c" * 1_000_000)), 422, "connectorId"),
    Case("NUL in sessionId", encoded(body(sessionId="a\u0000b")), 422, "sessionId"),
    Case("newline in chargingStationId", encoded(body(chargingStationId="CP\nH")), 422, "chargingStationId"),
    Case("sessionId batch", encoded(body(sessionId="batch")), 422, "sessionId"),
    Case(
        "duplicate keys",
        encoded(body()).replace(b'"sessionId": "hostile-s"', b'"sessionId": "a", "sessionId": "b"'),
        422,
        "sessionId",
    ),
    Case(
        "duplicate keys in a reading",
        encoded(body(meterValues=[reading()])).replace(b'"value": 0.0', b'"value": 0.0, "value": 9.0'),
        422,
        "value",
    ),
    Case("50,001 readings", encoded(body(meterValues=readings(16_667, step_s=2))), 422, "meterValues"),
]


def with_tenant(raw: bytes, tenant_id: str) -> bytes:
    """The case as a Kafka message of `tenant_id` (the API knows the tenant from the key)."""
    if raw.startswith(b"{"):
        return b'{"tenantId": "' + tenant_id.encode() + b'", ' + raw[1:]
    return raw


# Cases only the public topics can meet.
KAFKA_CASES: list[Case] = [
    Case("missing tenantId", encoded(body()), 422, "tenantId"),
    Case("unknown tenant", encoded({**body(), "tenantId": "no-such-tenant"}), 422, "tenantId"),
    Case(
        "an API write forged on the public topic", encoded({**body(), "kind": "api-write", "op": "create"}), 422, "kind"
    ),
]

STATUS = {"chargingStationId": "CP-H", "connectorId": 1, "status": "Faulted", "timestamp": "2026-02-27T10:00:00Z"}
STATION_CASES: list[Case] = [
    Case("status not OCPP", encoded({**STATUS, "status": "Exploded"}), 422, "status"),
    Case("status dated 2200", encoded({**STATUS, "timestamp": "2200-01-01T00:00:00Z"}), 422, "timestamp"),
    Case("connectorId negative", encoded({**STATUS, "connectorId": -1}), 422, "connectorId"),
    Case("unknown time zone", encoded({"chargingStationId": "CP-H", "timeZone": "Mars/Olympus"}), 422, "timeZone"),
    Case("tariff of a million", encoded({"chargingStationId": "CP-H", "tariffPerKwh": 1e6}), 422, "tariffPerKwh"),
    Case(
        "station metadata 1,000 deep",
        encoded({"chargingStationId": "CP-H", "metadata": {"PLACEHOLDER": 0}}).replace(
            b'{"PLACEHOLDER": 0}', b'{"n":' * 1_000 + b"1" + b"}" * 1_000
        ),
        422,
        "metadata",
    ),
]
