"""ASGI entry point: scripts/serve.sh serves this with uvicorn (docs/notifications/live.md).

Django runs the site's synchronous views and middleware in threads; only the live notification
stream (notify.live_views) is asynchronous, so an open stream costs a coroutine, not a worker.
"""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# WhiteNoise answers static files with a synchronous file iterator; under ASGI Django reads it in
# a thread and warns once per file. The project's static files are small (the largest, the admin
# map's OpenLayers, is under 1 MB), so reading them whole is fine and the warning is noise.
warnings.filterwarnings(
    "ignore",
    message="StreamingHttpResponse must consume synchronous iterators",
    category=Warning,
)

application = get_asgi_application()
