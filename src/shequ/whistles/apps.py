from django.apps import AppConfig


class WhistlesConfig(AppConfig):
    name = "shequ.whistles"
    label = "whistles"
    verbose_name = "吹哨报到与结对共建"

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.registry import Section
        from shequ.whistles import audit_labels
        from shequ.whistles.scope import liaison_scope_label
        from shequ.whistles.todos import PROVIDERS as TODO_PROVIDERS

        registry.register_sections(
            [
                Section("吹哨报到", "whistles:list", "whistle.view", "基层治理", order=80),
                Section("结对共建", "whistles:pairing_list", "pairing.view", "共建共享", order=90),
            ]
        )
        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
        registry.register_audit_object_names(audit_labels.AUDIT_OBJECTS)
        registry.register_tick_job(
            "shequ.whistles.pairing.services.pairing_flags_refresh", order=300
        )
        registry.register_tick_job(
            "shequ.whistles.whistle.services.escalation.whistles_escalate", order=400
        )
        registry.register_scope_label("whistles.liaison", liaison_scope_label)
        for provider in TODO_PROVIDERS:
            registry.register_todo_provider(provider)
