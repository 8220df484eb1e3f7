from django.core.management.base import BaseCommand

from shequ.core.scope import Actor
from shequ.residents.rekey import residents_rekey


class Command(BaseCommand):
    help = "用当前密钥（SHEQU_DATA_KEY）重新加密全部居民的身份证号和手机号（密钥轮换）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, batch: int, **options):
        result = residents_rekey(actor=Actor.for_command("shequ rekey"), batch=batch)
        self.stdout.write(
            f"已检查 {result.checked} 人，重新加密 {result.rekeyed} 人（第 {result.version} 版密钥）。\n"
            f"checked {result.checked}, re-encrypted {result.rekeyed} under key version "
            f"{result.version}."
        )
