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
            sessions,
        )
        from shequ.core.navigation import CORE_SECTIONS
        from shequ.core.permissions import CORE_PERMISSIONS
        from shequ.core.privacy import erase_sms
        from shequ.core.tick import CORE_TICK_JOBS

        registry.register_permissions("core", CORE_PERMISSIONS)
        registry.discover_permissions()
        registry.register_sections(CORE_SECTIONS)
        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
        registry.register_audit_object_names(audit_labels.AUDIT_OBJECTS)
        registry.register_erasure_hook("core.sms", erase_sms)
        for path, order in CORE_TICK_JOBS.items():
            registry.register_tick_job(path, order=order)
        # Sends what the other jobs (escalations, reminders) queued, near the end.
        registry.register_tick_job("shequ.core.outbox.outbox_deliver", order=850, atomic=False)
        # Once a day, last (it may take a while): verifies the whole chain
        # outside a transaction and writes its outcome in a short one (an
        # alert it queues goes out with the next tick's outbox).
        registry.register_tick_job(
            "shequ.core.services.audit_watch.audit_chain_daily_check", order=950, atomic=False
        )
