"""Reading the people register (職員名簿) through the import framework the registers share.

The file is read by `kitei.core.tabular` (CSV in UTF-8 with or without BOM or Shift_JIS,
or .xlsx; formula-like cells refused; headings and data rows checked there), as the
情報資産台帳 and 情報システム台帳 imports are. This module only knows the people columns.
`read_people_csv` only reads and checks: it returns an `ImportPlan` listing every bad row
(行番号, 列, 理由) and writes nothing. `kitei.people.services.import_people` writes a plan
that has no errors, in one transaction. Line numbers count records as a spreadsheet shows
them: the heading row is line 1.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from kitei.core import access, roundtrip, tabular
from kitei.core.models import Organization
from kitei.core.services import Actor
from kitei.core.tabular import RowError
from kitei.core.transfer import run_command
from kitei.people import queries, services
from kitei.people.models import Department
from kitei.people.register_sheet import (
    ADMIN,
    DEPARTMENT,
    EMAIL,
    HEADINGS,
    NAME,
    NO,
    POSITION,
    ROLES,
    SHEET,
    SYSTEM,
    UPDATABLE,
    USERNAME,
    YES,
    Registered,
    export_people,
    registered,
)
from kitei.policy import Engine

__all__ = ["ImportPlan", "PersonEntry", "RowError", "import_file", "read_people_csv"]

# The sheet an .xlsx file is read from is SHEET (else its first sheet).
MAX_LENGTH = {NAME: 100, USERNAME: 150, DEPARTMENT: 100, POSITION: 100, EMAIL: 254, SYSTEM: 200}
ROLE_SEPARATORS = re.compile(r"[・、]")
MAX_BYTES = 1_000_000


@dataclass(frozen=True, kw_only=True)
class PersonEntry:
    """One valid row: a person to register, with the ids of the roles to assign.

    `system` names (in the register) the system the row's system-scoped roles are for.
    """

    line: int
    name: str
    username: str
    department: str
    position: str
    email: str
    roles: tuple[str, ...]
    is_org_admin: bool
    system: str = ""
    pk: int | None = None  # a registered person's 台帳番号: `update` holds what changes
    update: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ImportPlan:
    """What a file would write (people, new departments) and every bad row it has."""

    entries: tuple[PersonEntry, ...] = ()  # new people
    errors: tuple[RowError, ...] = ()
    new_departments: tuple[str, ...] = ()
    updates: tuple[PersonEntry, ...] = ()  # registered people whose cells differ
    diff: roundtrip.Diff = field(default_factory=roundtrip.Diff)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        """The file's valid rows (added, changed and unchanged)."""
        return self.diff.added + len(self.diff.changed) + self.diff.unchanged

    @property
    def accounts(self) -> int:
        return sum(1 for e in self.entries if e.username)

    @property
    def assignments(self) -> int:
        return sum(len(e.roles) for e in self.entries)

    def error_lines(self) -> list[str]:
        """One Japanese line per bad row (its errors joined), for the command line."""
        return tabular.error_lines_by_row(self.errors)

    def summary(self) -> str:
        """What a valid file writes, in one Japanese sentence."""
        text = _("職員: %(diff)s（アカウント %(accounts)d、役割の割当て %(assignments)d）") % {
            "diff": self.diff.summary(),
            "accounts": self.accounts,
            "assignments": self.assignments,
        }
        if self.new_departments:
            text += _("、新しい部署: %(names)s") % {"names": "、".join(self.new_departments)}
        return text


@dataclass
class _Reader:
    """State of one pass over a file: lookups, and what earlier rows used."""

    engine: Engine
    create_departments: bool
    departments: set[str]
    systems: set[str]
    taken_usernames: set[str]
    register: dict[int, Registered]
    seen_usernames: dict[str, int] = field(default_factory=dict)
    new_departments: dict[str, None] = field(default_factory=dict)
    ids: dict[int, int] = field(default_factory=dict)
    unchanged: int = 0
    changed: list[roundtrip.Change] = field(default_factory=list)


def read_people_csv(
    organization: Organization, data: bytes, *, create_departments: bool = False
) -> ImportPlan:
    """Check a people register file against the organisation; writes nothing."""
    errors: list[RowError] = []
    try:
        with tabular.open_tables(data) as tables:
            sheet = tables.pick(SHEET)
            sheet = tables.names[0] if sheet is None else sheet
            columns, rows = tabular.body(
                tables,
                sheet,
                known={h: h for h in (roundtrip.ID, *HEADINGS)},
                required=(NAME,),
                errors=errors,
                empty=_("空のファイルです。"),
            )
            # A small file (MAX_BYTES): read whole, so its usernames are looked up at once;
            # tabular.body counts each row read for a background import's progress.
            body = list(rows)
    except tabular.UnreadableFileError as exc:
        return ImportPlan(errors=(RowError(line=None, column="", reason=str(exc)),))
    if errors:
        return ImportPlan(errors=tuple(errors))
    if not body:
        return ImportPlan(
            errors=(RowError(line=None, column="", reason=_("取り込む行がありません。")),)
        )
    reader = _new_reader(organization, body, columns, create_departments)
    entries, updates = [], []
    for line, cells in body:
        row = tabular.Row(sheet, line, cells, columns, errors)
        pk = roundtrip.row_id(row, reader.register, reader.ids) if roundtrip.ID in columns else None
        if pk is not None:
            update = _read_change(reader, row, pk, columns) if pk else None
            if update is not None and row.ok:
                updates.append(update)
            continue
        entry = _read_row(reader, row)
        if row.ok:
            entries.append(entry)
    diff = roundtrip.Diff(
        added=len(entries), changed=tuple(reader.changed), unchanged=reader.unchanged
    )
    return ImportPlan(
        entries=tuple(entries),
        errors=tuple(errors),
        new_departments=tuple(reader.new_departments),
        updates=tuple(updates),
        diff=diff,
    )


