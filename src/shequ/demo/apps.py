from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district (``shequ demo``) and the scale generator
    (``shequ generate``). It builds on every capability app; nothing depends
    on it, and a production deployment may leave it out of INSTALLED_APPS."""

    name = "shequ.demo"
    label = "demo"
    verbose_name = "演示与规模数据"

    def ready(self) -> None:
        from shequ.core import registry
        from shequ.demo import audit_labels

        registry.register_audit_actions(audit_labels.AUDIT_ACTIONS)
