"""Settings of the ASGI server that tests/browser/test_live.py starts: the project's, with static
files served from the finders by their plain names (no collectstatic needed), like the live
server of the other browser tests."""

from config.settings import *  # noqa: F403  (the project's settings, two lines changed)
from config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
