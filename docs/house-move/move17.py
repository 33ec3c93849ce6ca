#!/usr/bin/env python3
"""Issue 17's mechanical move: sub-feature packages, each feature owning its API, dated settings in the kernel.

Run it from the repository root (or give the root as the first argument):

    .venv/bin/python /work/notes/move17.py [ROOT] [--dry-run]

It is idempotent and safe on a tree with new files:
1. moves each module in MOVES whose old file still exists to its new path (plain rename; the packages on the way
   get an `__init__.py` with a one-line docstring when they have none); new `portal/demo_*.py` files follow the
   demo package;
2. rewrites every reference to a moved module in portal/, tests/, benchmarks/ and migrations/ (`import a.b`,
   `from a.b import c`, `from a import b`, dotted strings such as monkeypatch targets) and in the Makefile,
   pyproject.toml, .importlinter and the Markdown files (dotted names and `portal/x/y.py` paths);
3. moves names that changed module (SYMBOLS): `from old import name` lines and `alias.name` attribute uses
   (and `setattr(alias, "name", ...)`) are pointed at the new module, whose import is added when missing;
4. runs `ruff check --fix --select I001,F401` on the files it changed (import order, imports left unused).

Templates and static files do not move; URLs and endpoint names do not change.
"""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
from collections import OrderedDict
from pathlib import Path

# ---- what moves -------------------------------------------------------------------------------------------

MOVES: list[tuple[str, str]] = [
    # posts: plans, hiring and exits as sub-packages; the daily command goes up to attendance (it reads marks)
    ("portal.posts.plans", "portal.posts.plans.service"),
    ("portal.posts.plan_rules", "portal.posts.plans.rules"),
    ("portal.posts.plan_views", "portal.posts.plans.views"),
    ("portal.posts.plan_labels", "portal.posts.plans.labels"),
    ("portal.posts.plan_ledger", "portal.posts.plans.ledger"),
    ("portal.posts.plan_home", "portal.posts.plans.home"),
    ("portal.posts.forms", "portal.posts.plans.forms"),
    ("portal.posts.settings_views", "portal.posts.plans.settings_views"),
    ("portal.api.posts_resources", "portal.posts.plans.api"),
    ("portal.posts.hiring", "portal.posts.hiring.service"),
    ("portal.posts.hiring_rules", "portal.posts.hiring.rules"),
    ("portal.posts.hiring_views", "portal.posts.hiring.views"),
    ("portal.posts.hiring_forms", "portal.posts.hiring.forms"),
    ("portal.posts.hiring_labels", "portal.posts.hiring.labels"),
    ("portal.posts.hiring_register", "portal.posts.hiring.register"),
    ("portal.posts.agreement", "portal.posts.hiring.agreement"),
    ("portal.api.hiring_resources", "portal.posts.hiring.api"),
    ("portal.posts.exits", "portal.posts.exits.service"),
    ("portal.posts.exit_rules", "portal.posts.exits.rules"),
    ("portal.posts.exit_views", "portal.posts.exits.views"),
    ("portal.posts.exit_forms", "portal.posts.exits.forms"),
    ("portal.posts.exit_texts", "portal.posts.exits.labels"),
    ("portal.posts.exit_notice", "portal.posts.exits.notice"),
    ("portal.api.exit_resources", "portal.posts.exits.api"),
    ("portal.posts.cli", "portal.attendance.cli"),
    # registry: the Excel ledger as a sub-package; its API
    ("portal.registry.ledger", "portal.registry.ledger.service"),
    ("portal.registry.ledger_export", "portal.registry.ledger.export"),
    ("portal.registry.ledger_format", "portal.registry.ledger.format"),
    ("portal.registry.ledger_views", "portal.registry.ledger.views"),
    ("portal.registry.ledger_write", "portal.registry.ledger.write"),
    ("portal.api.registry_resources", "portal.registry.api.resources"),
    # places (and accounts), attendance, payroll: their APIs
    ("portal.api.resources", "portal.places.api"),
    ("portal.api.attendance_resources", "portal.attendance.api"),
    ("portal.api.payroll_resources", "portal.payroll.api"),
    # workshops along its lifecycle
    ("portal.workshops.service", "portal.workshops.certification.service"),
    ("portal.workshops.reports", "portal.workshops.reports.service"),
    ("portal.workshops.page_reports", "portal.workshops.reports.views"),
    ("portal.workshops.monitoring", "portal.workshops.monitoring.service"),
    ("portal.workshops.proposals", "portal.workshops.monitoring.proposals"),
    ("portal.workshops.exits", "portal.workshops.exits.service"),
    ("portal.workshops.page_exits", "portal.workshops.exits.views"),
    ("portal.workshops.assessments", "portal.workshops.assessments.service"),
    ("portal.workshops.page_assessments", "portal.workshops.assessments.views"),
    ("portal.workshops.report_pdf", "portal.workshops.assessments.report_pdf"),
    ("portal.workshops.report_xlsx", "portal.workshops.assessments.report_xlsx"),
    ("portal.api.workshop_resources", "portal.workshops.certification.api"),
    # audit: service split (findings here, runs in audit.runs), sampling and the auditor's desk as sub-packages
    ("portal.audit.service", "portal.audit.findings"),
    ("portal.audit.sampling", "portal.audit.sampling.service"),
    ("portal.audit.sampling_models", "portal.audit.sampling.models"),
    ("portal.audit.sampling_rules", "portal.audit.sampling.rules"),
    ("portal.audit.desk_views", "portal.audit.desk.views"),
    ("portal.audit.desk_queries", "portal.audit.desk.queries"),
    ("portal.audit.desk_forms", "portal.audit.desk.forms"),
    ("portal.audit.search", "portal.audit.desk.search"),
    ("portal.audit.report_data", "portal.audit.desk.report_data"),
    ("portal.audit.report_pdf", "portal.audit.desk.report_pdf"),
    ("portal.audit.report_xlsx", "portal.audit.desk.report_xlsx"),
    ("portal.api.audit_resources", "portal.audit.api"),
    ("portal.api.audit_desk_resources", "portal.audit.desk.api"),
    # the demo county as a package (new portal/demo_*.py files follow: see demo_moves())
    ("portal.demo", "portal.demo.county"),
    ("portal.demo_audit", "portal.demo.audit"),
    ("portal.demo_duty", "portal.demo.duty"),
    ("portal.demo_payroll", "portal.demo.payroll"),
    ("portal.demo_workshops", "portal.demo.workshops"),
]

