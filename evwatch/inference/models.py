"""Triton clients for the models evwatch serves, from settings."""

from __future__ import annotations

from evwatch.config import TritonSettings
from evwatch.inference.triton import TritonModel
from models.csar2 import io as csar2_io
from models.csar2.schema import MODEL_NAME as CSAR2_NAME
from models.shade import schema as shade_schema


def csar2_model(settings: TritonSettings) -> TritonModel:
    """CSAR-2, the per-session model."""
    return TritonModel(
        settings.grpc_url, CSAR2_NAME, list(csar2_io.OUTPUTS), csar2_io.MAX_BATCH_SIZE, settings.request_timeout_s
    )


def shade_model(settings: TritonSettings) -> TritonModel:
    """SHADE, the per-station-day model."""
    return TritonModel(
        settings.grpc_url,
        shade_schema.MODEL_NAME,
        list(shade_schema.OUTPUT_SHAPES),
        shade_schema.MAX_BATCH_SIZE,
        settings.request_timeout_s,
    )
