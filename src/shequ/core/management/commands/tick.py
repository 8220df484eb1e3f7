"""shequ tick [--only NAME] [--every SECONDS]: run the periodic jobs once, or
forever every SECONDS (the worker loop ``make demo`` starts beside gunicorn;
docs/operations.md has the systemd timer that does the same in production)."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from shequ.core.tick import run_job, select_jobs


class Command(BaseCommand):
    help = (
        "运行定时任务（审计封存、督办、提醒、外发消息、统计重算……）；每项任务幂等，各自一个事务。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", metavar="NAME", help="只运行这一项任务（函数名或完整路径）")
        parser.add_argument(
            "--every",
            metavar="SECONDS",
            type=int,
            help="不退出，每隔 SECONDS 秒运行一轮（演示和单机部署的工作进程）",
        )

    def handle(self, *args, only=None, every=None, **options):
        try:
            jobs = select_jobs(only)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if every is None:
            failed = self._round(jobs)
            if failed:
                raise CommandError(f"{len(failed)} 项任务失败：{'、'.join(failed)}", returncode=1)
            return
        if every < 1:
            raise CommandError("--every 至少为 1 秒。")
        self._loop(jobs, every)

    def _round(self, jobs: list[str], *, quiet: bool = False) -> list[str]:
        """Run each job once; ``quiet`` (the loop) prints only the jobs that
        did something or failed."""
        failed = []
        for path in jobs:
            result = run_job(path)
            if result.ok and quiet and not result.result:
                continue
            if result.ok:
                self.stdout.write(f"✓ {result.name}: {result.result} ({result.seconds:.2f}s)")
            else:
                failed.append(result.name)
                self.stderr.write(f"✗ {result.name}: {result.error}")
        return failed

    def _loop(self, jobs: list[str], every: int) -> None:
        """One round every ``every`` seconds until SIGTERM/SIGINT; a failing
        round is reported and the loop goes on (the jobs are idempotent)."""
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"shequ tick: 每 {every} 秒运行 {len(jobs)} 项任务（Ctrl-C 停止）")
        while not stopping:
            started = time.monotonic()
            close_old_connections()  # a database restart must not kill the loop
            self._round(jobs, quiet=True)
            self.stdout.flush()
            deadline = started + every
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
        self.stdout.write("shequ tick: 已停止")
