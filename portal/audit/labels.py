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
    "assessment": _l("workshop assessment"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def entity_label(code: str) -> str:
    return str(ENTITIES.get(code, code))
