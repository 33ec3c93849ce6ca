"""Readable names for audit-log actions and record types (unknown codes show as they are)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTIONS = {
    "create": _l("created"), "update": _l("changed"), "rename": _l("renamed"), "login": _l("logged in"),
    "logout": _l("logged out"), "login_failed": _l("failed login"), "lock": _l("locked"),
    "unlock": _l("unlocked"), "change_password": _l("changed password"), "reset_password": _l("reset password"),
    "set_locale": _l("changed language"), "revoke": _l("revoked"), "delete": _l("deleted"),
    "reveal": _l("revealed a full value"), "export_unmasked": _l("exported unmasked"),
    "import_ledger": _l("imported a ledger"), "set_standard": _l("set a subsidy standard"),
    "set_quota": _l("set a post quota"), "set_setting": _l("changed a policy setting"),
    "submit": _l("submitted"), "approve": _l("approved"), "return": _l("returned"), "close": _l("closed"),
    "appointment.nominate": _l("nominated"), "appointment.publish": _l("published for notice"),
    "appointment.approve": _l("approved the appointment"), "appointment.reject": _l("rejected the appointment"),
    "appointment.activate": _l("went on duty"), "appointment.start_exit": _l("exit started"),
    "appointment.cancel_exit": _l("exit cancelled"), "appointment.exit": _l("left the post"),
    "objection.record": _l("recorded an objection"), "objection.uphold": _l("upheld the objection"),
    "objection.dismiss": _l("dismissed the objection"),
    "exit.propose": _l("proposed an exit"), "exit.approve": _l("approved the exit"),
    "exit.reject": _l("rejected the exit"), "exit.withdraw": _l("withdrew the exit"),
    "exit.appeal": _l("recorded an appeal"), "exit.uphold_appeal": _l("upheld the appeal"),
    "exit.dismiss_appeal": _l("dismissed the appeal"), "exit.exit": _l("exit took effect"),
    "attendance.set": _l("set attendance"), "add_override": _l("changed the working-day calendar"),
    "remove_override": _l("removed a working-day change"),
    "payroll.generate": _l("generated the payroll"), "payroll.recompute": _l("recomputed the payroll"),
    "payroll.submit": _l("submitted the payroll"), "payroll.return": _l("returned the payroll"),
    "payroll.approve": _l("approved the payroll"), "payroll.pay": _l("recorded the payment"),
    "payroll.adjustment_add": _l("added an adjustment"), "payroll.adjustment_remove": _l("removed an adjustment"),
    "payroll.bank_file": _l("downloaded the bank file"),
    "workshop.certify": _l("certified the workshop"), "workshop.update": _l("corrected the workshop"),
    "workshop.watch": _l("workshop put on watch"), "workshop.clear": _l("workshop back to normal"),
    "workshop.monitor": _l("monitoring updated"), "workshop.propose_exit": _l("workshop exit proposed"),
    "workshop.resume": _l("workshop resumed"), "workshop.exit": _l("workshop exited"),
    "workshop.set_setting": _l("changed a workshop setting"),
    "workshop_employee.add": _l("added an aided employee"), "workshop_employee.change": _l("changed an employment"),
    "workshop_employee.end_by_exit": _l("employment ended by the exit"),
    "workshop_report.file": _l("filed the monthly report"), "workshop_report.refile": _l("refiled the monthly report"),
    "workshop_exit.propose": _l("proposed the workshop exit"), "workshop_exit.publish": _l("published the exit notice"),
    "workshop_exit.approve": _l("approved the workshop exit"), "workshop_exit.reject": _l("rejected the workshop exit"),
    "workshop_exit.exit": _l("workshop exit took effect"),
    "assessment.compute": _l("computed the assessment"), "assessment.recompute": _l("recomputed the assessment"),
    "assessment.approve": _l("approved the reward"), "assessment.pay": _l("recorded the reward payment"),
    "audit.run_start": _l("started an audit run"), "audit.run_finish": _l("finished an audit run"),
    "audit.set_setting": _l("changed an audit threshold"), "audit.set_budget": _l("set a yearly budget"),
    "finding.open": _l("raised the finding"), "finding.refresh": _l("refreshed the finding's evidence"),
    "finding.respond": _l("answered the finding"), "finding.close": _l("closed the finding"),
}
ENTITIES = {
    "user": _l("user"), "county": _l("county"), "township": _l("township"), "village": _l("village"),
    "household": _l("household"), "person": _l("person"), "relationship": _l("relationship"),
    "api_token": _l("API token"), "post": _l("post"), "appointment": _l("appointment"),
    "objection": _l("objection"), "exit": _l("exit"), "subsidy_standard": _l("subsidy standard"),
    "village_quota": _l("post quota"), "county_setting": _l("policy setting"), "register": _l("labour register"),
    "village_attendance": _l("attendance"), "workday_override": _l("working-day override"),
    "payroll": _l("payroll"), "workshop": _l("workshop"), "workshop_employee": _l("workshop employee"),
    "workshop_report": _l("workshop monthly report"), "workshop_exit": _l("workshop exit"),
    "assessment": _l("workshop assessment"), "finding": _l("audit finding"), "audit_run": _l("audit run"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def entity_label(code: str) -> str:
    return str(ENTITIES.get(code, code))


# ---- the auditor's desk (issue 11): more actions and records, and field labels for before/after ----------

ACTIONS.update({
    "sample.draw": _l("drew a field-check sample"), "sample.check": _l("recorded a field check"),
    "audit.search": _l("searched the county"), "audit.export_log": _l("exported the audit log"),
    "audit.report": _l("downloaded the audit report"),
})
ENTITIES.update({"audit_sample": _l("field-check sample"), "search": _l("county search"),
                 "audit_log": _l("audit log")})
FIELDS = {
    "name": _l("Name"), "full_name": _l("Full name"), "username": _l("Username"), "role": _l("Role"),
    "state": _l("State"), "title": _l("Title"), "category": _l("Category"), "kind": _l("Kind"),
    "note": _l("Note"), "reason": _l("Reason"), "return_reason": _l("Reason for return"),
    "village_id": _l("Village"), "township_id": _l("Township"), "county_id": _l("County"),
    "person_id": _l("Person"), "household_id": _l("Household"), "post_id": _l("Post"), "members": _l("Members"),
    "appointment_id": _l("Appointment"), "payroll_id": _l("Payroll"), "workshop_id": _l("Workshop"),
    "relative_id": _l("Relative"), "id_number": _l("Resident ID"), "phone": _l("Phone"),
    "bank_name": _l("Bank"), "bank_account": _l("Bank account"), "account": _l("Bank account"),
    "address": _l("Address"), "number": _l("Household number"), "relation_to_head": _l("Relation to head"),
    "labour_capacity": _l("Labour capacity"), "employment_status": _l("Employment status"),
    "monthly_income": _l("Monthly income"), "deceased": _l("Deceased"), "is_cadre": _l("Village cadre"),
    "disabled": _l("Disabled"), "disability_grade": _l("Disability grade"), "training_wish": _l("Training wish"),
    "willing_to_migrate": _l("Willing to migrate"), "monitored_subtype": _l("Monitored subtype"),
    "risk_eliminated": _l("Risk eliminated"), "subsidy": _l("Monthly subsidy"), "headcount": _l("Headcount"),
    "schedule": _l("Schedule"), "required_days": _l("Required days"), "funding_source": _l("Funding source"),
    "start_date": _l("Start"), "end_date": _l("End"), "effective_from": _l("Effective from"),
    "month": _l("Month"), "year": _l("Year"), "day": _l("Day"), "mark": _l("Mark"), "total": _l("Total"),
    "amount": _l("Amount"), "line_count": _l("Lines"), "paid_on": _l("Paid on"),
    "bank_reference": _l("Bank reference"), "monthly_amount": _l("Monthly amount"), "value": _l("Value"),
    "key": _l("Setting"), "locale": _l("Language"), "hire_date": _l("Hire date"), "leave_date": _l("Leave date"),
    "monthly_wage": _l("Monthly wage"), "reward": _l("Reward"), "detector": _l("Detector"),
    "detectors": _l("Detectors"), "subject": _l("Subject"), "period": _l("Period"), "severity": _l("Severity"),
    "amount_at_stake": _l("Amount at stake"), "amount_recovered": _l("Amount recovered"),
    "decision": _l("Decision"), "response": _l("Explanation"), "action_taken": _l("Action taken"),
    "from": _l("From"), "to": _l("To"), "method": _l("Sizing"), "percent": _l("Percentage"),
    "confidence": _l("Confidence level"), "margin": _l("Margin of error"), "population": _l("Lines in the period"),
    "size": _l("Sample size"), "seed": _l("Seed"), "line": _l("Sample line"), "sample_line": _l("Sample line"),
    "on_duty_confirmed": _l("Holder confirms being on duty"), "amount_matches": _l("Amount matches"),
    "account_is_own": _l("Account is the holder's own"), "query": _l("Searched for"), "people": _l("People found"),
    "rows": _l("Rows"), "filters": _l("Filters"),
}


def field_label(code: str) -> str:
    return str(FIELDS.get(code, code))
FIELDS.update({
    "approved_on": _l("Approved on"), "decided_by": _l("Decided by"), "decided_at": _l("Decided at"),
    "submitted_by": _l("Submitted by"), "submitted_at": _l("Submitted at"), "paid_by": _l("Payment recorded by"),
    "created_by": _l("Created by"), "format": _l("Format"), "hits": _l("Hits"), "marks": _l("Marks"),
    "exited_on": _l("Left on"), "rank": _l("Priority rank"), "justification": _l("Justification"),
    "choice_reason": _l("Reason for the choice"), "conflicts": _l("Conflicts of interest"),
})
