"""Division codes: level and parent come from the digits."""

import pytest

from portal.places.rules import CodeError, Level, level_of, parent_code


@pytest.mark.parametrize(("code", "level", "parent"), [
    ("422825000000", Level.COUNTY, None),
    ("422825101000", Level.TOWNSHIP, "422825000000"),
    ("422825101201", Level.VILLAGE, "422825101000"),
    ("422825101001", Level.VILLAGE, "422825101000"),
])
def test_level_and_parent_of_a_code(code, level, parent):
    assert level_of(code) == level
    assert parent_code(code) == parent


@pytest.mark.parametrize("code", ["42282510100", "4228251010000", "42282510100a", "", "420000000000",
                                  "420100000000"])
def test_malformed_or_non_county_codes_are_refused(code):
    with pytest.raises(CodeError):
        level_of(code)
