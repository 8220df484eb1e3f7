from django.urls import path

from shequ.party.views import buildings, figures, members, orgs, reporting, stations, transfers

app_name = "party"

urlpatterns = [
    # 党建数据 and the district's rules
    path("", figures.figures, name="home"),
    path("eligibility/", figures.eligibility, name="eligibility"),
    path("rules/", orgs.rules, name="rules"),
    # 党组织
    path("orgs/", orgs.org_list, name="orgs"),
    path("orgs/new/", orgs.org_create, name="org_create"),
    path("orgs/<int:org_id>/", orgs.org_detail, name="org"),
    path("orgs/<int:org_id>/roles/", orgs.role_add, name="role_add"),
    path("orgs/<int:org_id>/bodies/", orgs.body_add, name="body_add"),
    path("orgs/<int:org_id>/dissolve/", orgs.org_dissolve, name="org_dissolve"),
    path("roles/<int:role_id>/end/", orgs.role_end, name="role_end"),
    # 党员
    path("members/", members.member_list, name="members"),
    path("members/new/", members.member_create, name="member_create"),
    path("members/<int:member_id>/", members.member_detail, name="member"),
    path("members/<int:member_id>/edit/", members.member_edit, name="member_edit"),
    path("members/<int:member_id>/confirm/", members.member_confirm, name="member_confirm"),
    path("me/", members.my_membership, name="me"),
    # 组织关系接转
    path("transfers/", transfers.transfer_list, name="transfers"),
    path("transfers/new/", transfers.transfer_create, name="transfer_create"),
    path("transfers/<int:transfer_id>/", transfers.transfer_detail, name="transfer"),
    path("transfers/<int:transfer_id>/act/", transfers.transfer_act, name="transfer_act"),
    path(
        "transfers/<int:transfer_id>/letter.pdf", transfers.transfer_letter, name="transfer_letter"
    ),
    # 红旗驿站
    path("stations/", stations.station_list, name="stations"),
    path("stations/new/", stations.station_create, name="station_create"),
    path("stations/<int:station_id>/", stations.station_detail, name="station"),
    path("stations/<int:station_id>/rooms/", stations.room_add, name="room_add"),
    path("stations/<int:station_id>/hours/", stations.hours_set, name="hours_set"),
    path("stations/<int:station_id>/duty/", stations.duty_add, name="duty_add"),
    path("stations/<int:station_id>/openings/", stations.opening_log, name="opening_log"),
    path("stations/<int:station_id>/activities/", stations.activity_log, name="activity_log"),
    path("photos/<int:photo_id>/", stations.activity_photo, name="activity_photo"),
    # 楼长制与入户走访
    path("heads/", buildings.head_list, name="heads"),
    path("heads/new/", buildings.head_assign, name="head_assign"),
    path("heads/<int:head_id>/end/", buildings.head_end, name="head_end"),
    path("visits/", buildings.visit_home, name="visits"),
    path("visits/new/", buildings.visit_create, name="visit_create"),
    path("visits/<int:visit_id>/", buildings.visit_detail, name="visit"),
    # 双报到
    path("report-in/", reporting.report_home, name="report_in"),
    path("report-in/units/new/", reporting.unit_report_create, name="unit_report_create"),
    path("report-in/units/<int:report_id>/", reporting.unit_report_detail, name="unit_report"),
    path("report-in/members/new/", reporting.member_report_create, name="member_report_create"),
    path("report-in/needs/new/", reporting.need_create, name="need_create"),
    path("report-in/needs/<int:need_id>/", reporting.need_detail, name="need"),
    path("report-in/needs/<int:need_id>/claim/", reporting.need_claim, name="need_claim"),
    path("report-in/services/new/", reporting.service_log_create, name="service_log_create"),
    path(
        "report-in/feedback/<int:unit_id>/<str:quarter>/",
        reporting.feedback_letter,
        name="feedback_letter",
    ),
    path("report-in/mine/", reporting.unit_home, name="unit_home"),
]
