"""What every API endpoint shares: token authentication, JSON errors, references and paging.

Kept in core so that each app's endpoints (approvals, records …) build on it without importing
the top-level `kitei.api`, which assembles them.
"""
