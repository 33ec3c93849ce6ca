"""Rule 2 through the hiring service on a real database: ranking, hard rules, conflicts, notice, approval."""

from __future__ import annotations

import shutil
import subprocess
import threading
from datetime import date

import pytest
from sqlalchemy import select

from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.extensions import db
from portal.posts.hiring import service as hiring
from portal.posts.hiring.agreement import agreement_pdf
from portal.posts.models import Appointment
from tests.hiring_factory import make_household, make_person, make_post, relate, user

TODAY = date(2026, 3, 2)  # a Monday; 5 working days of notice end on 9 March
AFTER = date(2026, 3, 10)
START, END = date(2026, 4, 1), date(2026, 12, 31)
REASON = "该村民熟悉本村道路情况，且本人意愿强烈"


def nominate(post, person, clerk="clerk", **kw):
    return hiring.nominate(user(clerk), post, person.id, START, END, kw.pop("choice_reason", ""),
                           kw.pop("justification", ""), today=kw.pop("today", TODAY))


def test_candidates_are_ranked_with_reasons(ctx, world):
    post = make_post(world)
    full = make_person(world, category="lifted", capacity="full")
    weak_monitored = make_person(world, category="monitored", capacity="weak", disabled=True)
    half = make_person(world, category="low_income", capacity="half")
    found = hiring.candidates(post, user("clerk"), TODAY)
    order = [r.person.id for r in found.ranked]
    assert order[0] == weak_monitored.id
    assert order.index(half.id) < order.index(full.id)
    top = found.ranked[0]
    assert top.rank == 1 and top.reasons == ["monitored_household", "disabled_person", "weak_capacity",
                                             "not_employed"]


@pytest.mark.parametrize("facts, code", [
    (dict(category="general"), "category_not_eligible"),
    (dict(capacity="none"), "no_labour_capacity"),
    (dict(deceased=True), "deceased"),
])
def test_each_hard_rule_refuses(ctx, world, facts, code):
    post = make_post(world)
    person = make_person(world, **facts)
    found = hiring.candidates(post, user("clerk"), TODAY)
    assert code in found.row(person.id).problems
    with pytest.raises(hiring.HiringRefused) as err:
        nominate(post, person, choice_reason=REASON)
    assert "person_id" in err.value.problems
    assert db.session.scalar(select(Appointment.id)) is None


def test_holding_another_post_and_household_limit_refuse(ctx, world):
    post, other = make_post(world), make_post(world, title="护路员")
    hh = make_household(world)
    holder = make_person(world, household=hh)
    sibling = make_person(world, household=hh)
    nominate(other, holder)
    for person, why in ((holder, "已在公益性岗位|already holds"), (sibling, "一户一岗|one post per household")):
        with pytest.raises(hiring.HiringRefused) as err:
            nominate(post, person, choice_reason=REASON)
        assert any(w in err.value.message for w in why.split("|")), err.value.message


def test_old_disabled_weak_monitored_person_is_accepted(ctx, world):
    post = make_post(world)
    person = make_person(world, category="monitored", capacity="weak", disabled=True, born=1951)
    row = hiring.candidates(post, user("clerk"), TODAY).row(person.id)
    assert row.candidate.age == 75 and not row.problems and row.rank == 1
    appt = nominate(post, person)
    assert appt.state == "in_notice" and appt.rank == 1


def test_choosing_below_the_top_needs_a_reason(ctx, world):
    post = make_post(world)
    make_person(world, category="monitored", capacity="weak")
    lower = make_person(world, category="lifted", capacity="full")
    with pytest.raises(hiring.HiringRefused) as err:
        nominate(post, lower)
    assert set(err.value.problems) == {"choice_reason"}
    appt = nominate(post, lower, choice_reason=REASON)
    assert appt.choice_reason == REASON and appt.rank > 1


def test_cadre_relative_is_flagged_and_the_related_user_cannot_approve(ctx, world):
    post = make_post(world)
    cadre = make_person(world, cadre=True, name="村干部甲")
    nominee = make_person(world, category="monitored", capacity="weak", disabled=True)
    relate(nominee, cadre)
    related_reviewer = user("reviewer2")
    related_reviewer.person_id = cadre.id
    db.session.commit()
    with pytest.raises(hiring.HiringRefused) as err:
        nominate(post, nominee)
    assert set(err.value.problems) == {"justification"}
    appt = nominate(post, nominee, justification="经村民代表会议讨论，该户确属最困难家庭")
    assert appt.conflicts == "cadre_relative" and str(cadre.id) in appt.conflict_person_ids.split(",")
    with pytest.raises(NotAllowed):
        hiring.approve(related_reviewer, appt, today=AFTER)
    hiring.approve(user("reviewer"), appt, today=AFTER)
    assert appt.state == "approved"


