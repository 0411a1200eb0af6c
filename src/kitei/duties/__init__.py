"""The fiscal-year obligations calendar, organisation settings with provenance, training and
drills (issue 13).
"""
