"""The API root: django-ninja at /api/, OpenAPI docs at /api/docs.

Each app contributes a router from its ``api.py``; authentication and the
error format are shared (see shequ.core.api_auth).
"""

from ninja import NinjaAPI

from shequ.appeals.api import router as appeals_router
from shequ.core.api import router as core_router
from shequ.core.api_auth import SessionActorAuth, TokenAuth, install_error_handlers
from shequ.core.api_parser import TextParser
from shequ.core.api_workbench import router as workbench_router
from shequ.deliberation.api import router as deliberation_router
from shequ.desk.cases.api import router as cases_router
from shequ.desk.catalog.api import router as services_router
from shequ.party.api import router as party_router
from shequ.residents.api import router as residents_router
from shequ.whistles.api import router as whistles_router

api = NinjaAPI(
    title="Shequ 社区治理平台 API",
    version="1",
    description="区、街道、社区治理数据接口。以令牌（Authorization: Bearer …）或登录会话认证，"
    "数据范围与页面相同。",
    auth=[TokenAuth(), SessionActorAuth()],
    parser=TextParser(),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", workbench_router)
api.add_router("/residents/", residents_router)
api.add_router("/services/", services_router)
api.add_router("/services/", cases_router)
api.add_router("/appeals/", appeals_router)
api.add_router("/whistles/", whistles_router)
api.add_router("/deliberation/", deliberation_router)
api.add_router("/party/", party_router)
