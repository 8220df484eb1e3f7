from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "shequ.appeals"
    label = "appeals"
    verbose_name = "居民诉求"
