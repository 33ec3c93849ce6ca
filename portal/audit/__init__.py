"""The county audit: the audit log viewer now; detectors and findings later."""
