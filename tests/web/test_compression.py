"""Compressed responses without BREACH: which responses are compressed, and every CSRF token a response carries is
masked afresh (so no two responses repeat it) and still accepted when it comes back."""

from __future__ import annotations

import gzip
import re
from datetime import date

import pytest
from flask import Response, g
from flask_wtf.csrf import generate_csrf

from portal.attendance import overrides, service
from portal.core import compression
from portal.core.csrf_mask import MARK, mask, mask_each, unmask
from tests.exit_factories import make_holder

TODAY = date(2026, 11, 22)
TOKENS = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(service, "county_today", lambda: TODAY)
    monkeypatch.setattr(overrides, "county_today", lambda: TODAY)


def _page(c, url: str, headers=None) -> tuple[Response, str]:
    resp = c.http.get(url, headers=headers or {})
    body = resp.get_data()
    if resp.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return resp, body.decode()


# ---- the mask ---------------------------------------------------------------------------------------


def test_a_masked_token_reads_back_and_is_never_the_same_twice():
    token = "IjQ5ZjA4YTc0ZGI0NjNjZjM5ZTg3ZDU1MWU4ZGQ4YTliNmRmZGE2YmQi.Z2b4Vw.ZXhhbXBsZS1zaWduYXR1cmU"
    masks = {mask(token) for _ in range(50)}
    assert len(masks) == 50 and all(m.startswith(MARK) and token not in m for m in masks)
    assert {unmask(m) for m in masks} == {token}


@pytest.mark.parametrize("value", [None, "", "plain-token", "m1.", "m1.%%%", "m1.YWJj", "m1." + "A" * 10])
def test_anything_not_masked_comes_back_as_it_was(value):
    assert unmask(value) == value


def test_each_occurrence_in_a_body_gets_its_own_mask():
    body = b'<input value="TOK"><form><input value="TOK"></form>'
    masked = mask_each(body, "TOK")
    found = re.findall(rb'value="([^"]+)"', masked)
    assert len(found) == 2 and found[0] != found[1] and b"TOK" not in masked
    assert {unmask(f.decode()) for f in found} == {"TOK"}
    assert mask_each(b"<p>no token here</p>", "TOK") is None


# ---- the policy, per response -----------------------------------------------------------------------


def test_a_page_with_the_token_is_compressed_and_carries_it_masked_afresh(app, world, login):
    with app.app_context():
        appt = make_holder(world)
    c = login("clerk")
    first, html = _page(c, "/attendance/grid?month=2026-11", GZIP)
    _second, again = _page(c, "/attendance/grid?month=2026-11", GZIP)
    assert first.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in first.headers["Vary"]
    tokens, later = TOKENS.findall(html), TOKENS.findall(again)
    assert len(tokens) == 2  # the logout form and the grid's form
    assert len(set(tokens + later)) == 4 and all(t.startswith(MARK) for t in tokens + later)
    raw = unmask(tokens[0])
    assert {unmask(t) for t in tokens} == {raw} and raw not in html  # the token itself is never sent
    resp = c.http.post("/attendance/grid?month=2026-11", data={"csrf_token": later[1], "action": "save",
                                                                f"c{appt}_20": "1"})
    assert resp.status_code == 303  # a masked token is accepted


def test_a_tampered_or_missing_token_is_refused(app, world, login):
    with app.app_context():
        appt = make_holder(world)
    c = login("clerk")
    _resp, html = _page(c, "/attendance/grid?month=2026-11")
    token = TOKENS.findall(html)[0]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (tampered, MARK + "garbage", ""):
        resp = c.http.post("/attendance/grid?month=2026-11",
                           data={"csrf_token": bad, "action": "save", f"c{appt}_20": "1"})
        assert resp.status_code == 400, bad


def test_the_json_tap_takes_the_masked_token_in_its_header(app, world, login):
    with app.app_context():
        appt = make_holder(world)
    c = login("clerk")
    _resp, html = _page(c, "/attendance/day?day=2026-11-20")
    header = re.search(r'data-csrf="([^"]+)"', html).group(1)
    assert header.startswith(MARK)
    resp = c.http.post("/attendance/marks", json={"appointment_id": appt, "day": "2026-11-20", "mark": "present"},
                       headers={"X-CSRFToken": header})
    assert resp.status_code == 200 and resp.get_json()["ok"] is True


def test_nothing_is_compressed_for_a_client_that_does_not_ask(world, login):
    resp, html = _page(login("clerk"), "/attendance/grid?month=2026-11")
    assert "Content-Encoding" not in resp.headers and TOKENS.findall(html)[0].startswith(MARK)


def test_json_is_compressed_downloads_and_small_answers_are_not(world, login):
    c = login("admin")
    doc = c.http.get("/api/v1/openapi.json", headers=GZIP)
    assert doc.headers["Content-Encoding"] == "gzip" and gzip.decompress(doc.get_data()).startswith(b"{")
    csv = c.http.get("/places/import/template.csv", headers=GZIP)
    assert csv.status_code == 200 and "Content-Encoding" not in csv.headers  # a file to save, as it is
    health = c.http.get("/healthz", headers=GZIP)
    assert health.status_code == 200 and "Content-Encoding" not in health.headers  # below COMPRESS_MIN_SIZE
    static = c.http.get("/static/js/attendance.js", headers=GZIP)
    assert "Content-Encoding" not in static.headers  # streamed from disk: left to the browser's cache and the proxy
    static.close()


def test_a_streamed_body_that_may_carry_the_token_is_not_compressed(app):
    with app.test_request_context("/", headers=GZIP):
        token = generate_csrf()
        assert g.csrf_token == token
        streamed = Response((part for part in ("<form>", token, "</form>" * 400)), mimetype="text/html")
        assert "Content-Encoding" not in compression.compress_safely(streamed).headers
        built = compression.compress_safely(Response("<form>" + token + "</form>" * 400, mimetype="text/html"))
        assert built.headers["Content-Encoding"] == "gzip"
        assert token.encode() not in gzip.decompress(built.get_data())
