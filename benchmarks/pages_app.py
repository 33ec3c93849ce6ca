"""The portal as gunicorn serves it in production, plus the load test's floor: a signed-in page that reads no data."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from portal import create_app as create_portal

FLOOR_PATH = "/_bench/floor"
FLOOR_PAGE = ('{% extends "base.html" %}{% block title %}floor{% endblock %}'
              "{% block content %}<p>floor</p>{% endblock %}")


def create_app():
    """`gunicorn 'benchmarks.pages_app:create_app()'`: the production app with one extra page, the floor."""
    app = create_portal()
    template = app.jinja_env.from_string(FLOOR_PAGE)  # compiled once, as a template file would be

    @login_required
    def floor():
        return render_template(template)

    app.add_url_rule(FLOOR_PATH, "bench_floor", floor)
    return app
