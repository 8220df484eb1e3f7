from django.apps import AppConfig


class WhistlesConfig(AppConfig):
    name = "shequ.whistles"
    label = "whistles"
    verbose_name = "吹哨报到与结对共建"
