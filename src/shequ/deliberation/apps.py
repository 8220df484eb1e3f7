from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "shequ.deliberation"
    label = "deliberation"
    verbose_name = "议事协商"

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.registry import Section
        from shequ.deliberation import audit_labels, handoffs, privacy
        from shequ.deliberation.indicators import INDICATORS
        from shequ.deliberation.resident_records import PROVIDER as RESIDENT_RECORDS
        from shequ.deliberation.todos import PROVIDERS as TODO_PROVIDERS

        registry.register_sections(
            [
                Section(
                    "社区协商", "deliberation:mine", "deliberation.take_part", "居民", order=55
                ),
                Section(
                    "议事协商", "deliberation:topics", "deliberation.view", "基层治理", order=75
                ),
            ]
        )
        handoffs.connect()
        for indicator in INDICATORS:
            registry.register_indicator(indicator)
        for provider in TODO_PROVIDERS:
            registry.register_todo_provider(provider)
        registry.register_history_provider(RESIDENT_RECORDS)

        registry.register_personal_data_provider(
            "deliberation.participation", privacy.participation_data
        )
        registry.register_erasure_hook("deliberation.invitee", privacy.erase_invitees)
        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
        registry.register_audit_object_names(audit_labels.AUDIT_OBJECTS)
        registry.register_tick_job(
            "shequ.deliberation.services.outcomes.outcome_tasks_flag_overdue", order=420
        )
