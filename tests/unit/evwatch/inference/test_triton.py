"""Triton's answers are classified: an outage is retried, a rejection is recorded and not retried."""

from __future__ import annotations

import pytest
from tritonclient.utils import InferenceServerException

from evwatch.domain.errors import InferenceRejected, Unavailable
from evwatch.inference.triton import classify


@pytest.mark.parametrize(
    ("status", "message", "kind"),
    [
        ("StatusCode.UNAVAILABLE", "failed to connect to all addresses", Unavailable),
        ("StatusCode.DEADLINE_EXCEEDED", "Deadline Exceeded", Unavailable),
        ("StatusCode.NOT_FOUND", "Request for unknown model", Unavailable),
        (None, "connection reset", Unavailable),
        ("StatusCode.INVALID_ARGUMENT", "unexpected shape for input FEATURES", InferenceRejected),
        ("StatusCode.INTERNAL", "FEATURES: non-finite values", InferenceRejected),
        ("StatusCode.INTERNAL", "Failed to process the request: Stub process is not healthy.", Unavailable),
    ],
)
def test_classify(status: str | None, message: str, kind: type[Exception]) -> None:
    error = classify("csar2", InferenceServerException(msg=message, status=status))
    assert isinstance(error, kind) and "csar2" in str(error) and message in str(error)
