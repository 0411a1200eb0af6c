"""The fiscal-year obligations calendar, organisation settings and training (issue 13)."""
