"""shequ audit verify | seal [--full]: check or extend the SM3 audit chain."""

from django.core.management.base import BaseCommand, CommandError

from shequ.core.audit_chain import seal_pending, verify


class Command(BaseCommand):
    help = "审计链：verify 重新计算全部哈希并指出第一条被篡改的记录；seal 立即封存待封存记录。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计链")
        seal = sub.add_parser("seal", help="封存待封存的审计记录")
        seal.add_argument(
            "--full",
            action="store_true",
            help="在整张表中查找未封存的记录（默认只查最近一天的迟到记录）",
        )

    def handle(self, *args, action, **options):
        if action == "seal":
            sealed = seal_pending(full_scan=options["full"])
            self.stdout.write(f"已封存 {sealed} 条审计记录。")
            return
        result = verify()
        if not result.ok:
            self.stderr.write(f"审计链校验失败：{result.reason}")
            if result.first_bad_record_id is not None:
                self.stderr.write(f"第一条有问题的记录：#{result.first_bad_record_id}")
            raise CommandError(
                f"审计链不完整（此前已校验 {result.checked} 条记录）。", returncode=1
            )
        self.stdout.write(
            f"OK 审计链完整：已校验 {result.checked} 条记录、{result.blocks} 个区块；"
            f"待封存 {result.unsealed} 条。\n最新区块哈希：{result.last_block_hash}"
        )
