"""Post plans (Rule 1, 按需设岗): drafting, review, the village post ledger, the county's standards."""
