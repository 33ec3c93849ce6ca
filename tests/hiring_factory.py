"""Factories for the hiring tests: approved posts, registered people of given facts, users by name."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

_seq = itertools.count(100)


def user(username: str):
    from portal.accounts.models import User
    from portal.extensions import db

    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def make_post(world, village: str = "a1a", *, headcount: int = 2, start: date | None = None,
              end: date | None = None, title: str = "村庄保洁员", subsidy: str = "1000.00"):
    """An approved post of a village, created directly (the plans feature is another's)."""
    from portal.extensions import db
    from portal.posts.models import Post

    start = start or date(2026, 1, 1)
    post = Post(village_id=world.ids[village], category="cleaning", title=title,
                duties="负责村内主干道及公共区域的日常清扫保洁", workload_amount=Decimal("5"),
                workload_unit="公里", headcount=headcount, schedule="part_time", required_days=20,
                subsidy=Decimal(subsidy), funding_source="linkage_fund", start_date=start,
                end_date=end or start + timedelta(days=364), need_reason="村内道路保洁需要专人负责",
                state="approved", created_by=user("admin").id)
    db.session.add(post)
    db.session.commit()
    return post


def make_household(world, village: str = "a1a", category: str = "lifted"):
    from portal.extensions import db
    from portal.registry.models import Household

    hh = Household(village_id=world.ids[village], number=f"H{next(_seq)}", category=category,
                   monitored_subtype="marginal" if category == "monitored" else None)
    db.session.add(hh)
    db.session.flush()
    return hh


def make_person(world, village: str = "a1a", *, household=None, category: str = "lifted", capacity: str = "full",
                disabled: bool = False, deceased: bool = False, cadre: bool = False, status: str = "unemployed",
                born: int = 1980, name: str | None = None):
    """A registered person with the facts Rule 2 looks at; a new household unless one is given."""
    from portal.extensions import db
    from portal.registry.models import Person
    from portal.registry.rules import with_check_digit

    hh = household or make_household(world, village, category)
    n = next(_seq)
    person = Person(household_id=hh.id, village_id=hh.village_id, name=name or f"村民{n}",
                    id_number=with_check_digit(f"422825{born}0101{n:03d}"), birth_date=date(born, 1, 1), sex="M",
                    relation_to_head="head" if household is None else "child", labour_capacity=capacity,
                    disabled=disabled, disability_grade=2 if disabled else None, employment_status=status,
                    deceased=deceased, is_cadre=cadre)
    db.session.add(person)
    db.session.commit()
    return person


def relate(a, b, kind: str = "sibling") -> None:
    from portal.extensions import db
    from portal.registry.models import Relationship

    db.session.add(Relationship(person_id=a.id, relative_id=b.id, kind=kind, village_id=a.village_id))
    db.session.commit()
