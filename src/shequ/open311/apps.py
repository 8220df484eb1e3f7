from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "shequ.open311"
    label = "open311"
    verbose_name = "Open311 接口"

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.registry import Section
        from shequ.open311 import audit_labels

        registry.register_sections(
            [Section("Open311 接入", "open311:clients", "open311.manage", "系统", order=960)]
        )
        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
