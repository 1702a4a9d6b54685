"""Pages of the grid network."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridmap.queries import network_summary


def home(request: HttpRequest) -> HttpResponse:
    """Start page: what the county's network holds, and where to go."""
    return render(request, "gridmap/home.html", {"summary": network_summary()})


def area_map(request: HttpRequest) -> HttpResponse:
    """The four levels of the network as switchable layers; click an area for its details."""
    return render(request, "gridmap/map.html", {"summary": network_summary()})
