"""SQL for organizations and what their first creation provisions: a billing account and a trial."""

from __future__ import annotations

import dataclasses
import secrets
import time
from datetime import datetime

from clickhouse_connect.driver.client import Client

from evwatch.domain.organizations import TRIAL_LENGTH, TRIAL_PLAN, TRIAL_STATUS, OrganizationRecord
from evwatch.storage.clickhouse import scalar

_COLUMNS = [f.name for f in dataclasses.fields(OrganizationRecord)]


class ClickHouseOrganizationStore:
    """Organizations, billing accounts and subscriptions, one of each per tenant."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def find(self, tenant_id: str) -> OrganizationRecord | None:
        """The tenant's organization, or None."""
        rows = self._client.query(
            f"SELECT {', '.join(_COLUMNS)} FROM organizations FINAL WHERE tenant_id = {{t:String}}",
            parameters={"t": tenant_id},
        ).result_rows
        return OrganizationRecord(*rows[0]) if rows else None

    def save(self, organization: OrganizationRecord) -> None:
        """Create or replace the tenant's organization."""
        self._client.insert(
            "organizations",
            [[*dataclasses.astuple(organization), time.time_ns()]],
            column_names=[*_COLUMNS, "version"],
        )

    def provision_billing(self, tenant_id: str, billing_email: str, at: datetime) -> None:
        """A billing account and a trial subscription, unless the tenant has them (a retried create)."""
        where = {"t": tenant_id}
        if not scalar(self._client, "SELECT count() FROM billing_accounts WHERE tenant_id = {t:String}", where):
            self._client.insert(
                "billing_accounts",
                [[tenant_id, f"acct_{secrets.token_hex(8)}", billing_email, at, time.time_ns()]],
                column_names=["tenant_id", "account_id", "billing_email", "created_at", "version"],
            )
        if not scalar(self._client, "SELECT count() FROM subscriptions WHERE tenant_id = {t:String}", where):
            self._client.insert(
                "subscriptions",
                [
                    [
                        tenant_id,
                        f"sub_{secrets.token_hex(8)}",
                        TRIAL_PLAN,
                        TRIAL_STATUS,
                        at,
                        at + TRIAL_LENGTH,
                        time.time_ns(),
                    ]
                ],
                column_names=[
                    "tenant_id",
                    "subscription_id",
                    "plan",
                    "status",
                    "started_at",
                    "trial_ends_at",
                    "version",
                ],
            )
