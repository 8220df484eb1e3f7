"""TEMPORARY: being written by a helper; replaced before commit."""
from django.http import HttpResponse

def audit_list(request, **kwargs):
    return HttpResponse(status=501)

def audit_detail(request, **kwargs):
    return HttpResponse(status=501)

