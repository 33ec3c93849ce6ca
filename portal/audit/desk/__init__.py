"""The auditor's desk: figures, search, field checks, the audit report, and their API."""
