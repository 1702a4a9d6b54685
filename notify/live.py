"""One PostgreSQL listener per server process, fanning new notifications out to open streams.

The trigger of ``notify/0002_live_trigger`` sends ``NOTIFY pingan_notify, '<user id>:<id>'`` when a
site notification is committed. Each server process keeps one psycopg ``AsyncConnection`` that
LISTENs on that channel (not one per browser), and hands each id to the queues of that user's open
streams. When the listening connection breaks, it reconnects with back-off and tells every stream
to re-read what it may have missed (``RESYNC``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

import psycopg
from django.db import connections

logger = logging.getLogger(__name__)

CHANNEL = "pingan_notify"  # the trigger's channel (notify/migrations/0002_live_trigger.py)
RESYNC = 0  # queued instead of an id: re-read everything after the last id sent
QUEUE_SIZE = 200


def listen_params() -> dict:
    """Connection keywords for the listener, from the default database's settings."""
    params = connections["default"].get_connection_params()
    # Django's cursor class and adapters are for its own synchronous connections.
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return params


class Hub:
    """The listener of one event loop and the queues of the streams it serves."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queues: dict[int, set[asyncio.Queue[int]]] = defaultdict(set)
        self.ready = asyncio.Event()
        self.task: asyncio.Task | None = None

    def subscribe(self, user_id: int) -> asyncio.Queue[int]:
        """A queue that receives the ids of ``user_id``'s new site notifications."""
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.queues[user_id].add(queue)
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self._listen(), name="notify-live-listener")
        return queue

    def unsubscribe(self, user_id: int, queue: asyncio.Queue[int]) -> None:
        """Forget a stream's queue (the stream ended or the browser went away)."""
        queues = self.queues.get(user_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self.queues[user_id]
        if not self.queues and self.task is not None:
            # Nobody listens in this process any more: give the connection back.
            self.task.cancel()
            self.task = None
            self.ready.clear()

    async def wait_ready(self, timeout: float) -> bool:
        """Whether the listener is in place (LISTEN done) within ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self.ready.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def dispatch(self, payload: str) -> None:
        """Hand one ``'<user id>:<notification id>'`` payload to that user's queues."""
        user, _sep, notification = payload.partition(":")
        try:
            user_id, notification_id = int(user), int(notification)
        except ValueError:
            logger.warning("Ignored a malformed %s payload.", CHANNEL)
            return
        for queue in self.queues.get(user_id, ()):
            self._put(queue, notification_id)

    def resync_all(self) -> None:
        for queues in self.queues.values():
            for queue in queues:
                self._put(queue, RESYNC)

    @staticmethod
    def _put(queue: asyncio.Queue[int], item: int) -> None:
        try:
            queue.put_nowait(item)
        except asyncio.QueueFull:
            # A stream this far behind re-reads from its last id instead of item by item.
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(RESYNC)

    async def _listen(self) -> None:
        delay = 1.0
        first = True
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    **listen_params(), autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")  # a constant name, not input
                    self.ready.set()
                    if not first:
                        self.resync_all()  # ids sent while the listener was away
                    first, delay = False, 1.0
                    async for notify in conn.notifies():
                        self.dispatch(notify.payload)
            except psycopg.Error as error:
                self.ready.clear()
                name = type(error).__name__
                logger.warning("Live notification listener lost (%s); retrying.", name)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def hub() -> Hub:
    """The running event loop's hub (uvicorn: one loop, so one listener, per worker process)."""
    loop = asyncio.get_running_loop()
    for old in [other for other in _hubs if other.is_closed()]:
        del _hubs[old]
    if loop not in _hubs:
        _hubs[loop] = Hub(loop)
    return _hubs[loop]