# Names that changed module: (module as it is after MOVES, name) -> new module.
_FACADE = {  # workshops.service re-exported the other use cases; callers now import them where they live
    **dict.fromkeys(["approve_assessment", "assessments_for", "compute_year", "record_payment", "stable_employees"],
                    "portal.workshops.assessments.service"),
    **dict.fromkeys(["approve_exit", "exits_in_notice", "finalize_due", "followup", "propose_exit", "publish_notice",
                     "reject_exit"], "portal.workshops.exits.service"),
    "monitor_all": "portal.workshops.monitoring.service",
    **dict.fromkeys(["aided_counts", "aided_employees", "exits_of", "monitoring_of", "open_exit"],
                    "portal.workshops.queries"),
    **dict.fromkeys(["file_report", "missing_reports", "month_rows", "report_for"], "portal.workshops.reports.service"),
}
_PEOPLE_PREDICATES = [  # audit.rules' predicates of the people detectors, now audit.detectors.people_rules
    "NO_MONEY", "GhostReason", "LinePay", "GhostVerdict", "ghost_verdict", "value_at", "windows_overlap",
    "overlapping_pairs", "check_days", "crowded_days", "add_months", "rotation_threshold", "rotation_groups",
    "back_and_forth",
]
_MONEY_PREDICATES = [  # and of the money and records detectors, now audit.detectors.money_rules
    "BATCH_MIN_HOLDERS", "INACTIVE_EXIT_STATES", "month_runs", "run_length", "full_attendance",
    "batch_month", "is_late", "timely_count", "mostly_late", "late_share", "quota_excess", "excess_pay",
    "payment_overdue_days", "employed_at_month_end", "category_eligible", "ineligible_since", "beyond_grace",
    "exit_proposed", "overrun", "budget_crossing",
]
_RUNS = [  # audit.service's run half, now audit.runs
    "STALE_RUN", "PERIOD_MESSAGES", "this_runner", "runner_gone", "check_request", "start_run", "execute_run",
    "run_audit", "run_counts",
]
_PAGES = ["bp", "MONTH", "PAGE_SIZE", "_today", "refused_status", "has_endpoint", "short_month", "_vocabulary",
          "_month_arg", "_place_filters", "_roles"]

