"""A fake WeCom robot, DingTalk robot and SMS gateway on 127.0.0.1 that records what it receives.

Used by the tests (the ``fake_receiver`` fixture), the demo and the benches::

    .venv/bin/python -m tests.fakes.receiver --port 8790 [--fail-rate 0.2] [--delay 0.1]

prints one JSON line per received message; ``GET /_received`` serves the record,
``POST /_reset`` empties it, ``POST /_control`` with JSON ``{"fail_rate": 0.2, "delay": 0,
"errcode": null}`` changes the behaviour of a running receiver.

Paths answer like the real services:
- ``/cgi-bin/webhook/send`` — WeCom group robot: ``{"errcode": 0, "errmsg": "ok"}``;
- ``/robot/send`` — DingTalk robot, the same answer; with a ``dingtalk_secret`` it checks
  ``timestamp`` and ``sign`` and answers errcode 310000 when they are wrong;
- ``/sms`` — a generic JSON gateway: ``{"ok": true}``;
- ``/aliyun/`` — Alibaba Cloud SendSms: ``{"Code": "OK", …}``; with an ``aliyun_secret`` it checks
  the RPC signature (``SignatureDoesNotMatch``, HTTP 400, when wrong).
Anything else answers 404. Standard library only: no Django, runnable on its own.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

HEADER = "X-Pingan-Notification"
WECOM_PATH = "/cgi-bin/webhook/send"
DINGTALK_PATH = "/robot/send"
SMS_PATH = "/sms"
ALIYUN_PATH = "/aliyun/"


@dataclass
class Received:
    """One request as the receiver saw it, and what it answered."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    time: float
    status: int
    accepted: bool
    uid: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
            "time": self.time,
            "status": self.status,
            "accepted": self.accepted,
            "uid": self.uid,
        }


@dataclass
class Behaviour:
    """How the receiver answers; changeable while it runs."""

    fail_rate: float = 0.0  # fraction of calls answered with fail_status
    fail_status: int = 503
    delay: float = 0.0  # seconds to wait before answering
    errcode: int | None = None  # answer robots with this errcode instead of 0
    dingtalk_secret: str = ""
    aliyun_secret: str = ""
    seed: int = 13
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)


def dingtalk_sign(secret: str, timestamp: str) -> str:
    """DingTalk's signature, written from its documentation (independent of notify.channels)."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def aliyun_sign(params: dict[str, str], secret: str, method: str) -> str:
    """Alibaba Cloud's RPC signature, written from its documentation."""

    def enc(value: str) -> str:
        return quote(value, safe="~")

    query = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&%2F&{enc(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class FakeReceiver:
    """The threaded fake server; ``url(path)`` gives its address, ``received`` the record."""

    def __init__(self, port: int = 0, *, echo: Callable[[Received], None] | None = None) -> None:
        self.behaviour = Behaviour()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.echo = echo
        self.server = ReceiverServer(port, self)
        self.thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/") -> str:
        """``http://127.0.0.1:PORT`` + ``path``."""
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> FakeReceiver:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def configure(self, **changes: Any) -> None:
        """Changes the behaviour (fail_rate, fail_status, delay, errcode, secrets, seed)."""
        with self.lock:
            for name, value in changes.items():
                if not hasattr(self.behaviour, name) or name == "rng":
                    raise AttributeError(name)
                setattr(self.behaviour, name, value)
            if "seed" in changes:
                self.behaviour.rng = random.Random(self.behaviour.seed)

    def reset(self) -> None:
        """Forgets what was received and goes back to answering every call with success."""
        with self.lock:
            self.received.clear()
            self.behaviour = Behaviour()

    def messages(self, path: str | None = None) -> list[Received]:
        """Messages received (all, or on ``path``), oldest first, control calls excluded."""
        with self.lock:
            return [r for r in self.received if path is None or r.path == path]

    def delivered(self, path: str | None = None) -> list[Received]:
        """Messages the receiver accepted (answered 200 with a success body)."""
        return [r for r in self.messages(path) if r.accepted]

    def distinct_ids(self, *, delivered_only: bool = True) -> set[str]:
        """The distinct X-Pingan-Notification values (accepted messages only by default)."""
        source = self.delivered() if delivered_only else self.messages()
        return {r.uid for r in source if r.uid}

    def duplicates(self) -> int:
        """Accepted messages beyond the first for each notification id."""
        accepted = [r.uid for r in self.delivered() if r.uid]
        return len(accepted) - len(set(accepted))

    def wait_for(self, count: int, timeout: float = 5.0, path: str | None = None) -> bool:
        """Waits until at least ``count`` messages (on ``path``) have been received."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages(path)) >= count:
                return True
            time.sleep(0.01)
        return False

    # --- the HTTP side ----------------------------------------------------------------------

    def _record(self, item: Received) -> None:
        with self.lock:
            self.received.append(item)
        if self.echo is not None:
            self.echo(item)

    def _answer(self, path: str, query: dict[str, str], body: Any, raw: str) -> tuple[int, dict]:
        """What to answer a message, given the behaviour."""
        with self.lock:
            behaviour = self.behaviour
            fail = behaviour.fail_rate > 0 and behaviour.rng.random() < behaviour.fail_rate
        if behaviour.delay:
            time.sleep(behaviour.delay)
        if fail:
            return behaviour.fail_status, {"errcode": -1, "errmsg": "fake failure"}
        if path in {WECOM_PATH, DINGTALK_PATH}:
            return 200, self._robot(path, query, body, behaviour)
        if path == SMS_PATH:
            if not isinstance(body, dict) or not body.get("phone"):
                return 400, {"ok": False, "error": "phone required"}
            return 200, {"ok": True}
        if path == ALIYUN_PATH:
            return self._aliyun(raw, behaviour)
        return 404, {"errcode": 404, "errmsg": "no such path"}

    @staticmethod
    def _robot(path: str, query: dict[str, str], body: Any, behaviour: Behaviour) -> dict:
        """A WeCom or DingTalk robot's answer."""
        if path == DINGTALK_PATH and behaviour.dingtalk_secret:
            stamp, sign = query.get("timestamp", ""), query.get("sign", "")
            fresh = stamp.isdigit() and abs(time.time() * 1000 - int(stamp)) < 3_600_000
            if not fresh or sign != dingtalk_sign(behaviour.dingtalk_secret, stamp):
                return {"errcode": 310000, "errmsg": "sign not match"}
        if not isinstance(body, dict) or body.get("msgtype") not in {"text", "markdown"}:
            return {"errcode": 40008, "errmsg": "invalid message type"}
        code = behaviour.errcode or 0
        return {"errcode": code, "errmsg": "ok" if code == 0 else "fake errcode"}

    @staticmethod
    def _aliyun(raw: str, behaviour: Behaviour) -> tuple[int, dict]:
        """Alibaba Cloud SendSms's answer."""
        params = dict(parse_qsl(raw, keep_blank_values=True))
        signature = params.pop("Signature", "")
        if behaviour.aliyun_secret and signature != aliyun_sign(
            params, behaviour.aliyun_secret, "POST"
        ):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "signature mismatch"}
        if behaviour.errcode is not None:
            return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "fake limit"}
        return 200, {"Code": "OK", "Message": "OK", "BizId": "fake", "RequestId": "fake"}


