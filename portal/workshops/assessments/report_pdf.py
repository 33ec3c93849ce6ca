"""The annual assessment report of the workshops (就业帮扶车间考核奖补情况表) as PDF.

An official document of the county (filed, and published with the rewards), so its text is Chinese
whatever the reader's interface language, like the payroll sheet. Landscape A4: a row per workshop
(name, village, enterprise, credit code, stable aided employees, tier, reward, classification, state,
approval and payment), the header repeated on every page; then the totals by tier and by
classification, the reward total with its amount in capitals (大写), who computed and approved it and
when, and "第 x 页 共 N 页" in the footer. While any reward of the year is still unapproved every page
carries a 待审批 watermark. No personal data of residents is printed here.

The shared pieces (Chinese labels, tier ranges, totals) are used by the Excel version too
(workshops.report_xlsx).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from portal.accounts.models import User
from portal.core.clock import DEFAULT_ZONE, county_today
from portal.extensions import db
from portal.places.models import County
from portal.reports.pdf import Watermark, font, para, render_counted, styles
from portal.reports.rmb import capital_yuan
from portal.workshops.models import Assessment
from portal.workshops.rules import (
    DEFAULT_TIERS,
    AssessmentState,
    Classification,
    Tier,
    WorkshopState,
    parse_tiers,
)
from portal.workshops.settings import policy_for

TITLE = "{year}年度就业帮扶车间考核奖补情况表"
ZERO = Decimal("0.00")
WIDTH = 273 * mm  # landscape A4 less two 12 mm margins
PAD = 3
SIZE = 9
HEADER_FILL = colors.HexColor("#e8f0ea")
STATE_CN = {WorkshopState.NORMAL: "正常运行", WorkshopState.WATCH: "监测待处置", WorkshopState.EXITING: "摘牌程序中",
            WorkshopState.EXITED: "已退出（摘牌）"}
CLASSIFICATION_CN = {Classification.NEW: "新建一批", Classification.UPGRADED: "升级一批",
                     Classification.SUPPORTED: "扶持一批", Classification.ADJUSTED: "调整一批",
                     Classification.STEADY: "稳定运行"}
CLASSIFICATION_ORDER = (Classification.NEW, Classification.UPGRADED, Classification.SUPPORTED,
                        Classification.ADJUSTED, Classification.STEADY)
ASSESSMENT_CN = {AssessmentState.COMPUTED: "待审批", AssessmentState.APPROVED: "已审批",
                 AssessmentState.PAID: "已发放"}
WATERMARK = "待审批"
COLUMNS = (("序号", 9), ("车间名称", 34), ("所在村", 26), ("经营主体", 42), ("统一社会信用代码", 35),
           ("稳定就业\n帮扶人数", 16), ("奖补档次", 22), ("奖补金额\n（元）", 22), ("分类", 16), ("车间状态", 20),
           ("审批 / 发放", 31))
SHORT_STATE = {**STATE_CN, WorkshopState.EXITED: "已退出"}  # the table's narrow column


# ---- shared with the Excel version ----------------------------------------------------------------

def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def dotted(day: date | None) -> str:
    """2026.11.22: a date in a narrow table cell."""
    return f"{day.year}.{day.month}.{day.day}" if day else ""


def county_day(moment: datetime | None) -> date | None:
    """The county's calendar day of a stored UTC timestamp."""
    if moment is None:
        return None
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return moment.astimezone(ZoneInfo(zone)).date()


def tiers_of(assessment: Assessment) -> tuple[Tier, ...]:
    """The tier table the assessment was computed under (the defaults if its stored text is unreadable)."""
    try:
        return parse_tiers(assessment.tier_table)
    except ValueError:
        return DEFAULT_TIERS


def tier_range(level: int, tiers: Sequence[Tier]) -> str:
    """A tier level in the policy's words: 5–9人, 30人及以上; level 0 未达档（不足5人）."""
    if level <= 0 or not tiers:
        return f"未达档（不足{tiers[0].minimum}人）" if tiers else "未达档"
    level = min(level, len(tiers))
    low = tiers[level - 1].minimum
    if level == len(tiers):
        return f"{low}人及以上"
    return f"{low}–{tiers[level].minimum - 1}人"


def tier_table_text(tiers: Sequence[Tier]) -> str:
    """The county's tier table in words: 5–9人 10,000元；10–19人 20,000元；…"""
    return "；".join(f"{tier_range(i, tiers)} {t.reward:,.0f}元" for i, t in enumerate(tiers, start=1))


def state_text(assessment: Assessment) -> str:
    """The workshop's state, with its exit date once exited (for the table's narrow column)."""
    workshop = assessment.workshop
    text = SHORT_STATE.get(workshop.state, workshop.state)
    if workshop.exited_on is not None:
        text += f"\n{dotted(workshop.exited_on)}"
    return text


