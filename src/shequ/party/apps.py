from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "shequ.party"
    label = "party"
    verbose_name = "党建引领"

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.registry import Section
        from shequ.party import audit_labels, privacy
        from shequ.party.indicators import INDICATORS
        from shequ.party.moves import party_follow_move
        from shequ.party.todos import PROVIDERS as TODO_PROVIDERS

        registry.register_sections(
            [
                Section("我的党员信息", "party:me", "party.self", "居民", order=57),
                Section("党建引领", "party:home", "party.view", "基层治理", order=78),
                Section("入户走访", "party:visits", "party.visit", "基层治理", order=79),
                Section("双报到", "party:unit_home", "party.unit_report", "共建共享", order=92),
            ]
        )
        registry.register_region_move_hook("party.follow", party_follow_move, order=200)
        for provider in TODO_PROVIDERS:
            registry.register_todo_provider(provider)
        for indicator in INDICATORS:
            registry.register_indicator(indicator)
        registry.register_personal_data_provider("party.member", privacy.party_data)
        registry.register_erasure_hook("party.member", privacy.erase_member)
        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
        registry.register_audit_object_names(audit_labels.AUDIT_OBJECTS)
        registry.register_tick_job(
            "shequ.party.services.stations.station_months_rebuild", order=210
        )
        registry.register_tick_job(
            "shequ.party.services.members.members_remind_probation", order=430
        )
