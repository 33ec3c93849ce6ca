"""Hiring pages: the clerk's ranked candidates and one-click nomination, the township's decision, the
agreement PDF, and the public notice board (no login, masked IDs only)."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.posts.hiring.service import county_today
from portal.posts.models import Appointment
from tests.hiring_factory import make_person, make_post, user


def either(html: str, english: str, chinese: str) -> bool:
    """The text in Chinese, or its English msgid until the catalogue with this feature's strings is merged."""
    return chinese in html or english in html


def _setup(app, world):
    with app.app_context():
        post = make_post(world, start=county_today() - timedelta(days=30))
        top = make_person(world, category="monitored", capacity="weak", disabled=True, name="王桂兰")
        other = make_person(world, category="lifted", name="赵大山")
        ids = post.id, top.id, other.id, top.id_number
        db.session.remove()
    return ids


def _nominate(c, post_id, person_id, **extra):
    data = {"person_id": person_id, "start_date": county_today().isoformat(),
            "end_date": (county_today() + timedelta(days=200)).isoformat(), **extra}
    return c.post(f"/posts/{post_id}/nominations", data=data)


def test_candidates_page_ranks_with_reasons_and_greys_the_ineligible(app, world, login):
    post_id, _top, _other, full_id = _setup(app, world)
    with app.app_context():
        make_person(world, category="general", name="钱一般")
    html = login("clerk").get(f"/posts/{post_id}/candidates").get_data(as_text=True)
    assert html.index("王桂兰") < html.index("赵大山") < html.index('id="ineligible"') < html.index("钱一般")
    assert either(html, "monitored household", "监测户") and either(html, "weak labour", "弱劳力")
    assert either(html, "the household category is not eligible", "户类别不符合")
    assert full_id not in html and full_id[:4] + "**********" + full_id[-4:] in html


def test_clerk_nominates_in_one_click_and_the_board_shows_it_masked(app, world, login, client):
    post_id, top_id, other_id, full_id = _setup(app, world)
    c = login("clerk")
    refused = _nominate(c, post_id, other_id)
    assert refused.status_code == 422
    assert either(refused.get_data(as_text=True), "you did not choose the top-ranked candidate", "排名第一")
    resp = _nominate(c, post_id, top_id)
    assert resp.status_code == 302
    detail = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert either(detail, "in public notice", "公示中")
    board = client.get("/notice/422825101201")
    assert board.status_code == 200
    page = board.get_data(as_text=True)
    assert "王桂兰" in page and full_id not in page and full_id[-4:] in page
    assert either(page, "If you object, please tell the village committee or the 白石镇 government",
                  "如有异议，请在公示期内向村民委员会或白石镇人民政府反映")
    index = client.get("/notice/").get_data(as_text=True)
    assert "青竹村" in index and "/notice/422825101201" in index
    assert client.get("/notice/422825999999").status_code == 404
    assert client.get("/notice/abc").status_code == 404


def test_township_is_told_why_not_yet_then_approves_and_prints_the_agreement(app, world, login):
    post_id, top_id, _o, _full = _setup(app, world)
    clerk = login("clerk")
    appt_url = _nominate(clerk, post_id, top_id).headers["Location"]
    appt_id = int(appt_url.rstrip("/").rsplit("/", 1)[1])
    rv = login("reviewer")
    page = rv.get(appt_url).get_data(as_text=True)
    assert 'id="not-yet"' in page and either(page, "the public notice runs until", "公示期至")
    resp = rv.post(f"{appt_url}/approve", data={"a-csrf_token": rv.csrf})
    assert resp.status_code == 303
    assert either(rv.get(appt_url).get_data(as_text=True), "the public notice runs until", "公示期至")
    with app.app_context():
        appt = db.session.get(Appointment, appt_id)
        appt.notice_end = county_today() - timedelta(days=1)
        db.session.commit()
    assert rv.get("/posts/appointments?state=ready").get_data(as_text=True).count(f"/posts/appointments/{appt_id}") == 1
    assert rv.post(f"{appt_url}/approve", data={"a-csrf_token": rv.csrf}).status_code == 302
    with app.app_context():
        assert db.session.get(Appointment, appt_id).state in ("approved", "active")
    pdf = clerk.get(f"{appt_url}/agreement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert login("clerk_b").get(appt_url).status_code == 404


def test_clerk_records_an_objection_and_the_township_upholds_it(app, world, login):
    post_id, top_id, _o, _id = _setup(app, world)
    clerk = login("clerk")
    appt_url = _nominate(clerk, post_id, top_id).headers["Location"]
    resp = clerk.post(f"{appt_url}/objections", data={
        "o-csrf_token": clerk.csrf, "o-received_on": county_today().isoformat(), "o-objector": "",
        "o-content": "该户有家庭成员在县城稳定就业"})
    assert resp.status_code == 302
    with app.app_context():
        appt = db.session.execute(db.select(Appointment)).scalar_one()
        objection_id = appt.objections[0].id
    rv = login("reviewer")
    assert either(rv.get("/").get_data(as_text=True), "Open objections to nominations", "异议")
    resp = rv.post(f"/posts/objections/{objection_id}/decide", data={
        f"d{objection_id}-csrf_token": rv.csrf, f"d{objection_id}-decision": "uphold",
        f"d{objection_id}-note": "经核实情况属实"})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Appointment, appt.id).state == "rejected"


def test_only_the_village_clerk_may_nominate(app, world, login):
    post_id, top_id, _o, _id = _setup(app, world)
    rv = login("reviewer")
    assert _nominate(rv, post_id, top_id).status_code == 403
    assert login("clerk_b").get(f"/posts/{post_id}/candidates").status_code == 404
    with app.app_context():
        assert user("clerk").village_id == world.ids["a1a"]


BADGE = '<span class="badge text-bg-warning">'  # the row's mark, not the queue tab of the same name


def test_the_queue_badge_is_recomputed_from_the_register_when_shown(app, world, login):
    """A relation to a cadre declared after the nomination shows on the queue as it does on the nomination."""
    from tests.hiring_factory import relate

    post_id, top_id, _other, _full = _setup(app, world)
    c = login("clerk")
    assert _nominate(c, post_id, top_id).status_code == 302
    rv = login("reviewer")
    queue = rv.get("/posts/appointments?state=waiting").get_data(as_text=True)
    assert "王桂兰" in queue and not either(queue, BADGE + "conflict of interest", BADGE + "优亲厚友")
    with app.app_context():
        from portal.registry.models import Person

        relate(db.session.get(Person, top_id), make_person(world, cadre=True, name="村干部丙"))
        assert db.session.query(Appointment).one().conflicts == ""  # the stored mark is still the old one
    queue = rv.get("/posts/appointments?state=waiting").get_data(as_text=True)
    assert either(queue, BADGE + "conflict of interest", BADGE + "优亲厚友")
