"""TEMPORARY: being written by a helper; replaced before commit."""
from django.http import HttpResponse

def calendar_view(request, **kwargs):
    return HttpResponse(status=501)

def holiday_set(request, **kwargs):
    return HttpResponse(status=501)

def holiday_delete(request, **kwargs):
    return HttpResponse(status=501)

def calendar_import(request, **kwargs):
    return HttpResponse(status=501)

