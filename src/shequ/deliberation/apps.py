from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "shequ.deliberation"
    label = "deliberation"
    verbose_name = "议事协商"

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.deliberation import audit_labels

        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
        registry.register_audit_object_names(audit_labels.AUDIT_OBJECTS)
        registry.register_tick_job(
            "shequ.deliberation.services.outcomes.outcome_tasks_flag_overdue", order=420
        )
