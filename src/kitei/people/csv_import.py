"""Reading the people register from CSV (UTF-8 with or without BOM, or Shift_JIS/cp932).

`read_people_csv` only reads and checks: it returns an `ImportPlan` listing every bad row
(行番号, 列, 理由) and writes nothing. `kitei.people.services.import_people` writes a plan
that has no errors, in one transaction. Line numbers count records as a spreadsheet shows
them: the heading row is line 1.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from kitei.core import access, progress
from kitei.core.models import Organization
from kitei.core.services import Actor
from kitei.people import queries, services
from kitei.people.models import Department
from kitei.policy import Engine

NAME, USERNAME, DEPARTMENT, POSITION, EMAIL, ROLES, SYSTEM, ADMIN = (
    "氏名",
    "ユーザー名",
    "所属",
    "役職",
    "メールアドレス",
    "役割",
    "対象システム",
    "組織管理者",
)
HEADINGS = (NAME, USERNAME, DEPARTMENT, POSITION, EMAIL, ROLES, SYSTEM, ADMIN)
MAX_LENGTH = {NAME: 100, USERNAME: 150, DEPARTMENT: 100, POSITION: 100, EMAIL: 254, SYSTEM: 200}
ROLE_SEPARATORS = re.compile(r"[・、]")
YES, NO = "はい", "いいえ"
MAX_BYTES = 1_000_000


@dataclass(frozen=True, kw_only=True)
class RowError:
    """One problem of the file: its line (None for the whole file), column and reason."""

    line: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        where = _("%(line)d行目") % {"line": self.line} if self.line else _("ファイル")
        return f"{where} {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


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


@dataclass(frozen=True, kw_only=True)
class ImportPlan:
    """What a file would write (people, new departments) and every bad row it has."""

    entries: tuple[PersonEntry, ...] = ()
    errors: tuple[RowError, ...] = ()
    new_departments: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def accounts(self) -> int:
        return sum(1 for e in self.entries if e.username)

    @property
    def assignments(self) -> int:
        return sum(len(e.roles) for e in self.entries)

    def error_lines(self) -> list[str]:
        """One Japanese line per bad row (its errors joined), for the command line."""
        by_line: dict[int | None, list[RowError]] = {}
        for error in self.errors:
            by_line.setdefault(error.line, []).append(error)
        lines = []
        for errors in by_line.values():
            first = errors[0]
            where = _("%(line)d行目") % {"line": first.line} if first.line else _("ファイル")
            parts = [f"{e.column}: {e.reason}" if e.column else e.reason for e in errors]
            lines.append(f"{where}: " + "／".join(parts))
        return lines


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (a BOM is dropped), else Shift_JIS (cp932)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("文字コードを読み取れません。UTF-8 または Shift_JIS で保存してください。")
        ) from exc


@dataclass
class _Reader:
    """State of one pass over a file: lookups and the errors found so far."""

    engine: Engine
    create_departments: bool
    departments: set[str]
    systems: set[str]
    taken_usernames: set[str]
    errors: list[RowError] = field(default_factory=list)
    seen_usernames: dict[str, int] = field(default_factory=dict)
    new_departments: dict[str, None] = field(default_factory=dict)

    def error(self, line: int | None, column: str, reason: str) -> None:
        self.errors.append(RowError(line=line, column=column, reason=reason))


def read_people_csv(
    organization: Organization, data: bytes, *, create_departments: bool = False
) -> ImportPlan:
    """Check a people register file against the organisation; writes nothing."""
    try:
        text = decode(data)
    except ValidationError as exc:
        return ImportPlan(errors=(RowError(line=None, column="", reason=exc.messages[0]),))
    try:
        records = list(_records(text))
    except csv.Error as exc:
        reason = _("CSV として読み取れません（%(error)s）。") % {"error": exc}
        return ImportPlan(errors=(RowError(line=None, column="", reason=reason),))
    if not records:
        return ImportPlan(errors=(RowError(line=None, column="", reason=_("空のファイルです。")),))
    (heading_line, heading), body = records[0], records[1:]
    header_errors: list[RowError] = []
    columns = _check_headings(heading_line, heading, header_errors)
    if header_errors:
        return ImportPlan(errors=tuple(header_errors))
    reader = _new_reader(organization, body, columns, create_departments)
    entries = []
    for line, cells in progress.counted(body):
        entry = _read_row(reader, line, columns, cells)
        if entry is not None:
            entries.append(entry)
    if not body:
        reader.error(None, "", _("取り込む行がありません。"))
    return ImportPlan(
        entries=tuple(entries),
        errors=tuple(reader.errors),
        new_departments=tuple(reader.new_departments),
    )


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with their line numbers (the heading row is line 1)."""
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
        stripped = [c.strip() for c in cells]
        if any(stripped):
            yield number, stripped


