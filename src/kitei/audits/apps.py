"""Audits (情報セキュリティ監査) and their findings to closure."""

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    """情報セキュリティ監査."""

    name = "kitei.audits"
    label = "audits"
    verbose_name = "情報セキュリティ監査"

    def ready(self) -> None:
        """Declares the audit actions, names the models in the audit trail, lets audits take
        evidence and shows the findings a 管理者 owns on the home page."""
        from kitei.audits import choices  # noqa: F401, PLC0415 - registers on import
        from kitei.audits.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.audits.home import waiting_items  # noqa: PLC0415
        from kitei.audits.models import Audit  # noqa: PLC0415
        from kitei.audits.satisfiers import issued_audits  # noqa: PLC0415
        from kitei.core.evidence import register_supported  # noqa: PLC0415
        from kitei.core.registry import register_home_item  # noqa: PLC0415
        from kitei.duties.satisfiers import register_satisfier  # noqa: PLC0415

        register_supported(Audit, read="audits.view", attach="audits.view")
        register_audit()
        register_home_item("audits", waiting_items, order=50)
        register_satisfier("audit", issued_audits)  # issued audits prove 毎年度・定期的 audits
