"""The demo's phones keep the sharing synthetic units fresh, and nothing else."""

from __future__ import annotations

import pytest

from volunteers.choices import ResponderStatus
from volunteers.demo.heartbeat import report_demo_positions
from volunteers.demo.roster import is_silent, responder_phone


def phone_where(silent: bool) -> str:
    return next(p for p in map(responder_phone, range(1000)) if is_silent(p) == silent)


@pytest.mark.django_db
def test_sharing_synthetic_units_report_and_the_rest_stay_stale(place_responder):
    sharing = place_responder(
        "sharing", 104.607, 35.005, minutes_ago=90, synthetic=True, phone=phone_where(silent=False)
    )
    silent = place_responder(
        "silent", 104.607, 35.005, minutes_ago=90, synthetic=True, phone=phone_where(silent=True)
    )
    off = place_responder(
        "off",
        104.607,
        35.005,
        minutes_ago=90,
        synthetic=True,
        phone=phone_where(silent=False),
        status=ResponderStatus.OFF_DUTY,
    )
    real = place_responder("real", 104.607, 35.005, minutes_ago=90, phone=phone_where(silent=False))

    assert report_demo_positions() == 1

    for unit in (sharing, silent, off, real):
        unit.refresh_from_db()
    assert not sharing.is_stale()
    assert [unit.is_stale() for unit in (silent, off, real)] == [True, True, True]
