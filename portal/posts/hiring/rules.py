"""Rule 2 — hire by post (以岗聘任): eligibility, priority, conflicts of interest (优亲厚友), public notice.

Priority. The 2023 notice says 优先保障脱贫户、监测户、残疾人家庭特别是其中的半劳力、弱劳力: the
households come first and capacity refines the choice within them. So the rank key is, in precedence:
1. household category — monitored (at risk of falling back, 防返贫) before lifted and low_income, which
   rank equal; any other category a county may make eligible (general) after them;
2. disability — a disabled candidate or a household with a disabled member before the others (the two
   rank equal; the reason code tells which);
3. labour capacity — weak before half before full;
4. employment — not employed (registry's `in_work` is false) before employed;
then person_id, so that equal candidates always come out in the same order. Age is never a criterion.

Public notice. The notice is posted on its start day and runs for `notice_working_days` full working
days after it (the start day is not counted, as it is only partly on the board); the last of them is
the notice's end, and the township may approve from the day after.

Conflicts. Inputs are plain sets of person ids the service reads from the register: the nominee's
household, their declared relatives (either direction of the declaration) and the cadres. A handler
(the user who nominates or approves) counts only when their account is linked to a registered person.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from portal.core.calendar import WorkCalendar
from portal.posts.rules import DEFAULT_POLICY, Policy
from portal.registry.rules import EmploymentStatus, HouseholdCategory, LabourCapacity, Problem, in_work

WRITTEN_REASON_MIN = 10  # characters, trimmed: a sentence, not "ok"


@dataclass(frozen=True)
class Candidate:
    """What the register says about a person considered for a post, as of today."""

    person_id: int
    household_id: int
    household_category: HouseholdCategory
    capacity: LabourCapacity
    employment_status: EmploymentStatus
    disabled: bool = False
    household_has_disabled_member: bool = False  # another member of the household is disabled
    deceased: bool = False
    holds_active_post: bool = False  # an appointment in HOLDING_STATES on any post
    household_active_posts: int = 0  # appointments in HOLDING_STATES across the household, own included
    age: int | None = None  # kept for display only: never a ground for refusal or rank (2023 notice)


def eligibility_problems(candidate: Candidate, policy: Policy = DEFAULT_POLICY) -> list[str]:
    """The hard rules of Rule 2: eligible household, some labour capacity, alive, no post, 一户一公岗."""
    problems = []
    if candidate.household_category not in policy.eligible_categories:
        problems.append("category_not_eligible")
    if candidate.capacity == LabourCapacity.NONE:
        problems.append("no_labour_capacity")
    if candidate.deceased:
        problems.append("deceased")
    if candidate.holds_active_post:
        problems.append("holds_another_post")
    if candidate.household_active_posts >= policy.posts_per_household:
        problems.append("household_limit_reached")
    return problems


# ---- priority -----------------------------------------------------------------------------------------

_CATEGORY_RANK = {HouseholdCategory.MONITORED: 0, HouseholdCategory.LIFTED: 1, HouseholdCategory.LOW_INCOME: 1}
_CAPACITY_RANK = {LabourCapacity.WEAK: 0, LabourCapacity.HALF: 1, LabourCapacity.FULL: 2}


@dataclass(frozen=True)
class Ranked:
    """One eligible candidate in priority order; `reasons` name the facts that placed them, by precedence."""

    rank: int  # 1-based
    candidate: Candidate
    reasons: list[str]
    key: tuple[int, int, int, int]  # equal keys are equal priority (person_id only breaks the tie)


def priority_key(candidate: Candidate) -> tuple[int, int, int, int]:
    """Lower comes first: category, then disability in the family, then capacity, then not employed."""
    return (
        _CATEGORY_RANK.get(candidate.household_category, 2),
        0 if candidate.disabled or candidate.household_has_disabled_member else 1,
        _CAPACITY_RANK.get(candidate.capacity, 3),
        1 if in_work(candidate.employment_status) else 0,
    )


def _reasons(candidate: Candidate) -> list[str]:
    if candidate.disabled:
        disability = "disabled_person"
    elif candidate.household_has_disabled_member:
        disability = "disabled_family"
    else:
        disability = "no_disability"
    return [
        f"{candidate.household_category}_household",
        disability,
        f"{candidate.capacity}_capacity",
        "employed" if in_work(candidate.employment_status) else "not_employed",
    ]


def rank_candidates(candidates: Iterable[Candidate], policy: Policy = DEFAULT_POLICY) -> list[Ranked]:
    """优先保障: the eligible candidates in priority order (ineligible ones are left out)."""
    eligible = [c for c in candidates if not eligibility_problems(c, policy)]
    eligible.sort(key=lambda c: (*priority_key(c), c.person_id))
    return [Ranked(i, c, _reasons(c), priority_key(c)) for i, c in enumerate(eligible, start=1)]


def needs_reason_for_choice(ranked: Sequence[Ranked], chosen_person_id: int) -> bool:
    """Choosing anyone but the top-ranked (or someone tied with them) needs a written reason."""
    if not ranked:
        return True
    top = ranked[0].key
    return not any(r.candidate.person_id == chosen_person_id and r.key == top for r in ranked)


def written_reason_problems(conflicts: Sequence[str], justification: str, below_top: bool,
                            choice_reason: str) -> list[Problem]:
    """A marked nomination needs a written justification; passing over the top-ranked needs a reason."""
    problems = []
    if conflicts and len((justification or "").strip()) < WRITTEN_REASON_MIN:
        problems.append(Problem("justification", "justification_required", (("min", str(WRITTEN_REASON_MIN)),)))
    if below_top and len((choice_reason or "").strip()) < WRITTEN_REASON_MIN:
        problems.append(Problem("choice_reason", "choice_reason_required", (("min", str(WRITTEN_REASON_MIN)),)))
    return problems


# ---- conflicts of interest (优亲厚友) -----------------------------------------------------------------

HANDLER_ROLES = ("nominator", "approver")


@dataclass(frozen=True)
class NomineeFacts:
    """The nominee's ties, as sets of person ids from the register."""

    person_id: int
    household_member_ids: frozenset[int] = frozenset()  # the nominee's household, nominee included or not
    relative_ids: frozenset[int] = frozenset()  # declared relatives, either direction of the declaration
    cadre_ids: frozenset[int] = frozenset()  # village cadres (at least those among the ids above)

    @property
    def related_ids(self) -> frozenset[int]:
        """The nominee, their household and their declared relatives: none of them may approve."""
        return frozenset({self.person_id}) | self.household_member_ids | self.relative_ids


