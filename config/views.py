"""Site-wide views that belong to no app."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness probe for load balancers: answers without touching the database."""
    return JsonResponse({"status": "ok"})
