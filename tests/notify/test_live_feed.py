"""The live feed (notify.live_views): only the user's own site notifications, pushed by the
process's listener over Server-Sent Events, or read by the polling fallback."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import connections
from django.test import AsyncClient, Client

from accounts.choices import Role
from accounts.middleware import LAST_SEEN
from notify.choices import Channel, Event
from notify.live import CHANNEL
from notify.models import Notification

STREAM, POLL = "/notifications/stream/", "/notifications/poll/"


def notify(user, key: str, *, channel: str = Channel.SITE, link: str = "/responder/", **extra):
    return Notification.objects.create(
        event=Event.OFFER,
        event_key=key,
        recipient=user,
        channel=channel,
        title=f"派遣 {key}",
        text="请尽快接收",
        link=link,
        **extra,
    )


@pytest.fixture
def two_members(make_user):
    return make_user("member-a", Role.RESPONDER), make_user("member-b", Role.RESPONDER)


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_poll_returns_only_the_users_own_site_notifications_after_the_cursor(two_members):
    a, b = two_members
    first = notify(a, "offer:1")
    notify(b, "offer:1")  # someone else's
    notify(a, "offer:1", channel=Channel.SMS)  # not a site notification
    second = notify(a, "offer:2", incident=None)

    body = signed_in(a).get(POLL, {"after": first.pk}).json()

    assert [item["id"] for item in body["notifications"]] == [second.pk]
    assert body["notifications"][0] == {
        "id": second.pk,
        "event": "offer",
        "title": "派遣 offer:2",
        "text": "请尽快接收",
        "link": "/responder/",
        "incident": None,
        "urgent": False,
        "created_at": second.created_at.isoformat(),
    }
    assert body["unread"] == 2
    assert body["last"] == second.pk
    everything = signed_in(a).get(POLL).json()["notifications"]
    assert [item["id"] for item in everything] == [first.pk, second.pk]


@pytest.mark.django_db
def test_a_link_off_the_site_is_never_passed_on(two_members):
    a, _b = two_members
    for number, link in enumerate(("https://evil.example/", "//evil.example/x", "javascript:x")):
        notify(a, f"offer:{number}", link=link)
    links = {item["link"] for item in signed_in(a).get(POLL).json()["notifications"]}
    assert links == {""}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [STREAM, POLL])
def test_anonymous_visitors_get_401(url):
    response = Client().get(url)
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.django_db
def test_under_wsgi_the_stream_answers_204_so_the_page_polls(two_members):
    """204 tells EventSource not to reconnect; live.js then polls."""
    response = signed_in(two_members[0]).get(STREAM)
    assert response.status_code == 204


def run_async(scenario):
    """Run ``scenario()`` to its end on an event loop of a thread of its own (the browser tests'
    Playwright keeps a loop running in the main thread), closing that thread's connections."""

    def work():
        try:
            return async_to_sync(scenario)()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


async def _events(response, count: int, timeout: float = 5.0) -> list[tuple[str, dict]]:
    """The next ``count`` events (name, data) of an SSE response; comments are skipped."""
    found: list[tuple[str, dict]] = []
    buffer = ""
    stream = aiter(response.streaming_content)
    while len(found) < count:
        buffer += (await asyncio.wait_for(anext(stream), timeout)).decode()
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
            if "event" in fields:
                found.append((fields["event"], json.loads(fields["data"])))
    return found


@pytest.mark.django_db(transaction=True)
def test_the_stream_pushes_the_users_new_notifications_and_nobody_elses(two_members, settings):
    a, b = two_members
    settings.LIVE_HEARTBEAT_SECONDS = 1
    earlier = notify(a, "offer:0")

    async def scenario() -> list[tuple[str, dict]]:
        client = AsyncClient()
        await client.aforce_login(a)
        response = await client.get(STREAM, headers={"last-event-id": str(earlier.pk - 1)})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/event-stream")
        assert response["X-Accel-Buffering"] == "no"
        seen = await _events(response, 2)  # ready, then the replay of ``earlier``
        await sync_to_async(notify)(b, "offer:1")  # another member's: never on a's stream
        mine = await sync_to_async(notify)(a, "offer:1")
        seen += await _events(response, 1)
        await response.streaming_content.aclose()
        assert seen[-1][1]["id"] == mine.pk
        return seen

    seen = run_async(scenario)
    assert [name for name, _data in seen] == ["ready", "notification", "notification"]
    assert seen[0][1] == {"unread": 1, "after": earlier.pk - 1}
    assert seen[1][1]["id"] == earlier.pk
    assert seen[2][1]["title"] == "派遣 offer:1"
    assert seen[2][1]["unread"] == 2
    assert {data.get("id") for _name, data in seen} <= {None, earlier.pk, seen[2][1]["id"]}


@pytest.mark.django_db(transaction=True)
def test_the_stream_ends_after_its_time_and_sends_heartbeats(two_members, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 1
    settings.LIVE_STREAM_SECONDS = 2

    async def scenario() -> str:
        client = AsyncClient()
        await client.aforce_login(two_members[0])
        response = await client.get(STREAM)
        chunks = [chunk async for chunk in response.streaming_content]
        return b"".join(chunks).decode()

    body = run_async(scenario)
    assert body.startswith("retry: 3000\n\n")
    assert ": heartbeat\n\n" in body


@pytest.mark.django_db
def test_the_live_feed_does_not_keep_an_idle_session_alive(two_members, settings):
    """An open tab polls for ever; only what the user does counts against SESSION_IDLE_MINUTES."""
    client = signed_in(two_members[0])
    stamp = time.time() - 10 * 60
    session = client.session
    session[LAST_SEEN] = stamp
    session.save()

    assert client.get(POLL).status_code == 200
    assert client.get(STREAM).status_code == 204
    assert client.session[LAST_SEEN] == stamp

    assert client.get("/").status_code == 200  # a page the user opened: activity
    assert client.session[LAST_SEEN] > stamp

    session = client.session
    session[LAST_SEEN] = time.time() - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    response = client.get(POLL)
    assert response.status_code == 302  # signed out; live.js stops on the redirect
    assert client.get(POLL).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_a_notification_written_while_the_listener_is_down_still_arrives(two_members, settings):
    """The database drops the LISTEN connection (restart, failover): the hub reconnects and the
    stream re-reads from its last id, so nothing committed meanwhile is lost."""
    a, _b = two_members
    settings.LIVE_HEARTBEAT_SECONDS = 1

    def drop_listener() -> int:
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE query = %s AND pid <> pg_backend_pid()",
                [f"LISTEN {CHANNEL}"],
            )
            return cursor.rowcount

    async def scenario() -> tuple[int, list[tuple[str, dict]], int]:
        client = AsyncClient()
        await client.aforce_login(a)
        response = await client.get(STREAM)
        await _events(response, 1)  # ready: the listener is in place
        dropped = await sync_to_async(drop_listener)()
        mine = await sync_to_async(notify)(a, "offer:during-outage")
        seen = await _events(response, 1, timeout=10)
        await response.streaming_content.aclose()
        return dropped, seen, mine.pk

    dropped, seen, mine = run_async(scenario)
    assert dropped == 1
    assert seen == [("notification", seen[0][1])]
    assert seen[0][1]["id"] == mine
