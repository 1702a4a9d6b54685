"""A rolled-back transaction produces no notification: not on the site, not in a center's group
chat, whatever the delivery job runs afterwards. (The assignment's case is in test_events.py.)"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction

from incidents import services
from incidents.models import Incident
from notify.models import Notification
from tests.fakes.receiver import WECOM_PATH, FakeReceiver

pytestmark = pytest.mark.django_db(transaction=True)


class CallerError(RuntimeError):
    """The caller's own work after the routing failed: its transaction rolls back."""


def test_a_routing_rolled_back_announces_nothing_even_after_delivery(
    intake, walk, people, settings, fake_receiver: FakeReceiver
):
    settings.NOTIFY_WECOM_WEBHOOK = fake_receiver.url(WECOM_PATH)
    matter = walk(intake(), "assessed")
    before = Notification.objects.count()

    def route_then_fail() -> None:
        with transaction.atomic():
            services.route(incident_id=matter.pk, actor=people["village"])
            raise CallerError

    with pytest.raises(CallerError):
        route_then_fail()

    call_command("deliver_notifications", verbosity=0)
    assert Incident.objects.get(pk=matter.pk).state == "assessed"
    assert Notification.objects.count() == before
    assert fake_receiver.messages() == []

    # The same routing committed is announced on both: the test above could see it.
    services.route(incident_id=matter.pk, actor=people["village"])
    call_command("deliver_notifications", verbosity=0)
    assert Notification.objects.count() > before
    assert len(fake_receiver.delivered(WECOM_PATH)) == 1
    assert matter.number in str(fake_receiver.delivered(WECOM_PATH)[0].body)
