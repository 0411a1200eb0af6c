"""Audits (情報セキュリティ監査), their findings to closure, contractor and cloud-service
checks and the yearly review (issue 14).
"""