def test_notice_runs_five_working_days_across_national_day(ctx, world):
    post = make_post(world)
    appt = nominate(post, make_person(world, category="monitored"), today=date(2026, 9, 30))
    assert (appt.notice_start, appt.notice_end) == (date(2026, 9, 30), date(2026, 10, 13))


def test_approval_waits_for_the_notice_and_open_objections(ctx, world):
    post = make_post(world)
    appt = nominate(post, make_person(world, category="monitored"))
    with pytest.raises(RuleViolation, match="2026年3月9日"):
        hiring.approve(user("reviewer"), appt, today=date(2026, 3, 9))
    objection = hiring.record_objection(user("clerk"), appt, date(2026, 3, 4), "张三", "该户已有人外出务工",
                                        today=date(2026, 3, 4))
    with pytest.raises(RuleViolation):
        hiring.approve(user("reviewer"), appt, today=AFTER)
    hiring.decide_objection(user("reviewer"), objection, "dismiss", "经核实，外出务工者已返乡")
    assert objection.state == "dismissed"
    hiring.approve(user("reviewer"), appt, today=AFTER)
    assert appt.state == "approved" and appt.decided_by == user("reviewer").id
    assert hiring.activate_due(date(2026, 3, 31)) == 0
    assert hiring.activate_due(START) == 1
    db.session.refresh(appt)
    assert appt.state == "active"


def test_upheld_objection_rejects_the_nomination(ctx, world):
    post = make_post(world)
    appt = nominate(post, make_person(world))
    objection = hiring.record_objection(user("clerk"), appt, TODAY, "", "该户实际收入较高", today=TODAY)
    hiring.decide_objection(user("reviewer"), objection, "uphold", "经入户核实，情况属实")
    db.session.refresh(appt)
    assert appt.state == "rejected" and "情况属实" in appt.reject_reason
    with pytest.raises(Conflict):
        hiring.approve(user("reviewer"), appt, today=AFTER)


def test_the_nominator_cannot_approve(ctx, world):
    post = make_post(world)
    appt = nominate(post, make_person(world))
    appt.nominated_by = user("reviewer").id  # a case entered by the approver themself
    db.session.commit()
    with pytest.raises(NotAllowed):
        hiring.approve(user("reviewer"), appt, today=AFTER)


def test_only_the_clerk_of_the_village_nominates(ctx, world):
    post = make_post(world)
    person = make_person(world)
    for other in ("clerk_b", "reviewer"):
        with pytest.raises(NotAllowed):
            nominate(post, person, clerk=other)


def test_double_approval_has_exactly_one_success(app, ctx, world):
    post = make_post(world)
    appt_id = nominate(post, make_person(world)).id
    db.session.remove()
    barrier, results = threading.Barrier(2), []

    def approve_as(name):
        with app.app_context():
            appt = db.session.get(Appointment, appt_id)
            reviewer = user(name)
            barrier.wait()
            try:
                hiring.approve(reviewer, appt, today=AFTER)
                results.append("ok")
            except Conflict:
                results.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve_as, args=(n,)) for n in ("reviewer", "reviewer2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    from portal.core.auditlog import AuditEntry, verify_chain

    assert len(db.session.execute(select(AuditEntry).where(AuditEntry.action == "appointment.approve")).all()) == 1
    assert verify_chain().ok


def test_the_agreement_pdf_names_holder_post_and_subsidy_but_no_full_id(ctx, world, tmp_path):
    post = make_post(world, subsidy="1200.00")
    person = make_person(world, category="monitored", name="李秀英")
    appt = nominate(post, person)
    with pytest.raises(RuleViolation):
        agreement_pdf(appt)
    hiring.approve(user("reviewer"), appt, today=AFTER)
    pdf = agreement_pdf(appt, today=AFTER)
    assert pdf.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "agreement.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("乡村公益性岗位用工协议", "李秀英", "村庄保洁员", "¥1,200.00", "青竹村村民委员会",
                     person.id_number[:4]):
        assert expected in text, expected
    assert person.id_number not in text
    shutil.copy(path, "/tmp/agreement-test.pdf")
