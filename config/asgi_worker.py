"""The gunicorn worker class of the production service (``gunicorn -k config.asgi_worker.Worker``,
deploy/templates/pingan-web.service).

gunicorn supervises the processes (restarts a dead or hung one, graceful reloads); each serves
config.asgi with uvicorn, as scripts/serve.sh does: the live notification stream needs ASGI
(docs/notifications/live.md). The options are serve.sh's: proxy headers are Django's business
(SECURE_PROXY_SSL_HEADER, NUM_PROXIES), no Server header, no lifespan events (Django has none).
"""

from typing import Any

from uvicorn_worker import UvicornWorker


class Worker(UvicornWorker):
    """uvicorn under gunicorn with the options of scripts/serve.sh."""

    CONFIG_KWARGS: dict[str, Any] = {
        "loop": "auto",
        "http": "auto",
        "proxy_headers": False,
        "server_header": False,
        "lifespan": "off",
    }
