from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "shequ.appeals"
    label = "appeals"
    verbose_name = "居民诉求"

    def ready(self) -> None:
        from shequ.appeals import handoffs
        from shequ.core import registry
        from shequ.core.registry import Section

        registry.register_sections(
            [
                Section("我的诉求", "appeals:mine", "appeal.self", "居民", order=50),
                Section("居民诉求", "appeals:list", "appeal.view", "基层治理", order=70),
            ]
        )
        handoffs.connect()
