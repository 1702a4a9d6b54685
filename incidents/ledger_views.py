"""Ledger downloads (being written this session)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


ledger_xlsx = ledger_csv = _todo
