"""两张清单: who is in work — never a deceased person, whatever status the register still shows."""

from __future__ import annotations

import pytest

from portal.registry.rules import EmploymentStatus, in_work


@pytest.mark.parametrize("status, deceased, working", [
    (EmploymentStatus.UNEMPLOYED, False, False),
    (EmploymentStatus.UNEMPLOYED, True, False),
    (EmploymentStatus.MIGRANT_OUT_OF_PROVINCE, False, True),
    (EmploymentStatus.MIGRANT_OUT_OF_PROVINCE, True, False),  # the dead are on no list of workers
    (EmploymentStatus.WELFARE_POST, True, False),
])
def test_in_work_excludes_the_deceased(status, deceased, working):
    assert in_work(status, deceased=deceased) is working
