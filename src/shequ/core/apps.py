from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from shequ.core import (  # noqa: F401  (checks, receivers)
            audit_labels,
            auth_audit,
            checks,
            registry,
        )
        from shequ.core.navigation import CORE_SECTIONS
        from shequ.core.permissions import CORE_PERMISSIONS
        from shequ.core.tick import CORE_TICK_JOBS

        registry.register_permissions("core", CORE_PERMISSIONS)
        registry.discover_permissions()
        registry.register_sections(CORE_SECTIONS)
        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
        registry.register_audit_object_names(audit_labels.AUDIT_OBJECTS)
        for path, order in CORE_TICK_JOBS.items():
            registry.register_tick_job(path, order=order)
        # Sends what the other jobs (escalations, reminders) queued: last but one.
        registry.register_tick_job("shequ.core.outbox.outbox_deliver", order=850, atomic=False)