def _new_reader(
    organization: Organization,
    body: Sequence[tuple[int, list[str]]],
    columns: dict[str, int],
    create_departments: bool,
) -> _Reader:
    """A reader with the organisation's departments, systems and the usernames taken."""
    index = columns.get(USERNAME)
    wanted = {c[index] for _line, c in body if index is not None and index < len(c) and c[index]}
    taken = get_user_model().objects.filter(username__in=wanted).values_list("username", flat=True)
    departments = access.scoped(Department.objects.all(), organization)
    return _Reader(
        engine=access.engine_for(organization.pack_id, organization.pack_digest),
        create_departments=create_departments,
        departments=set(departments.values_list("name", flat=True)),
        systems=set(queries.systems(organization).values_list("name", flat=True)),
        taken_usernames=set(taken) if wanted else set(),
    )


def _check_headings(line: int, heading: list[str], errors: list[RowError]) -> dict[str, int]:
    """Column index of each heading; unknown, repeated or missing headings are errors."""
    columns: dict[str, int] = {}
    for index, title in enumerate(heading):
        if not title:
            continue  # an empty heading cell (Excel pads rows); its cells must stay empty
        if title not in HEADINGS:
            reason = _("見出し「%(title)s」は使えません（使える見出し: %(all)s）。") % {
                "title": title,
                "all": "、".join(HEADINGS),
            }
        elif title in columns:
            reason = _("見出し「%(title)s」が重複しています。") % {"title": title}
        else:
            columns[title] = index
            continue
        errors.append(RowError(line=line, column=title, reason=reason))
    if NAME not in columns:
        reason = _("見出し「%(title)s」がありません。") % {"title": NAME}
        errors.append(RowError(line=line, column=NAME, reason=reason))
    return columns


def _read_row(
    reader: _Reader, line: int, columns: dict[str, int], cells: list[str]
) -> PersonEntry | None:
    """Check one row; returns its entry, or None after recording its errors."""
    before = len(reader.errors)
    known = set(columns.values())
    if any(value for index, value in enumerate(cells) if index not in known):
        reader.error(line, "", _("見出しのない列に値があります。"))

    def cell(title: str) -> str:
        index = columns.get(title)
        value = cells[index] if index is not None and index < len(cells) else ""
        limit = MAX_LENGTH.get(title)
        if limit is not None and len(value) > limit:
            reader.error(line, title, _("%(limit)d文字以内で入力してください。") % {"limit": limit})
        return value

    name, username, email = cell(NAME), cell(USERNAME), cell(EMAIL)
    department, position = cell(DEPARTMENT), cell(POSITION)
    if not name:
        reader.error(line, NAME, _("氏名がありません。"))
    _check_username(reader, line, username)
    _check_email(reader, line, email)
    _check_department(reader, line, department)
    roles = _read_roles(reader, line, cell(ROLES), department)
    system = _read_system(reader, line, cell(SYSTEM), roles)
    is_org_admin = _read_admin(reader, line, cell(ADMIN))
    if len(reader.errors) > before:
        return None
    return PersonEntry(
        line=line,
        name=name,
        username=username,
        department=department,
        position=position,
        email=email,
        roles=roles,
        is_org_admin=is_org_admin,
        system=system,
    )


def _check_username(reader: _Reader, line: int, username: str) -> None:
    if not username:
        return
    try:
        get_user_model().username_validator(username)
    except ValidationError:
        reader.error(
            line,
            USERNAME,
            _("ユーザー名「%(name)s」は使えません（文字・数字と @ . + - _ のみ）。")
            % {"name": username},
        )
        return
    first = reader.seen_usernames.setdefault(username, line)
    if first != line:
        reader.error(
            line,
            USERNAME,
            _("ユーザー名「%(name)s」は%(first)d行目と重複しています。")
            % {"name": username, "first": first},
        )
    elif username in reader.taken_usernames:
        reader.error(
            line, USERNAME, _("ユーザー名「%(name)s」は既に使われています。") % {"name": username}
        )


def _check_email(reader: _Reader, line: int, email: str) -> None:
    if not email:
        return
    try:
        EmailValidator()(email)
    except ValidationError:
        reader.error(
            line,
            EMAIL,
            _("メールアドレス「%(email)s」の形式が正しくありません。") % {"email": email},
        )