def _read_change(
    reader: _Reader, row: tabular.Row, pk: int, columns: dict[str, int]
) -> PersonEntry | None:
    """A registered person's row: None when no cell differs, else the cells to change.

    ユーザー名, 役割 and 対象システム are changed on the person's page: a row changing
    them is refused.
    """
    current = reader.register[pk]
    texts = {h: row.text(h, limit=MAX_LENGTH.get(h)) for h in HEADINGS if h in columns}
    if ADMIN in texts:
        texts[ADMIN] = YES if _read_admin(row, texts[ADMIN]) else NO
    cells = roundtrip.cell_changes(current.cells, texts, list(texts))
    if not cells:
        reader.unchanged += 1
        return None
    for cell in cells:
        if cell.column not in UPDATABLE:
            row.fail(
                cell.column,
                _("登録済みの職員の%(column)sは、職員の画面で変更してください。")
                % {"column": cell.column},
            )
    if NAME in texts and not texts[NAME]:
        row.fail(NAME, _("氏名がありません。"))
    _check_email(row, texts.get(EMAIL, ""))
    _check_department(reader, row, texts.get(DEPARTMENT, ""))
    if not row.ok:
        return None
    update: dict[str, Any] = {UPDATABLE[c.column]: texts[c.column] for c in cells}
    if "is_org_admin" in update:
        update["is_org_admin"] = update["is_org_admin"] == YES
    name = current.cells[NAME]
    reader.changed.append(
        roundtrip.Change(line=row.line, pk=pk, label=name, cells=cells, sheet=row.sheet)
    )
    return PersonEntry(
        line=row.line, name=name, username=current.cells[USERNAME], department="", position="",
        email="", roles=(), is_org_admin=False, pk=pk, update=update,
    )  # fmt: skip


def _new_reader(
    organization: Organization,
    body: Sequence[tuple[int, list[tabular.Value]]],
    columns: dict[str, int],
    create_departments: bool,
) -> _Reader:
    """A reader with the organisation's departments, systems and the usernames taken."""
    index = columns.get(USERNAME)
    wanted = {
        c[index]
        for _line, c in body
        if index is not None and index < len(c) and isinstance(c[index], str) and c[index]
    }
    taken = get_user_model().objects.filter(username__in=wanted).values_list("username", flat=True)
    departments = access.scoped(Department.objects.all(), organization)
    return _Reader(
        engine=access.engine_for(organization.pack_id, organization.pack_digest),
        create_departments=create_departments,
        departments=set(departments.values_list("name", flat=True)),
        systems=set(queries.systems(organization).values_list("name", flat=True)),
        taken_usernames=set(taken) if wanted else set(),
        register=registered(organization) if roundtrip.ID in columns else {},
    )


def _read_row(reader: _Reader, row: tabular.Row) -> PersonEntry:
    """Check one row; its entry (used only when the row has no errors)."""

    def cell(title: str) -> str:
        return row.text(title, limit=MAX_LENGTH.get(title))

    name, username, email = cell(NAME), cell(USERNAME), cell(EMAIL)
    department, position = cell(DEPARTMENT), cell(POSITION)
    if row.value(NAME) == "":
        row.fail(NAME, _("氏名がありません。"))
    _check_username(reader, row, username)
    _check_email(row, email)
    _check_department(reader, row, department)
    roles = _read_roles(reader, row, cell(ROLES), department)
    system = _read_system(reader, row, cell(SYSTEM), roles)
    is_org_admin = _read_admin(row, cell(ADMIN))
    return PersonEntry(
        line=row.line,
        name=name,
        username=username,
        department=department,
        position=position,
        email=email,
        roles=roles,
        is_org_admin=is_org_admin,
        system=system,
    )


def _check_username(reader: _Reader, row: tabular.Row, username: str) -> None:
    if not username:
        return
    try:
        get_user_model().username_validator(username)
    except ValidationError:
        row.fail(
            USERNAME,
            _("ユーザー名「%(name)s」は使えません（文字・数字と @ . + - _ のみ）。")
            % {"name": username},
        )
        return
    first = reader.seen_usernames.setdefault(username, row.line)
    if first != row.line:
        row.fail(
            USERNAME,
            _("ユーザー名「%(name)s」は%(first)d行目と重複しています。")
            % {"name": username, "first": first},
        )
    elif username in reader.taken_usernames:
        row.fail(USERNAME, _("ユーザー名「%(name)s」は既に使われています。") % {"name": username})


