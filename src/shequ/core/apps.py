from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from shequ.core import auth_audit, checks, registry  # noqa: F401  (checks, receivers)
        from shequ.core.navigation import CORE_SECTIONS
        from shequ.core.permissions import CORE_PERMISSIONS
        from shequ.core.tick import CORE_TICK_JOBS

        registry.register_permissions("core", CORE_PERMISSIONS)
        registry.discover_permissions()
        registry.register_sections(CORE_SECTIONS)
        for path, order in CORE_TICK_JOBS.items():
            registry.register_tick_job(path, order=order)
