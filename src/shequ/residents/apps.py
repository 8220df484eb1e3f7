from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "shequ.residents"
    label = "residents"
    verbose_name = "居民档案"

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.registry import Section
        from shequ.residents import audit_labels, moves

        registry.register_sections(
            [
                Section("居民档案", "residents:list", "resident.view", "基层治理", order=10),
                Section("我的信息", "residents:me", "resident.self", "居民", order=20),
            ]
        )
        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
        registry.register_audit_object_names(audit_labels.AUDIT_OBJECTS)
        registry.register_tick_job("shequ.residents.rollups.region_stats_rebuild", order=100)
        # 个人信息保存期满: one transaction per resident (a failure holds back no other).
        registry.register_tick_job(
            "shequ.residents.retention.residents_erase_expired", order=500, atomic=False
        )
        registry.register_region_move_hook(
            "residents.register", moves.register_follow_move, own_tables=moves.OWN_TABLES
        )