SYMBOLS: dict[tuple[str, str], str] = {
    # the kernel: dated county settings, the county's working days and locked months, money, segregation, JSON errors
    ("portal.posts.models", "CountySetting"): "portal.core.settings",
    **{("portal.posts.settings", n): "portal.core.settings"
       for n in ("first_open_day", "ensure_open", "store_setting", "history")},
    ("portal.attendance.models", "MonthLock"): "portal.core.workdays",
    ("portal.attendance.models", "WorkdayOverride"): "portal.core.workdays",
    ("portal.posts.plans.rules", "is_money"): "portal.core.money",
    ("portal.audit.rules", "is_money"): "portal.core.money",
    ("portal.core.access", "ensure_can_approve"): "portal.registry.kin",
    ("portal.api.errors", "json_error"): "portal.core.web",
    # the absence-based exit triggers read marks: they run in attendance
    **{("portal.posts.exits.service", n): "portal.attendance.exit_triggers"
       for n in ("MARK_WINDOW_DAYS", "marks_for", "holder_facts", "propose_from_triggers", "run_daily")},
    # shared blueprints in their own module (the route modules import them; no import circles)
    **{("portal.workshops.views", n): "portal.workshops.pages" for n in _PAGES},
    ("portal.posts.plans.views", "bp"): "portal.posts.plans.pages",
    ("portal.audit.views", "bp"): "portal.audit.pages",
    **{("portal.notice.views", n): "portal.notice.board"
       for n in ("BoardSection", "board_section", "board_count", "BOARD_SECTIONS", "BOARD_COUNTS")},
    # workshops.service no longer re-exports the other sub-packages' use cases
    **{("portal.workshops.certification.service", n): m for n, m in _FACADE.items()},
    # audit: predicates, runs, field-check findings
    **{("portal.audit.rules", n): "portal.audit.detectors.people_rules" for n in _PEOPLE_PREDICATES},
    **{("portal.audit.rules", n): "portal.audit.detectors.money_rules" for n in _MONEY_PREDICATES},
    **{("portal.audit.detectors.rules", n): "portal.audit.detectors.people_rules" for n in _PEOPLE_PREDICATES},
    **{("portal.audit.detectors.rules", n): "portal.audit.detectors.money_rules" for n in _MONEY_PREDICATES},
    **{("portal.audit.findings", n): "portal.audit.runs" for n in _RUNS},
    ("portal.audit.findings", "open_field_finding"): "portal.audit.sampling.findings",
}

# The alias an added import gets (when the file has none for the module yet).
ALIASES = {
    "portal.workshops.reports.service": "reports",
    "portal.workshops.exits.service": "exits",
    "portal.workshops.assessments.service": "assessments",
    "portal.workshops.monitoring.service": "monitoring",
    "portal.attendance.exit_triggers": "exit_triggers",
    "portal.core.settings": "county_settings",
    "portal.audit.sampling.service": "sampling",
    "portal.audit.sampling.findings": "field_findings",
}

PACKAGE_DOCS = {
    "portal/posts/plans": "Post plans (Rule 1, 按需设岗): drafting, review, the village post ledger, the county's standards.",
    "portal/posts/hiring": "Hiring by post (Rule 2, 以岗聘任): candidates, nomination, public notice, objections, approval.",
    "portal/posts/exits": "Exits in order (Rule 4, 有序退岗): proposals, approval, appeals, the exit notice.",
    "portal/registry/ledger": "The village ledger (脱贫劳动力台账) in Excel: its format, import, export and pages.",
    "portal/registry/api": "The register's JSON API: households and people.",
    "portal/workshops/certification": "Certifying workshops and keeping their aided employees (Rule 5).",
    "portal/workshops/reports": "Monthly reports of workshops (月调度): filing and the months of a workshop.",
    "portal/workshops/monitoring": "Monitoring of workshops (动态监测): the state follows reports and employment.",
    "portal/workshops/exits": "Workshop exits (摘牌退出): proposal, public notice, the county's decision.",
    "portal/workshops/assessments": "Annual assessments and tiered rewards (年度考核, 梯次奖补) of workshops, and their report.",
    "portal/audit/sampling": "Field-check sampling (抽查): stratified draws of payroll lines and their checks.",
    "portal/audit/desk": "The auditor's desk: figures, search, field checks, the audit report, and their API.",
    "portal/demo": "The demo county (云溪县): deterministic sample data for every feature.",
}

