"""The fake receiver itself: failure fraction, distinct ids, the /_received record."""

from __future__ import annotations

import json
import urllib.request

from tests.fakes.receiver import WECOM_PATH, FakeReceiver


def post(url: str, uid: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps({"msgtype": "text", "text": {"content": uid}}).encode(),
        headers={"Content-Type": "application/json", "X-Pingan-Notification": uid},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_fails_about_the_asked_fraction_and_counts_distinct_ids(fake_receiver: FakeReceiver):
    fake_receiver.configure(fail_rate=0.2)
    statuses = [post(fake_receiver.url(WECOM_PATH), f"id-{n % 50}") for n in range(200)]

    failed = statuses.count(503)
    assert 20 <= failed <= 60
    assert len(fake_receiver.messages()) == 200
    assert fake_receiver.distinct_ids(delivered_only=False) == {f"id-{n}" for n in range(50)}
    assert fake_receiver.duplicates() == 200 - failed - len(fake_receiver.distinct_ids())


def test_serves_its_record_and_can_be_controlled_over_http(fake_receiver: FakeReceiver):
    post(fake_receiver.url(WECOM_PATH), "one")
    with urllib.request.urlopen(fake_receiver.url("/_received"), timeout=5) as response:
        record = json.load(response)
    assert [item["uid"] for item in record] == ["one"]
    assert record[0]["body"]["text"]["content"] == "one"

    control = urllib.request.Request(
        fake_receiver.url("/_control"),
        data=json.dumps({"fail_rate": 1.0}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(control, timeout=5).close()
    assert post(fake_receiver.url(WECOM_PATH), "two") == 503
