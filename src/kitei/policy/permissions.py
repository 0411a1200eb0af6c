"""The permissions of kitei a pack may grant to its roles, with their Japanese titles.

A permission is what a person may do *in kitei* (read the audit trail, keep a register …),
as opposed to a rule, which is what the policy allows with the organisation's assets. A
pack role carries `grants:` naming permissions from this catalogue, each with the clause
that gives it (or a pack note where the seed is silent and kitei reads it); the web
application's single gate (`kitei.core.access.check`) answers from those grants. The
catalogue is pure data so that `kitei policy validate` can check packs without Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Base = Literal["member", "org_admin", "none"]


@dataclass(frozen=True, kw_only=True)
class PermissionInfo:
    """One permission: its id, Japanese title, and who has it without any grant.

    `base` is kitei's own rule: `member` — every member of the organisation;
    `org_admin` — the organisation's administrators (組織管理者); `none` — only holders
    of a pack role that grants it. `grantable` says whether a pack may grant it.
    """

    id: str
    title: str
    base: Base
    grantable: bool = True


PERMISSIONS: tuple[PermissionInfo, ...] = (
    PermissionInfo(id="org.view", title="組織の閲覧", base="member", grantable=False),
    PermissionInfo(id="people.view", title="職員名簿の閲覧", base="member", grantable=False),
    PermissionInfo(id="people.manage", title="職員名簿と役割の管理", base="org_admin"),
    PermissionInfo(id="audit.read", title="監査証跡の閲覧", base="org_admin"),
    PermissionInfo(id="assets.view", title="情報資産台帳の閲覧", base="member", grantable=False),
    PermissionInfo(id="assets.manage", title="情報資産台帳の管理", base="org_admin"),
    PermissionInfo(
        id="systems.view", title="情報システム台帳の閲覧", base="member", grantable=False
    ),
    PermissionInfo(id="systems.manage", title="情報システム台帳の管理", base="org_admin"),
    PermissionInfo(id="requests.file", title="申請", base="member", grantable=False),
    PermissionInfo(id="requests.view", title="申請の閲覧", base="member", grantable=False),
    PermissionInfo(id="records.view", title="記録簿の閲覧", base="member", grantable=False),
    PermissionInfo(id="records.write", title="記録簿への記録", base="member", grantable=False),
    PermissionInfo(id="exceptions.receive_report", title="例外措置の事後報告の受領", base="none"),
    PermissionInfo(id="exceptions.review", title="例外措置の定期的な見直し", base="none"),
    PermissionInfo(id="incidents.file", title="インシデントの報告", base="member", grantable=False),
    PermissionInfo(id="incidents.view", title="インシデントの閲覧", base="member", grantable=False),
    PermissionInfo(id="incidents.triage", title="インシデントの評価と対応", base="org_admin"),
    PermissionInfo(id="evidence.attach", title="証跡ファイルの添付", base="member"),
    PermissionInfo(id="evidence.read", title="証跡ファイルの閲覧", base="member"),
    PermissionInfo(id="corrective.view", title="是正措置の閲覧", base="member", grantable=False),
    PermissionInfo(id="corrective.view_all", title="全ての是正措置の閲覧", base="org_admin"),
    PermissionInfo(id="corrective.verify", title="是正措置の確認", base="org_admin"),
    PermissionInfo(id="audits.view", title="監査の閲覧", base="org_admin"),
    PermissionInfo(id="audits.manage", title="監査の計画・実施", base="org_admin"),
    PermissionInfo(id="audits.receive_report", title="監査報告の受領", base="org_admin"),
    PermissionInfo(
        id="settings.manage", title="実施手順で定める値（組織の設定）の管理", base="org_admin"
    ),
    PermissionInfo(id="duties.view", title="年度の義務の閲覧", base="member", grantable=False),
    PermissionInfo(id="duties.complete", title="年度の義務の完了の記録", base="org_admin"),
    PermissionInfo(id="training.manage", title="研修・訓練の記録", base="org_admin"),
    PermissionInfo(id="inspections.view", title="自己点検の閲覧", base="member", grantable=False),
    PermissionInfo(id="inspections.manage", title="自己点検の開始と集計", base="org_admin"),
)

BY_ID: dict[str, PermissionInfo] = {p.id: p for p in PERMISSIONS}
GRANTABLE: frozenset[str] = frozenset(p.id for p in PERMISSIONS if p.grantable)
