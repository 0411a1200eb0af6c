"""Demo registers: about thirty assets and a few systems for each demo organisation.

Assets are classified on the pack's own axes (packs without a scheme: 判断待ち); systems
run software with published end-of-support dates, so the register shows some past their
end of support and some ending during the planned period of use (002 7-4(1)キ).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils import timezone

from kitei.assets.models import Asset
from kitei.assets.services import register_asset, set_medium_contents
from kitei.core import access
from kitei.core.access import Operator
from kitei.core.models import Organization
from kitei.people.models import Department, Person, RoleAssignment
from kitei.people.services import assign_role
from kitei.policy.model import Pack
from kitei.systems.models import System
from kitei.systems.services import add_software, register_system

if TYPE_CHECKING:
    from kitei.demo import DemoOrg

# How sensitive an asset is, in words the packs' axes are then chosen from.
SECRET, PERSONAL, RESTRICTED, INTERNAL, PUBLIC = (
    "secret",
    "personal",
    "restricted",
    "internal",
    "public",
)

# Tier → class on each pack that has a scheme (axis id → level id).
CLASSES: dict[str, dict[str, dict[str, str]]] = {
    "mito-city-council": {
        SECRET: {"confidentiality": "3A", "integrity": "2", "availability": "2"},
        PERSONAL: {"confidentiality": "3B", "integrity": "2", "availability": "1"},
        RESTRICTED: {"confidentiality": "3C", "integrity": "2", "availability": "1"},
        INTERNAL: {"confidentiality": "2", "integrity": "1", "availability": "1"},
        PUBLIC: {"confidentiality": "1", "integrity": "1", "availability": "1"},
    },
    "toyama-kankoji-kumiai": {
        SECRET: {"importance": "I"},
        PERSONAL: {"importance": "I"},
        RESTRICTED: {"importance": "II"},
        INTERNAL: {"importance": "II"},
        PUBLIC: {"importance": "III"},
    },
}


def _classes_of(org: Organization) -> dict[str, dict[str, str]] | None:
    """The tier → class table of the organisation's scheme: its own pack's, or the model's
    when the organisation adopted the model's classification (kitei policy adopt)."""
    pack = access.engine_for(org.pack_id, org.pack_digest).pack
    adoption = pack.adoption
    if adoption is not None and adoption.classification:
        return CLASSES.get(adoption.pack)
    return CLASSES.get(org.pack_id)


@dataclass(frozen=True)
class DemoAsset:
    """A register row of the demo: name, sensitivity, form, where it is kept, how long."""

    name: str
    tier: str
    form: str = "electronic"
    storage: str = "ファイルサーバ"
    retention: str = "5年"
    disclosure: str = "not_public"
    area: str = "business"  # general (総務・人事・財務), it (情報), business (the body's own work)
    dept: int | None = None  # a department index of the spec, overriding the area


# Area → index of the department (in DemoOrg.departments) that keeps such assets.
AREAS: dict[str, dict[str, int]] = {
    "mito": {"general": 0, "it": 0, "business": 1},
    "toyama": {"general": 0, "it": 0, "business": 1},
    "gamagori": {"general": 1, "it": 0, "business": 2},
    "miyagi": {"general": 0, "it": 0, "business": 1},
    "shinagawa": {"general": 0, "it": 0, "business": 1},
}

