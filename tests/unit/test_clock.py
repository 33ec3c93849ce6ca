"""The county's clock reads the machine's time unless a loader told it a moment (the demo's story)."""

from datetime import UTC, date, datetime

import pytest

from portal.core import clock
from portal.core.types import utcnow


def test_a_told_moment_is_today_and_now_inside_the_block_only():
    moment = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)  # 1 January 2026, 01:30 in Asia/Shanghai
    before = clock.county_today()
    with clock.told(moment):
        assert utcnow() == moment
        assert clock.county_today() == date(2026, 1, 1)
        with clock.told(clock.county_moment(date(2026, 3, 2), 9)):
            assert utcnow() == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        assert utcnow() == moment
    assert clock.county_today() in (before, date.fromordinal(before.toordinal() + 1))
    assert utcnow() > moment


def test_a_moment_without_a_zone_is_refused():
    with pytest.raises(ValueError), clock.told(datetime(2026, 1, 1, 9)):  # noqa: DTZ001  (the point of the test)
        pass
