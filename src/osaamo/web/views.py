from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def sources(request: HttpRequest) -> HttpResponse:
    """Where the reference data comes from and under which licence (attribution is a licence term)."""
    return render(request, "web/sources.html")
