"""`make bench` (python -m benchmarks [registry|payroll|audit|grid]): county-scale timings; figures are printed."""

import sys

from benchmarks import audit, grid, payroll, registry_import

SUITES = {"registry": registry_import.main, "payroll": payroll.main, "audit": audit.main, "grid": grid.main}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(SUITES):
        SUITES[name]()
