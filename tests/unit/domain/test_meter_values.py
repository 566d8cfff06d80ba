from datetime import UTC, datetime, timedelta, timezone

import pytest

from evwatch.contracts.meter_values import MeterValueIn
from evwatch.domain.errors import InvalidInput
from evwatch.domain.meter_values import normalise_meter_values


def mv(**kw: object) -> MeterValueIn:
    base: dict[str, object] = {"timestamp": datetime(2026, 2, 27, 10, tzinfo=UTC), "value": 1.0}
    base.update(kw)
    return MeterValueIn(**base)  # type: ignore[arg-type]


def test_normalises_units_and_converts_timestamps_to_utc() -> None:
    plus2 = timezone(timedelta(hours=2))
    out = normalise_meter_values([mv(value=5500.0, unit="Wh", timestamp=datetime(2026, 2, 27, 12, tzinfo=plus2))])
    assert out[0].value == pytest.approx(5.5)
    assert out[0].unit == "kWh"
    assert out[0].timestamp == datetime(2026, 2, 27, 10, tzinfo=UTC)


def test_every_bad_reading_is_named() -> None:
    with pytest.raises(InvalidInput) as err:
        normalise_meter_values([mv(value=float("nan")), mv(), mv(unit="Percent"), mv(value=float("inf"))])
    fields = [p.field for p in err.value.problems]
    assert fields == ["meterValues[0].value", "meterValues[2].unit", "meterValues[3].value"]


def test_measurand_the_models_do_not_use_is_kept() -> None:
    out = normalise_meter_values([mv(measurand="Current.Import", unit="A", value=32.0)])
    assert (out[0].measurand, out[0].unit, out[0].value) == ("Current.Import", "A", 32.0)
