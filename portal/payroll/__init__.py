"""Payroll (Rule 3): the monthly subsidy sheet of a village, its approval, payment, PDF and bank file."""
