"""Filing opens the pack's chain resolved to people; acknowledgements open the next steps;
the CSIRT's triage runs on the workflow table citing the pack (§5.1 checks 1–5)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from kitei.core.models import ChangeRecord
from kitei.core.workflow import TransitionRefused
from kitei.incidents import services
from kitei.incidents.choices import IncidentEvent, IncidentState, StepState
from kitei.incidents.models import Incident, ReportStep
from tests.conftest import first_number

from .conftest import file_as


def after(action: str) -> dict[str, Any]:
    return json.loads(ChangeRecord.objects.filter(action=action).get().after)


def rows(incident: Incident, **filters: Any) -> list[ReportStep]:
    return list(incident.steps.filter(**filters).order_by("order", "pk"))


def test_filing_sends_both_6_3_1_a_reports(
    mito: Any, cast: Any, council_system: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cast["sato"].email = "sato@example.jp"
    cast["sato"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        incident = file_as(cast["suzuki"], systems=[council_system])
    assert incident.number == first_number()
    sent = rows(incident, state=StepState.SENT)
    assert [(s.clause, s.to_title) for s in sent] == [
        ("6-3(1)ア", "情報セキュリティ管理者"),
        ("6-3(1)ア", "市長公室デジタルイノベーション課"),
    ]
    assert [p.name for p in sent[0].recipients.all()] == ["佐藤 一郎"]
    assert sent[1].party == "digital_innovation_division"
    # the next hop waits for the 管理者's receipt; the CSIRT's steps do not exist yet
    waiting = rows(incident, state=StepState.WAITING)
    assert {s.clause for s in waiting} == {"6-3(1)イ"}
    assert not incident.steps.filter(stage="incident").exists()
    assert incident.pack_digest == mito.pack_digest
    assert [m.to for m in mail.outbox] == [["sato@example.jp"]]  # the party: by hand
    assert first_number() in mail.outbox[0].subject
    assert sent[0].note == "メール送信: 佐藤 一郎"
    actions = ChangeRecord.objects.filter(organization=mito).values_list("action", flat=True)
    assert "file_incident" in actions
    assert list(actions).count("open_report_step") == 2


def test_acknowledging_opens_6_3_1_i_to_each_recipient(cast: Any, council_system: Any) -> None:
    incident = file_as(cast["suzuki"], systems=[council_system])
    manager_step = rows(incident, role="information_security_manager")[0]
    with pytest.raises(PermissionDenied):
        services.acknowledge_step(manager_step, actor=cast["suzuki"].user)
    services.acknowledge_step(manager_step, actor=cast["sato"].user)
    opened = rows(incident, clause="6-3(1)イ")
    assert [s.role for s in opened] == [
        "ciso",
        "information_security_officer",
        "information_system_manager",
    ]
    assert all(s.state == StepState.SENT for s in opened)
    assert opened[2].to_title.endswith("（議会情報システム）")
    assert [p.username for s in opened for p in [r.user for r in s.recipients.all()]] == [
        "gicho",
        "kobayashi",
        "kato",
    ]
    assert all(s.clause == "6-3(1)イ" for s in opened)


def test_a_step_nobody_holds_is_flagged_at_once(mito: Any, suzuki: Any, sato: Any) -> None:
    incident = file_as(suzuki)  # no CISO, no 責任者 in this organisation yet
    services.acknowledge_step(
        rows(incident, role="information_security_manager")[0], actor=sato.user
    )
    vacant = rows(incident, vacant=True)
    assert {s.role for s in vacant} >= {"ciso", "information_security_officer"}
    assert all("担当している者がいません" in s.note for s in vacant)


def test_deputy_in_period_receives_and_expired_does_not(mito: Any, somu: Any, suzuki: Any) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from kitei.people.services import assign_role  # noqa: PLC0415
    from tests.conftest import SETUP, make_person  # noqa: PLC0415

    holder = make_person(mito, "h", "正 管理者")
    deputy = make_person(mito, "d", "代行 者")
    past = make_person(mito, "p", "元 代行")
    today = timezone.localdate()
    for person, until, who in (
        (holder, None, None),
        (deputy, today, holder),
        (past, today - timedelta(days=1), holder),
    ):
        assign_role(
            mito,
            actor=SETUP,
            person=person,
            role_id="information_security_manager",
            department=somu,
            deputy_for=who,
            valid_until=until,
        )
    incident = file_as(suzuki)
    step = rows(incident, role="information_security_manager")[0]
    assert sorted(p.name for p in step.recipients.all()) == ["代行 者", "正 管理者"]


def test_not_incident_needs_a_reason_and_responding_opens_the_csirt_steps(
    mito: Any, cast: Any, csirt: Any
) -> None:
    incident = file_as(cast["suzuki"])
    with pytest.raises(PermissionDenied):
        services.move_incident(incident, IncidentEvent.START_TRIAGE, actor=cast["suzuki"].user)
    services.move_incident(incident, IncidentEvent.START_TRIAGE, actor=csirt.user)
    with pytest.raises(ValidationError):
        services.move_incident(incident, IncidentEvent.DISMISS, actor=csirt.user)
    other = file_as(cast["suzuki"], title="別件")
    services.move_incident(other, IncidentEvent.START_TRIAGE, actor=csirt.user)
    services.move_incident(other, IncidentEvent.DISMISS, actor=csirt.user, reason="誤検知")
    other.refresh_from_db()
    assert other.state == IncidentState.NOT_INCIDENT
    assert not other.steps.filter(clause__startswith="6-3(2)").exists()
    assert after("dismiss_incident")["clause"] == "6-3(2)ア"
    assert after("dismiss_incident")["state_reason"] == "誤検知"

    services.move_incident(incident, IncidentEvent.RESPOND, actor=csirt.user)
    opened = {(s.clause, s.role or s.party, s.state) for s in rows(incident, stage="incident")}
    assert ("6-3(2)イ", "ciso", StepState.SENT) in opened
    assert ("6-3(2)ウ", "information_security_officer", StepState.SENT) in opened
    press = rows(incident, party="press")[0]
    assert press.decision_required
    assert press.state == StepState.WAITING
    assert press.opened_at is not None
    assert after("respond_incident")["clause"] == "6-3(2)イ"
    with pytest.raises(TransitionRefused):
        services.move_incident(incident, IncidentEvent.CLOSE, actor=csirt.user, instruction="x")


def test_full_response_to_closure_records_prevention_and_ciso_instruction(
    cast: Any, csirt: Any
) -> None:
    incident = file_as(cast["suzuki"])
    for event in (IncidentEvent.START_TRIAGE, IncidentEvent.RESPOND, IncidentEvent.RECOVER):
        services.move_incident(incident, event, actor=csirt.user)
    with pytest.raises(ValidationError):
        services.move_incident(incident, IncidentEvent.REPORT_PREVENTION, actor=csirt.user)
    with pytest.raises(ValidationError):  # 6-3(2)エ: the cause is kept in its book
        services.move_incident(
            incident, IncidentEvent.REPORT_PREVENTION, actor=csirt.user, prevention="見直し"
        )
    services.move_incident(
        incident,
        IncidentEvent.REPORT_PREVENTION,
        actor=csirt.user,
        prevention="USBの持出し手順の見直し",
        cause="持出し時の確認漏れ",
    )
    assert rows(incident, stage="prevention")[0].clause == "6-3(2)エ"
    from kitei.records.models import RecordEntry  # noqa: PLC0415

    entry = RecordEntry.objects.get(book="incident-record")
    assert entry.fields["cause"].endswith("持出し時の確認漏れ")
    assert incident.timeline.filter(kind="evidence", text__contains=entry.number).exists()
    with pytest.raises(ValidationError):
        services.move_incident(incident, IncidentEvent.CLOSE, actor=csirt.user)
    services.move_incident(
        incident, IncidentEvent.CLOSE, actor=csirt.user, instruction="全課に周知すること"
    )
    incident.refresh_from_db()
    assert incident.state == IncidentState.CLOSED
    assert incident.instruction == "全課に周知すること"
    assert after("close_incident")["clause"] == "6-3(2)オ"
    kinds = list(incident.timeline.values_list("kind", flat=True))
    assert kinds.count("state_change") == 5


def test_personal_data_step_asks_the_csirt_and_skipping_needs_a_reason(
    cast: Any, csirt: Any
) -> None:
    incident = file_as(cast["suzuki"], flags=["personal_data"])
    step = rows(incident, party="personal_information_protection_committee")[0]
    assert step.clause == "6-3(1)ウ"
    assert step.decision_required
    assert step.state == StepState.WAITING
    with pytest.raises(ValidationError):
        services.decide_step(step, actor=csirt.user, report=False, reason="")
    with pytest.raises(PermissionDenied):
        services.decide_step(step, actor=cast["sato"].user, report=False, reason="不要")
    services.decide_step(step, actor=csirt.user, report=False, reason="漏えいなしを確認")
    step.refresh_from_db()
    assert step.state == StepState.NOT_APPLICABLE
    entry = incident.timeline.get(kind="decision")
    assert "報告しない" in entry.text
    assert "漏えいなしを確認" in entry.text


def test_without_personal_data_there_is_no_committee_step(cast: Any) -> None:
    incident = file_as(cast["suzuki"])
    assert not incident.steps.filter(party="personal_information_protection_committee").exists()


def test_bad_input_writes_nothing(mito: Any, cast: Any) -> None:
    before = ChangeRecord.objects.filter(organization=mito).count()
    for fields in ({"kind": "fire"}, {"title": " "}, {"flags": ["serious"]}):
        with pytest.raises(ValidationError):
            file_as(cast["suzuki"], **fields)
    assert Incident.objects.count() == 0
    assert ChangeRecord.objects.filter(organization=mito).count() == before
    assert file_as(cast["suzuki"]).number == first_number()  # no number used up


def test_toyama_member_firm_route_opens_in_order_and_serious_adds_the_cio(toyama: Any) -> None:
    from tests.conftest import make_person  # noqa: PLC0415

    shain = make_person(toyama, "shain", "社員 一", roles=("member_firm_employee",))
    firm = make_person(toyama, "firm", "組合員 社長", roles=("member_firm",))
    jm = make_person(toyama, "jm", "情報 管理者", roles=("information_manager",))
    make_person(toyama, "cio", "理事 長", roles=("cio",))
    incident = file_as(shain, kind="accident", flags=["member_firm", "serious"])
    route = rows(incident, chain="accident-member-firm")
    assert [(s.clause, s.role) for s in route] == [
        ("6(4)イ(イ)", "member_firm"),
        ("6(4)ア", "information_manager"),
        ("6(4)イ(イ)", "assistant_chief_information_manager"),
        ("6(4)イ(イ)", "chief_information_manager"),
        ("6(4)イ", "cio"),
    ]
    assert [s.state for s in route] == [StepState.SENT] + [StepState.WAITING] * 4
    assert not incident.steps.filter(chain="accident-secretariat").exists()
    services.acknowledge_step(route[0], actor=firm.user)
    route = rows(incident, chain="accident-member-firm")
    assert route[1].state == StepState.SENT
    assert [p.name for p in route[1].recipients.all()] == [jm.name]
    services.acknowledge_step(route[1], actor=jm.user)
    vacant = rows(incident, chain="accident-member-firm")[2]
    assert vacant.state == StepState.SENT
    assert vacant.vacant  # nobody holds 統括情報管理者補佐 here: shown red at once


def test_judging_serious_adds_the_cio_step_and_needs_a_level_the_seed_names(toyama: Any) -> None:
    from tests.conftest import make_person  # noqa: PLC0415

    staff = make_person(toyama, "staff1", "職員 一", roles=("staff",))
    csirt = make_person(toyama, "jimu", "事務 局", roles=("csirt",))
    incident = file_as(staff, kind="accident")
    assert not incident.steps.filter(role="cio").exists()
    with pytest.raises(ValidationError):
        services.judge_severity(incident, actor=csirt.user, severity="grave", reason="x")
    with pytest.raises(ValidationError):
        services.judge_severity(incident, actor=csirt.user, severity="serious", reason="")
    with pytest.raises(PermissionDenied):
        services.judge_severity(incident, actor=staff.user, severity="serious", reason="多数")
    services.judge_severity(incident, actor=csirt.user, severity="serious", reason="全組合員に影響")
    cio = incident.steps.get(role="cio")
    assert (cio.clause, cio.state) == ("6(4)イ", StepState.WAITING)
    assert after("judge_severity")["reason"] == "全組合員に影響"
    assert services.clause_for(incident, IncidentEvent.RESPOND) == "パックに定めなし"


def test_prevention_measures_become_corrective_actions_citing_6_3_2_o(
    cast: Any, csirt: Any
) -> None:
    from kitei.incidents.prevention import raise_prevention_action  # noqa: PLC0415

    incident = file_as(cast["suzuki"])
    with pytest.raises(ValidationError):
        raise_prevention_action(
            incident, actor=csirt.user, title="手順の見直し", owner=cast["sato"], due=None
        )
    for event in (IncidentEvent.START_TRIAGE, IncidentEvent.RESPOND, IncidentEvent.RECOVER):
        services.move_incident(incident, event, actor=csirt.user)
    services.move_incident(
        incident,
        IncidentEvent.REPORT_PREVENTION,
        actor=csirt.user,
        prevention="持出し手順の見直し",
        cause="確認漏れ",
    )
    action = raise_prevention_action(
        incident, actor=csirt.user, title="手順の見直し", owner=cast["sato"], due=None
    )
    assert (action.clause, action.owner) == ("6-3(2)オ", cast["sato"])
    assert action.quote == "再発防止策を実施するために必要な措置を指示しなければならない"
    assert action.source == incident
    assert action.plan == "持出し手順の見直し"


def test_horizontal_check_sends_one_request_per_chosen_system(
    mito: Any, somu: Any, cast: Any, csirt: Any
) -> None:
    from kitei.incidents.horizontal import request_horizontal_check  # noqa: PLC0415
    from kitei.systems.services import register_system  # noqa: PLC0415
    from tests.conftest import SETUP, make_person  # noqa: PLC0415

    systems = []
    for n in range(3):
        manager = make_person(mito, f"mgr{n}", f"管理者 {n}", department=somu)
        systems.append(
            register_system(mito, actor=SETUP, name=f"系統{n}", department=somu, manager=manager)
        )
    incident = file_as(cast["suzuki"])
    services.move_incident(incident, IncidentEvent.START_TRIAGE, actor=csirt.user)
    services.move_incident(incident, IncidentEvent.RESPOND, actor=csirt.user)
    step = incident.steps.get(clause="6-3(2)ウ", role="information_system_manager")
    assert step.decision_required
    with pytest.raises(ValidationError):
        request_horizontal_check(step, actor=csirt.user, systems=[], reason="同種の設定")
    created = request_horizontal_check(
        step, actor=csirt.user, systems=systems, reason="同じ設定のシステムがある"
    )
    assert [(s.state, [p.name for p in s.recipients.all()]) for s in created] == [
        (StepState.SENT, ["管理者 0"]),
        (StepState.SENT, ["管理者 1"]),
        (StepState.SENT, ["管理者 2"]),
    ]
    assert {s.clause for s in created} == {"6-3(2)ウ"}
    assert "同じ設定のシステムがある" in incident.timeline.get(kind="decision").text


def test_the_csirt_routes_a_step_nobody_holds_by_hand(mito: Any, suzuki: Any, sato: Any) -> None:
    from tests.conftest import make_person  # noqa: PLC0415

    csirt = make_person(mito, "csirt9", "CSIRT 九", roles=("csirt",))
    incident = file_as(suzuki)
    services.acknowledge_step(
        rows(incident, role="information_security_manager")[0], actor=sato.user
    )
    vacant = rows(incident, role="ciso")[0]
    assert vacant.vacant
    with pytest.raises(PermissionDenied):
        services.acknowledge_step(vacant, actor=sato.user, means="phone")
    with pytest.raises(ValidationError):
        services.acknowledge_step(vacant, actor=csirt.user)
    services.acknowledge_step(vacant, actor=csirt.user, means="phone")
    vacant.refresh_from_db()
    assert (vacant.state, vacant.means, vacant.acknowledged_by) == (
        StepState.ACKNOWLEDGED,
        "phone",
        csirt,
    )
