from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from shequ.core import auth_audit, checks  # noqa: F401  (registers checks, receivers)
