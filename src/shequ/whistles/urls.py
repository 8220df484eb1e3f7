from django.urls import path

from shequ.whistles.bodies import views as bodies
from shequ.whistles.pairing import views as pairing
from shequ.whistles.whistle import views as whistle

app_name = "whistles"

urlpatterns = [
    # 吹哨报到
    path("", whistle.whistle_list, name="list"),
    path("new/", whistle.whistle_new, name="whistle_new"),
    path("scorecard/", whistle.scorecard, name="scorecard"),
    path("<int:whistle_id>/", whistle.whistle_detail, name="whistle"),
    path("<int:whistle_id>/act/", whistle.whistle_act, name="whistle_act"),
    path("notices/<int:notice_id>/read/", whistle.notice_read, name="notice_read"),
    path("rules/", whistle.rules, name="rules"),
    # 职能部门、驻区单位、联络员
    path("bodies/", bodies.bodies, name="bodies"),
    path("bodies/departments/new/", bodies.department_create, name="department_create"),
    path("bodies/departments/<int:department_id>/", bodies.department_edit, name="department_edit"),
    path("bodies/units/new/", bodies.unit_create, name="unit_create"),
    path("bodies/units/<int:unit_id>/", bodies.unit_edit, name="unit_edit"),
    path("bodies/liaisons/new/", bodies.liaison_grant, name="liaison_grant"),
    path("bodies/liaisons/<int:liaison_id>/revoke/", bodies.liaison_revoke, name="liaison_revoke"),
    # 结对共建
    path("pairing/", pairing.pairing_list, name="pairing_list"),
    path("pairing/new/", pairing.agreement_create, name="agreement_create"),
    path("pairing/mine/", pairing.liaison_home, name="liaison_home"),
    path("pairing/<int:agreement_id>/", pairing.agreement_detail, name="agreement"),
    path("pairing/<int:agreement_id>/actions/", pairing.action_log, name="action_log"),
    path("pairing/<int:agreement_id>/commitments/", pairing.commitment_add, name="commitment_add"),
    path("pairing/<int:agreement_id>/rate/", pairing.quarter_rate, name="quarter_rate"),
    path("pairing/<int:agreement_id>/end/", pairing.agreement_end, name="agreement_end"),
]
