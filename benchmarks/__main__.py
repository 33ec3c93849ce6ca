"""`make bench` (python -m benchmarks [registry|payroll]): county-scale timings. Not tests; figures are printed."""

import sys

from benchmarks import payroll, registry_import

SUITES = {"registry": registry_import.main, "payroll": payroll.main}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(SUITES):
        SUITES[name]()