COMMON = (
    DemoAsset("職員名簿", PERSONAL, retention="常用", area="general"),
    DemoAsset(
        "職員給与データ", PERSONAL, storage="人事給与システム", retention="5年", area="general"
    ),
    DemoAsset("人事評価記録", PERSONAL, "paper", "人事書庫（施錠）", "5年", area="general"),
    DemoAsset("予算書", PUBLIC, "paper", "書庫A", "10年", "public", area="general"),
    DemoAsset("予算編成資料（内部検討用）", RESTRICTED, retention="5年", area="general"),
    DemoAsset("決算書", PUBLIC, "paper", "書庫A", "10年", "public", area="general"),
    DemoAsset(
        "契約書綴り", RESTRICTED, "paper", "書庫B（施錠）", "10年", "partial", area="general"
    ),
    DemoAsset(
        "入札参加資格者名簿", INTERNAL, retention="5年", disclosure="partial", area="general"
    ),
    DemoAsset("ネットワーク構成図", SECRET, storage="情報システム室 施錠キャビネット", area="it"),
    DemoAsset(
        "サーバ管理者パスワード台帳", SECRET, "paper", "情報システム室 金庫", "常用", area="it"
    ),
    DemoAsset("ファイアウォール設定ファイル", SECRET, storage="情報システム室 管理端末", area="it"),
    DemoAsset("アクセスログ", RESTRICTED, storage="ログ管理サーバ", retention="1年", area="it"),
    DemoAsset("バックアップテープ（月次）", RESTRICTED, "medium", "遠隔地保管庫", "1年", area="it"),
    DemoAsset("情報セキュリティポリシー", PUBLIC, retention="常用", disclosure="public", area="it"),
    DemoAsset("情報セキュリティ実施手順", INTERNAL, retention="常用", area="it"),
    DemoAsset("研修受講記録", INTERNAL, retention="3年", area="it"),
    DemoAsset("庁内報", PUBLIC, retention="1年", disclosure="public", area="general"),
    DemoAsset("ホームページ掲載原稿", PUBLIC, retention="1年", disclosure="public", area="general"),
    DemoAsset("苦情・相談受付記録", PERSONAL, retention="3年"),
    DemoAsset("公印使用簿", INTERNAL, "paper", "総務書庫", "5年", area="general"),
    DemoAsset("文書収受簿", INTERNAL, "paper", "総務書庫", "5年", area="general"),
    DemoAsset("委託業者連絡先一覧", INTERNAL, retention="常用", area="it"),
)
EXTRA: dict[str, tuple[DemoAsset, ...]] = {
    "mito": (
        DemoAsset("本会議 会議録", PUBLIC, retention="永年", disclosure="public"),
        DemoAsset("会議録音データ", RESTRICTED, storage="議事課 録音サーバ", retention="1年"),
        DemoAsset("請願書", PERSONAL, "paper", "議事課 書庫（施錠）", "10年", "partial"),
        DemoAsset("陳情書", PERSONAL, "paper", "議事課 書庫（施錠）", "5年", "partial"),
        DemoAsset("議員名簿", PERSONAL, retention="常用", disclosure="partial"),
        DemoAsset("政務活動費収支報告書", PUBLIC, "paper", "調査課 書庫", "5年", "public", dept=2),
        DemoAsset("委員会 議事録", INTERNAL, retention="10年", disclosure="partial"),
        DemoAsset("議会図書室 貸出記録", PERSONAL, retention="1年", dept=2),
    ),
    "toyama": (
        DemoAsset("組合員名簿", PERSONAL, retention="常用", disclosure="partial"),
        DemoAsset("理事会 議事録", INTERNAL, "paper", "事務局 書庫", "10年"),
        DemoAsset("総会 議事録", PUBLIC, "paper", "事務局 書庫", "10年", "public"),
        DemoAsset("共同受注 工事台帳", RESTRICTED, retention="10年"),
        DemoAsset("組合員 資格審査書類", PERSONAL, "paper", "事務局 書庫（施錠）", "5年"),
        DemoAsset("賦課金 徴収台帳", RESTRICTED, retention="10年"),
        DemoAsset("指定給水装置工事事業者 講習会名簿", PERSONAL, retention="3年"),
    ),
    "gamagori": (
        DemoAsset("住民基本台帳データ", SECRET, storage="住民情報システム", retention="常用"),
        DemoAsset("住民票写し交付請求書", PERSONAL, "paper", "市民課 書庫（施錠）", "3年"),
        DemoAsset("印鑑登録原票", PERSONAL, "paper", "市民課 耐火金庫", "常用"),
        DemoAsset("市議会提出議案", PUBLIC, retention="10年", disclosure="public"),
        DemoAsset("DX推進計画（案）", RESTRICTED, retention="5年"),
        DemoAsset("オープンデータ公開ファイル", PUBLIC, retention="1年", disclosure="public"),
        DemoAsset("窓口予約システム 利用者データ", PERSONAL, storage="外部サービス"),
    ),
    "miyagi": (
        DemoAsset("研修受講者名簿", PERSONAL, retention="3年"),
        DemoAsset("研修講師 謝金支払記録", PERSONAL, "paper", "総務課 書庫", "5年"),
        DemoAsset("研修テキスト原稿", INTERNAL, retention="3年"),
        DemoAsset("市町村派遣職員名簿", PERSONAL, retention="常用"),
        DemoAsset("センター事業報告書", PUBLIC, "paper", "総務課 書庫", "10年", "public"),
        DemoAsset("研修会場予約台帳", INTERNAL, retention="1年"),
        DemoAsset("受講申込書", PERSONAL, "paper", "研修課 書庫", "1年"),
    ),
    "shinagawa": (
        DemoAsset("戸籍副本データ", SECRET, storage="戸籍情報システム", retention="常用"),
        DemoAsset("住民異動届", PERSONAL, "paper", "戸籍住民課 書庫（施錠）", "5年"),
        DemoAsset("区長記者会見資料", PUBLIC, retention="3年", disclosure="public", dept=2),
        DemoAsset("区長日程表", RESTRICTED, retention="1年", dept=2),
        DemoAsset("管理系ネットワーク 機器一覧", SECRET, storage="情報推進課 管理端末"),
        DemoAsset("区民意識調査 回答データ", PERSONAL, retention="5年"),
        DemoAsset("区政資料", PUBLIC, "paper", "区政資料室", "常用", "public"),
    ),
}


