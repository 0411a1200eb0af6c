"""kitei.policy: policy packs and the decision engine, in pure Python (no Django)."""

from kitei.policy.engine import Decision, Engine, Request, RequestError
from kitei.policy.loader import LoadedPack, PackError, load_pack, load_pack_source

__all__ = [
    "Decision",
    "Engine",
    "LoadedPack",
    "PackError",
    "Request",
    "RequestError",
    "load_pack",
    "load_pack_source",
]
