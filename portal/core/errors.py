"""Domain errors: every refusal names the rule that refused it."""

from __future__ import annotations


class DomainError(Exception):
    """A refused action; `message` is user-facing (already translated), `code` is stable for the API."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class RuleViolation(DomainError):
    """The policy forbids it (over quota, ineligible, outside the window...)."""

    code = "rule_violation"
    http_status = 422


class NotAllowed(DomainError):
    """The user may not do this (role, segregation of duties)."""

    code = "not_allowed"
    http_status = 403


class Conflict(DomainError):
    """The record changed or already exists (duplicate, state moved on)."""

    code = "conflict"
    http_status = 409
