"""Issue 20 point 12: one name per unit on every screen.

A squad acts through its leader's account, whose name is a person's ("…队长张三"). Every screen
and message that names the unit uses Responder.display_name: the console, the matter's timeline,
the responder page, the dispatch queue, the notifications and the API; the person who acted
stays beside it as the actor.
"""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from notify.models import Notification
from volunteers.choices import ResponderKind
from volunteers.services import act_on_assignment, assign

pytestmark = pytest.mark.django_db

UNIT = "甲镇应急志愿服务队"
LEADER = "甲镇应急志愿服务队队长张三"


@pytest.fixture
def squad(place_responder, people):
    people["responder"].display_name = LEADER
    people["responder"].save(update_fields=["display_name"])
    return place_responder(
        " 甲镇应急志愿服务队 ",  # as typed in the admin: spaces are not part of the name
        104.607,
        35.005,
        home="621122100001",
        kind=ResponderKind.SQUAD,
        members=[people["responder"]],
    )


@pytest.fixture
def accepted(routed, squad, people):
    offered = assign(incident_id=routed.pk, actor=people["village"], responder_id=squad.pk)
    act_on_assignment(
        assignment_id=offered.assignment.pk, action="accept", actor=people["responder"]
    )
    return offered.assignment


def squad_name_raw() -> str:
    return " 甲镇应急志愿服务队 "


def test_the_display_name_is_one_rule(squad):
    assert squad.display_name == UNIT
    assert str(squad) == UNIT


def test_every_screen_names_the_unit_alike(routed, squad, accepted, as_user):
    dispatcher, responder = as_user("village"), as_user("responder")
    pages = {
        "console": dispatcher.get(f"/dispatch/incidents/{routed.pk}/"),
        "detail": dispatcher.get(f"/incidents/{routed.pk}/"),
        "dispatch queue": dispatcher.get("/dispatch/"),
        "responder page": responder.get("/responder/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert escape(UNIT) in response.content.decode(), name
    # The timeline names the unit of each dispatch step beside the person who took it.
    detail = pages["detail"].content.decode()
    subjects = re.findall(r'<span class="subject">([^<]*)</span>', detail)
    assert subjects
    assert set(subjects) == {UNIT}

    api = dispatcher.get(f"/api/incidents/{routed.pk}/assignments").json()
    assert [row["responder"]["name"] for row in api] == [UNIT]
    mine = responder.get("/api/assignments/mine").json()
    assert UNIT in str(mine)

    texts = Notification.objects.filter(incident=routed).values_list("title", "text")
    assert texts
    for title, text in texts:
        if "志愿服务队" in title + text:
            assert UNIT in title + text
            assert squad_name_raw() not in title + text
