"""The county audit: the audit log viewer, detector runs and their findings, field-check samples, the auditor's desk."""
