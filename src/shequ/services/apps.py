from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "shequ.services"
    label = "services"
    verbose_name = "一窗受理"
