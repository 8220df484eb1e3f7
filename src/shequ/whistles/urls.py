from shequ.whistles import views, views_whistles

app_name = "whistles"

urlpatterns = views.urlpatterns + views_whistles.urlpatterns
