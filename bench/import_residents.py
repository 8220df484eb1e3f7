"""Time the Excel import of 10,000 residents (issue 2), on SQLite and PostgreSQL.

    .venv/bin/python bench/import_residents.py            # SQLite, in a temporary folder
    .venv/bin/python bench/import_residents.py --postgres # a scratch database on
                                                          # postgresql://root@127.0.0.1:5432
Each run migrates an empty database, builds the small test district, writes a
10,000-row sheet in the template's layout and times ``resident_import`` alone
(file parsing, validation of every row, encryption, the writes, the rollups).
The scratch database or folder is removed afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def sheet(rows: int) -> io.BytesIO:
    from openpyxl import Workbook

    from shequ.core.idcard import make_id_number
    from shequ.residents.excel import COLUMNS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民信息")
    ws.append(COLUMNS)
    start = dt.date(1940, 1, 1)
    for i in range(rows):
        ws.append(
            [
                "化机小区",
                "1号楼",
                "1单元" if i % 2 else "2单元",
                str(i // 8 + 1),
                f"居民{i}",
                make_id_number("110101", start + dt.timedelta(days=i), i % 1000),
                f"139{i:08d}",
                "户主" if i % 8 < 2 else "子女",
                "党员" if i % 10 == 0 else "",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def run(rows: int) -> float:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from shequ.conftest import build_tree
    from shequ.core.permissions import Role
    from shequ.core.tests.factories import actor_for, user_with
    from shequ.residents import excel

    tree = build_tree()
    worker = user_with(Role.COMMUNITY_WORKER, tree.community, "bench_worker")
    data = sheet(rows)
    began = time.perf_counter()
    result = excel.resident_import(actor=actor_for(worker), file=data, filename="bench.xlsx")
    seconds = time.perf_counter() - began
    if result.residents != rows:
        raise SystemExit(f"imported {result.residents} of {rows}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--server", default="postgresql://root@127.0.0.1:5432")
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="shequ-bench-import-")
    os.environ["SHEQU_VAR_DIR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "shequ.settings"
    scratch = f"shequ_bench_import_{os.getpid()}"
    admin = None
    try:
        if args.postgres:
            import psycopg

            admin = psycopg.connect(f"{args.server}/postgres", autocommit=True)
            admin.execute(f'CREATE DATABASE "{scratch}"')
            os.environ["DATABASE_URL"] = f"{args.server}/{scratch}"
        else:
            os.environ.pop("DATABASE_URL", None)
        seconds = run(args.rows)
        db = "postgresql" if args.postgres else "sqlite"
        print(
            f"{db:<10} {args.rows:,} rows imported in {seconds:.2f} s "
            f"({args.rows / seconds:,.0f} rows/s)"
        )
    finally:
        if admin is not None:
            from django.db import connections

            connections.close_all()
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            admin.close()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
