"""Telling a broken dependency from bad data, by the exception it raised.

An outage (Triton, ClickHouse or Kafka unreachable, out of disk or memory) is worth waiting for:
the same work succeeds later. Anything else is about the data and fails again.
"""

from __future__ import annotations

import re

from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError
from confluent_kafka import KafkaException

from evwatch.domain.errors import Unavailable

# ClickHouse error codes that say the server is unwell rather than the data wrong.
_OUTAGE_CODES = frozenset(
    {
        159,  # TIMEOUT_EXCEEDED
        202,  # TOO_MANY_SIMULTANEOUS_QUERIES
        209,  # SOCKET_TIMEOUT
        210,  # NETWORK_ERROR
        241,  # MEMORY_LIMIT_EXCEEDED
        242,  # TABLE_IS_READ_ONLY
        243,  # NOT_ENOUGH_SPACE
        252,  # TOO_MANY_PARTS
        425,  # SYSTEM_ERROR
    }
)
_CODE = re.compile(r"Code: (\d+)")


def is_outage(exc: BaseException) -> bool:
    """True when `exc` says a dependency is unavailable, not that the work is bad."""
    if isinstance(exc, Unavailable | OperationalError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, KafkaException):
        error = exc.args[0] if exc.args else None
        return bool(error is not None and error.retriable())
    if isinstance(exc, DatabaseError | RuntimeError | OSError):
        match = _CODE.search(str(exc))
        return match is not None and int(match.group(1)) in _OUTAGE_CODES
    return False
