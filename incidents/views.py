"""Pages of incidents (being written this session)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


queue = field_intake = window_intake = my_grid = detail = act = photo = _todo
