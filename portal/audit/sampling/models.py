"""Field-check samples (抽查): a stratified random draw of payroll lines for a month or a quarter, and the
door-to-door check of each line drawn. Nothing is deleted; a failed check links to the finding it opened."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.access import register_scope
from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db


class AuditSample(db.Model):
    """One draw: the county, the period (`2026-10` or `2026-Q4`), how it was sized, the seed, the size."""

    __tablename__ = "audit_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    first_month: Mapped[date] = mapped_column(Date)
    last_month: Mapped[date] = mapped_column(Date)  # the first day of the period's last month
    method: Mapped[str] = mapped_column(String(10))  # percent | confidence
    percent: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[int | None] = mapped_column(Integer)
    margin: Mapped[int | None] = mapped_column(Integer)  # margin of error, percent
    population: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    formula: Mapped[str] = mapped_column(Text, default="")
    drawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines: Mapped[list[AuditSampleLine]] = relationship(back_populates="sample", order_by="AuditSampleLine.id")


class AuditSampleLine(db.Model):
    """One payroll line drawn, with the three answers of its check (None: not yet answered)."""

    __tablename__ = "audit_sample_lines"
    __table_args__ = (UniqueConstraint("sample_id", "payroll_line_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("audit_samples.id"), index=True)
    payroll_line_id: Mapped[int] = mapped_column(ForeignKey("payroll_lines.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    on_duty_confirmed: Mapped[bool | None] = mapped_column(Boolean)  # 本人确认在岗
    amount_matches: Mapped[bool | None] = mapped_column(Boolean)  # 金额相符
    account_is_own: Mapped[bool | None] = mapped_column(Boolean)  # 账户为本人
    note: Mapped[str] = mapped_column(Text, default="")
    checked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("audit_findings.id"))

    sample: Mapped[AuditSample] = relationship(back_populates="lines")


register_scope(AuditSample, county=AuditSample.county_id)
register_scope(AuditSampleLine, village=AuditSampleLine.village_id, township=AuditSampleLine.township_id)
