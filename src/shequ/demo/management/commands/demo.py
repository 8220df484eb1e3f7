"""`shequ demo`: load the demo district and print the demo accounts."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shequ.demo.district import DEFAULT_RESIDENTS, DISTRICT_NAME, load_demo


class Command(BaseCommand):
    help = "加载演示区（城东区）及各角色演示账号；可重复运行。 Load the demo district (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents",
            type=int,
            default=DEFAULT_RESIDENTS,
            help=f"生成的居民人数 / residents to generate (default {DEFAULT_RESIDENTS})",
        )

    def handle(self, *args, residents: int, **options):
        if residents < 0:
            raise CommandError("--residents 不能为负数 / must not be negative")
        started = time.perf_counter()
        result = load_demo(residents=residents)
        elapsed = time.perf_counter() - started
        out = self.stdout
        if result.changed:
            out.write(
                self.style.SUCCESS(
                    f"演示区“{DISTRICT_NAME}”已加载 / demo district loaded ({elapsed:.1f}s)："
                    f"新建区划 {result.regions_created}、住户 {result.households_created}、"
                    f"居民 {result.residents_created}、标签 {result.tags_created}、"
                    f"账号 {result.users_created}、授权 {result.grants_created}"
                )
            )
        else:
            out.write(
                self.style.SUCCESS(
                    f"演示区“{DISTRICT_NAME}”已存在，未做任何改动 / "
                    "demo district already loaded, nothing changed"
                )
            )
        out.write("  ".join(f"{label} {n:,}" for label, n in result.counts.items()))
        out.write("")
        out.write("演示账号 / demo accounts:")
        width = max(len(u) for u, _, _ in result.accounts)
        out.write(f"  {'账号 username':<{width + 4}}角色 role · 范围 scope")
        for username, role, region in result.accounts:
            out.write(f"  {username:<{width + 4}}{role} · {region}")
        out.write(f"统一密码 / password: {settings.SHEQU_DEMO_PASSWORD}")
        out.write("")
        out.write(
            "管理员账号登录还须动态口令：把下面的密钥加入手机上的验证器应用（TOTP，30 秒，6 位）/ "
            "administrators also need a TOTP code: add these secrets to an authenticator app:"
        )
        for username, secret in result.totp_secrets.items():
            out.write(f"  {username:<{width + 4}}{secret}")
