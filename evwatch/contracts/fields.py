"""Field types and the base struct every wire format shares."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

NonEmptyStr = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
# OCPP 1.6 sends connectorId as an integer, the /v1 API uses strings: accept both, keep strings.
ConnectorId = NonEmptyStr | Annotated[int, msgspec.Meta(ge=0)]


class Camel(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True, frozen=True):
    """Base for wire structs: camelCase names, frozen, defaults left out when encoding.

    msgspec applies `kw_only` per class and type checkers do not inherit `frozen`, so every subclass
    passes both again.
    """
