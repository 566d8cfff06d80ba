from datetime import UTC, datetime, timedelta

from workers.follow import Follower

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def test_a_follower_starts_at_the_horizon_stays_a_lag_behind_and_rescans_now_and_then() -> None:
    now = [T0]
    follower = Follower(lambda: now[0], timedelta(days=7), lag=timedelta(seconds=60), rescan=timedelta(minutes=10))
    assert follower.since() == T0 - timedelta(days=7)
    now[0] = T0 + timedelta(minutes=1)
    assert follower.since() == T0 - timedelta(days=7)  # not caught up yet: where it started
    follower.caught_up()
    assert follower.since() == T0
    now[0] = T0 + timedelta(minutes=11)
    assert follower.since() == now[0] - timedelta(days=7)
