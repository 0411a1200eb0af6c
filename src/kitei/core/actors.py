"""Who acts when nobody is logged in: a CLI command's OS user, the demo builder, test set-up.

Kept free of model imports so that anything (tests' conftest, CLI parsing) can name an
operator before Django's app registry is ready; `kitei.core.access` re-exports it.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class Operator:
    """Someone acting outside the web application: a CLI command's OS user, the demo builder.

    Recorded by name in the audit trail. An operator with shell access to the server runs
    kitei's administrative commands (kitei's own rule); to act with a person's permissions
    a command names them (`--as USERNAME`).
    """

    name: str
    is_authenticated: bool = field(default=False, init=False)

    @classmethod
    def from_os(cls, command: str = "") -> Operator:
        """The OS user running this process, as `os:USER` (and the command, when given)."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (containers): still name something
            user = "unknown"
        return cls(name=f"os:{user}" + (f" ({command})" if command else ""))

    def get_username(self) -> str:
        return self.name
