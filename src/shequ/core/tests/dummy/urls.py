from django.http import HttpResponse
from django.urls import include, path

from shequ.core.http import requires


@requires("dummy.view")
def home(request):
    return HttpResponse("测试模块首页")


dummy_patterns = ([path("", home, name="home")], "dummy")
urlpatterns = [path("dummy/", include(dummy_patterns)), path("", include("shequ.urls"))]
