"""Authorization matrix (issue 12): every URL pattern × every role × inside/outside.

The rules live in tests/security/authz_matrix.py, one entry per URL pattern. A URL added to the
URL configuration without an entry fails ``test_every_url_pattern_has_a_rule``; a rule whose URL
is gone fails too. Each probe is its own test, named ``METHOD name|identity|side``.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.authz_matrix import (
    ADMIN_DEFAULT,
    ADMIN_OPEN,
    FOUND,
    IDENTITIES,
    OK,
    RULES,
    E,
)
from tests.security.world import OUT_MARKERS, World

SIDES = ("in", "out")


def url_patterns() -> list[tuple[str, str]]:
    """Every pattern of the URL configuration as (name with namespaces, route), includes walked."""
    found: list[tuple[str, str]] = []

    def walk(patterns, namespace: str, prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, route)
            elif isinstance(entry, URLPattern):
                found.append((f"{namespace}{entry.name}" if entry.name else "", route))

    walk(get_resolver().url_patterns, "", "")
    return found


def _admin(name: str) -> bool:
    return name.startswith("admin:")


def test_every_url_pattern_has_a_rule():
    """A new URL without a rule, an unnamed URL, or a rule for a URL that is gone: all fail."""
    patterns = url_patterns()
    unnamed = [route for name, route in patterns if not name and not route.startswith("admin/")]
    named = {name for name, _route in patterns if name and not _admin(name)}
    ruled = {rule.name for rule in RULES}
    assert not unnamed, f"URL patterns without a name (name them, then add a rule): {unnamed}"
    assert not named - ruled, f"URL patterns without a rule in authz_matrix.py: {named - ruled}"
    assert not ruled - named, f"rules for URL patterns that no longer exist: {ruled - named}"


def test_every_admin_pattern_is_probed():
    """The admin family is probed pattern by pattern (the list below is read from the URLconf)."""
    assert len(ADMIN_NAMES) > 10
    assert set(ADMIN_OPEN) <= set(ADMIN_NAMES)


ADMIN_NAMES = sorted({name for name, _route in url_patterns() if _admin(name)})


def _client(world: World, identity: str) -> Client:
    client = Client(headers={"accept-language": "en"})
    if identity != "anonymous":
        client.force_login(world.users[identity])
    return client


def _request(client: Client, rule: E, world: World, side: str):
    url = reverse(rule.name, kwargs=rule.args(world, side) if rule.args else None)
    query = rule.query(world, side) if callable(rule.query) else rule.query
    if rule.method == "get":
        return client.get(url, query or {})
    if rule.json:
        return client.post(url, json.dumps(rule.body), content_type="application/json")
    return client.post(url, rule.body)


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


PROBES = [
    pytest.param(rule, identity, side, id=f"{rule.probe_id}|{identity}|{side}")
    for rule in RULES
    for identity in IDENTITIES
    for side in SIDES
]


@pytest.mark.parametrize(("rule", "identity", "side"), PROBES)
def test_probe(world, db, rule: E, identity: str, side: str):
    """The identity gets the rule's status; a 2xx never carries township B's markers."""
    response = _request(_client(world, identity), rule, world, side)
    expected = rule.status(identity, side)
    assert response.status_code == expected, (
        f"{rule.probe_id} as {identity}, {side}side the jurisdiction: "
        f"expected {expected}, got {response.status_code}"
    )
    if expected == FOUND and identity == "anonymous" and rule.method == "get":
        assert response["Location"].startswith(reverse("login"))
    if OK <= response.status_code < 300:
        body = _body(response).decode("utf-8", "replace")
        leaked = [marker for marker in OUT_MARKERS if marker in body]
        assert not leaked, f"{rule.probe_id} as {identity} ({side}) shows township B's {leaked}"


def _admin_url(name: str) -> str:
    """The admin URL ``name`` with placeholder arguments."""
    for kwargs in ({}, {"object_id": "1"}, {"id": "1"}, {"app_label": "accounts"}):
        try:
            return reverse(name, kwargs=kwargs)
        except Exception:
            continue
    try:
        return reverse(name, kwargs={"content_type_id": 1, "object_id": "1"})
    except Exception:
        return reverse(name, kwargs={"url": "x"})


ADMIN_PROBES = [
    pytest.param(name, identity, id=f"GET {name}|{identity}|-")
    for name in ADMIN_NAMES
    for identity in IDENTITIES
]


@pytest.mark.parametrize(("name", "identity"), ADMIN_PROBES)
def test_admin_probe(world, db, name: str, identity: str):
    """No role is staff: every admin page sends it to the admin's login page."""
    expected = ADMIN_OPEN.get(name, ADMIN_DEFAULT)[identity]
    response = _client(world, identity).get(_admin_url(name))
    assert response.status_code == expected, f"{name} as {identity}: {response.status_code}"
    if expected == FOUND and name not in ADMIN_OPEN:
        assert response["Location"].startswith(reverse("admin:login"))