@dataclass(frozen=True)
class DemoSoftware:
    """Software and its published end of support (None: the vendor gives no date)."""

    name: str
    version: str
    end_of_support: date | None


WINDOWS_2012 = DemoSoftware("Windows Server", "2012 R2", date(2023, 10, 10))
WINDOWS_2016 = DemoSoftware("Windows Server", "2016", date(2027, 1, 12))
WINDOWS_2019 = DemoSoftware("Windows Server", "2019", date(2029, 1, 9))
WINDOWS_2022 = DemoSoftware("Windows Server", "2022", date(2031, 10, 14))
WINDOWS_10 = DemoSoftware("Windows 10 Enterprise", "22H2", date(2025, 10, 14))
OFFICE_2016 = DemoSoftware("Microsoft Office", "2016", date(2025, 10, 14))
RHEL_8 = DemoSoftware("Red Hat Enterprise Linux", "8", date(2029, 5, 31))
POSTGRES_13 = DemoSoftware("PostgreSQL", "13", date(2025, 11, 13))
POSTGRES_16 = DemoSoftware("PostgreSQL", "16", date(2028, 11, 9))
PACKAGE = DemoSoftware("業務パッケージ", "4.2", None)  # dated relative to today below


@dataclass(frozen=True)
class DemoSystem:
    """A system of the demo: zone by a word of its title, and the software it runs."""

    name: str
    zone_word: str
    software: tuple[DemoSoftware, ...]
    external: bool = False
    availability: str = ""


SYSTEMS = (
    DemoSystem("グループウェア", "LGWAN", (WINDOWS_2016, OFFICE_2016)),
    DemoSystem("財務会計システム", "LGWAN", (WINDOWS_2019, POSTGRES_13, PACKAGE), availability="2"),
    DemoSystem("ホームページ管理システム", "インターネット", (RHEL_8, POSTGRES_16), external=True),
    DemoSystem("ファイルサーバ", "LGWAN", (WINDOWS_2012, WINDOWS_10)),
)


def _fiscal_year_end(today: date, years_ahead: int) -> date:
    """31 March closing the Japanese fiscal year `years_ahead` after the current one."""
    year = today.year + (1 if today.month >= 4 else 0)
    return date(year + years_ahead, 3, 31)


def _zone(pack: Pack, word: str) -> str:
    """The pack's zone whose title contains `word` ("" when the seed defines none)."""
    return next((z.id for z in pack.network.zones if word in z.title), "")


DEMO = Operator(name="kitei demo")


def _holder(org: Organization, roles: frozenset[str]) -> Person | None:
    """A person holding one of the roles in the organisation, if any."""
    found = RoleAssignment.objects.filter(organization=org, role_id__in=roles).first()
    return found.person if found else None


def _granted(org: Organization, permission: str) -> frozenset[str]:
    """The roles the organisation's pack grants `permission` to."""
    return frozenset(g.role_id for g in access.grants_of(org).by_permission.get(permission, ()))


