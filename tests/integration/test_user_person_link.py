"""Every official is a person in the register: the county admin links accounts to people, and from then on
every decision (approve an appointment or payroll, decide an exit, an objection or an appeal) refuses a
user related to its subject — judged when the decision is made, not frozen at nomination."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from portal.accounts import service as accounts
from portal.core.access import Role
from portal.core.auditlog import AuditEntry
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.extensions import db
from portal.payroll import service as payroll_service
from portal.payroll.models import Payroll, PayrollLine
from portal.posts.exits import service as exits
from portal.posts.hiring import service as hiring
from portal.registry.models import Person
from tests.exit_factories import appointment, exit_row, make_holder
from tests.hiring_factory import make_household, make_person, make_post, relate, user
from tests.payroll_factories import TODAY as PAY_DAY
from tests.payroll_factories import get_payroll, make_payroll

NOMINATED, AFTER = date(2026, 3, 2), date(2026, 3, 10)
START, END = date(2026, 4, 1), date(2026, 12, 31)
WHY = "经村民代表会议讨论，该户确属最困难家庭"


def _link(username: str, person) -> None:
    target = user(username)
    accounts.update_user(user("admin"), target, accounts.UserInput(
        target.username, target.full_name, Role(target.role), accounts.place_key(target), target.locale,
        person=person.id_number), target.active)


def test_the_admin_links_an_account_to_its_person_and_the_link_is_audited(ctx, world):
    person = make_person(world, "a2a", name="审核员本人")
    assert accounts.unlinked_count(user("admin")) == 6  # county A's accounts; county B's admin not counted
    _link("reviewer", person)
    assert user("reviewer").person_id == person.id
    assert accounts.unlinked_count(user("admin")) == 5
    assert {u.username for u in accounts.list_users(user("admin"), unlinked=True)} == {
        "admin", "auditor", "clerk", "clerk_b", "reviewer2"}
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.entity_type == "user",
                                                        AuditEntry.action == "update")).scalar_one()
    assert f'"person_id":{person.id}' in entry.after and '"person_id":null' in entry.before


def test_a_new_user_is_created_already_linked(ctx, world):
    person = make_person(world, "a1b")
    created = accounts.create_user(user("admin"), accounts.UserInput(
        "clerk.linked", "新经办员", Role.VILLAGE_CLERK, f"village:{world.ids['a1b']}", person=person.id_number),
        "Temp-pass-123")
    assert created.person_id == person.id


@pytest.mark.parametrize("case, error, text", [
    ("other_county", RuleViolation, "本县人员登记中没有该身份证号"),
    ("unknown", RuleViolation, "本县人员登记中没有该身份证号"),
    ("deceased", RuleViolation, "已死亡"),
    ("taken", Conflict, "此人已关联账户 clerk"),
])
def test_a_link_outside_the_county_to_the_dead_or_to_a_taken_person_is_refused(ctx, world, case, error, text):
    if case == "other_county":
        id_number = db.session.get(Person, world.people["p_b1a"]).id_number
    elif case == "unknown":
        id_number = "110101199003077777"
    elif case == "deceased":
        id_number = make_person(world, deceased=True).id_number
    else:
        taken = make_person(world)
        _link("clerk", taken)
        id_number = taken.id_number
    target = user("reviewer")
    with pytest.raises(error, match=text):
        accounts.update_user(user("admin"), target, accounts.UserInput(
            "reviewer", target.full_name, Role.TOWNSHIP_REVIEWER, accounts.place_key(target),
            person=id_number), True)
    db.session.rollback()
    assert user("reviewer").person_id is None


def _nominate(post, person, **kw):
    return hiring.nominate(user("clerk"), post, person.id, START, END, kw.get("choice_reason", ""),
                           kw.get("justification", ""), today=NOMINATED)


def test_a_relation_declared_during_the_notice_blocks_the_related_reviewer(ctx, world):
    post = make_post(world)
    nominee = make_person(world, category="monitored", capacity="weak", disabled=True)
    reviewer_self = make_person(world, "a1b", name="审核员乙")
    _link("reviewer", reviewer_self)
    appt = _nominate(post, nominee)
    assert appt.conflicts == "" and hiring.current_marks(appt) == []
    relate(reviewer_self, nominee)  # declared while the nomination is on notice
    assert hiring.current_marks(appt, user("reviewer")) == ["approver_relative"]
    assert "亲属或同户关系" in " ".join(hiring.approval_problems(user("reviewer"), appt, AFTER))
    with pytest.raises(NotAllowed) as refused:
        hiring.approve(user("reviewer"), appt, today=AFTER)
    assert refused.value.code == "conflicted"
    hiring.approve(user("reviewer2"), appt, today=AFTER)
    assert appointment(appt.id).state == "approved"


def test_marks_shown_on_a_nomination_are_recomputed_when_opened(ctx, world):
    post = make_post(world)
    nominee = make_person(world, category="monitored", capacity="weak", disabled=True)
    appt = _nominate(post, nominee)
    cadre = make_person(world, cadre=True, name="村干部乙")
    relate(nominee, cadre)
    assert hiring.current_marks(appt) == ["cadre_relative"]


def test_the_linked_nominating_clerk_marks_their_relative(ctx, world):
    post = make_post(world)
    clerk_self = make_person(world, name="经办员本人")
    nominee = make_person(world, category="monitored", capacity="weak", disabled=True)
    relate(clerk_self, nominee, "cousin")
    _link("clerk", clerk_self)
    with pytest.raises(hiring.HiringRefused) as refused:
        _nominate(post, nominee)
    assert set(refused.value.problems) == {"justification"}
    appt = _nominate(post, nominee, justification=WHY)
    assert appt.conflicts == "nominator_relative"


def test_a_reviewer_of_the_nominees_household_may_not_decide_an_objection(ctx, world):
    post = make_post(world)
    hh = make_household(world, category="monitored")
    nominee = make_person(world, household=hh, capacity="weak", disabled=True)
    _link("reviewer", make_person(world, household=hh))
    appt = _nominate(post, nominee)
    objection = hiring.record_objection(user("clerk"), appt, NOMINATED, "张三", "该户已有人外出务工", today=NOMINATED)
    with pytest.raises(NotAllowed):
        hiring.decide_objection(user("reviewer"), objection, "dismiss", "经核实，外出务工者已返乡")
    hiring.decide_objection(user("reviewer2"), objection, "dismiss", "经核实，外出务工者已返乡")


def test_a_reviewer_related_to_the_holder_may_not_approve_the_exit_nor_decide_the_appeal(ctx, world):
    appt_id = make_holder(world)
    holder = db.session.get(Person, world.people["p_a1a"])
    kin = make_person(world, "a1b", name="持岗人亲属")
    relate(kin, holder)
    _link("reviewer", kin)
    e = exits.propose(user("clerk"), appointment(appt_id), "absenteeism", "连续旷工三天，有考勤为证",
                      date(2026, 3, 3), NOMINATED)
    with pytest.raises(NotAllowed) as refused:
        exits.approve(user("reviewer"), exit_row(e.id), NOMINATED)
    assert refused.value.code == "related"
    exits.approve(user("reviewer2"), exit_row(e.id), NOMINATED)
    exits.record_appeal(user("clerk"), exit_row(e.id), "本人不服，申请复核", NOMINATED)
    with pytest.raises(NotAllowed) as refused:
        exits.decide_appeal(user("reviewer"), exit_row(e.id), False, "证据确凿，维持退岗")
    assert refused.value.code == "related"


def test_a_reviewer_related_to_a_holder_on_the_sheet_may_not_approve_the_payroll(ctx, world):
    payroll_id = make_payroll(world, state="submitted")
    holder = db.session.get(Person, db.session.scalar(
        select(PayrollLine.person_id).where(PayrollLine.payroll_id == payroll_id).limit(1)))
    kin = make_person(world, "a2a", name="发放表亲属")
    relate(holder, kin, "parent")
    _link("reviewer", kin)
    db.session.execute(update(Payroll).where(Payroll.id == payroll_id).values(submitted_by=user("clerk").id))
    db.session.commit()
    with pytest.raises(NotAllowed) as refused:
        payroll_service.approve(user("reviewer"), get_payroll(payroll_id), PAY_DAY)
    assert refused.value.code == "related"
    payroll_service.approve(user("reviewer2"), get_payroll(payroll_id), PAY_DAY)
