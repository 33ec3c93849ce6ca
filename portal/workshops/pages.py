"""The workshop_pages blueprint and what its pages share: today, the refusal status, the month argument, the
place filters, what the user may do with a workshop, and the words every template reads. The routes are in
workshops.views and in each sub-package's views."""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date
from flask import Blueprint, current_app, request
from flask_babel import get_locale
from flask_login import current_user

from portal.core.access import COUNTY_ROLES, Role
from portal.core.i18n import month_label
from portal.core.masking import mask_id, mask_phone
from portal.registry import labels as reg_labels
from portal.workshops import labels, page_queries, queries, rules
from portal.workshops.guards import is_admin_of, is_clerk_of, is_reviewer_of
from portal.workshops.models import Workshop

bp = Blueprint("workshop_pages", __name__, url_prefix="/workshops")
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
PAGE_SIZE = 50


def _today() -> date:
    return queries.county_today()  # through workshops.queries: the tests set today there


def refused_status() -> int:
    """A form page shown again after a POST was refused (a successful POST redirects)."""
    return 422 if request.method == "POST" else 200


def has_endpoint(name: str) -> bool:
    """Links to the other helper's files (assessment PDF and Excel) appear once their routes exist."""
    return name in current_app.view_functions


def short_month(month: rules.Month) -> str:
    """A chart's month label: 11月 in Chinese, Nov in English."""
    locale = str(get_locale() or "zh_CN")
    if locale.startswith("zh"):
        return f"{month[1]}月"
    return format_date(date(month[0], month[1], 1), "MMM", locale=locale)


@bp.context_processor
def _vocabulary():
    return {"wl": labels, "mask_id": mask_id, "mask_phone": mask_phone, "has_endpoint": has_endpoint,
            "ym": lambda m: month_label(date(m[0], m[1], 1)), "short_month": short_month,
            "employment_label": lambda code: reg_labels.label(reg_labels.EMPLOYMENT, code),
            "is_county": getattr(current_user, "role", None) in COUNTY_ROLES,
            "is_admin": getattr(current_user, "role", None) == Role.COUNTY_ADMIN}  # error pages: anonymous too


def _month_arg(default: rules.Month) -> rules.Month:
    found = MONTH.match(request.args.get("month", ""))
    if found and 2000 <= int(found.group(1)) <= 2100 and 1 <= int(found.group(2)) <= 12:
        return int(found.group(1)), int(found.group(2))
    return default


def _place_filters():
    """The register's township and village filters, kept inside the user's scope."""
    townships = page_queries.townships_of(current_user) if current_user.role in COUNTY_ROLES else []
    township_id = request.args.get("township", type=int)
    township_id = township_id if township_id in {t.id for t in townships} else None
    villages = [] if current_user.role == Role.VILLAGE_CLERK else page_queries.villages_of(current_user, township_id)
    village_id = request.args.get("village", type=int)
    village_id = village_id if village_id in {v.id for v in villages} else None
    return townships, township_id, villages, village_id


def _roles(workshop: Workshop) -> dict[str, bool]:
    """What the user may do with this workshop (the service decides again on every action)."""
    vid, live = workshop.village_id, workshop.state != rules.WorkshopState.EXITED
    admin, clerk, reviewer = (is_admin_of(current_user, vid), is_clerk_of(current_user, vid),
                              is_reviewer_of(current_user, vid))
    return {"can_edit": admin and live, "can_keep": (admin or clerk or reviewer) and live,
            "can_report": (clerk or reviewer) and live,
            "can_propose": (admin or reviewer) and workshop.state in (rules.WorkshopState.NORMAL,
                                                                      rules.WorkshopState.WATCH)}
