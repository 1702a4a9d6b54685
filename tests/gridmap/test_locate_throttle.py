"""The public locate endpoint is throttled per client, counted in PostgreSQL for every worker."""

from __future__ import annotations

import pytest
from django.test import Client

from gridmap.models import RequestCount

URL = "/api/areas/locate"
POINT = {"lon": 104.605, "lat": 35.005}


@pytest.fixture
def three_an_hour(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "locate": "3/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.settings import api_settings

    api_settings.reload()
    yield
    api_settings.reload()


@pytest.mark.django_db
def test_a_client_past_the_rate_gets_429_with_retry_after(network, three_an_hour):
    client = Client(REMOTE_ADDR="10.0.0.7", headers={"accept-language": "en"})

    answers = [client.get(URL, POINT).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = client.get(URL, POINT)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "throttled" in refused.json()["detail"]


@pytest.mark.django_db
def test_another_client_is_counted_apart(network, three_an_hour):
    for _ in range(4):
        Client(REMOTE_ADDR="10.0.0.7").get(URL, POINT)

    assert Client(REMOTE_ADDR="10.0.0.8").get(URL, POINT).status_code == 200


@pytest.mark.django_db
def test_the_count_is_kept_in_the_database_shared_by_workers(network, three_an_hour):
    Client(REMOTE_ADDR="10.0.0.9").get(URL, POINT)
    Client(REMOTE_ADDR="10.0.0.9").get(URL, POINT)

    assert RequestCount.objects.get(key="locate:10.0.0.9").hits == 2


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_make_a_new_client(network, three_an_hour):
    for index in range(4):
        response = Client(REMOTE_ADDR="10.0.0.7").get(
            URL, POINT, headers={"x-forwarded-for": f"192.0.2.{index}"}
        )

    assert response.status_code == 429
