from django.urls import path, re_path

from shequ.desk.cases import views as cases
from shequ.desk.catalog import views as catalog
from shequ.desk.public import views as public
from shequ.desk.stats import views as stats

app_name = "services"

urlpatterns = [
    # 事项清单、综合窗口、受理资格
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
    # 办件
    path("cases/", cases.case_list, name="case_list"),
    path("cases/new/", cases.intake, name="intake"),
    path("cases/new/item/", cases.intake_item, name="intake_item"),
    path("cases/new/applicant/", cases.intake_applicant, name="intake_applicant"),
    path("cases/mine/", cases.my_cases, name="my_cases"),
    path("cases/overdue/", cases.overdue, name="overdue"),
    path("cases/submitted/", cases.submitted, name="submitted"),
    path("cases/<int:case_id>/", cases.case_detail, name="case"),
    path("cases/<int:case_id>/act/<slug:action>/", cases.case_act, name="case_act"),
    path("cases/<int:case_id>/receipt/", cases.case_receipt, name="case_receipt"),
    path("notices/", cases.notice_list, name="notices"),
    path("notices/<int:notice_id>/", cases.notice_detail, name="notice"),
    path("notices/<int:notice_id>/reissue/", cases.notice_reissue, name="notice_reissue"),
    path("notices/<int:notice_id>/pdf/", cases.notice_pdf_view, name="notice_pdf"),
    path("rectifications/", cases.rectification_list, name="rectifications"),
    path(
        "rectifications/<int:rectification_id>/", cases.rectification_detail, name="rectification"
    ),
    path(
        "rectifications/<int:rectification_id>/act/<slug:action>/",
        cases.rectification_act,
        name="rectification_act",
    ),
    # 居民手机页（办事查询、网上申请）
    path("banshi/", public.public_lookup, name="public_lookup"),
    path("banshi/apply/", public.apply_list, name="apply_list"),
    path("banshi/apply/<int:item_id>/", public.apply, name="apply"),
    path("banshi/mine/", public.my_applications, name="my_applications"),
    re_path(r"^banshi/(?P<receipt_no>[0-9]{1,32})/$", public.public_case, name="public_case"),
    re_path(
        r"^banshi/(?P<receipt_no>[0-9]{1,32})/notice\.pdf$",
        public.public_notice_pdf,
        name="public_notice_pdf",
    ),
    # 统计
    path("stats/", stats.stats, name="stats"),
]