def _check_email(row: tabular.Row, email: str) -> None:
    if not email:
        return
    try:
        EmailValidator()(email)
    except ValidationError:
        row.fail(
            EMAIL,
            _("メールアドレス「%(email)s」の形式が正しくありません。") % {"email": email},
        )


def _check_department(reader: _Reader, row: tabular.Row, department: str) -> None:
    if not department or department in reader.departments:
        return
    if reader.create_departments:
        reader.new_departments[department] = None
        return
    row.fail(
        DEPARTMENT,
        _("部署「%(name)s」はありません（「存在しない部署を作成する」を選ぶと作成します）。")
        % {"name": department},
    )


def _read_roles(reader: _Reader, row: tabular.Row, text: str, department: str) -> tuple[str, ...]:
    """Role ids named in a cell (ids, titles or aliases separated by ・ or 、)."""
    if not text:
        return ()
    names = reader.engine.names.roles
    # A title that itself contains a separator is matched whole before the cell is split.
    parts = [text] if text in names else [p.strip() for p in ROLE_SEPARATORS.split(text)]
    roles = {r.id: r for r in reader.engine.pack.roles}
    found: dict[str, None] = {}
    for part in filter(None, parts):
        role_id = names.get(part)
        if role_id is None:
            row.fail(
                ROLES,
                _("役割「%(role)s」はこの組織のポリシーにありません。") % {"role": part},
            )
            continue
        role = roles[role_id]
        if role.scope == "department" and not department:
            row.fail(
                ROLES,
                _("「%(role)s」は部署ごとの役割のため、所属が必要です。") % {"role": role.title},
            )
        found[role_id] = None
    return tuple(found)


def _read_system(reader: _Reader, row: tabular.Row, name: str, roles: tuple[str, ...]) -> str:
    """The system (by its register name) the row's system-scoped roles are for."""
    scoped = [r for r in reader.engine.pack.roles if r.id in roles and r.scope == "system"]
    if not name:
        for role in scoped:
            row.fail(
                SYSTEM,
                _("「%(role)s」はシステムごとの役割のため、対象システムが必要です。")
                % {"role": role.title},
            )
        return ""
    if not scoped:
        row.fail(SYSTEM, _("対象システムは、システムごとの役割を割り当てる行にだけ書きます。"))
    elif name not in reader.systems:
        row.fail(
            SYSTEM,
            _("情報システム「%(name)s」は情報システム台帳にありません。") % {"name": name},
        )
    return name


def _read_admin(row: tabular.Row, text: str) -> bool:
    if text in ("", NO):
        return False
    if text == YES:
        return True
    row.fail(
        ADMIN,
        _("「%(yes)s」か「%(no)s」で入力してください（「%(text)s」）。")
        % {"yes": YES, "no": NO, "text": text},
    )
    return False


@dataclass(frozen=True, kw_only=True)
class TemporaryAccount:
    """An imported account and its temporary password, shown once and never stored."""

    name: str
    username: str
    password: str


def temporary_accounts(plan: ImportPlan) -> tuple[list[TemporaryAccount], dict[str, str]]:
    """Each new account's temporary password, and its hash (slow: before any transaction)."""
    accounts = [
        TemporaryAccount(name=e.name, username=e.username, password=services.temporary_password())
        for e in plan.entries
        if e.username
    ]
    return accounts, {a.username: make_password(a.password) for a in accounts}


def import_file(
    organization: Organization, data: bytes, *, actor: Actor, create_departments: bool = False
) -> tuple[ImportPlan, list[TemporaryAccount]]:
    """Check a file and, when it has no errors, import it in one transaction."""
    plan = read_people_csv(organization, data, create_departments=create_departments)
    if not plan.ok:
        return plan, []
    accounts, hashes = temporary_accounts(plan)
    services.import_people(organization, actor=actor, plan=plan, password_hashes=hashes)
    return plan, accounts


def command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`kitei people import|export`: 0 when done (or valid in a dry run), 2 listing bad rows.

    The shared register command (kitei.core.transfer.run_command) with the people
    import's own report: one line per bad row, and the temporary passwords once.
    """
    out = out or sys.stdout
    create = bool(getattr(args, "create_departments", False))
    accounts: list[TemporaryAccount] = []

    def write(organization: Organization, data: bytes, actor: Actor) -> ImportPlan:
        plan, made = import_file(organization, data, actor=actor, create_departments=create)
        accounts.extend(made)
        return plan

    code = run_command(
        args,
        check=lambda organization, data: read_people_csv(
            organization, data, create_departments=create
        ),
        write=write,
        export=lambda organization, fmt: export_people(organization, fmt=fmt),
        report=tabular.error_lines_by_row,
        out=out,
        err=err,
    )
    if code == 0 and accounts:
        print(
            _("仮パスワード（初回ログイン時に変更が必要です。この表示は一度きりです）:"), file=out
        )
        for account in accounts:
            print(f"{account.username}\t{account.password}\t{account.name}", file=out)
    return code
