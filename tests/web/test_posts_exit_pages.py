"""Exit pages: the clerk proposes, the township decides, the clerk records an appeal; scope and refusals."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.posts.exits import service as exits
from tests.exit_factories import exit_row, make_holder

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(exits, "county_today", lambda: TODAY)


def _holder(app, world, *args, **kw) -> int:
    with app.app_context():
        return make_holder(world, *args, **kw)


def _exit_id(app) -> int:
    from portal.extensions import db
    from portal.posts.models import Exit

    with app.app_context():
        return db.session.execute(select(Exit.id).order_by(Exit.id.desc())).scalars().first()


def _propose(c, appt_id, reason="absenteeism", effective="2026-03-03", evidence="连续三天未到岗"):
    return c.post(f"/posts/exits/new?appointment_id={appt_id}", {
        "appointment": appt_id, "reason": reason, "evidence": evidence, "effective_on": effective})


def test_clerk_proposes_reviewer_approves_clerk_records_appeal(app, world, login):
    appt_id = _holder(app, world)
    clerk = login("clerk")
    form = clerk.get(f"/posts/exits/new?appointment_id={appt_id}").get_data(as_text=True)
    assert "测试人p_a1a" in form and f'selected value="{appt_id}"' in form
    resp = _propose(clerk, appt_id)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    exit_id = _exit_id(app)
    reviewer = login("reviewer")
    queue = reviewer.get("/posts/exits").get_data(as_text=True)
    assert f"/posts/exits/{exit_id}" in queue and 'id="queue"' in queue
    page = reviewer.get(f"/posts/exits/{exit_id}").get_data(as_text=True)
    assert 'id="decide-exit"' in page and "notice-link" not in page
    assert reviewer.post(f"/posts/exits/{exit_id}/approve").status_code == 302
    with app.app_context():
        assert (exit_row(exit_id).state, exit_row(exit_id).notified_on) == ("approved", TODAY)
    page = clerk.get(f"/posts/exits/{exit_id}").get_data(as_text=True)
    assert 'id="notice-link"' in page and 'id="record-appeal"' in page
    assert re.search(r'id="appeal-deadline">[^<]*7', page)
    pdf = clerk.get(f"/posts/exits/{exit_id}/notice.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert clerk.post(f"/posts/exits/{exit_id}/appeal", {"appeal-text": "本人有病假条"}).status_code == 302
    assert 'id="decide-appeal"' in reviewer.get(f"/posts/exits/{exit_id}").get_data(as_text=True)
    resp = reviewer.post(f"/posts/exits/{exit_id}/decide-appeal",
                         {"decide-decision": "uphold", "decide-note": "病假属实"})
    assert resp.status_code == 302
    with app.app_context():
        assert exit_row(exit_id).state == "rejected"
        assert exit_row(exit_id).appointment.state == "active"


def test_a_refused_proposal_is_explained_and_keeps_the_input(app, world, login):
    appt_id = _holder(app, world, schedule="part_time")
    clerk = login("clerk")
    resp = _propose(clerk, appt_id, "employed_elsewhere", evidence="在县城务工的证明")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "invalid-feedback" in html
    assert "在县城务工的证明" in html and 'value="2026-03-03"' in html
    resp = _propose(clerk, appt_id, "resigned", effective="2026-02-01")
    assert "invalid-feedback" in resp.get_data(as_text=True)  # backdated


def test_the_reviewer_cannot_propose_and_another_village_is_404(app, world, login):
    appt_id = _holder(app, world)
    assert login("reviewer").get(f"/posts/exits/new?appointment_id={appt_id}").status_code == 403
    clerk = login("clerk")
    _propose(clerk, appt_id)
    exit_id = _exit_id(app)
    clerk_b = login("clerk_b")
    assert clerk_b.get(f"/posts/exits/{exit_id}").status_code == 404
    assert clerk_b.post(f"/posts/exits/{exit_id}/withdraw").status_code == 404
    assert login("admin").get(f"/posts/exits/{exit_id}").status_code == 200
    assert clerk.get(f"/posts/exits/{exit_id}/notice.pdf").status_code == 302  # not approved yet


def test_a_refused_decision_shows_the_page_again(app, world, login):
    appt_id = _holder(app, world)
    _propose(login("clerk"), appt_id)
    exit_id = _exit_id(app)
    reviewer = login("reviewer")
    resp = reviewer.post(f"/posts/exits/{exit_id}/reject", {"reject-note": ""})
    assert resp.status_code == 400 and "invalid-feedback" in resp.get_data(as_text=True)
    assert reviewer.post(f"/posts/exits/{exit_id}/approve").status_code == 302
    resp = reviewer.post(f"/posts/exits/{exit_id}/approve", follow_redirects=False)
    assert resp.status_code == 409  # approved already: one success only


def test_check_proposes_for_the_scope_and_shows_it(app, world, login):
    from portal.extensions import db
    from portal.registry.models import Person

    _holder(app, world)
    other = _holder(app, world, "p_a1b")
    with app.app_context():
        for key in ("p_a1a", "p_a1b"):
            db.session.get(Person, world.people[key]).deceased = True
        db.session.commit()
    clerk = login("clerk")
    html = clerk.post("/posts/exits/check").get_data(as_text=True)
    assert 'id="check-result"' in html and "测试人p_a1a" in html and "测试人p_a1b" not in html
    home = clerk.get("/").get_data(as_text=True)
    assert "/posts/exits?state=proposed" in home
    listing = clerk.get("/posts/exits").get_data(as_text=True)
    assert 'id="queue"' in listing
    html = login("admin").post("/posts/exits/check").get_data(as_text=True)
    assert "测试人p_a1b" in html and "测试人p_a1a" not in html  # already proposed once
    with app.app_context():
        assert exit_row(_exit_id(app)).appointment_id == other
    assert "/posts/exits?state=proposed" in login("reviewer").get("/").get_data(as_text=True)


def test_list_filters_by_state(app, world, login):
    appt_id = _holder(app, world)
    clerk = login("clerk")
    _propose(clerk, appt_id)
    assert "测试人p_a1a" in clerk.get("/posts/exits?state=proposed").get_data(as_text=True)
    assert "测试人p_a1a" not in clerk.get("/posts/exits?state=exited").get_data(as_text=True)