def progress_text(assessment: Assessment) -> str:
    """Where the reward stands: 待审批, 已审批 on a day, 已发放 on a day; 0 rewards are not paid; a workshop
    exited within the year earns nothing."""
    state = assessment.state
    if state == AssessmentState.PAID:
        text = f"已审批 {dotted(assessment.approved_on)}\n已发放 {dotted(assessment.paid_on)}"
    elif state == AssessmentState.APPROVED:
        tail = "无需发放" if assessment.reward <= 0 else "待发放"
        text = f"已审批 {dotted(assessment.approved_on)}\n{tail}"
    else:
        text = ASSESSMENT_CN.get(state, state)
    return text + ("\n年内退出不予奖补" if assessment.withheld else "")


def place_text(assessment: Assessment) -> str:
    village = assessment.workshop.village
    return f"{village.township.name}{village.name}"


class Names:
    """Full names of users, loaded once per document."""

    def __init__(self):
        self.cache: dict[int, str] = {}

    def __call__(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id not in self.cache:
            user = db.session.get(User, user_id)
            self.cache[user_id] = user.full_name if user else ""
        return self.cache[user_id]


@dataclass
class Bucket:
    workshops: int = 0
    stable: int = 0
    reward: Decimal = ZERO

    def add(self, assessment: Assessment) -> None:
        self.workshops += 1
        self.stable += assessment.stable_aided
        self.reward += assessment.reward


@dataclass
class Totals:
    """The year's figures: by tier level, by classification, by state, and in all."""

    all: Bucket = field(default_factory=Bucket)
    by_level: dict[int, Bucket] = field(default_factory=dict)
    by_class: dict[str, Bucket] = field(default_factory=dict)
    by_state: dict[str, Bucket] = field(default_factory=dict)
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    tables: tuple[str, ...] = ()  # every tier table used, as words
    withheld: int = 0


def totals(assessments: Iterable[Assessment]) -> Totals:
    found = Totals()
    tables: dict[str, tuple[Tier, ...]] = {}
    for a in assessments:
        found.all.add(a)
        found.by_level.setdefault(a.level, Bucket()).add(a)
        found.by_class.setdefault(a.classification, Bucket()).add(a)
        found.by_state.setdefault(a.state, Bucket()).add(a)
        found.withheld += a.withheld
        tables.setdefault(a.tier_table, tiers_of(a))
    if tables:
        found.tiers = max(tables.values(), key=len)
    found.tables = tuple(tier_table_text(t) for t in tables.values()) or (tier_table_text(found.tiers),)
    return found


def approvers(assessments: Iterable[Assessment], names: Names) -> tuple[str, str]:
    """Who approved the rewards, and on which day(s)."""
    approved = [a for a in assessments if a.approved_by is not None]
    people = list(dict.fromkeys(names(a.approved_by) for a in approved))
    days = sorted({a.approved_on for a in approved if a.approved_on})
    if not days:
        when = cn_date(None)
    elif days[0] == days[-1]:
        when = cn_date(days[0])
    else:
        when = f"{cn_date(days[0])}至{cn_date(days[-1])}"
    return "、".join(p for p in people if p), when


def computed(assessments: Iterable[Assessment], names: Names) -> tuple[str, str]:
    """Who computed the year last, and when."""
    rows = [a for a in assessments if a.computed_at is not None]
    if not rows:
        return "", cn_date(None)
    last = max(rows, key=lambda a: a.computed_at)
    return names(last.computed_by), cn_date(county_day(last.computed_at))


def title_of(year: int) -> str:
    return TITLE.format(year=year)


# ---- the PDF --------------------------------------------------------------------------------------

def _fit(rows: list[list[str]], widths: Sequence[float]) -> list[list[object]]:
    """Plain strings stay strings (fast); a text wider than its column, or on two lines, wraps as a Paragraph."""
    name, style = font(), styles()["cell"]
    for row in rows:
        for c, text in enumerate(row):
            if isinstance(text, str) and ("\n" in text or stringWidth(text, name, SIZE) > widths[c] - 2 * PAD):
                row[c] = Paragraph(escape(text).replace("\n", "<br/>"), style)
    return rows


def _rows(assessments: Sequence[Assessment]) -> list[list[str]]:
    rows = []
    for i, a in enumerate(assessments, start=1):
        workshop = a.workshop
        tier = tier_range(a.level, tiers_of(a)) if a.level > 0 else "未达档"
        rows.append([str(i), workshop.name, place_text(a), workshop.enterprise, workshop.credit_code,
                     str(a.stable_aided), tier, yuan(a.reward),
                     CLASSIFICATION_CN.get(a.classification, a.classification), state_text(a), progress_text(a)])
    return rows


def _main_table(assessments: Sequence[Assessment]) -> Table:
    widths = [w * mm for _h, w in COLUMNS]
    header = [[h for h, _w in COLUMNS]]
    body = _fit(_rows(assessments), widths) if assessments else [["", "本年度尚无考核结果", *[""] * 9]]
    table = Table(_fit(header, widths) + body, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font(), SIZE, SIZE + 2),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (5, 1), (5, -1), "RIGHT"),
        ("ALIGN", (7, 1), (7, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _small_table(rows: list[list[str]], widths: Sequence[float]) -> Table:
    """A summary table: a shaded header row, a bold-ish total row, figures right-aligned."""
    table = Table(rows, colWidths=[w * mm for w in widths])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font(), SIZE, SIZE + 3),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def tier_rows(found: Totals) -> list[list]:
    """Rows by tier level, the highest first, level 0 last: [label, workshops, stable, reward]."""
    rows = []
    for level in sorted(found.by_level, reverse=True):
        bucket = found.by_level[level]
        rows.append([tier_range(level, found.tiers), bucket.workshops, bucket.stable, bucket.reward])
    return rows


def class_rows(found: Totals) -> list[list]:
    """Rows by classification in the policy's order: [label, workshops, stable, reward]."""
    known = [c for c in CLASSIFICATION_ORDER if c in found.by_class]
    other = [c for c in found.by_class if c not in CLASSIFICATION_ORDER]
    return [[CLASSIFICATION_CN.get(c, c), found.by_class[c].workshops, found.by_class[c].stable,
             found.by_class[c].reward] for c in [*known, *other]]


def _summaries(found: Totals) -> Table:
    def table(head: str, rows: list[list]) -> Table:
        body = [[label, str(n), str(s), yuan(r)] for label, n, s, r in rows]
        total = ["合计", str(found.all.workshops), str(found.all.stable), yuan(found.all.reward)]
        return _small_table([[head, "车间数", "稳定就业帮扶人数", "奖补金额（元）"], *body, total], (36, 20, 32, 36))

    outer = Table([[table("奖补档次", tier_rows(found)), table("分类", class_rows(found))]],
                  colWidths=[WIDTH / 2, WIDTH / 2])
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return outer


def _plain(rows: list[list[str]], widths: Sequence[float], *, ruled: bool = True) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths])
    style = [("FONTNAME", (0, 0), (-1, -1), font()), ("FONTSIZE", (0, 0), (-1, -1), 10),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 4),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    if ruled:
        style += [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("BACKGROUND", (0, 0), (0, -1), HEADER_FILL)]
    table.setStyle(TableStyle(style))
    return table


