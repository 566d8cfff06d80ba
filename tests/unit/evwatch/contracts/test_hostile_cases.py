"""Every hostile case of `tests/support/hostile.py` is refused by the shared decoder and bounds, as
the API and the Kafka edge refuse it (tests/integration/hostile/ proves it over the wire)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evwatch.contracts.decoding import decode
from evwatch.contracts.meter_values import CreateSessionRequest, validated_readings
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import InvalidInput, MalformedInput
from evwatch.domain.sessions import check_session_id
from tests.support.hostile import CASES, Case

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_case_is_refused_with_its_status_and_field(case: Case) -> None:
    with pytest.raises((MalformedInput, InvalidInput)) as err:
        request = decode(case.raw, CreateSessionRequest)
        check_session_id(request.session_id)
        validated_readings(request, Bounds(), NOW)
    if case.status == 400:
        assert isinstance(err.value, MalformedInput)
    else:
        assert isinstance(err.value, InvalidInput) and err.value.problems[0].field == case.field