@dataclass(frozen=True)
class Handler:
    """A user who nominates or approves, by their own record in the register (None: not registered)."""

    role: str  # "nominator" | "approver"
    person_id: int | None
    household_member_ids: frozenset[int] = frozenset()
    relative_ids: frozenset[int] = frozenset()

    def __post_init__(self):
        if self.role not in HANDLER_ROLES:
            raise ValueError(f"role must be one of {HANDLER_ROLES}")


def conflict_reasons(nominee: NomineeFacts, handlers: Iterable[Handler] = ()) -> list[str]:
    """优亲厚友: a cadre, a cadre's household member or relative, or kin of the nominating/approving user."""
    myself = {nominee.person_id}  # a cadre nominee is reported once, not as their own household or kin
    reasons = []
    if nominee.person_id in nominee.cadre_ids:
        reasons.append("nominee_is_cadre")
    if (nominee.household_member_ids - myself) & nominee.cadre_ids:
        reasons.append("cadre_household")
    if (nominee.relative_ids - myself) & nominee.cadre_ids:
        reasons.append("cadre_relative")
    for handler in handlers:
        me = handler.person_id
        if me is None:
            continue
        if me == nominee.person_id or me in nominee.household_member_ids \
                or nominee.person_id in handler.household_member_ids:
            reasons.append(f"{handler.role}_household")
        if me in nominee.relative_ids or nominee.person_id in handler.relative_ids:
            reasons.append(f"{handler.role}_relative")
    return reasons


def may_approve_conflicted(approver_person_id: int | None, related_person_ids: Collection[int]) -> bool:
    """The nominee, their household and their relatives can never approve the nomination."""
    return approver_person_id is None or approver_person_id not in related_person_ids


# ---- public notice (公示) ------------------------------------------------------------------------------

def notice_end(start: date, policy: Policy, calendar: WorkCalendar) -> date:
    """The last day of a notice posted on `start`: the N-th working day after it (start not counted)."""
    return calendar.add_working_days(start, policy.notice_working_days)


def notice_over(today: date, end: date) -> bool:
    """The notice has run its course once its last day has passed."""
    return today > end


def can_approve_after_notice(today: date, notice_end: date, open_objections: int) -> list[Problem]:
    """The township approves a nomination only after the notice, with every objection decided."""
    problems = []
    if not notice_over(today, notice_end):
        problems.append(Problem("notice", "notice_running", (("ends", notice_end.isoformat()),)))
    if open_objections > 0:
        problems.append(Problem("objections", "open_objections", (("count", str(open_objections)),)))
    return problems