def _grand_total(found: Totals) -> Table:
    def amount(state: AssessmentState) -> Decimal:
        bucket = found.by_state.get(state)
        return bucket.reward if bucket else ZERO

    rows = [["合计", f"车间：{found.all.workshops} 个", f"稳定就业帮扶：{found.all.stable} 人",
             f"奖补金额合计：¥{yuan(found.all.reward)}", f"大写：{capital_yuan(found.all.reward)}"],
            ["其中", f"已发放：¥{yuan(amount(AssessmentState.PAID))}",
             f"已审批待发放：¥{yuan(amount(AssessmentState.APPROVED))}",
             f"待审批：¥{yuan(amount(AssessmentState.COMPUTED))}",
             f"年内退出不予奖补：{found.withheld} 个"]]
    return _plain(rows, (16, 50, 55, 62, 90))


def _signoff(assessments: Sequence[Assessment], names: Names, today: date) -> Table:
    who_computed, when_computed = computed(assessments, names)
    who_approved, when_approved = approvers(assessments, names)
    blank = "__________"
    rows = [[f"核算人：{who_computed or blank}", f"核算日期：{when_computed}", f"审批人：{who_approved or blank}",
             f"审批日期：{when_approved}"],
            [f"制表日期：{cn_date(today)}", "", "", "县级主管部门（盖章）"]]
    return _plain(rows, (60, 70, 70, 73), ruled=False)


def assessment_report(county: County, year: int, assessments: Sequence[Assessment], *, place: str = "",
                      today: date | None = None) -> bytes:
    """就业帮扶车间考核奖补情况表 of a county's year (or of the part of it `place` names: a township, a village):
    a row per workshop, totals by tier and classification, the reward total in figures and capitals, the
    approvers. `assessments` in the order they are to be listed."""
    today = today or county_today()
    assessments = list(assessments)
    stable_months = policy_for(county.id, date(year, 12, 31)).stable_months
    names, found = Names(), totals(assessments)
    pending = any(a.state == AssessmentState.COMPUTED for a in assessments)
    mark = WATERMARK if pending else ""
    title = title_of(year)
    where = f"{county.name}{place}"
    story: list = [
        Watermark(mark),
        para(title + (f"（{mark}）" if mark else ""), "title"),
        para(f"{where}　　考核年度：{year}年1月1日至{year}年12月31日", "subtitle"),
        para(f"奖补标准（稳定就业帮扶人数：年内在车间就业满{stable_months}个月的帮扶对象）："
             + "　/　".join(found.tables), "small"),
        Spacer(1, 2 * mm),
        _main_table(assessments),
        Spacer(1, 4 * mm),
        KeepTogether([_summaries(found), Spacer(1, 3 * mm), _grand_total(found), Spacer(1, 3 * mm),
                      _signoff(assessments, names, today)]),
        Spacer(1, 2 * mm),
        para("说明：新建一批为认定不满12个月的车间；升级一批为奖补档次上升；扶持一批为档次下降或处于监测待处置；"
             "调整一批为触发退出条件；年内退出摘牌的车间不予奖补。"
             + ("带“待审批”水印的页面所列金额尚未审批，不作发放依据。" if pending else ""), "small"),
    ]
    return render_counted(story, title=f"{title} {where}", wide=True, footer=f"{title} · {where}")
