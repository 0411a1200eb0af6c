"""The transition table of requests (申請): the only moves `approvals.services` makes.

Approving and rejecting are decided by the approval route itself (the current step's roles,
deputies in period, separation of duties), which `services` checks and records when refused:
those transitions carry no permission, only the rule that decides them.
"""

from __future__ import annotations

from kitei.approvals.choices import RequestAuditAction, RequestEvent, RequestState
from kitei.core.workflow import Transition, TransitionTable

# Who decides a verdict: the route of the pack's decision, not a kitei permission.
_ROUTE = (
    "パックの判断が定める承認経路の、現在の段階の役割を担う者（有効期間内の代行を含む）が"
    "申請の部署・情報システムについて判断します。申請者本人は判断できません"
    "（パックが理由を記録した例外を認める場合を除く）。"
)
_WITHDRAW = "申請者本人は、判断が出る前の申請を取り下げられます（kitei の規則）。"
_COMPLETE = "承認・許可された操作を記録簿に記録すると、申請は完了します（kitei の規則）。"

_OPEN = (RequestState.PENDING, RequestState.GAP)

REQUEST_WORKFLOW = TransitionTable(
    states=RequestState,
    events=RequestEvent,
    transitions={
        **{
            (state, RequestEvent.APPROVE_STEP): Transition(
                next_state=state,
                permission=None,
                clause=_ROUTE,
                action=RequestAuditAction.APPROVE_REQUEST,
            )
            for state in _OPEN
        },
        **{
            (state, RequestEvent.APPROVE): Transition(
                next_state=RequestState.APPROVED,
                permission=None,
                clause=_ROUTE,
                action=RequestAuditAction.APPROVE_REQUEST,
            )
            for state in _OPEN
        },
        **{
            (state, RequestEvent.REJECT): Transition(
                next_state=RequestState.REJECTED,
                permission=None,
                clause=_ROUTE,
                action=RequestAuditAction.REJECT_REQUEST,
            )
            for state in _OPEN
        },
        **{
            (state, RequestEvent.WITHDRAW): Transition(
                next_state=RequestState.WITHDRAWN,
                permission="requests.file",
                clause=_WITHDRAW,
                action=RequestAuditAction.WITHDRAW_REQUEST,
            )
            for state in _OPEN
        },
        **{
            (state, RequestEvent.COMPLETE): Transition(
                next_state=RequestState.COMPLETED,
                permission="records.write",
                clause=_COMPLETE,
                action=RequestAuditAction.COMPLETE_REQUEST,
            )
            for state in (RequestState.APPROVED, RequestState.PERMITTED)
        },
    },
)
"""Every move of a request; REJECTED, WITHDRAWN and COMPLETED are final."""
