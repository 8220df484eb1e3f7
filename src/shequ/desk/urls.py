from django.urls import path

from shequ.desk.cases import views as cases
from shequ.desk.catalog import views as catalog
from shequ.desk.public import views as public
from shequ.desk.stats import views as stats

app_name = "services"

urlpatterns = (
    [
        path("", catalog.home, name="home"),
        path("items/", catalog.item_list, name="items"),
        path("items/new/", catalog.item_create, name="item_create"),
        path("items/import/", catalog.catalog_import, name="import"),
        path("items/export.xlsx", catalog.catalog_export, name="export"),
        path("items/<int:item_id>/", catalog.item_detail, name="item"),
        path("items/<int:item_id>/revise/", catalog.item_revise, name="item_revise"),
        path("items/<int:item_id>/retire/", catalog.item_retire, name="item_retire"),
        path("items/<int:item_id>/adopt/", catalog.item_adopt, name="item_adopt"),
        path("items/<int:item_id>/drop/", catalog.item_drop, name="item_drop"),
        path("windows/", catalog.window_list, name="windows"),
        path("windows/new/", catalog.window_create, name="window_create"),
        path("windows/<int:window_id>/", catalog.window_detail, name="window"),
        path("windows/<int:window_id>/toggle/", catalog.window_toggle, name="window_toggle"),
        path("qualifications/", catalog.qualification_list, name="qualifications"),
        path("qualifications/new/", catalog.qualification_grant, name="qualification_grant"),
        path(
            "qualifications/<int:qualification_id>/revoke/",
            catalog.qualification_revoke,
            name="qualification_revoke",
        ),
    ]
    + cases.urlpatterns
    + public.urlpatterns
    + stats.urlpatterns
)
