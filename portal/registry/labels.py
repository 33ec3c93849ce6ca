"""Chinese names of the register's vocabulary (the policy texts' own words) and of its refusals."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from portal.core.i18n import readable
from portal.registry.rules import (
    EmploymentStatus,
    HouseholdCategory,
    LabourCapacity,
    MonitoredSubtype,
    Problem,
    RelationToHead,
    RelativeKind,
)

CATEGORY = {
    HouseholdCategory.LIFTED: _l("Lifted out of poverty"),
    HouseholdCategory.MONITORED: _l("Monitored household"),
    HouseholdCategory.LOW_INCOME: _l("Low-income / subsistence"),
    HouseholdCategory.GENERAL: _l("General household"),
}
SUBTYPE = {
    MonitoredSubtype.UNSTABLE: _l("Unstable after lifting"),
    MonitoredSubtype.MARGINAL: _l("Marginal, at risk"),
    MonitoredSubtype.SUDDEN_HARDSHIP: _l("Sudden severe hardship"),
}
CAPACITY = {
    LabourCapacity.FULL: _l("Full labour"),
    LabourCapacity.HALF: _l("Half labour"),
    LabourCapacity.WEAK: _l("Weak labour"),
    LabourCapacity.NONE: _l("No labour capacity"),
}
EMPLOYMENT = {
    EmploymentStatus.MIGRANT_OUT_OF_PROVINCE: _l("Migrant, outside the province"),
    EmploymentStatus.MIGRANT_IN_PROVINCE: _l("Migrant, in the province outside the county"),
    EmploymentStatus.IN_COUNTY: _l("Working in the county"),
    EmploymentStatus.WORKSHOP: _l("Employment-aid workshop"),
    EmploymentStatus.WELFARE_POST: _l("Public-welfare post"),
    EmploymentStatus.SELF_EMPLOYED: _l("Self-employed"),
    EmploymentStatus.UNEMPLOYED: _l("Not employed"),
}
RELATION = {
    RelationToHead.HEAD: _l("Head of household"),
    RelationToHead.SPOUSE: _l("Spouse"),
    RelationToHead.CHILD: _l("Child"),
    RelationToHead.PARENT: _l("Parent"),
    RelationToHead.GRANDCHILD: _l("Grandchild"),
    RelationToHead.SIBLING: _l("Sibling"),
    RelationToHead.CHILD_IN_LAW: _l("Son- or daughter-in-law"),
    RelationToHead.OTHER: _l("Other"),
}
RELATIVE = {
    RelativeKind.SPOUSE: _l("spouse"),
    RelativeKind.PARENT: _l("parent"),
    RelativeKind.CHILD: _l("child"),
    RelativeKind.SIBLING: _l("sibling"),
    RelativeKind.IN_LAW: _l("in-law"),
    RelativeKind.OTHER: _l("other relative"),
}
SEX = {"M": _l("male"), "F": _l("female")}

PROBLEMS = {
    "required": _l("is required"),
    "too_long": _l("is longer than %(max)s characters"),
    "control": _l("contains control characters (such as NUL); remove them"),
    "household_number": _l("1 to 30 letters, digits, dashes or underscores"),
    "unknown_category": _l("unknown household category"),
    "subtype_required": _l("a monitored household needs its type"),
    "subtype_only_for_monitored": _l("only monitored households have a type"),
    "id_length": _l("a resident ID has 18 characters"),
    "id_format": _l("a resident ID is 17 digits and a digit or X"),
    "id_checksum": _l("the check digit is wrong: the last character does not match the first 17. Compare every "
                      "digit with the ID card (usually one digit is mistyped or two neighbours are swapped); do not "
                      "just change the last character"),
    "id_component": _l("the birth date or region code is not real"),
    "id_invalid": _l("not a valid resident ID"),
    "unknown_choice": _l("not one of the allowed values"),
    "grade_without_disability": _l("a disability grade needs the disability mark"),
    "grade_range": _l("disability grade is 1 to 4"),
    "phone_format": _l("a mobile number of 11 digits or a landline such as 0718-1234567"),
    "account_format": _l("a bank account is 12 to 30 digits"),
    "bank_name_required": _l("the bank is needed with an account"),
    "income_range": _l("an amount from 0 to 1,000,000 with at most two decimals"),
}

FIELDS = {
    "number": _l("Household number"), "category": _l("Household category"),
    "monitored_subtype": _l("Monitored type"), "risk_eliminated": _l("Risk eliminated"),
    "address": _l("Address"), "name": _l("Full name"), "id_number": _l("Resident ID"),
    "relation_to_head": _l("Relation to head"), "labour_capacity": _l("Labour capacity"),
    "employment_status": _l("Employment status"), "disabled": _l("Disabled"),
    "disability_grade": _l("Disability grade"), "phone": _l("Phone"), "bank_name": _l("Bank"),
    "bank_account": _l("Bank account"), "monthly_income": _l("Monthly income from work (yuan)"),
    "training_wish": _l("Training wish"), "willing_to_migrate": _l("Willing to go out to work"),
    "deceased": _l("Deceased"), "is_cadre": _l("Village cadre"), "note": _l("Note"),
    "household": _l("Household"), "village_id": _l("Village"),
}


def problem_text(problem: Problem) -> str:
    """The user-facing sentence for a rule's problem code."""
    return str(PROBLEMS.get(problem.code, problem.code)) % readable(dict(problem.params))


_TRANSLATED: dict[tuple[str, int], tuple[dict, dict]] = {}  # (locale, id(mapping)) -> (mapping, its texts)


def _texts(mapping: dict) -> dict:
    """The mapping's labels translated into the current language, once per language (a register page shows a few
    hundred labels; each lazy string looked its translation up again)."""
    locale = get_locale()
    if locale is None:  # outside a request or app: no cache
        return {key: str(text) for key, text in mapping.items()}
    cached = _TRANSLATED.get((str(locale), id(mapping)))
    if cached is None or cached[0] is not mapping:
        cached = _TRANSLATED[(str(locale), id(mapping))] = (mapping, {key: str(text) for key, text in mapping.items()})
    return cached[1]


def label(mapping: dict, value) -> str:
    """The label of an enum value; the raw value when unknown."""
    try:
        return _texts(mapping)[value]
    except (KeyError, TypeError):
        return value or ""
