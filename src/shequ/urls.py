from django.urls import include, path

from shequ.api import api
from shequ.core.views.shell import favicon, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/", api.urls),
    path("residents/", include("shequ.residents.urls")),
    path("services/", include("shequ.desk.urls")),
    path("appeals/", include("shequ.appeals.urls")),
    path("whistles/", include("shequ.whistles.urls")),
    path("deliberation/", include("shequ.deliberation.urls")),
    path("party/", include("shequ.party.urls")),
    path("open311/", include("shequ.open311.urls")),
    path("", include("shequ.core.urls")),
]

handler404 = "shequ.core.views.shell.not_found"
handler500 = "shequ.core.views.shell.server_error"
