"""TEMPORARY: being written by a helper; replaced before commit."""
from django.http import HttpResponse

def user_list(request, **kwargs):
    return HttpResponse(status=501)

def user_create(request, **kwargs):
    return HttpResponse(status=501)

def user_detail(request, **kwargs):
    return HttpResponse(status=501)

def grant_list(request, **kwargs):
    return HttpResponse(status=501)

def grant_create(request, **kwargs):
    return HttpResponse(status=501)

def grant_revoke(request, **kwargs):
    return HttpResponse(status=501)

def token_list(request, **kwargs):
    return HttpResponse(status=501)

def token_revoke(request, **kwargs):
    return HttpResponse(status=501)

