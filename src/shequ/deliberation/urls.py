from shequ.deliberation.views import urlpatterns

app_name = "deliberation"

__all__ = ["app_name", "urlpatterns"]
