"""Resident IDs: GB 11643 check digit, real birth date, known region; birth date and sex derived."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from portal.registry.rules import InvalidResidentId, Sex, parse_resident_id, with_check_digit

make_id = with_check_digit


def test_check_digit_agrees_with_stdnum():
    assert ric.is_valid(make_id("11010519491231002"))
    assert make_id("11010519491231002") == "11010519491231002X"  # the example ID of GB 11643


def test_birth_date_and_sex_are_derived():
    parsed = parse_resident_id(make_id("42282519800229001"))
    assert parsed.birth_date == date(1980, 2, 29)
    assert parsed.sex is Sex.MALE
    assert parse_resident_id(make_id("42282519800229002")).sex is Sex.FEMALE


def test_lower_case_x_check_digit_is_accepted():
    for seq in range(100, 999):
        number = make_id(f"422825199001011{seq % 100:02d}")
        if number.endswith("X"):
            assert parse_resident_id(number.lower()).number == number
            return
    pytest.fail("no X check digit found")


@pytest.mark.parametrize(("number", "reason"), [
    ("42282519800101001", "length"),
    ("4228251980010100A1", "format"),
    (make_id("42282519800230001"), "component"),  # 30 February
    (make_id("99999919800101001"), "component"),  # unknown region
])
def test_malformed_ids_are_refused_with_a_reason(number, reason):
    with pytest.raises(InvalidResidentId) as refused:
        parse_resident_id(number)
    assert refused.value.reason == reason


def test_a_wrong_check_digit_is_refused():
    good = make_id("42282519800101001")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidResidentId) as refused:
        parse_resident_id(bad)
    assert refused.value.reason == "checksum"


@given(st.sampled_from(["422825", "110105", "420101", "999999", "422802"]),
       st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 999),
       st.booleans())
def test_agrees_with_stdnum_validate(region, birth, seq, corrupt):
    """The cached region lookup decides exactly as stdnum.cn.ric.validate does."""
    number = with_check_digit(f"{region}{birth:%Y%m%d}{seq:03d}")
    if corrupt:
        number = number[:-1] + ("0" if number[-1] != "0" else "1")
    try:
        parse_resident_id(number)
        ours = True
    except InvalidResidentId:
        ours = False
    assert ours == ric.is_valid(number)
