from models.csar2.context import context_from_metadata


def test_known_keys_are_read_and_wrong_types_ignored() -> None:
    ctx = context_from_metadata(
        {"maxPowerKw": 22, "batteryCapacityKwh": "60", "targetSoc": True, "currentType": "dc", "other": 1}
    )
    assert ctx.max_power_kw == 22.0 and ctx.current_type == "DC"
    assert ctx.battery_capacity_kwh is None and ctx.target_soc is None and ctx.charging_profile_limit_kw is None
