"""Account policy: password strength, lockout threshold, idle timeout, role binding."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.accounts.rules import is_locked, lock_after_failure, password_problems, place_field_for, session_expired
from portal.core.access import Role

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("password", "problems"), [
    ("Kestrel-mill-48", []),
    ("Kestrel-m48", ["too_short"]),
    ("Kestrel-mill-ab", ["no_digit"]),
    ("1234-5678-9012", ["no_letter"]),
    ("xclerk01x99-river", ["contains_username"]),
    ("Password1234", ["common"]),
])
def test_password_problems(password, problems):
    assert password_problems(password, username="clerk01", min_length=12) == problems


@pytest.mark.parametrize(("failures", "locked"), [(9, False), (10, True), (11, True)])
def test_the_tenth_failure_locks(failures, locked):
    assert lock_after_failure(failures, 10) is locked


def test_lock_holds_until_its_end():
    until = NOW + timedelta(minutes=15)
    assert is_locked(until, NOW)
    assert is_locked(until, until - timedelta(seconds=1))
    assert not is_locked(until, until)
    assert not is_locked(None, NOW)


@pytest.mark.parametrize(("idle", "expired"), [(29, False), (30, True), (31, True)])
def test_thirty_idle_minutes_end_a_session(idle, expired):
    assert session_expired(NOW - timedelta(minutes=idle), NOW, timedelta(minutes=30)) is expired


@pytest.mark.parametrize(("role", "field"), [
    (Role.VILLAGE_CLERK, "village_id"), (Role.TOWNSHIP_REVIEWER, "township_id"),
    (Role.COUNTY_AUDITOR, "county_id"), (Role.COUNTY_ADMIN, "county_id"),
])
def test_each_role_is_bound_to_one_place_level(role, field):
    assert place_field_for(role) == field


# ---- open redirect (issue 12, point 8) ----------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/\t/evil.example/path", "//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
    "http:/evil.example", "/%09/evil.example", "/\n/evil.example", " //evil.example", "javascript:alert(1)",
    "/\x00/evil.example", "evil.example", "", None, "/%2F%2Fevil.example", "///evil.example",
])
def test_a_next_target_off_the_site_is_refused(target):
    from portal.accounts.rules import safe_next_path

    assert safe_next_path(target) is None


@pytest.mark.parametrize("target", ["/", "/registry/people?q=%E5%BC%A0", "/payroll/3#lines", "/account"])
def test_a_same_site_path_is_kept(target):
    from portal.accounts.rules import safe_next_path

    assert safe_next_path(target) == target