PY_DIRS = ("portal", "tests", "benchmarks", "migrations")
TEXT_FILES = ("Makefile", "pyproject.toml", ".importlinter", "babel.cfg")
DOTTED = re.compile(r"(?<![\w.])portal(?:\.[A-Za-z_]\w*)+")


def demo_moves(root: Path) -> list[tuple[str, str]]:
    """New portal/demo_*.py files (merged from elsewhere) follow the demo package."""
    return [(f"portal.{p.stem}", f"portal.demo.{p.stem.removeprefix('demo_')}")
            for p in sorted((root / "portal").glob("demo_*.py"))]


# ---- paths ------------------------------------------------------------------------------------------------


def file_of(root: Path, module: str) -> Path:
    return root.joinpath(*module.split(".")).with_suffix(".py")


def modules_on_disk(root: Path) -> set[str]:
    found = set()
    for path in (root / "portal").rglob("*.py"):
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.add(".".join(parts))
    return found


def ensure_package(root: Path, directory: Path) -> None:
    """Every folder from portal/ down to `directory` is a package with a one-line docstring."""
    rel = directory.relative_to(root)
    for i in range(1, len(rel.parts) + 1):
        d = root.joinpath(*rel.parts[:i])
        d.mkdir(exist_ok=True)
        init = d / "__init__.py"
        if not init.exists():
            key = "/".join(rel.parts[:i])
            doc = PACKAGE_DOCS.get(key, f"{rel.parts[i - 1].capitalize()}.")
            init.write_text(f'"""{doc}"""\n', encoding="utf-8")
            print(f"  created {init.relative_to(root)}")


def move_files(root: Path, moves: list[tuple[str, str]], dry: bool) -> list[tuple[Path, Path]]:
    done = []
    for old, new in moves:
        src, dst = file_of(root, old), file_of(root, new)
        if not src.is_file():
            continue
        if dst.exists():
            print(f"  CONFLICT: both {src.relative_to(root)} and {dst.relative_to(root)} exist; left alone "
                  f"(merge {src.name} into {dst.relative_to(root)} by hand)")
            continue
        print(f"  mv {src.relative_to(root)} -> {dst.relative_to(root)}")
        if not dry:
            ensure_package(root, dst.parent)
            shutil.move(str(src), str(dst))
        done.append((src, dst))
    return done


# ---- rewriting --------------------------------------------------------------------------------------------


