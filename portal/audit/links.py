"""Links from a finding to the records it names: every `<record>_id` in its facts (also inside lists such as
facts["people"]), its subject and its village, each to that record's page. The label takes the name the
detector stored beside the id (a person's name, a post's title, a month)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.audit.detectors.common import month_text
from portal.audit.models import Finding


@dataclass(frozen=True)
class Kind:
    endpoint: str
    arg: str
    label: object  # lazy string
    names: tuple[str, ...]  # fact keys beside the id that name the record


KINDS = {
    "person_id": Kind("registry.person", "person_id", _l("Person"), ("name", "person", "person_name", "holder")),
    "household_id": Kind("registry.household", "household_id", _l("Household"),
                         ("household", "household_number", "household_name")),
    "post_id": Kind("plan_pages.detail", "post_id", _l("Post"), ("post", "post_title", "title")),
    "appointment_id": Kind("hiring_pages.appointment", "appt_id", _l("Appointment"), ("appointment",)),
    "payroll_id": Kind("payroll_pages.detail", "payroll_id", _l("Payroll"), ("payroll", "month")),
    "workshop_id": Kind("workshop_pages.detail", "workshop_id", _l("Workshop"), ("workshop", "workshop_name")),
    "exit_id": Kind("exit_pages.detail", "exit_id", _l("Exit"), ()),
    "village_id": Kind("places.village", "village_id", _l("Village"), ("village", "village_name")),
}
SUBJECT_KEYS = {"person": "person_id", "household": "household_id", "post": "post_id",
                "appointment": "appointment_id", "payroll": "payroll_id", "workshop": "workshop_id",
                "village": "village_id"}
MAX_LINKS = 40


@dataclass(frozen=True)
class RecordLink:
    kind: str  # the fact key, e.g. person_id
    label: str  # 人员：持岗人0
    url: str


def _as_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def _name(kind: Kind, node: dict) -> str:
    for key in kind.names:
        value = node.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            text = str(value)
            if key == "month" and len(text) >= 7:
                try:
                    return month_text(text)
                except ValueError:
                    return text
            return text
    return ""


def _walk(node, found: dict[tuple[str, int], str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, found)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        kind = KINDS.get(key)
        ident = _as_id(value) if kind else None
        if ident is not None:
            name = _name(kind, node)
            if name or (key, ident) not in found:
                found[(key, ident)] = found.get((key, ident)) or name
        elif isinstance(value, list | dict):
            _walk(value, found)


def record_links(finding: Finding, facts: dict, village_name: str = "") -> list[RecordLink]:
    """The pages of the records a finding names, people first, the finding's village last."""
    found: dict[tuple[str, int], str] = {}
    subject_key = SUBJECT_KEYS.get(finding.subject_type)
    subject_id = _as_id(finding.subject_id)
    if subject_key and subject_id:
        found[(subject_key, subject_id)] = ""
    _walk(facts, found)
    if finding.village_id:
        found[("village_id", finding.village_id)] = found.get(("village_id", finding.village_id)) or village_name
    order = list(KINDS)
    links = []
    for (key, ident), name in sorted(found.items(), key=lambda item: (order.index(item[0][0]), item[0][1])):
        kind = KINDS[key]
        if kind.endpoint not in current_app.view_functions:
            continue
        label = _("%(kind)s: %(name)s", kind=kind.label, name=name) if name else f"{kind.label} #{ident}"
        links.append(RecordLink(key, label, url_for(kind.endpoint, **{kind.arg: ident})))
    return links[:MAX_LINKS]
