"""Home-page items of the audit: the township reviewer's open findings, oldest first, each linked with how long
it has waited; for the county auditor the answered findings to decide, the open ones and the last run; for the
county admin the open findings and the last run."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _

from portal.audit import detectors as registry
from portal.audit import log_queries, queries
from portal.audit.rules import FindingState
from portal.audit.settings import policy_for
from portal.core.access import Role
from portal.core.clock import county_today
from portal.core.home import Waiting, provides
from portal.core.i18n import money

SHOWN = 10  # the home page links the longest-waiting findings; the list has them all
SETTINGS_DAYS = 30  # "settings changed lately" on the county admin's home page


@provides(Role.TOWNSHIP_REVIEWER)
def township_findings(user) -> list[Waiting]:
    today = county_today()
    count = queries.state_counts(user).get(FindingState.OPEN, 0)
    oldest = queries.oldest_open(user, SHOWN)
    waited = [queries.days_open(f, today) for f in oldest]
    limit = policy_for(user.scope_county_id, today).response_days
    villages, _townships = queries.place_names(oldest)
    links = tuple(
        (_("%(detector)s · %(village)s · %(period)s · %(amount)s: waiting %(days)d days",
           detector=queries.detector_name(f.detector), village=villages.get(f.village_id, ""),
           period=queries.period_label(f.period_start, f.period_end), amount=money(f.amount_at_stake), days=days),
         url_for("audit.finding", finding_id=f.id))
        for f, days in zip(oldest, waited, strict=True))
    label = _("Audit findings waiting for your answer (answer within %(limit)d days)", limit=limit)
    return [Waiting(label, count, url_for("audit.findings", state=FindingState.OPEN.value),
                    "danger" if max(waited, default=0) > limit else "warning", links=links,
                    oldest_days=max(waited) if waited else None)]


def _last_run(user) -> Waiting:
    last = queries.last_finished_run(user)
    if last is None:
        return Waiting(_("Audit detectors not yet run: run the audit"), len(registry.all_detectors()),
                       url_for("audit.run"), "info")
    days = (county_today() - queries.county_day(last.finished_at)).days
    return Waiting(_("Days since the last audit run: run the audit again"), days, url_for("audit.run"), "info")


@provides(Role.COUNTY_AUDITOR)
def auditor_findings(user) -> list[Waiting]:
    counts = queries.state_counts(user)
    return [Waiting(_("Findings answered by the townships, waiting for your decision"),
                    counts.get(FindingState.RESPONDED, 0),
                    url_for("audit.findings", state=FindingState.RESPONDED.value)),
            Waiting(_("Open audit findings, not yet answered by the townships"), counts.get(FindingState.OPEN, 0),
                    url_for("audit.findings", state=FindingState.OPEN.value), "info"),
            _last_run(user)]


@provides(Role.COUNTY_ADMIN)
def admin_findings(user) -> list[Waiting]:
    count = queries.state_counts(user).get(FindingState.OPEN, 0)
    since = county_today() - timedelta(days=SETTINGS_DAYS)
    return [Waiting(_("Open audit findings, not yet answered by the townships"), count,
                    url_for("audit.findings", state=FindingState.OPEN.value), "info"), _last_run(user),
            Waiting(_("County settings changed in the last %(days)d days (in the audit log)", days=SETTINGS_DAYS),
                    log_queries.settings_changes(since),
                    url_for("audit.log", entity=log_queries.SETTINGS, **{"from": since.isoformat()}), "info")]