class Rewriter:
    def __init__(self, root: Path, moves: list[tuple[str, str]]):
        self.old = dict(moves)
        self.new_tree = modules_on_disk(root) | set(self.old.values()) | set(SYMBOLS.values())
        for module in list(self.new_tree):  # every parent package too
            parts = module.split(".")
            self.new_tree.update(".".join(parts[:i]) for i in range(1, len(parts)))
        self.paths = {f"{old.replace('.', '/')}.py": f"{new.replace('.', '/')}.py" for old, new in moves}

    # -- module names

    def collides(self, module: str) -> bool:
        """An old module whose name is now a package (portal.posts.hiring: hiring.py became hiring/)."""
        return module in self.old and module in self.new_tree

    def old_prefix(self, dotted: str) -> str | None:
        parts = dotted.split(".")
        for i in range(len(parts), 0, -1):
            candidate = ".".join(parts[:i])
            if candidate in self.old:
                return candidate
        return None

    def dotted(self, name: str) -> str:
        """A dotted reference (module, module.attribute) in its new spelling; unchanged when already new."""
        key = self.old_prefix(name)
        if key is not None:
            rest = name[len(key) + 1:]
            if not rest:
                if not self.collides(key):
                    name = self.old[key]
            elif not (self.collides(key) and f"{key}.{rest.split('.')[0]}" in self.new_tree):
                name = f"{self.old[key]}.{rest}"
        module, _, attr = name.rpartition(".")
        if (module, attr) in SYMBOLS:
            name = f"{SYMBOLS[(module, attr)]}.{attr}"
        return name

    def module(self, module: str) -> str:
        """The module of a `from M import ...` whose names are attributes (not submodules)."""
        if module in self.old:
            return self.old[module]
        key = self.old_prefix(module)
        if key is not None and module not in self.new_tree:
            return self.old[key] + module[len(key):]
        return module

    # -- import statements

    def from_import(self, node: ast.ImportFrom) -> list[tuple[str, list[tuple[str, str | None]]]] | None:
        """(module, names) groups replacing one `from M import ...`, or None when nothing changes."""
        m = node.module
        groups: OrderedDict[str, list[tuple[str, str | None]]] = OrderedDict()
        module_imports: list[tuple[str, str | None]] = []  # (new module path, bound name)
        for alias in node.names:
            name, asname = alias.name, alias.asname
            full = f"{m}.{name}"
            if full in self.old:  # `from portal.posts import hiring`: the old module itself
                target = self.old[full]
                bound = asname or name
                module_imports.append((target, bound))
                continue
            if m in self.old and (not self.collides(m) or full not in self.new_tree):
                target = self.old[m]
            else:
                target = self.module(m) if not self.collides(m) else m
            target = SYMBOLS.get((target, name), target)
            groups.setdefault(target, []).append((name, asname))
        result = [(mod, names) for mod, names in groups.items()]
        for target, bound in module_imports:
            parent, _, leaf = target.rpartition(".")
            result.append((parent, [(leaf, None if leaf == bound else bound)]))
        if len(result) == 1 and result[0][0] == m and result[0][1] == [(a.name, a.asname) for a in node.names]:
            return None
        return result

    def plain_import(self, node: ast.Import) -> list[str] | None:
        out, changed = [], False
        for alias in node.names:
            name = alias.name
            if name in self.old and not self.collides(name):
                name, changed = self.old[name], True
            out.append(f"import {name}" + (f" as {alias.asname}" if alias.asname else ""))
        return out if changed else None


def _render(module: str, names: list[tuple[str, str | None]], indent: str, comments: dict[str, str],
            head_comment: str) -> str:
    items = [n + (f" as {a}" if a else "") for n, a in names]
    single = f"from {module} import {', '.join(items)}"
    inner = [comments.get(n, "") for n, _a in names]
    if len(indent) + len(single) + len(head_comment) <= 120 and not any(inner):
        return single + head_comment
    lines = [f"from {module} import ({head_comment}"]
    lines += [f"{indent}    {item},{('  ' + c) if c else ''}" for item, c in zip(items, inner, strict=True)]
    lines.append(f"{indent})")
    return "\n".join(lines)


def _comments(text: str) -> tuple[dict[str, str], str]:
    """Comments inside a multi-line import, by the name on their line; and the comment after `(`."""
    by_name, head = {}, ""
    for i, line in enumerate(text.splitlines()):
        code, sep, comment = line.partition("#")
        if not sep:
            continue
        if i == 0 and code.rstrip().endswith("("):
            head = "  #" + comment
            continue
        word = code.strip().rstrip(",").split(" as ")[0].strip()
        if word.isidentifier():
            by_name[word] = "#" + comment
    return by_name, head


def _offsets(source: str) -> list[int]:
    starts, pos = [], 0
    for line in source.splitlines(keepends=True):
        starts.append(pos)
        pos += len(line)
    starts.append(pos)
    return starts


