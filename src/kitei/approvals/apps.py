"""Requests for regulated actions, routed by the pack's decision."""

from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    """申請と承認."""

    name = "kitei.approvals"
    label = "approvals"
    verbose_name = "申請・承認"
