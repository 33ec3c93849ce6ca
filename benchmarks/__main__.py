"""`make bench` (python -m benchmarks [registry|payroll|audit|grid|pages|work_mem]): county-scale timings.

Without arguments every suite but work_mem runs (that one builds the audit's year only to print PostgreSQL plans).
"""

import sys

from benchmarks import audit, grid, pages, payroll, registry_import, work_mem

SUITES = {"registry": registry_import.main, "payroll": payroll.main, "audit": audit.main, "grid": grid.main,
          "pages": pages.main, "work_mem": work_mem.main}
DEFAULT = ("registry", "payroll", "audit", "grid", "pages")

if __name__ == "__main__":
    for name in sys.argv[1:] or DEFAULT:
        SUITES[name]()
