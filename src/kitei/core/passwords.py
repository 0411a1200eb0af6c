"""Passwords: how they are stored (Argon2id, OWASP's parameters) and a strength validator
(zxcvbn) with Japanese messages, in AUTH_PASSWORD_VALIDATORS.

Length and a list of common passwords let `aaaaaaaaaaaa` and `passwordpassword` through;
zxcvbn estimates how many guesses a password needs (repeats, keyboard rows, sequences,
dates, dictionary words, the user's own name …) and kitei refuses scores below 3.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from zxcvbn import zxcvbn


class OwaspArgon2idHasher(Argon2PasswordHasher):
    """Argon2id at the parameters of OWASP's Password Storage Cheat Sheet (2024/2025):
    19 MiB of memory, 2 iterations, 1 degree of parallelism.

    First in PASSWORD_HASHERS, so a password stored with another hasher (Django's PBKDF2,
    or Argon2 at other parameters) is re-hashed at its owner's next successful login
    (Django compares the stored hash's algorithm and parameters with these). Verifying one
    costs about 26 ms on one core, against about 350 ms for PBKDF2 at Django's 1,000,000
    iterations, which is what lets 200 people sign in within a minute on two cores.
    The algorithm name stays Django's "argon2": hashes it wrote at its own parameters are
    read by this hasher and upgraded.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB: 19 MiB
    parallelism = 1


# zxcvbn reads at most this many characters; a longer password is judged by its start.
MAX_LENGTH = 72

# zxcvbn's warnings (English) in Japanese.
WARNINGS: dict[str, Promise] = {
    "Straight rows of keys are easy to guess.": gettext_lazy(
        "キーボードの並び（qwerty など）は推測されやすくなります。"
    ),
    "Short keyboard patterns are easy to guess.": gettext_lazy(
        "短いキーボードの並びは推測されやすくなります。"
    ),
    'Repeats like "aaa" are easy to guess.': gettext_lazy(
        "「aaa」のような同じ文字の繰り返しは推測されやすくなります。"
    ),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': gettext_lazy(
        "「abcabcabc」のような繰り返しは、「abc」とほとんど同じくらい推測されやすくなります。"
    ),
    'Sequences like "abc" or "6543" are easy to guess.': gettext_lazy(
        "「abc」や「6543」のような連続は推測されやすくなります。"
    ),
    "Recent years are easy to guess.": gettext_lazy("最近の年は推測されやすくなります。"),
    "Dates are often easy to guess.": gettext_lazy("日付は推測されやすくなります。"),
    "This is a top-10 common password.": gettext_lazy(
        "よく使われるパスワードの上位 10 件に入っています。"
    ),
    "This is a top-100 common password.": gettext_lazy(
        "よく使われるパスワードの上位 100 件に入っています。"
    ),
    "This is a very common password.": gettext_lazy("よく使われるパスワードです。"),
    "This is similar to a commonly used password.": gettext_lazy(
        "よく使われるパスワードに似ています。"
    ),
    "A word by itself is easy to guess.": gettext_lazy(
        "単語ひとつだけでは推測されやすくなります。"
    ),
    "Names and surnames by themselves are easy to guess.": gettext_lazy(
        "名前や名字だけでは推測されやすくなります。"
    ),
    "Common names and surnames are easy to guess.": gettext_lazy(
        "よくある名前や名字は推測されやすくなります。"
    ),
}


def user_inputs(user: Any) -> list[str]:
    """What an attacker knows about the account: login, names, e-mail, organisation."""
    if user is None:
        return []
    values = [
        str(user.get_username() or ""),
        str(getattr(user, "first_name", "") or ""),
        str(getattr(user, "last_name", "") or ""),
    ]
    email = str(getattr(user, "email", "") or "")
    values += [email, *email.replace("@", ".").split(".")]
    # The account's person in every organisation it belongs to (a reverse relation: core
    # never imports people).
    persons = user.persons.select_related("organization") if user.pk else ()
    for person in persons:
        values += [person.name, *person.name.split(), person.email]
        values += [person.organization.slug, person.organization.name]
    # Parts of a login like mito-staff or sato.ichiro are guessed one by one too.
    for value in list(values):
        values += value.replace("-", " ").replace("_", " ").replace(".", " ").split()
    return sorted({v.lower() for v in values if len(v) >= 3})


class StrengthValidator:
    """Refuses passwords zxcvbn scores below `min_score` (0–4), saying why in Japanese."""

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        inputs = user_inputs(user)
        result = zxcvbn(password[:MAX_LENGTH], user_inputs=inputs)
        if result["score"] >= self.min_score:
            return
        reasons = []
        if any(m.get("dictionary_name") == "user_inputs" for m in result["sequence"]):
            reasons.append(_("ユーザー名・氏名・組織名などを含めないでください。"))
        warning = WARNINGS.get(result["feedback"]["warning"])
        if warning is not None:
            reasons.append(str(warning))
        raise ValidationError(
            _("推測されやすいパスワードです。%(reasons)s%(advice)s")
            % {"reasons": "".join(reasons), "advice": self.advice()},
            code="password_too_guessable",
        )

    @staticmethod
    def advice() -> str:
        return _("関係のない単語をいくつか組み合わせるなど、長く推測されにくいものにしてください。")

    def get_help_text(self) -> str:
        return _(
            "同じ文字や単語の繰り返し、キーボードの並び、日付、名前などを使った、"
            "推測されやすいパスワードは使えません。"
        )
