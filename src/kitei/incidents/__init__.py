"""Incidents, 障害 and violations: the pack's reporting chain resolved to people, CSIRT triage
and an append-only timeline (issue 11).
"""