def _char_col(line: str, byte_col: int) -> int:
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def rewrite_imports(source: str, rw: Rewriter) -> str:
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    starts = _offsets(source)
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("portal"):
            groups = rw.from_import(node)
            if groups is None:
                continue
        elif isinstance(node, ast.Import) and any(a.name.startswith("portal") for a in node.names):
            plain = rw.plain_import(node)
            if plain is None:
                continue
            groups = None
        else:
            continue
        first, last = lines[node.lineno - 1], lines[node.end_lineno - 1]
        begin = starts[node.lineno - 1] + _char_col(first, node.col_offset)
        end = starts[node.end_lineno - 1] + _char_col(last, node.end_col_offset)
        indent = first[:_char_col(first, node.col_offset)]
        indent = indent if indent.strip() == "" else ""
        original = source[begin:end]
        # a comment after the statement (`# noqa: F401` on a side-effect import) goes with every statement made
        line_end = starts[node.end_lineno] if node.end_lineno < len(lines) else len(source)
        after = source[end:line_end].rstrip("\r\n")
        trailing = after if after.strip().startswith("#") else ""
        if trailing:
            end += len(after)
        if groups is None:
            text = f"\n{indent}".join(s + trailing for s in plain)
        else:
            comments, head = _comments(original)
            text = f"\n{indent}".join(_render(mod, names, indent, comments, head or trailing)
                                     for mod, names in groups)
        edits.append((begin, end, text))
    for begin, end, text in sorted(edits, reverse=True):
        source = source[:begin] + text + source[end:]
    return source


class _Binding:
    """A name bound to a portal module by an import, and the lines where that binding is the one in force."""

    def __init__(self, alias: str, module: str, end_line: int, indent: str, scope: tuple[int, int]):
        self.alias, self.module, self.end_line, self.indent, self.scope = alias, module, end_line, indent, scope

    def covers(self, line_no: int) -> bool:
        return self.scope[0] <= line_no <= self.scope[1]

    @property
    def width(self) -> int:
        return self.scope[1] - self.scope[0]


def _bindings(source: str, rw: Rewriter) -> list[_Binding]:
    """Every name a portal module is bound to, with the scope (function or file) of its import."""
    found = []
    lines = source.splitlines()
    whole = (1, max(1, len(lines)))

    def visit(node: ast.AST, scope: tuple[int, int]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, (child.lineno, child.end_lineno))
                continue
            line = lines[child.lineno - 1] if hasattr(child, "lineno") else ""
            indent = line[:len(line) - len(line.lstrip())]
            if isinstance(child, ast.ImportFrom) and child.level == 0 and (child.module or "").startswith("portal"):
                for a in child.names:
                    full = f"{child.module}.{a.name}"
                    if full in rw.new_tree:
                        found.append(_Binding(a.asname or a.name, full, child.end_lineno, indent, scope))
            elif isinstance(child, ast.Import):
                for a in child.names:
                    if a.asname and a.name.startswith("portal"):
                        found.append(_Binding(a.asname, a.name, child.end_lineno, indent, scope))
            visit(child, scope)

    visit(ast.parse(source), whole)
    return found


def _names(source: str) -> set[str]:
    """Every identifier of the code (not of its strings and comments): an added alias must be none of them."""
    try:
        return {t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.NAME}
    except (tokenize.TokenError, IndentationError):
        return set(re.findall(r"\w+", source))


def _in_force(bindings: list[_Binding], alias: str, line_no: int) -> _Binding | None:
    here = [b for b in bindings if b.alias == alias and b.covers(line_no)]
    return min(here, key=lambda b: b.width) if here else None


def rewrite_attributes(source: str, rw: Rewriter) -> str:
    """`alias.name` (and setattr/getattr(alias, "name")) of a moved name -> the new module's alias, only where
    that alias is bound to the old module (a function may bind the same name to another module)."""
    for _round in range(3):  # an added import may itself bind a module with moved names
        bindings = _bindings(source, rw)
        lines = source.splitlines(keepends=True)
        inserts: dict[int, list[str]] = {}
        added: list[_Binding] = []
        changed = False
        for b in bindings:
            for (mod, name), target in SYMBOLS.items():
                if mod != b.module:
                    continue
                uses = re.compile(rf"(?<![\w.]){re.escape(b.alias)}\.{re.escape(name)}\b")
                attrs = re.compile(rf"((?:set|get|has)attr\(\s*){re.escape(b.alias)}(\s*,\s*[\"']{re.escape(name)}[\"'])")
                todo = [i for i in range(b.scope[0], b.scope[1] + 1)
                        if i <= len(lines) and _in_force(bindings, b.alias, i) is b
                        and (uses.search(lines[i - 1]) or attrs.search(lines[i - 1]))]
                if not todo:
                    continue
                visible = [x for x in bindings + added if x.module == target and x.covers(b.end_line)]
                if visible:
                    new_alias = min(visible, key=lambda x: x.width).alias
                else:
                    parent, _, leaf = target.rpartition(".")
                    wanted = ALIASES.get(target, leaf)
                    taken = _names("".join(lines))
                    parent_leaf = parent.rpartition(".")[2]
                    candidates = [wanted, f"{parent_leaf}_{leaf}", f"{parent_leaf}_{wanted}",
                                  *(f"{wanted}_{i}" for i in range(2, 100))]
                    same = {x.alias for x in bindings + added if x.module == target}  # another scope's import
                    new_alias = next((c for c in candidates if c in same), None) or next(
                        c for c in candidates if c not in taken)
                    statement = f"from {parent} import {leaf}" + ("" if new_alias == leaf else f" as {new_alias}")
                    inserts.setdefault(b.end_line, []).append(b.indent + statement)
                    added.append(_Binding(new_alias, target, b.end_line, b.indent, b.scope))
                for i in todo:
                    line = uses.sub(f"{new_alias}.{name}", lines[i - 1])
                    lines[i - 1] = attrs.sub(rf"\g<1>{new_alias}\g<2>", line)
                changed = True
        for line_no in sorted(inserts, reverse=True):
            lines[line_no:line_no] = [s + "\n" for s in inserts[line_no]]
        source = "".join(lines)
        if not changed:
            break
    return source


