"""The county audit's records: detector runs and the findings they raise (open → responded → closed).
Nothing here is ever deleted: a finding leaves the queue by being closed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db

MONEY = Numeric(14, 2)


class AuditRun(db.Model):
    """One run of the detectors over a period of months. `running_key` is the county's id while the run
    goes and NULL after it: a unique column, so a second run of the same county cannot start meanwhile."""

    __tablename__ = "audit_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    running_key: Mapped[int | None] = mapped_column(Integer, unique=True)
    runner: Mapped[str] = mapped_column(String(120), default="", server_default="")  # host:pid of the process
    first_month: Mapped[date] = mapped_column(Date)
    last_month: Mapped[date] = mapped_column(Date)  # the first day of the period's last month
    detectors: Mapped[str] = mapped_column(Text)  # codes run, comma-separated
    state: Mapped[str] = mapped_column(String(10), default="running")  # running | done | failed
    done_count: Mapped[int] = mapped_column(Integer, default=0)  # detectors finished (progress)
    counts: Mapped[str] = mapped_column(Text, default="")  # JSON: detector → hits, new, refreshed, seconds
    error: Mapped[str] = mapped_column(Text, default="")
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Finding(db.Model):
    """One hit of one detector on one subject for one period: `open` → `responded` (the township explains
    and says what it did) → `closed` (the county auditor confirms or dismisses it, with what was recovered).
    Keyed by county, detector, subject and period, so a re-run never makes a second one."""

    __tablename__ = "audit_findings"
    __table_args__ = (
        UniqueConstraint("county_id", "detector", "subject_type", "subject_id", "period_key"),
        Index("ix_audit_findings_township_state", "township_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    detector: Mapped[str] = mapped_column(String(24), index=True)
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(40))
    period_key: Mapped[str] = mapped_column(String(24))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    severity: Mapped[str] = mapped_column(String(8), index=True)
    facts: Mapped[str] = mapped_column(Text)  # JSON the detector's evidence sentence and links are made from
    amount_at_stake: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    state: Mapped[str] = mapped_column(String(10), index=True, default="open")
    response: Mapped[str] = mapped_column(Text, default="")
    action_taken: Mapped[str] = mapped_column(Text, default="")
    responded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[str] = mapped_column(String(10), default="")  # confirmed | dismissed
    amount_recovered: Mapped[Decimal | None] = mapped_column(MONEY)
    close_note: Mapped[str] = mapped_column(Text, default="")
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("audit_runs.id"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("audit_runs.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
