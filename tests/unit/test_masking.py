"""Masking of personal data (domain.md, Masking)."""

import pytest

from portal.core.masking import mask_account, mask_id, mask_phone


@pytest.mark.parametrize(("raw", "masked"), [
    ("42010119800101123X", "4201**********123X"),
    ("422825198001010019", "4228**********0019"),
    ("", ""),
    (None, ""),
    ("1234", "****"),
])
def test_resident_id_keeps_first_four_and_last_four(raw, masked):
    assert mask_id(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [
    ("6225880123451234", "622588******1234"),
    ("6228480402564890018", "622848*********0018"),
    ("12345", "*2345"),
    ("", ""),
])
def test_bank_account_keeps_bin_and_last_four(raw, masked):
    assert mask_account(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [
    ("13812345678", "138****5678"),
    ("", ""),
    ("12345", "*****"),
])
def test_phone_keeps_first_three_and_last_four(raw, masked):
    assert mask_phone(raw) == masked


def test_a_masked_id_never_contains_the_middle_digits():
    raw = "422825199912315678"
    assert "19991231" not in mask_id(raw)
