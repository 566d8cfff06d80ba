"""Field types and the base struct every wire format shares.

The static bounds of `docs/bounds.md` live here as msgspec constraints, so both edges (HTTP and
Kafka) refuse the same input while decoding, naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

# No control characters (NUL, newlines, escapes): ids end up in keys, logs and file names.
_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"

# Names of things (tenants, sessions, stations, connectors, EVSEs).
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=_PRINTABLE)]
# Short labels (statuses, codes, time zones).
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_PRINTABLE)]
# Free text a human wrote (an address, an operator's name, a status note).
Text = Annotated[str, msgspec.Meta(max_length=512, pattern=r"^[^\x00]*$")]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
# OCPP 1.6 sends connectorId as an integer, the /v1 API uses strings: accept both, keep strings.
ConnectorId = Id | Annotated[int, msgspec.Meta(ge=0, le=65_535)]


class Camel(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True, frozen=True):
    """Base for wire structs: camelCase names, frozen, defaults left out when encoding.

    msgspec applies `kw_only` per class and type checkers do not inherit `frozen`, so every subclass
    passes both again.
    """
