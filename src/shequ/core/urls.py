from django.contrib.auth import views as auth_views
from django.urls import path

from shequ.core import views
from shequ.core.forms import LoginForm

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("scope/", views.switch_grant, name="switch_grant"),
]
