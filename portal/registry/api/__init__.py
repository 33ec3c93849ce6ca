"""The register's JSON API: households and people."""
