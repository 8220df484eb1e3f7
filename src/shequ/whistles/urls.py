from shequ.whistles import views

app_name = "whistles"

urlpatterns = views.urlpatterns
