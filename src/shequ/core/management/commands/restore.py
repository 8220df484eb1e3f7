"""shequ restore FILE: restore a `shequ backup` file into an empty database,
recount every table against its manifest and verify the audit chain."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shequ.core.backup import BackupError, restore_apply, restore_prepare
from shequ.core.scope import Actor


class Command(BaseCommand):
    help = (
        "把 shequ backup 的备份恢复到空数据库（DATABASE_URL），"
        "再逐表核对行数并校验审计链；任何不符都以非零状态退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="shequ backup 写出的备份文件")

    def handle(self, *args, file, **options):
        try:
            archive = restore_prepare(path=file)
            manifest = archive.manifest
            self.stdout.write(
                f"备份文件完整：制作于 {manifest['created_at']}，{len(manifest['tables'])} 张表。"
                "正在恢复……"
            )
            report = restore_apply(archive=archive, actor=Actor.for_command("shequ restore"))
        except BackupError as error:
            raise CommandError(str(error)) from None
        if report.mismatches:
            width = max(len(t) for t, _, _ in report.mismatches)
            lines = [f"{'表'.ljust(width)}  备份时  恢复后"]
            for table, expected, found in report.mismatches:
                shown = "缺失" if found is None else str(found)
                lines.append(f"{table.ljust(width)}  {expected:>6}  {shown:>6}")
            self.stderr.write("行数与清单不符：\n" + "\n".join(lines))
        else:
            rows = sum(manifest["tables"].values())
            self.stdout.write(f"行数核对一致：{len(manifest['tables'])} 张表、{rows} 行。")
        (self.stdout if report.audit_ok else self.stderr).write(report.audit_message)
        if not report.ok:
            raise CommandError("恢复后的校验未通过：请勿启用这个数据库，换一份备份重试。")
        self.stdout.write("恢复完成。")
