"""Rule 5: who counts as aided (脱贫劳动力), and the year-end watch of an exited workshop — pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from portal.workshops.rules import WorkshopPolicy, in_watch_at_year_end


@pytest.mark.parametrize("categories, category, aided", [
    ({"lifted", "monitored"}, "lifted", True),
    ({"lifted", "monitored"}, "monitored", True),
    ({"lifted", "monitored"}, "low_income", False),
    ({"lifted", "monitored"}, "general", False),
    ({"lifted", "monitored", "low_income"}, "low_income", True),
])
def test_only_employees_of_the_countys_aided_categories_are_aided(categories, category, aided):
    assert WorkshopPolicy(aided_categories=frozenset(categories)).is_aided(category) is aided


@pytest.mark.parametrize("categories", [set(), {"general"}, {"lifted", "nobody"}])
def test_a_general_household_or_nothing_is_no_aided_category(categories):
    with pytest.raises(ValueError):
        WorkshopPolicy(aided_categories=frozenset(categories))


@pytest.mark.parametrize("ongoing, exited_on, watch", [
    (True, None, True),
    (False, None, False),
    (True, date(2026, 12, 31), False),  # exited on the year's last day: no longer a workshop to watch
    (True, date(2026, 12, 1), False),
    (True, date(2027, 1, 1), True),  # exits next year: still watched at this year's end
])
def test_an_exited_workshop_is_not_watched_at_the_years_end(ongoing, exited_on, watch):
    assert in_watch_at_year_end(ongoing, 2026, exited_on) is watch
