"""WSGI entry point for gunicorn (`kitei serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitei.settings")
application = get_wsgi_application()
