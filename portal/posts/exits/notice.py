"""The exit notice (退岗通知书) handed to the holder once the township approves an exit.

The text is Chinese on purpose: it is an official document of the village committee and the township
in China, not a page of the portal, so it does not follow the reader's interface language.
The resident ID is masked (PIPL): the notice travels on paper.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, TableStyle

from portal.core.masking import mask_id
from portal.posts.exits import service as exits
from portal.posts.exits.rules import NOT_APPEALABLE, appeal_deadline, last_day_on_duty
from portal.posts.models import Exit
from portal.posts.rules import ExitReason, ExitState, PostCategory
from portal.reports.pdf import grid, para, render

NOTICE_STATES = frozenset({ExitState.APPROVED, ExitState.APPEALED, ExitState.EXITED})
LABEL = colors.HexColor("#e8f0ea")


def _cn(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _category(value: str) -> str:
    try:
        return PostCategory(value).chinese
    except ValueError:
        return value


def _facts(rows):
    """A ruled table of facts: the label columns shaded, the values plain."""
    table = grid(rows, col_widths=[26 * mm, 50 * mm, 26 * mm, 72 * mm], header_rows=1)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.white),
                               ("BACKGROUND", (0, 0), (0, -1), LABEL), ("BACKGROUND", (2, 0), (2, -1), LABEL)]))
    return table


def notice_pdf(exit: Exit) -> bytes:
    """退岗通知书: who, which post, why, from when, the appeal right and the township's approval."""
    appointment = exit.appointment
    person, post = appointment.person, appointment.post
    village = post.village
    township = village.township
    reason = ExitReason(exit.reason)
    policy = exits.policy_for(exit.village_id, exit.notified_on or exit.proposed_on)
    story = [
        para(f"{township.name}{village.name}", "subtitle"),
        para("乡村公益性岗位退岗通知书", "title"),
        para(f"{person.name}同志："),
        para(f"经村民委员会提出、{township.name}人民政府审核同意，你自{_cn(exit.effective_on)}起退出"
             f"所聘乡村公益性岗位（{post.title}），最后在岗日为{_cn(last_day_on_duty(exit.effective_on))}。"
             "自退岗之日起不再记录考勤、不再发放岗位补贴。"),
        _facts([
            ["姓名", person.name, "身份证号", mask_id(person.id_number)],
            ["所在村", f"{township.name}{village.name}", "岗位", f"{post.title}（{_category(post.category)}）"],
            ["聘用期限", f"{_cn(appointment.start_date)}至{_cn(appointment.end_date)}", "退岗原因", reason.chinese],
            ["退岗生效日期", _cn(exit.effective_on), "通知日期", _cn(exit.notified_on)],
        ]),
        Spacer(1, 4 * mm),
        para("退岗事实和依据", "heading"),
        para(exit.evidence or "—"),
        para("申诉权利", "heading"),
    ]
    if reason in NOT_APPEALABLE or exit.notified_on is None:
        story.append(para("本退岗事由（死亡或本人申请）不适用申诉程序。如对本通知内容有疑问，"
                          "可向村民委员会或乡镇人民政府咨询。"))
    else:
        deadline = appeal_deadline(exit.notified_on, policy)
        story.append(para(f"如对退岗决定有异议，你可在收到本通知之日起{policy.appeal_days}日内"
                          f"（即{_cn(deadline)}前，含当日），向{village.name}村民委员会或{township.name}人民政府"
                          "提出申诉，由村级经办员登记、乡镇审核后作出决定。逾期未申诉的，本决定按期生效。"))
    story += [
        para("乡镇审核意见", "heading"),
        para(f"{township.name}人民政府已于{_cn(exit.notified_on)}审核同意（审核日即通知日）。"
             f"{exit.decision_note or ''}"),
        Spacer(1, 10 * mm),
        grid([
            ["村民委员会（盖章）", "乡镇人民政府（盖章）"],
            ["\n\n经办人签字：__________\n\n日期：____年__月__日",
             "\n\n审核人签字：__________\n\n日期：____年__月__日"],
        ], col_widths=[87 * mm, 87 * mm]),
        Spacer(1, 6 * mm),
        para("本人已收到本通知。  签收人：__________    签收日期：____年__月__日"),
        para(f"本通知一式三份，本人、村民委员会、乡镇人民政府各执一份。编号：TG-{exit.id:06d}", "small"),
    ]
    return render(story, title=f"退岗通知书-{person.name}", footer=f"{village.name} 退岗通知书")