def parse_body(content_type: str, raw: str) -> Any:
    """A request body as JSON, a form (dict) or text."""
    if "json" in content_type:
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    if "form" in content_type:
        return dict(parse_qsl(raw, keep_blank_values=True))
    return raw


def accepted(status: int, payload: dict) -> bool:
    """Whether an answer says the message was taken (what a real service would deliver)."""
    return (
        status == 200
        and payload.get("errcode", 0) == 0
        and payload.get("Code", "OK") == "OK"
        and payload.get("ok", True) is True
    )


class Handler(BaseHTTPRequestHandler):
    """Routes to the FakeReceiver on ``self.server.receiver``."""

    protocol_version = "HTTP/1.1"
    # Headers and body leave in one write: separate small writes on a keep-alive connection
    # meet the client's delayed ACK and cost 40 ms per message.
    wbufsize = 64 * 1024
    server: ReceiverServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the record (and the command's JSON lines) are the log

    def _send(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/_received":
            self._send(200, [r.as_dict() for r in self.server.receiver.messages()])
        else:
            self._send(404, {"detail": "not found"})

    def do_POST(self) -> None:
        receiver = self.server.receiver
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace")
        if parts.path == "/_reset":
            receiver.reset()
            self._send(200, {"ok": True})
            return
        if parts.path == "/_control":
            try:
                receiver.configure(**json.loads(raw or "{}"))
            except (AttributeError, TypeError, ValueError) as exc:
                self._send(400, {"detail": str(exc)})
                return
            self._send(200, {"ok": True})
            return
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body = parse_body(self.headers.get("Content-Type", ""), raw)
        status, payload = receiver._answer(parts.path, query, body, raw)
        receiver._record(
            Received(
                method="POST",
                path=parts.path,
                query=query,
                headers=dict(self.headers.items()),
                body=body,
                time=time.time(),
                status=status,
                accepted=accepted(status, payload),
                uid=self.headers.get(HEADER),
            )
        )
        self._send(status, payload)


class ReceiverServer(ThreadingHTTPServer):
    """The HTTP server, knowing its receiver."""

    daemon_threads = True

    def __init__(self, port: int, receiver: FakeReceiver) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.receiver = receiver


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--dingtalk-secret", default="")
    args = parser.parse_args(argv)

    def echo(item: Received) -> None:
        print(json.dumps(item.as_dict(), ensure_ascii=False), flush=True)

    receiver = FakeReceiver(args.port, echo=echo)
    receiver.configure(
        fail_rate=args.fail_rate, delay=args.delay, dingtalk_secret=args.dingtalk_secret
    )
    print(
        json.dumps({"listening": receiver.url(), "received": receiver.url("/_received")}),
        flush=True,
    )
    try:
        receiver.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
