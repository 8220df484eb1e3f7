from shequ.open311.views import urlpatterns as view_patterns

app_name = "open311"

urlpatterns = view_patterns
