"""Resolving verified claims to a membership: first use records, removal refuses, signup finds its home."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from evwatch.domain.members import MemberRecord, is_last_admin
from evwatch.domain.roles import ADMIN, MEMBER, SUPER_ADMIN
from evwatch.tokens import Claims
from serving.members.directory import MemberDirectory, Membership, NotAMember

NOW = datetime(2026, 12, 1, tzinfo=UTC)


class Members:
    """In-memory members: a fake for the pure resolution logic (the SQL is tested on chDB)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], MemberRecord] = {}
        self.finds = 0

    def find(self, tenant_id: str, user_id: str) -> MemberRecord | None:
        self.finds += 1
        return self.rows.get((tenant_id, user_id))

    def home_of(self, user_id: str) -> MemberRecord | None:
        homes = sorted((m for m in self.rows.values() if m.user_id == user_id and m.active), key=lambda m: m.joined_at)
        return homes[0] if homes else None

    def record(self, member: MemberRecord) -> None:
        self.rows[(member.tenant_id, member.user_id)] = member


@pytest.fixture
def store() -> Members:
    return Members()


@pytest.fixture
def directory(store: Members) -> MemberDirectory:
    now = [0.0]
    return MemberDirectory(store, lambda tenant: tenant in {"acme", "beta"}, clock=lambda: NOW, timer=lambda: now[0])


def test_a_member_is_recorded_on_first_use_with_the_tokens_role(store: Members, directory: MemberDirectory) -> None:
    seen = directory.resolve(Claims("u1", "ada@example.com", "acme", ADMIN))
    assert seen == Membership("u1", "ada@example.com", "acme", ADMIN)
    assert store.rows[("acme", "u1")] == MemberRecord("acme", "u1", "ada@example.com", ADMIN, NOW)
    assert directory.resolve(Claims("u2", "bo@example.com", "acme", None)).role == MEMBER


def test_the_issuer_is_current_a_new_role_or_address_is_recorded(store: Members, directory: MemberDirectory) -> None:
    directory.resolve(Claims("u1", "ada@example.com", "acme", MEMBER))
    promoted = directory.resolve(Claims("u1", "ada@new.example", "acme", ADMIN))
    assert promoted.role == ADMIN and store.rows[("acme", "u1")].email == "ada@new.example"
    assert directory.resolve(Claims("u1", "ada@new.example", "acme", None)).role == ADMIN  # no claim: the stored role


def test_a_removed_member_and_an_unknown_tenant_are_refused(store: Members, directory: MemberDirectory) -> None:
    store.record(replace(MemberRecord("acme", "u1", "a@b.c", ADMIN, NOW), removed_at=NOW))
    with pytest.raises(NotAMember, match="removed"):
        directory.resolve(Claims("u1", "a@b.c", "acme", ADMIN))
    with pytest.raises(NotAMember, match="does not exist"):
        directory.resolve(Claims("u1", "a@b.c", "nowhere", ADMIN))
    assert ("nowhere", "u1") not in store.rows


def test_lookups_are_cached_and_forgotten_on_removal(store: Members, directory: MemberDirectory) -> None:
    directory.resolve(Claims("u1", "a@b.c", "acme", MEMBER))
    finds = store.finds
    directory.resolve(Claims("u1", "a@b.c", "acme", MEMBER))
    assert store.finds == finds
    store.record(replace(store.rows[("acme", "u1")], removed_at=NOW))
    directory.forget("acme", "u1")
    with pytest.raises(NotAMember):
        directory.resolve(Claims("u1", "a@b.c", "acme", MEMBER))


def test_a_token_without_a_tenant_acts_in_the_tenant_its_user_created(
    store: Members, directory: MemberDirectory
) -> None:
    assert directory.resolve(Claims("u9", "new@example.com", None, None)) == Membership(
        "u9", "new@example.com", None, None
    )
    store.record(MemberRecord("beta", "u9", "new@example.com", ADMIN, NOW))
    assert directory.resolve(Claims("u9", "new@example.com", None, None)).tenant_id == "beta"


def test_the_last_admin_is_the_only_active_admin_or_super_admin() -> None:
    admin, boss = MemberRecord("t", "a", "a@x", ADMIN, NOW), MemberRecord("t", "s", "s@x", SUPER_ADMIN, NOW)
    member = MemberRecord("t", "m", "m@x", MEMBER, NOW)
    assert is_last_admin([admin, member], "a")
    assert not is_last_admin([admin, boss, member], "a")
    assert not is_last_admin([admin, member], "m")
    assert is_last_admin([admin, replace(boss, removed_at=NOW)], "a")
