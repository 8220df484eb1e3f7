from django.contrib.auth import views as auth_views
from django.urls import path

from shequ.core.views import accounts, audit, calendar, login, regions, shell, workbench

app_name = "core"

urlpatterns = [
    path("", workbench.home, name="home"),
    # 通知与通知公告
    path("notifications/", workbench.notification_list, name="notifications"),
    path(
        "notifications/<int:notification_id>/open/",
        workbench.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read-all/", workbench.notifications_read_all, name="notifications_read_all"
    ),
    path("announcements/", workbench.announcement_list, name="announcements"),
    path("announcements/new/", workbench.announcement_create, name="announcement_create"),
    path(
        "announcements/<int:announcement_id>/",
        workbench.announcement_detail,
        name="announcement",
    ),
    path("login/", login.LoginView.as_view(), name="login"),
    path("login/otp/", login.login_otp, name="login_otp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("scope/", shell.switch_grant, name="switch_grant"),
    path("password/", shell.password_change, name="password_change"),
    # 区划
    path("regions/", regions.region_tree, name="regions"),
    path("regions/<int:region_id>/", regions.region_detail, name="region_detail"),
    path("regions/<int:region_id>/edit/", regions.region_edit, name="region_edit"),
    path("regions/<int:region_id>/move/", regions.region_move, name="region_move"),
    path("regions/<int:parent_id>/add/", regions.region_add, name="region_add"),
    # 用户与授权 (系统管理员 / 安全管理员)
    path("accounts/users/", accounts.user_list, name="users"),
    path("accounts/users/new/", accounts.user_create, name="user_create"),
    path("accounts/users/<int:user_id>/", accounts.user_detail, name="user_detail"),
    path("accounts/grants/", accounts.grant_list, name="grants"),
    path("accounts/grants/new/", accounts.grant_create, name="grant_create"),
    path("accounts/grants/<int:grant_id>/revoke/", accounts.grant_revoke, name="grant_revoke"),
    path("accounts/review/", accounts.account_review, name="account_review"),
    path(
        "accounts/review/<int:user_id>/",
        accounts.account_review_action,
        name="account_review_action",
    ),
    path("accounts/tokens/", accounts.token_list, name="tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", accounts.token_revoke, name="token_revoke"),
    # 工作日历
    path("calendar/", calendar.calendar_view, name="calendar"),
    path("calendar/holidays/new/", calendar.holiday_set, name="holiday_set"),
    path(
        "calendar/holidays/<int:holiday_id>/delete/", calendar.holiday_delete, name="holiday_delete"
    ),
    path("calendar/import/", calendar.calendar_import, name="calendar_import"),
    # 审计
    path("audit/", audit.audit_list, name="audit"),
    path("audit/<int:record_id>/", audit.audit_detail, name="audit_detail"),
    path("audit/export/", audit.audit_export, name="audit_export"),
]
