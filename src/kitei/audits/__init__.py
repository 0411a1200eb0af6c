"""Audits (情報セキュリティ監査) and their findings to closure (issue 14).

Contractor and cloud-service checks and the yearly review belong here too.
"""
