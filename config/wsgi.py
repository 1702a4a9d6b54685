"""WSGI entry point (runserver, the test client, any WSGI server; scripts/serve.sh serves
config.asgi instead, for the live notification stream)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