def rewrite_text(text: str, rw: Rewriter) -> str:
    text = DOTTED.sub(lambda m: rw.dotted(m.group(0)), text)
    for old, new in rw.paths.items():
        text = re.sub(rf"(?<![\w/]){re.escape(old)}\b", new, text)
    return text


def rewrite_python(source: str, rw: Rewriter) -> str:
    source = rewrite_imports(source, rw)
    source = rewrite_attributes(source, rw)
    # dotted names outside import statements: strings (monkeypatch targets), comments, docstrings
    out, pos = [], 0
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError):
        return rewrite_text(source, rw)
    starts = _offsets(source)
    for tok in tokens:
        if tok.type in (tokenize.STRING, tokenize.COMMENT) or getattr(tokenize, "FSTRING_MIDDLE", -1) == tok.type:
            begin = starts[tok.start[0] - 1] + tok.start[1]
            end = starts[tok.end[0] - 1] + tok.end[1]
            out.append(source[pos:begin])
            out.append(rewrite_text(source[begin:end], rw))
            pos = end
    out.append(source[pos:])
    return "".join(out)


# ---- main -------------------------------------------------------------------------------------------------


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    dry = "--dry-run" in sys.argv
    root = Path(args[0] if args else os.getcwd()).resolve()
    if not (root / "portal" / "__init__.py").is_file():
        print(f"{root} is not the repository root (no portal/__init__.py)", file=sys.stderr)
        return 2
    moves = MOVES + [m for m in demo_moves(root) if m[0] not in dict(MOVES)]
    print("moving files")
    move_files(root, moves, dry)
    rw = Rewriter(root, moves)
    changed: list[Path] = []
    print("rewriting references")
    for d in PY_DIRS:
        for path in sorted((root / d).rglob("*.py")) if (root / d).is_dir() else []:
            source = path.read_text(encoding="utf-8")
            try:
                new = rewrite_python(source, rw)
            except SyntaxError as err:
                print(f"  SKIPPED (syntax error) {path.relative_to(root)}: {err}")
                continue
            if new != source:
                changed.append(path)
                if not dry:
                    path.write_text(new, encoding="utf-8")
    for path in [root / f for f in TEXT_FILES] + sorted(root.glob("*.md")):
        if path.is_file():
            source = path.read_text(encoding="utf-8")
            new = rewrite_text(source, rw)
            if new != source:
                changed.append(path)
                if not dry:
                    path.write_text(new, encoding="utf-8")
    for path in changed:
        print(f"  rewrote {path.relative_to(root)}")
    py = [str(p) for p in changed if p.suffix == ".py"]
    ruff = root / ".venv" / "bin" / "ruff"
    ruff = str(ruff) if ruff.exists() else shutil.which("ruff")
    if py and ruff and not dry:
        print("ruff: import order and imports left unused in the rewritten files")
        subprocess.run([ruff, "check", "--quiet", "--fix", "--select", "I001,F401", *py], cwd=root, check=False)
    print(f"done: {len(changed)} files rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
