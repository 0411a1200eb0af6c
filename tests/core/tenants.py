"""Two organisations full of data, an account that belongs to both, and every route of kitei.

Each organisation's rows carry words found nowhere in the other's (its marks), so a page
or an API answer that leaks the other organisation's data shows it. Every route that takes
an object names which object (`PAGE_OBJECTS`, `API_OBJECTS`): a new route fails the walk
until it is listed here.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.conftest import (
    PDF,
    SETUP,
    activate_totp,
    file_request_as,
    make_org,
    make_person,
    upload,
)

# Page routes by URL name → the kind of object their one argument names.
PAGE_OBJECTS = {
    "evidence_download": "evidence",
    "import_progress": "import_",
    "people:detail": "person",
    "people:assign": "person",
    "people:unlock": "person",
    "people:end_assignment": "assignment",
    "people:token_revoke": "token",
    "assets:detail": "asset",
    "assets:edit": "asset",
    "assets:copy": "asset",
    "assets:classify": "asset",
    "systems:detail": "system",
    "systems:edit": "system",
    "systems:software_add": "system",
    "approvals:detail": "request",
    "approvals:approve": "request",
    "approvals:reject": "request",
    "approvals:withdraw": "request",
    "approvals:print": "request",
    "records:return": "entry",
    "records:disposal": "entry",
    "records:confirm": "entry",
    "records:leave": "entry",
    "records:report": "entry",
    "records:review": "entry",
    "records:evidence": "entry",
    "records:book": "book",
    "records:add": "book",
    "records:export": "book",
    "corrective:detail": "corrective",
    "corrective:progress": "corrective",
    "corrective:evidence": "corrective",
    "corrective:report": "corrective",
    "corrective:verify": "corrective",
    "audits:programme": "year",
    "audits:detail": "audit",
    "audits:appoint": "audit",
    "audits:paper": "audit",
    "audits:evidence": "audit",
    "audits:raise_finding": "audit",
    "audits:start": "audit",
    "audits:issue": "audit",
    "audits:receive": "audit",
    "audits:copy": "audit",
    "audits:finding": "finding",
    "audits:plan": "finding",
    "audits:close": "finding",
    "audits:accept": "finding",
    "audits:withdraw": "finding",
    "audits:deploy": "finding",
    "audits:answer": "finding",
    "duties:training": "training",
    "incidents:detail": "incident",
    "incidents:move": "incident",
    "incidents:add_entry": "incident",
    "incidents:judge": "incident",
    "incidents:prevention": "incident",
    "incidents:manual": "incident",
    "incidents:acknowledge": "report_step",
    "incidents:decide": "report_step",
    "inspections:campaign": "campaign",
    "inspections:campaign_move": "campaign",
    "inspections:rollup": "campaign",
    "inspections:questionnaire": "questionnaire",
    "inspections:submit": "questionnaire",
    "inspections:review": "questionnaire",
    "inspections:answer": "answer",
    "inspections:export": "questionnaire",
    "inspections:upload": "questionnaire",
    "inspections:evidence": "questionnaire",
}
# Not tenant pages: Django's admin (site administrators), allauth's account pages, the
# language switch, and the API (walked through its OpenAPI schema instead).
SKIPPED = ("admin/", "accounts/", "i18n/", "api/")
# API path parameters → the kind of object they name; required query parameters.
API_OBJECTS = {
    "audit_id": "audit",
    "asset_id": "asset",
    "system_id": "system",
    "request_id": "request",
    "incident_id": "incident",
    "step_id": "report_step",
    "campaign_id": "campaign",
}
API_QUERY = {"book": "book"}

C3B = {"機密性": "3B", "完全性": "2", "可用性": "1"}


@dataclass
class Tenant:
    """One organisation of the walk: its rows by kind and the words only its data holds."""

    org: Any
    marks: tuple[str, ...]
    objects: dict[str, Any] = field(default_factory=dict)


def page_routes() -> list[tuple[str, str | None]]:
    """(URL name, kind of object its argument names or None) of every tenant page."""
    found: list[tuple[str, str | None]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED):
                continue
            if isinstance(p, URLResolver):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, route, inner)
            elif isinstance(p, URLPattern):
                name = namespace + (p.name or "")
                takes_argument = "<" in route
                if takes_argument and name not in PAGE_OBJECTS:
                    raise AssertionError(f"route {route} ({name}) is not in PAGE_OBJECTS")
                found.append((name, PAGE_OBJECTS[name] if takes_argument else None))

    walk(get_resolver().url_patterns, "", "")
    return found


def text_of(response: HttpResponse) -> str:
    """What a person could read in a response: the page, or every sheet of an .xlsx."""
    body = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]  # a FileResponse
        if getattr(response, "streaming", False)
        else response.content
    )
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return body.decode("utf-8", "replace")


def build() -> tuple[Any, dict[str, Tenant]]:
    """mito and toyama with people, registers, a request, a record entry and evidence each,
    and 小林 (kobayashi), organisation administrator of both (mito as 職員等, toyama as
    支援団体 since 30 days ago), with TOTP. Returns kobayashi's mito Person and the tenants.
    """
    from kitei.assets.services import register_asset  # noqa: PLC0415 - app registry
    from kitei.audits import findings as audit_findings  # noqa: PLC0415
    from kitei.audits import services as audits  # noqa: PLC0415
    from kitei.core.evidence import attach_evidence  # noqa: PLC0415
    from kitei.core.models import TaskProgress  # noqa: PLC0415
    from kitei.core.tokens import create_api_token  # noqa: PLC0415
    from kitei.corrective.services import raise_action  # noqa: PLC0415
    from kitei.duties.models import TrainingSession  # noqa: PLC0415
    from kitei.incidents.services import file_incident  # noqa: PLC0415
    from kitei.inspections.generation import start_campaign  # noqa: PLC0415
    from kitei.people.memberships import add_membership  # noqa: PLC0415
    from kitei.people.models import Person, RoleAssignment  # noqa: PLC0415
    from kitei.people.services import create_department  # noqa: PLC0415
    from kitei.records.services import record_entry  # noqa: PLC0415
    from kitei.systems.services import register_system  # noqa: PLC0415

    today = timezone.localdate()
    mito = Tenant(
        org=make_org(),
        marks=(
            "議会事務局総務課",
            "佐藤 一郎",
            "議会情報システム",
            "議員名簿",
            "水戸の申請理由",
            "水戸の廃棄処理",
            "mito-evidence.pdf",
            "mito-import.csv",
        ),
    )
    toyama = Tenant(
        org=make_org("toyama", "toyama-kankoji-kumiai", "富山市管工事協同組合"),
        marks=(
            "組合事務局",
            "山田 三郎",
            "組合業務システム",
            "組合員名簿",
            "富山の申請理由",
            "富山の廃棄処理",
            "toyama-evidence.pdf",
            "toyama-import.csv",
        ),
    )
    somu = create_department(mito.org, actor=SETUP, name="議会事務局総務課")
    office = create_department(toyama.org, actor=SETUP, name="組合事務局")
    sato = make_person(
        mito.org, "sato", "佐藤 一郎", roles=("information_security_manager",), department=somu
    )
    suzuki = make_person(
        mito.org, "suzuki", "鈴木 花子", roles=("members_and_staff",), department=somu
    )
    yamada = make_person(
        toyama.org, "yamada", "山田 三郎", roles=("union_members",), department=office
    )
    kobayashi = make_person(mito.org, "kobayashi", "小林 県雄", is_org_admin=True)
    activate_totp(kobayashi)
    add_membership(
        toyama.org,
        actor=SETUP,
        user=kobayashi.user,
        kind="support",
        valid_from=today - timedelta(days=30),
    )
    # Set-up only: the people register has no page that makes someone an administrator.
    Person.objects.filter(user=kobayashi.user, organization=toyama.org).update(is_org_admin=True)

    council = register_system(
        mito.org, actor=SETUP, name="議会情報システム", department=somu, zone="lgwan"
    )
    union = register_system(toyama.org, actor=SETUP, name="組合業務システム", department=office)
    roster = register_asset(
        mito.org,
        actor=SETUP,
        name="議員名簿",
        department=somu,
        form="electronic",
        classification=C3B,
        system=council,
    )
    members = register_asset(
        toyama.org,
        actor=SETUP,
        name="組合員名簿",
        department=office,
        form="paper",
        classification={"重要性分類": "I"},
    )
    take_out = file_request_as(
        mito.org, suzuki, "asset.take_out", asset=roster, reason="水戸の申請理由"
    )
    suspend = file_request_as(
        toyama.org, yamada, "account.suspend_violator", reason="富山の申請理由"
    )
    for tenant, book, keeper, system, asset, request, holder in (
        (mito, "disposal-record", sato, council, roster, take_out, suzuki),
        (toyama, "media-disposal", yamada, union, members, suspend, yamada),
    ):
        word = "水戸" if tenant is mito else "富山"
        entry = record_entry(
            tenant.org,
            actor=keeper.user,
            book=book,
            recorded_by=keeper,
            fields={
                "datetime": f"{today.isoformat()}T10:00",
                "person_in_charge": keeper.name,
                "processing": f"{word}の廃棄処理",
            },
        )
        evidence = attach_evidence(
            tenant.org,
            actor=keeper.user,
            obj=entry,
            upload=upload(f"{tenant.org.slug}-evidence.pdf", PDF),
            evidence_date=today,
        )
        # Set-up only: a background import's progress row (its page shows the file's name).
        progress = TaskProgress.objects.create(
            organization=tenant.org,
            kind="assets",
            started_by_name="tests",
            file_name=f"{tenant.org.slug}-import.csv",
            total=1,
        )
        action = raise_action(tenant.org, entry, f"{word}の是正措置", keeper, today, actor=SETUP)
        department = somu if tenant is mito else office
        audit = audits.plan_audit(
            audits.create_programme(
                tenant.org, actor=SETUP, fiscal_year=2026 if tenant is mito else 2025
            ),
            actor=SETUP,
            title=f"{word}の監査",
            kind="internal",
            departments=[department],
        )
        finding = audit_findings.raise_finding(
            audit,
            actor=SETUP,
            kind="minor",
            title=f"{word}の指摘",
            department=department,
            owner=keeper,
        )
        # Set-up only: a training session of each (toyama's pack names no training duty).
        session = TrainingSession.objects.create(
            organization=tenant.org,
            title=f"{word}の研修",
            held_on=today,
            duty="training",
            clause="—",
            quote="—",
            pack_version=tenant.org.pack_version,
            pack_digest=tenant.org.pack_digest,
            recorded_by_name="tests",
        )
        tenant.objects.update(
            year=audit.programme.fiscal_year,
            audit=audit.pk,
            finding=finding.pk,
            corrective=action.pk,
            training=session.pk,
            import_=progress.pk,
            person=keeper.pk,
            assignment=RoleAssignment.objects.filter(person=keeper).values_list("pk", flat=True)[0],
            system=system.pk,
            asset=asset.pk,
            request=request.pk,
            entry=entry.pk,
            evidence=evidence.pk,
            book=book,
            token=create_api_token(holder.user, actor=SETUP, organization=tenant.org)[0].pk,
        )
        incident = file_incident(
            tenant.org,
            actor=holder.user,
            kind="incident" if tenant is mito else "accident",
            title=f"{word}の事故報告",
            description=f"{word}の事故の内容",
            detected_at=timezone.now() - timedelta(minutes=1),
        )
        tenant.objects.update(incident=incident.pk, report_step=incident.steps.first().pk)
    for tenant, duty, scope in (
        (mito, "self-inspection-policy", "department"),
        (toyama, "questionnaire-inspection", "person"),
    ):
        campaign = start_campaign(tenant.org, actor=SETUP, duty_id=duty, fiscal_year=2026)
        questionnaire = campaign.questionnaires.filter(scope=scope).order_by("pk")[0]
        tenant.objects.update(
            campaign=campaign.pk,
            questionnaire=questionnaire.pk,
            answer=questionnaire.answers.order_by("pk")[0].pk,
        )
    return kobayashi, {"mito": mito, "toyama": toyama}
