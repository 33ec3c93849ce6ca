"""`make bench` (python -m benchmarks): county-scale timings. Not tests; figures are printed."""

from benchmarks import registry_import

if __name__ == "__main__":
    registry_import.main()
