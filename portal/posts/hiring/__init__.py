"""Hiring by post (Rule 2, 以岗聘任): candidates, nomination, public notice, objections, approval."""
