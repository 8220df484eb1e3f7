"""Pages of the service desk: public (see views/__init__.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
