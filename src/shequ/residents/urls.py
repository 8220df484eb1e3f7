from django.urls import path

from shequ.residents import views

app_name = "residents"

urlpatterns = [
    path("", views.resident_list, name="list"),
    path("new/", views.resident_create, name="create"),
    path("me/", views.resident_me, name="me"),
    path("me/data/", views.resident_my_data, name="my_data"),
    path("<int:resident_id>/", views.resident_detail, name="detail"),
    path("<int:resident_id>/edit/", views.resident_edit, name="edit"),
    path("<int:resident_id>/unmask/", views.resident_unmask, name="unmask"),
    path("<int:resident_id>/leave/", views.resident_leave, name="leave"),
    path("<int:resident_id>/restore/", views.resident_restore, name="restore"),
    path("<int:resident_id>/data/", views.resident_data, name="data"),
    path("households/<int:household_id>/", views.household_detail, name="household"),
    path("households/<int:household_id>/move/", views.household_move, name="household_move"),
    path("import/", views.resident_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("export.xlsx", views.resident_export, name="export"),
]
