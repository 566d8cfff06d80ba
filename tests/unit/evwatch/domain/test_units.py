import pytest

from evwatch.domain.units import UnitError, normalise


@pytest.mark.parametrize(
    ("measurand", "unit", "value", "expected"),
    [
        ("Energy.Active.Import.Register", "Wh", 5500.0, ("Energy.Active.Import.Register", "kWh", 5.5)),
        ("Energy.Active.Import.Register", "kWh", 5.5, ("Energy.Active.Import.Register", "kWh", 5.5)),
        ("Power.Active.Import", "W", 22000.0, ("Power.Active.Import", "kW", 22.0)),
        ("SoC", "Percent", 80.0, ("SoC", "Percent", 80.0)),
        (None, None, 1000.0, ("Energy.Active.Import.Register", "kWh", 1.0)),  # OCPP defaults: register in Wh
        ("Temperature", "K", 300.0, ("Temperature", "Celsius", pytest.approx(26.85))),
        ("Frequency", None, 50.0, ("Frequency", None, 50.0)),
    ],
)
def test_normalise_converts_to_canonical_units(measurand, unit, value, expected) -> None:
    assert normalise(measurand, unit, value) == expected


def test_unit_that_does_not_fit_its_measurand_names_both() -> None:
    with pytest.raises(UnitError) as err:
        normalise("Energy.Active.Import.Register", "Percent", 5.0)
    assert err.value.field == "unit"
    assert "Percent" in err.value.message and "Energy.Active.Import.Register" in err.value.message


def test_unknown_measurand_is_refused() -> None:
    with pytest.raises(UnitError) as err:
        normalise("Energy.Magic", "kWh", 1.0)
    assert err.value.field == "measurand"
