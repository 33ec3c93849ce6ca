"""Small entry points for the use cases that have no flask command, run as a real process by the fault tests:

    python -m tests.faults.driver save-grid VILLAGE_CODE YEAR MONTH   # the clerk saves the whole month grid
    python -m tests.faults.driver submit VILLAGE_CODE YEAR MONTH      # the clerk submits the month's payroll
    python -m tests.faults.driver assess YEAR                         # the admin computes the workshops' year

The database comes from PORTAL_DATABASE_URL, as for `flask`. Each is safe to run again: an action already
done says so and exits 0 (the fault test's "running the same action again completes").
"""

from __future__ import annotations

import sys
from calendar import monthrange
from datetime import date

from sqlalchemy import select


def _clerk_of(village_code: str):
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.places.models import Village

    village_id = db.session.scalar(select(Village.id).where(Village.code == village_code))
    clerk = db.session.scalar(select(User).where(User.village_id == village_id, User.role == "village_clerk"))
    return village_id, clerk


def save_grid(village_code: str, year: int, month: int) -> str:
    from portal.attendance import service as attendance
    from portal.attendance.rules import Mark

    village_id, clerk = _clerk_of(village_code)
    holders = attendance.holders(village_id, date(year, month, 1), date(year, month, monthrange(year, month)[1]))
    days = [date(year, month, d) for d in range(1, monthrange(year, month)[1] + 1)]
    changes = [attendance.Change(a.id, d, Mark.ABSENT if (a.id + d.day) % 5 == 0 else Mark.HALF)
               for a in holders for d in days]
    result = attendance.save_marks(clerk, village_id, changes)
    return f"saved {result.changed} changed, {result.unchanged} unchanged"


def submit(village_code: str, year: int, month: int) -> str:
    from portal.extensions import db
    from portal.payroll import service
    from portal.payroll.models import Payroll

    village_id, clerk = _clerk_of(village_code)
    payroll = db.session.scalar(select(Payroll).where(Payroll.village_id == village_id, Payroll.year == year,
                                                      Payroll.month == month))
    if payroll.state != "draft":
        return f"already {payroll.state}"
    service.submit(clerk, payroll)
    return "submitted"


def assess(year: int) -> str:
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.workshops.assessments import service as assessments

    admin = db.session.scalar(select(User).where(User.username == "admin"))
    return f"assessed {len(assessments.compute_year(admin, year))} workshops"


def main(argv: list[str]) -> int:
    from portal import create_app

    action, *args = argv
    app = create_app()
    with app.app_context():
        if action == "save-grid":
            print(save_grid(args[0], int(args[1]), int(args[2])))
        elif action == "submit":
            print(submit(args[0], int(args[1]), int(args[2])))
        elif action == "assess":
            print(assess(int(args[0])))
        else:
            print(f"unknown action {action}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
