"""The audit detectors: one module each, registered here by code.

A detector is a set-based query over a period of months (`Scope`) that returns `Hit`s. It never writes:
the audit service turns hits into findings (one per detector, subject and period), audits them and
commits. Each module declares its `Detector` with a code, a Chinese name (through the translation
layer), a default severity, the audit settings it reads, a `find(scope)` and a `describe(facts)` that
turns a hit's stored facts into the plain-language evidence sentence (in the reader's language).
Facts hold masked personal data only (an account as `622588******1234`) and the ids the finding page
links to (`person_id`, `household_id`, `post_id`, `appointment_id`, `payroll_id`, `workshop_id`, `village_id`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from portal.audit.rules import AuditPolicy, Month, Severity

MODULES = ("ghost_pay", "absent_holder", "multiple_posts", "shared_account", "favouritism", "rotation",
           "batch_filled", "late_marks", "over_limit", "arrears", "double_benefit", "ineligible_paid",
           "funds_overspent", "field_check")


@dataclass(frozen=True)
class Scope:
    """What a detector runs over: one county, whole months first..last, and the county's settings."""

    county_id: int
    first: Month
    last: Month
    today: date
    policy_on: Callable[[date], AuditPolicy]  # the audit settings in force on a day
    posts_policy_on: Callable[[date], Any]  # posts.rules.Policy in force on a day

    @property
    def start(self) -> date:
        return self.first.first

    @property
    def end(self) -> date:
        return min(self.last.last, self.today)


@dataclass
class Hit:
    """One thing a detector found: about a subject in a period, with facts and the amount at stake."""

    subject_type: str
    subject_id: Any
    period_start: date
    period_end: date
    village_id: int | None
    facts: dict = field(default_factory=dict)
    amount: Decimal = Decimal("0.00")
    severity: str | None = None  # None: the detector's own


@dataclass(frozen=True)
class Detector:
    code: str
    name: Any  # lazy string: the Chinese name first
    severity: Severity
    find: Callable[[Scope], Iterable[Hit]]
    describe: Callable[[dict], str]
    settings: tuple[str, ...] = ()  # AuditPolicy fields (and posts settings) this detector reads
    subject: str = ""  # the kind of subject, for the list's filter


_REGISTRY: dict[str, Detector] = {}


def register(detector: Detector) -> Detector:
    _REGISTRY[detector.code] = detector
    return detector


def all_detectors() -> dict[str, Detector]:
    """Every detector by code, in the order of MODULES (modules not yet written are skipped)."""
    for name in MODULES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    return {code: _REGISTRY[code] for code in sorted(_REGISTRY, key=_order)}


def _order(code: str) -> int:
    return MODULES.index(code) if code in MODULES else len(MODULES)


def get(code: str) -> Detector | None:
    return all_detectors().get(code)
