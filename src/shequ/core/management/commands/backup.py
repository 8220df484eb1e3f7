"""shequ backup --out FILE | --manifest FILE: an SM4-encrypted dump of the
database, or the manifest of one (docs/operations.md §9)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shequ.core.backup import BackupError, archive_read, backup_create
from shequ.core.scope import Actor


class Command(BaseCommand):
    help = (
        "备份数据库：PostgreSQL 用 pg_dump 自定义格式，SQLite 用在线备份接口；"
        "以 SHEQU_BACKUP_KEY 做 SM4 加密，内含清单（各表行数、迁移状态、最新审计区块哈希）。"
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--out", type=Path, metavar="FILE", help="写入的备份文件（不得已存在）")
        which.add_argument(
            "--manifest",
            type=Path,
            metavar="FILE",
            help="校验一个备份文件的每一块，并打印它的清单（JSON）",
        )

    def handle(self, *args, out, manifest, **options):
        try:
            if manifest is not None:
                archive = archive_read(manifest)
                self.stdout.write(json.dumps(archive.manifest, ensure_ascii=False, indent=2))
                self.stderr.write(
                    f"文件完整：{archive.records} 块，数据 {archive.dump_bytes} 字节；"
                    f"文件 SM3 {archive.sm3}"
                )
                return
            result = backup_create(out=out, actor=Actor.for_command("shequ backup"))
        except BackupError as error:
            raise CommandError(str(error)) from None
        audit = result.manifest["audit"]
        tables = result.manifest["tables"]
        self.stdout.write(
            f"已备份到 {result.path}（{result.size} 字节）：{len(tables)} 张表、"
            f"{sum(tables.values())} 行；审计记录 {audit['records']} 条，"
            f"最新区块 #{audit['last_block_seq']} {audit['last_block_hash']}\n"
            f"文件 SM3：{result.sm3}"
        )
