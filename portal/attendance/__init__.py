"""Attendance (Rule 3): daily duty marks of post holders, month locks, the county working-day calendar."""
