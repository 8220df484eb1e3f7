"""TEMPORARY: being written by a helper; replaced before commit."""
from django.http import HttpResponse

def region_tree(request, **kwargs):
    return HttpResponse(status=501)

def region_detail(request, **kwargs):
    return HttpResponse(status=501)

def region_edit(request, **kwargs):
    return HttpResponse(status=501)

def region_move(request, **kwargs):
    return HttpResponse(status=501)

def region_add(request, **kwargs):
    return HttpResponse(status=501)

