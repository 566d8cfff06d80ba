"""A tenant's organization record, and what its first creation provisions (billing and a trial)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Every new organization starts on this plan; billing is outside evwatch, these rows are its hook.
TRIAL_PLAN = "trial"
TRIAL_STATUS = "trialing"
TRIAL_LENGTH = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class OrganizationRecord:
    """One organization per tenant; optional fields are None when cleared."""

    tenant_id: str
    organization_id: str
    name: str
    phone: str | None
    address: str | None
    tax_id_type: str | None
    tax_id_value: str | None
    created_at: datetime
    updated_at: datetime | None