def _check_department(reader: _Reader, line: int, department: str) -> None:
    if not department or department in reader.departments:
        return
    if reader.create_departments:
        reader.new_departments[department] = None
        return
    reader.error(
        line,
        DEPARTMENT,
        _("部署「%(name)s」はありません（「存在しない部署を作成する」を選ぶと作成します）。")
        % {"name": department},
    )


def _read_roles(reader: _Reader, line: int, text: str, department: str) -> tuple[str, ...]:
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
            reader.error(
                line,
                ROLES,
                _("役割「%(role)s」はこの組織のポリシーにありません。") % {"role": part},
            )
            continue
        role = roles[role_id]
        if role.scope == "department" and not department:
            reader.error(
                line,
                ROLES,
                _("「%(role)s」は部署ごとの役割のため、所属が必要です。") % {"role": role.title},
            )
        found[role_id] = None
    return tuple(found)


def _read_system(reader: _Reader, line: int, name: str, roles: tuple[str, ...]) -> str:
    """The system (by its register name) the row's system-scoped roles are for."""
    scoped = [r for r in reader.engine.pack.roles if r.id in roles and r.scope == "system"]
    if not name:
        for role in scoped:
            reader.error(
                line,
                SYSTEM,
                _("「%(role)s」はシステムごとの役割のため、対象システムが必要です。")
                % {"role": role.title},
            )
        return ""
    if not scoped:
        reader.error(
            line, SYSTEM, _("対象システムは、システムごとの役割を割り当てる行にだけ書きます。")
        )
    elif name not in reader.systems:
        reader.error(
            line,
            SYSTEM,
            _("情報システム「%(name)s」は情報システム台帳にありません。") % {"name": name},
        )
    return name


def _read_admin(reader: _Reader, line: int, text: str) -> bool:
    if text in ("", NO):
        return False
    if text == YES:
        return True
    reader.error(
        line,
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


def summary(plan: ImportPlan) -> str:
    """What a valid file writes, in one Japanese sentence."""
    text = _("%(people)d名（アカウント %(accounts)d、役割の割当て %(assignments)d）") % {
        "people": len(plan.entries),
        "accounts": plan.accounts,
        "assignments": plan.assignments,
    }
    if plan.new_departments:
        text += _("、新しい部署: %(names)s") % {"names": "、".join(plan.new_departments)}
    return text


def import_command(  # noqa: PLR0911 - one exit code per outcome of the CLI contract
    slug: str,
    path: Path,
    *,
    dry_run: bool,
    create_departments: bool,
    as_user: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """`kitei people import`: 0 when imported (or valid in a dry run), 2 listing bad rows."""
    out, err = out or sys.stdout, err or sys.stderr
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        print(_("kitei: 組織「%(slug)s」はありません。") % {"slug": slug}, file=err)
        return 2
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(_("kitei: ファイルを読めません: %(error)s") % {"error": exc}, file=err)
        return 2
    if dry_run:
        plan = read_people_csv(organization, data, create_departments=create_departments)
        accounts: list[TemporaryAccount] = []
    else:
        try:
            actor = access.cli_actor(organization, as_user, "kitei people import")
            plan, accounts = import_file(
                organization, data, actor=actor, create_departments=create_departments
            )
        except access.UnknownOperatorError as exc:
            print(f"kitei: {exc}", file=err)
            return 2
        except PermissionDenied as exc:
            print(_("kitei: 取り込めませんでした: %(error)s") % {"error": exc}, file=err)
            return 2
        except ValidationError as exc:
            reason = " ".join(exc.messages)
            print(_("kitei: 取り込めませんでした: %(error)s") % {"error": reason}, file=err)
            return 2
    if not plan.ok:
        print("\n".join(plan.error_lines()), file=err)
        return 2
    _print_result(plan, accounts, dry_run=dry_run, out=out)
    return 0


def _print_result(
    plan: ImportPlan, accounts: list[TemporaryAccount], *, dry_run: bool, out: TextIO
) -> None:
    if dry_run:
        text = _("kitei: 誤りはありません。取り込める内容: %(summary)s")
        print(text % {"summary": summary(plan)}, file=out)
        return
    print(_("kitei: 取り込みました: %(summary)s") % {"summary": summary(plan)}, file=out)
    if accounts:
        print(
            _("仮パスワード（初回ログイン時に変更が必要です。この表示は一度きりです）:"), file=out
        )
        for account in accounts:
            print(f"{account.username}\t{account.password}\t{account.name}", file=out)
