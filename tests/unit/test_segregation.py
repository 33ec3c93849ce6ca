"""Segregation of duties: the helper later approvals use."""

import pytest

from portal.core.access import check_can_approve
from portal.core.errors import NotAllowed


def test_nobody_approves_their_own_submission(app):
    with app.test_request_context(), pytest.raises(NotAllowed) as refused:
        check_can_approve(7, 7)
    assert refused.value.code == "own_submission"


def test_another_user_may_approve(app):
    with app.test_request_context():
        check_can_approve(8, 7)
        check_can_approve(8, None)


def test_nobody_approves_a_case_about_their_own_household(app):
    with app.test_request_context(), pytest.raises(NotAllowed) as refused:
        check_can_approve(8, 7, approver_household_id=3, subject_household_ids={3, 4})
    assert refused.value.code == "own_household"


def test_a_case_about_another_household_is_fine(app):
    with app.test_request_context():
        check_can_approve(8, 7, approver_household_id=3, subject_household_ids={4})
