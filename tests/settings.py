"""Settings for the test suite: kitei's own, in debug mode, on a temporary data directory."""

import os
import tempfile

os.environ.setdefault("KITEI_DEBUG", "1")
os.environ.setdefault("KITEI_DATA_DIR", tempfile.mkdtemp(prefix="kitei-test-"))

from kitei.settings import *  # noqa: F403 - the test settings are kitei's settings
from kitei.settings import STATIC_ROOT

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing directory

# Tasks run at once, inside the call that enqueues them; tests of the worker switch to the
# database backend (tests/core/test_tasks.py).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