def build_systems(
    org: Organization,
    spec: DemoOrg,
    dept: Department,
    system_roles: Sequence[tuple[Person, str]] = (),
) -> list[System]:
    """The organisation's main system (spec.system) and three common ones, with software.

    `system_roles` (holder, role id) are the pack's system-scoped roles: their holders are
    named in the register and assigned the role for the main system.
    """
    pack = access.engine_for(org.pack_id, org.pack_digest).pack
    index = access.grants_of(org)
    keepers = _granted(org, "systems.manage")
    waiting = {role_id: person for person, role_id in system_roles}
    manager = _holder(org, keepers) or next(
        (waiting[r] for r in sorted(keepers) if r in waiting), None
    )
    operator_roles = sorted(r for r, col in index.register_columns.items() if col == "operator")
    operator = _holder(org, frozenset(operator_roles)) or next(
        (waiting[r] for r in operator_roles if r in waiting), None
    )
    has_availability = any(a.id == "availability" for a in pack.classification.axes)
    main = DemoSystem(spec.system, "LGWAN", (WINDOWS_2022, POSTGRES_16, PACKAGE), availability="2")
    # Systems are planned for five more fiscal years; the package's vendor ends support
    # after two, so the register always shows software ending during use.
    today = timezone.localdate()
    planned_until = _fiscal_year_end(today, 5)
    package_end = _fiscal_year_end(today, 2)
    result = []
    for item in (main, *SYSTEMS):
        system = register_system(
            org,
            actor=DEMO,
            name=item.name,
            department=dept,
            manager=manager,
            operator=operator,
            zone=_zone(pack, item.zone_word),
            is_external_service=item.external,
            availability=item.availability if has_availability else "",
            planned_until=planned_until,
            security_requirements="アクセス権限は業務上必要な者に限定し、操作ログを1年間保存する。",
        )
        for software in item.software:
            add_software(
                system,
                actor=DEMO,
                name=software.name,
                version=software.version,
                end_of_support=package_end if software is PACKAGE else software.end_of_support,
            )
        result.append(system)
    for person, role_id in system_roles:
        assign_role(org, actor=DEMO, person=person, role_id=role_id, system=result[0])
    return result


def build_registers(
    org: Organization, spec: DemoOrg, system_roles: Sequence[tuple[Person, str]] = ()
) -> None:
    """Fill the organisation's asset and system registers with plausible rows.

    The holders in `system_roles` get their system-scoped role for the main system.
    """
    depts = list(Department.objects.filter(organization=org).order_by("pk"))
    systems = build_systems(org, spec, depts[0], system_roles)
    owner = (
        _holder(org, _granted(org, "assets.manage"))
        or Person.objects.filter(organization=org).first()
    )
    classes = _classes_of(org)
    items = (*EXTRA.get(spec.slug, ()), *COMMON)
    made: dict[str, Asset] = {}
    areas = AREAS.get(spec.slug, {})
    for n, item in enumerate(items):
        index = item.dept if item.dept is not None else areas.get(item.area, n % len(depts))
        made[item.name] = register_asset(
            org,
            actor=DEMO,
            name=item.name,
            department=depts[index],
            form=item.form,
            classification=classes[item.tier] if classes else None,
            unclear=classes is None,
            owner=owner if index == 0 else None,
            storage_location=item.storage,
            system=systems[n % len(systems)] if item.form == "electronic" else None,
            retention=item.retention,
            disclosure=item.disclosure,
        )
    _copies_and_media(org, depts, made, classes is None)


def _copies_and_media(
    org: Organization, depts: list[Department], made: dict[str, Asset], unclear: bool
) -> None:
    """A copy that keeps its original's class, a medium that takes its contents' highest."""
    original = made["職員名簿"]
    register_asset(
        org,
        actor=DEMO,
        name="職員名簿（写し・緊急連絡用）",
        department=depts[-1],
        form="paper",
        copy_of=original,
        storage_location="各課 施錠キャビネット",
        retention="1年",
    )
    usb = register_asset(
        org,
        actor=DEMO,
        name="USBメモリ（研修資料持出用）",
        department=depts[0],
        form="medium",
        classification=None if unclear else _lowest(org),
        unclear=unclear,
        storage_location="総務 施錠キャビネット",
    )
    set_medium_contents(usb, actor=DEMO, contents=[made["研修受講記録"], made["庁内報"]])
    # One row received from outside whose class nobody has decided yet (002 3(2)エ).
    register_asset(
        org,
        actor=DEMO,
        name="他団体から受領した調査票",
        department=depts[-1],
        form="paper",
        unclear=True,
        storage_location="受付トレイ",
    )


def _lowest(org: Organization) -> dict[str, str]:
    pack = access.engine_for(org.pack_id, org.pack_digest).pack
    return {a.id: a.levels[0].id for a in pack.classification.axes}
