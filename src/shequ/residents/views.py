from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequ.core.http import requires


@requires("resident.view")
def resident_list(request: HttpRequest) -> HttpResponse:
    return render(request, "residents/list.html", {})
