"""First start of a production deployment: the district and the three
separated administrators (等保 三员分立), each with a random password that is
printed once.

    shequ bootstrap --district-code 210302 --district-name 城东区 \\
        --system-admin sysadmin --security-admin secadmin --audit-admin audadmin

Refuses to run on a database that already has regions or any of the named
accounts, so running it twice changes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shequ.core.errors import DomainError
from shequ.core.models import Grant, Region, User
from shequ.core.permissions import SEPARATED_ADMIN_ROLES, Role
from shequ.core.scope import Actor
from shequ.core.services.accounts import (
    grant_create_initial,
    random_password,
    user_create_initial,
)
from shequ.core.services.regions import region_create_district

ADMINS = (
    ("system_admin", Role.SYSTEM_ADMIN, "系统管理员"),
    ("security_admin", Role.SECURITY_ADMIN, "安全管理员"),
    ("audit_admin", Role.AUDIT_ADMIN, "审计管理员"),
)


class Command(BaseCommand):
    help = "生产环境首次启动：创建区和系统、安全、审计三名管理员（密码只显示一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--district-code", required=True, help="区的 6 位区划代码，如 210302")
        parser.add_argument("--district-name", required=True, help="区的名称，如 城东区")
        parser.add_argument("--system-admin", required=True, help="系统管理员的账号名")
        parser.add_argument("--security-admin", required=True, help="安全管理员的账号名")
        parser.add_argument("--audit-admin", required=True, help="审计管理员的账号名")

    def handle(self, *args, **options):
        names = [options[key] for key, _, _ in ADMINS]
        if len({n.lower() for n in names}) != len(names):
            raise CommandError("三员分立：系统、安全、审计管理员必须是三个不同的账号。")
        if Region.objects.exists():
            raise CommandError("数据库中已有区划，不能重复初始化。")
        if Grant.objects.filter(role__in=SEPARATED_ADMIN_ROLES).exists():
            raise CommandError("数据库中已有系统、安全或审计管理员，不能重复初始化。")
        taken = list(User.objects.filter(username__in=names).values_list("username", flat=True))
        if taken:
            raise CommandError(f"账号已存在：{'、'.join(taken)}，不能重复初始化。")

        actor = Actor.for_command("shequ bootstrap")
        created = []
        try:
            with transaction.atomic():
                district = region_create_district(
                    actor=actor, code=options["district_code"], name=options["district_name"]
                )
                for key, role, label in ADMINS:
                    password = random_password()
                    user = user_create_initial(
                        actor=actor, username=options[key], full_name=label, password=password
                    )
                    grant_create_initial(actor=actor, user=user, role=role, region=district)
                    created.append((label, user.username, password))
        except DomainError as error:
            raise CommandError(error.message) from error

        self.stdout.write(f"已创建区：{district.name}（{district.code}）")
        self.stdout.write("三员账号（密码只显示这一次，请分别交给本人，首次登录须修改）：")
        for label, username, password in created:
            self.stdout.write(f"  {label}  账号 {username}  密码 {password}")
