from shequ.appeals.views import urlpatterns

app_name = "appeals"

__all__ = ["app_name", "urlpatterns"]
