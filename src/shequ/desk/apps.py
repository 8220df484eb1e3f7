from django.apps import AppConfig


class DeskConfig(AppConfig):
    # The label predates the package's name: tables and migrations stay "services_*".
    name = "shequ.desk"
    label = "services"
    verbose_name = "一窗受理"

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.registry import Section
        from shequ.desk import audit_labels, moves, privacy
        from shequ.desk.resident_records import PROVIDER as RESIDENT_RECORDS
        from shequ.desk.todos import PROVIDERS as TODO_PROVIDERS

        registry.register_sections(
            [
                Section("网上办事", "services:apply_list", "case.apply", "居民", order=30),
                Section("我的申请", "services:my_applications", "case.apply", "居民", order=40),
                Section("一窗受理", "services:home", "service_item.view", "基层治理", order=60),
            ]
        )
        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
        registry.register_audit_object_names(audit_labels.AUDIT_OBJECTS)
        registry.register_tick_job("shequ.desk.stats.services.case_stats_rebuild", order=200)
        registry.register_region_move_hook("desk.rollup", moves.rollup_follow_move)
        for provider in TODO_PROVIDERS:
            registry.register_todo_provider(provider)
        registry.register_history_provider(RESIDENT_RECORDS)
        registry.register_personal_data_provider("desk.applicant", privacy.applicant_data)
        registry.register_erasure_hook("desk.applicant", privacy.erase_applicant)
