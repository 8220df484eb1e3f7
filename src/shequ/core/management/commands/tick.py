"""shequ tick [--only NAME]: run the periodic jobs once."""

from django.core.management.base import BaseCommand, CommandError

from shequ.core.tick import run_job, select_jobs


class Command(BaseCommand):
    help = "运行定时任务（审计封存、统计重算……）；每项任务幂等，各自一个事务。"

    def add_arguments(self, parser):
        parser.add_argument("--only", metavar="NAME", help="只运行这一项任务（函数名或完整路径）")

    def handle(self, *args, only=None, **options):
        try:
            jobs = select_jobs(only)
        except ValueError as error:
            raise CommandError(str(error)) from error
        failed = []
        for path in jobs:
            result = run_job(path)
            if result.ok:
                self.stdout.write(f"✓ {result.name}: {result.result} ({result.seconds:.2f}s)")
            else:
                failed.append(result.name)
                self.stderr.write(f"✗ {result.name}: {result.error}")
        if failed:
            raise CommandError(f"{len(failed)} 项任务失败：{'、'.join(failed)}", returncode=1)
