from django.apps import AppConfig


class WhistlesConfig(AppConfig):
    name = "shequ.whistles"
    label = "whistles"
    verbose_name = "吹哨报到与结对共建"

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.registry import Section

        registry.register_sections(
            [
                Section("吹哨报到", "whistles:list", "whistle.view", "基层治理", order=80),
                Section("结对共建", "whistles:pairing_list", "pairing.view", "共建共享", order=90),
            ]
        )
        registry.register_tick_job(
            "shequ.whistles.pairing.services.pairing_flags_refresh", order=300
        )
        registry.register_tick_job(
            "shequ.whistles.whistle.services.escalation.whistles_escalate", order=400
        )
