"""A capability app that exists only in tests: everything it adds to the
platform goes through ``core.registry``, with no edit in core."""

from django.apps import AppConfig

CALLS: list[tuple[str, object]] = []


def dummy_job() -> int:
    CALLS.append(("tick", None))
    return 7


def follow_move(move) -> dict[str, int]:
    CALLS.append(("move", move))
    return {"dummy_rows": 3}


class DummyConfig(AppConfig):
    name = "shequ.core.tests.dummy"
    label = "dummy"
    verbose_name = "测试用应用"

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.core.registry import Section

        registry.register_sections(
            [Section("测试模块", "dummy:home", "dummy.view", "基层治理", order=95)]
        )
        registry.register_tick_job("shequ.core.tests.dummy.apps.dummy_job", order=250)
        registry.register_region_move_hook("dummy.follow", follow_move)
