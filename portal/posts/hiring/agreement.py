"""The agreement (用工协议) of an approved appointment, as a PDF.

The agreement is a Chinese legal document signed by the village committee, the holder and the township,
so its text is written here as Chinese literals, not through the translation catalogue: it must read
the same whatever language the user who prints it has chosen. The resident ID is masked (PIPL).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, TableStyle

from portal.core.errors import RuleViolation
from portal.core.masking import mask_id
from portal.posts import rules
from portal.posts.hiring.service import county_today, current_policy
from portal.posts.models import Appointment
from portal.reports.pdf import grid, para, render

AGREEMENT_STATES = frozenset({rules.AppointmentState.APPROVED, rules.AppointmentState.ACTIVE,
                              rules.AppointmentState.EXITING, rules.AppointmentState.EXITED})


def _cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _county_day(moment: datetime | None) -> date | None:
    """The county's calendar day of a stored UTC timestamp (07:30 in Beijing is still the UTC day before)."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))).date()


def _fields(rows: list[list[str]]):
    """A two-column table of label and value: labels shaded, values plain."""
    table = grid(rows, col_widths=[45 * mm, 125 * mm], header_rows=0)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.white),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef3ef"))]))
    return table


def _yuan(value) -> str:
    return f"¥{value:,.2f}"


def _schedule(post) -> str:
    if post.schedule == rules.Schedule.FULL_TIME:
        return "全日制：按国家法定工作日出勤（法定节假日休息，调休上班日出勤），每月应出勤天数为当月法定工作日天数"
    return f"非全日制：每月应出勤 {post.required_days or 0} 天"


def agreement_pdf(appt: Appointment, today: date | None = None) -> bytes:
    """用工协议 for an approved (or later) appointment: parties, post, subsidy, duty, exit rules, signatures."""
    if appt.state not in AGREEMENT_STATES:
        raise RuleViolation(_("The agreement is available once the township has approved the appointment."))
    today = today or county_today()
    post, person = appt.post, appt.person
    village = post.village
    township = village.township
    policy = current_policy(township.county_id, today)
    exit_reasons = "；".join(f"（{i}）{r.chinese}" for i, r in enumerate(rules.ExitReason, start=1))
    story = [
        para("乡村公益性岗位用工协议", "title"),
        para(f"{township.county.name}{township.name}{village.name}　协议编号：GY-{village.code}-{appt.id:06d}",
             "subtitle"),
        para("一、协议双方", "heading"),
        _fields([
            ["甲方（用工单位）", f"{village.name}村民委员会"],
            ["乙方（岗位人员）", person.name],
            ["乙方身份证号", mask_id(person.id_number)],
            ["乙方户编号", person.household.number],
        ]),
        para("二、岗位", "heading"),
        _fields([
            ["岗位类别", rules.PostCategory(post.category).chinese],
            ["岗位名称", post.title],
            ["工作职责", post.duties],
            ["工作量", f"{post.workload_amount.normalize():f} {post.workload_unit}"],
            ["用工方式及出勤要求", _schedule(post)],
            ["岗位补贴", f"{_yuan(post.subsidy)} /月（资金来源：{rules.FundingSource(post.funding_source).chinese}）"],
            ["协议期限", f"{_cn_date(appt.start_date)}至{_cn_date(appt.end_date)}"],
        ]),
        para("三、在岗领补", "heading"),
        para("乙方按日出勤，甲方按日记录考勤：出勤计1天，半天计0.5天，请假、旷工及未记录的日期不计。"
             "岗位补贴只按在岗天数发放，不在岗不领补：每月补贴 = 月补贴标准 × 实际出勤天数 ÷ 当月应出勤天数，"
             "且不超过月补贴标准 × 当月在岗期间工作日数 ÷ 当月工作日数（月中上岗或离岗按在岗期间折算），"
             "结果四舍五入到分，全月足勤最多领取月补贴标准。补贴经乡镇审核后按月发放至乙方本人银行账户。"),
        para("四、退岗", "heading"),
        para(f"有下列情形之一的，经村委会提出、乡镇审核同意后，乙方退出岗位：{exit_reasons}。"
             f"其中“已稳定就业”只适用于全日制岗位。乙方对退岗决定有异议的，可在收到退岗通知之日起"
             f"{policy.appeal_days}日内向村民委员会提出申诉，由乡镇人民政府复核决定。"
             "退岗生效之日起不再记录考勤、不再发放补贴。"),
        para("五、其他", "heading"),
        para("乙方应服从管理，按岗位职责履职，不得顶岗替岗、岗在人不在。本协议经甲乙双方签字并经乡镇人民政府"
             "审核盖章后生效，一式三份，甲方、乙方、乡镇人民政府各执一份。"),
        Spacer(1, 2 * mm),
        KeepTogether([grid([
            ["甲方（盖章）", "乙方（签字或按手印）", f"{township.name}人民政府（审核盖章）"],
            ["\n负责人：\n日期：____年__月__日", "\n签字：\n日期：____年__月__日",
             "\n经办人：\n日期：____年__月__日"],
        ], col_widths=[57 * mm, 57 * mm, 56 * mm], header_rows=1),
            para(f"生成日期：{_cn_date(today)}　审核通过日期："
                     f"{_cn_date(_county_day(appt.decided_at))}", "small")]),
    ]
    return render(story, title="乡村公益性岗位用工协议", footer=f"{village.name} · {person.name}")
