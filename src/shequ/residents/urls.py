from django.urls import path

from shequ.residents import views

app_name = "residents"

urlpatterns = [
    path("", views.resident_list, name="list"),
]
