from django.urls import path

from shequ.services import views

app_name = "services"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="items"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/import/", views.catalog_import, name="import"),
    path("items/export.xlsx", views.catalog_export, name="export"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("items/<int:item_id>/revise/", views.item_revise, name="item_revise"),
    path("items/<int:item_id>/retire/", views.item_retire, name="item_retire"),
    path("items/<int:item_id>/adopt/", views.item_adopt, name="item_adopt"),
    path("items/<int:item_id>/drop/", views.item_drop, name="item_drop"),
    path("windows/", views.window_list, name="windows"),
    path("windows/new/", views.window_create, name="window_create"),
    path("windows/<int:window_id>/", views.window_detail, name="window"),
    path("windows/<int:window_id>/toggle/", views.window_toggle, name="window_toggle"),
    path("qualifications/", views.qualification_list, name="qualifications"),
    path("qualifications/new/", views.qualification_grant, name="qualification_grant"),
    path(
        "qualifications/<int:qualification_id>/revoke/",
        views.qualification_revoke,
        name="qualification_revoke",
    ),
]
