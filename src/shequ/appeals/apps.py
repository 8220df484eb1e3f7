from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "shequ.appeals"
    label = "appeals"
    verbose_name = "居民诉求"

    def ready(self) -> None:
        from shequ.appeals import audit_labels, handoffs, privacy
        from shequ.appeals.resident_records import PROVIDER as RESIDENT_RECORDS
        from shequ.appeals.todos import PROVIDERS as TODO_PROVIDERS
        from shequ.core import registry
        from shequ.core.registry import Section

        registry.register_sections(
            [
                Section("我的诉求", "appeals:mine", "appeal.self", "居民", order=50),
                Section("居民诉求", "appeals:list", "appeal.view", "基层治理", order=70),
            ]
        )
        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
        registry.register_audit_object_names(audit_labels.AUDIT_OBJECTS)
        handoffs.connect()
        for provider in TODO_PROVIDERS:
            registry.register_todo_provider(provider)
        registry.register_history_provider(RESIDENT_RECORDS)
        registry.register_personal_data_provider("appeals.contact", privacy.contact_data)
        registry.register_erasure_hook("appeals.contact", privacy.erase_contacts)
