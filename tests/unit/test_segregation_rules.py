"""Segregation of duties as pure checks: own submission, own household, own kin; and who an account may be
linked to."""

from __future__ import annotations

import pytest

from portal.accounts.rules import person_link_problem
from portal.core.access import check_can_approve
from portal.core.errors import NotAllowed


@pytest.mark.parametrize("kin, subjects, refused", [
    (frozenset(), frozenset({7}), False),  # an unlinked approver has no known kin
    (frozenset({1, 2}), frozenset({7}), False),
    (frozenset({1, 7}), frozenset({7}), True),  # a declared relative or household member is the subject
    (frozenset({7}), frozenset({3, 7, 9}), True),  # one of many payroll lines is enough
    (frozenset({1}), frozenset(), False),
])
def test_an_approver_related_to_a_subject_is_refused(app, kin, subjects, refused):
    with app.test_request_context():
        if refused:
            with pytest.raises(NotAllowed) as err:
                check_can_approve(5, 6, approver_kin_ids=kin, subject_person_ids=subjects)
            assert err.value.code == "related"
        else:
            check_can_approve(5, 6, approver_kin_ids=kin, subject_person_ids=subjects)


@pytest.mark.parametrize("found, deceased, linked_to, problem", [
    (False, False, None, "not_found"),
    (True, True, None, "deceased"),
    (True, False, "clerk", "linked_elsewhere"),
    (True, False, None, None),
])
def test_who_an_account_may_be_linked_to(found, deceased, linked_to, problem):
    assert person_link_problem(found=found, deceased=deceased, linked_to=linked_to) == problem
