"""The one way a channel adapter talks to the outside: a POST with the rules every adapter needs.

The URL comes from configuration (a CenterChannel row or the environment), never from a request;
it must be https unless it points at this machine (127.0.0.1, localhost, ::1) or NOTIFY_ALLOW_HTTP
is set for an intranet gateway. TLS is verified (against NOTIFY_CA_BUNDLE when set), the timeout is
NOTIFY_HTTP_TIMEOUT seconds, redirects are never followed. Every request carries the
notification's uid in ``X-Pingan-Notification`` so a gateway can drop a repeated delivery.

Error texts end up in ``Notification.last_error`` and on admin pages, so they never contain the
URL's query (WeCom's key and DingTalk's access_token live there) nor any secret: ``redact``
removes each known secret, raw and URL-encoded, from whatever text is about to leave.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit, urlunsplit

import requests
from django.conf import settings

from notify.channels import DeliveryError

HEADER = "X-Pingan-Notification"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# How much of a gateway's answer is kept in an error text.
ANSWER_CHARS = 200
# One session per thread: keep-alive connections to the same robot or gateway are reused (a new
# TCP + TLS handshake per message would cap a worker at a few hundred messages a minute).
_local = threading.local()


def session() -> requests.Session:
    """This thread's HTTP session."""
    current = getattr(_local, "session", None)
    if current is None:
        current = _local.session = requests.Session()
    return current


@dataclass(frozen=True)
class Answer:
    """A gateway's answer: HTTP status and the body, parsed as JSON when it is JSON."""

    status: int
    body: Any
    text: str
    # What must never appear in a message built from this answer.
    secrets: tuple[str, ...] = ()


def public_url(url: str) -> str:
    """``url`` without its query, user info and fragment: what may be shown or logged."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def url_secrets(url: str) -> list[str]:
    """Every query value of ``url`` (keys, tokens, signatures) and any user info in it."""
    parts = urlsplit(url)
    found = [value for _name, value in parse_qsl(parts.query, keep_blank_values=False)]
    found += [part for part in (parts.username, parts.password) if part]
    return found


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret (as is and URL-encoded) replaced by ``***``."""
    forms: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= 3:
            forms.update({secret, quote(secret, safe=""), quote_plus(secret)})
    # Longest first, so a secret that contains another is removed whole.
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def check_url(url: str) -> None:
    """Refuses (non-retryable) a URL the rules above do not allow."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DeliveryError(f"Not an http(s) URL: {public_url(url)!r}.", retryable=False)
    local = parts.hostname in LOCAL_HOSTS
    if parts.scheme == "http" and not local and not settings.NOTIFY_ALLOW_HTTP:
        raise DeliveryError(
            f"Refused plain http to {parts.hostname}: use https, or set NOTIFY_ALLOW_HTTP "
            "for an intranet gateway.",
            retryable=False,
        )


def post(
    url: str,
    *,
    uid: str,
    json_body: Mapping[str, Any] | None = None,
    form: Mapping[str, str] | None = None,
    secrets: Iterable[str] = (),
    only_2xx: bool = True,
) -> Answer:
    """POSTs to ``url`` and returns a 2xx answer; raises DeliveryError otherwise.

    Timeouts, connection failures, 408, 429 and 5xx are retryable; a redirect, another 4xx, a TLS
    failure or a refused URL are not. ``secrets`` are removed from every error text (the URL's
    own query values always are). With ``only_2xx=False`` any answer is returned, for gateways
    whose error bodies say more than their status.
    """
    check_url(url)
    hidden = [*url_secrets(url), *secrets]
    where = public_url(url)
    timeout = settings.NOTIFY_HTTP_TIMEOUT
    headers = {HEADER: uid, "User-Agent": "pingan-grid-notify"}
    try:
        response = session().post(
            url,
            json=json_body,
            data=form,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            verify=settings.NOTIFY_CA_BUNDLE or True,
        )
    except requests.Timeout as exc:
        raise DeliveryError(f"No answer from {where} within {timeout:g} s.") from exc
    except requests.exceptions.SSLError as exc:
        # A certificate that does not verify will not verify on the next try either.
        reason = redact(str(exc), hidden)
        raise DeliveryError(
            f"TLS verification failed for {where}: {reason[:ANSWER_CHARS]}", retryable=False
        ) from exc
    except requests.ConnectionError as exc:
        reason = redact(str(exc), hidden)
        raise DeliveryError(f"Could not connect to {where}: {reason[:ANSWER_CHARS]}") from exc
    except requests.RequestException as exc:
        reason = redact(str(exc), hidden)
        raise DeliveryError(
            f"Request to {where} failed: {reason[:ANSWER_CHARS]}", retryable=False
        ) from exc
    with response:
        text = response.text
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    answer = Answer(status=response.status_code, body=body, text=text, secrets=tuple(hidden))
    if 200 <= answer.status < 300 or not only_2xx:
        return answer
    raise status_error(answer, where=where)


def shown(answer: Answer, text: str | None = None) -> str:
    """``text`` (default: the answer's body) stripped of secrets and cut short, for a message."""
    return redact((answer.text if text is None else text).strip(), answer.secrets)[:ANSWER_CHARS]


def status_error(answer: Answer, *, where: str) -> DeliveryError:
    """The DeliveryError for a non-2xx answer: 408, 429 and 5xx may pass, the rest will not."""
    if 300 <= answer.status < 400:
        return DeliveryError(
            f"{where} answered a redirect ({answer.status}); redirects are not followed.",
            retryable=False,
        )
    retryable = answer.status in {408, 429} or answer.status >= 500
    return DeliveryError(
        f"{where} answered HTTP {answer.status}: {shown(answer)}", retryable=retryable
    )


def errcode_error(
    answer: Answer, *, service: str, retry_codes: frozenset[int]
) -> DeliveryError | None:
    """For robots that answer ``{"errcode": …, "errmsg": …}``: None when errcode is 0."""
    body = answer.body
    if not isinstance(body, dict) or "errcode" not in body:
        return DeliveryError(
            f"{service} gave an unexpected answer: {shown(answer)!r}", retryable=False
        )
    try:
        code = int(body["errcode"])
    except (TypeError, ValueError):
        code = -999
    if code == 0:
        return None
    message = shown(answer, str(body.get("errmsg", "")))
    return DeliveryError(
        f"{service} refused the message: errcode {code} ({message})",
        retryable=code in retry_codes,
    )
