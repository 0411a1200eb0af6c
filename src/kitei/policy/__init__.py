"""kitei.policy: policy packs and the decision engine, in pure Python (no Django)."""

from kitei.policy.decision import ApprovalMode, Constraint, Decision, Effect, PackRef, Reason, Step
from kitei.policy.engine import Engine, Request, RequestError
from kitei.policy.loader import LoadedPack, PackError, load_pack, load_pack_source

__all__ = [
    "ApprovalMode",
    "Constraint",
    "Decision",
    "Effect",
    "Engine",
    "LoadedPack",
    "PackError",
    "PackRef",
    "Reason",
    "Request",
    "RequestError",
    "Step",
    "load_pack",
    "load_pack_source",
]
