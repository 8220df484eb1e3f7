"""`shequ backup` / `shequ restore`: the SM4 container refuses a wrong or
missing key, a changed byte, reordered, dropped or added chunks and a cut-off
file; a round trip into an empty database (SQLite file or a fresh PostgreSQL
database, whichever the suite runs on) restores every row, recounts and
verifies the audit chain; a non-empty target is refused."""

from __future__ import annotations

import json
import os
import sqlite3
import struct
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shequ.core import backup
from shequ.core.audit import audit_log
from shequ.core.audit_chain import seal_pending
from shequ.core.backup import BackupError, archive_read, backup_create, model_tables
from shequ.core.models import AuditBlock, AuditRecord, User
from shequ.core.scope import Actor
from shequ.core.tests.factories import actor_for

KEY = "00112233445566778899aabbccddeeff"
OTHER_KEY = "ffeeddccbbaa99887766554433221100"
SHEQU = str(Path(sys.executable).with_name("shequ"))
ACTOR = Actor.for_command("test")


@pytest.fixture
def key(settings):
    settings.SHEQU_BACKUP_KEY = KEY


def _audit_and_seal(people, n: int = 12) -> None:
    actor = actor_for(people.worker)
    for i in range(n):
        audit_log(actor=actor, action="resident.change", obj=people.worker, changes={"n": i})
    seal_pending(batch=5, settle=timedelta(0))
    audit_log(actor=actor, action="resident.change", obj=people.worker, changes={"late": 1})


def _counts() -> dict[str, int]:
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        return {t: backup._count(cursor, t) for t in model_tables() if t in existing}


# -- the container -----------------------------------------------------------------------------


def _frames(data: bytes) -> list[tuple[int, int, int]]:
    """(offset, flags, length) of every record of a backup file."""
    offset = len(backup.MAGIC) + 2 + data[len(backup.MAGIC) + 1] + 36
    frames = []
    while offset < len(data):
        flags, length = struct.unpack(">BI", data[offset : offset + 5])
        frames.append((offset, flags, length))
        offset += 5 + length
    return frames


@pytest.fixture
def archive(key, people, tmp_path) -> Path:
    _audit_and_seal(people)
    return backup_create(out=tmp_path / "a.bak", actor=ACTOR, chunk_size=4096).path


def _refused(path: Path, data: bytes, message: str, case: str = "") -> None:
    path.write_bytes(data)
    with pytest.raises(BackupError) as refused:
        archive_read(path)
    assert message in str(refused.value), case


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_chunked_authenticated_and_names_its_file(archive):
    data = archive.read_bytes()
    frames = _frames(data)
    opened = archive_read(archive)

    assert data.startswith(b"SHEQUBAK\x01")
    assert [f for _, f, _ in frames] == [0] * (len(frames) - 1) + [1]
    assert len(frames) == opened.records > 3
    assert opened.dump_bytes == sum(length - 16 for _, _, length in frames[1:])
    assert opened.engine == connection.vendor
    assert opened.manifest["engine"] == connection.vendor
    block = AuditBlock.objects.order_by("-seq").first()
    assert opened.manifest["audit"] == {
        "records": 13,
        "last_block_seq": 3,
        "last_block_hash": block.hash,
    }
    # The manifest is encrypted: no table name is in the file in clear.
    assert b"core_auditrecord" not in data
    change = AuditRecord.objects.get(action="backup.create")
    assert change.username == "系统:test"
    assert change.changes["sm3"] == opened.sm3
    assert change.changes["bytes"] == len(data)


@pytest.mark.django_db(transaction=True)
def test_a_wrong_key_is_told_apart_from_a_damaged_file(archive, settings):
    settings.SHEQU_BACKUP_KEY = OTHER_KEY
    with pytest.raises(BackupError, match="不是制作这份备份时所用的密钥"):
        archive_read(archive)


@pytest.mark.django_db(transaction=True)
def test_every_changed_byte_is_refused(archive):
    data = archive.read_bytes()
    frames = _frames(data)
    manifest_at, middle_at, last_at = frames[0][0], frames[len(frames) // 2][0], frames[-1][0]
    cases = {
        "header (chunk size)": (manifest_at - 1, "第 0 块"),
        "manifest body": (manifest_at + 40, "第 0 块校验失败"),
        "a middle chunk": (middle_at + 100, f"第 {len(frames) // 2} 块校验失败"),
        "a tag": (last_at - 1, f"第 {len(frames) - 2} 块校验失败"),
        "the final flag": (last_at, f"第 {len(frames) - 1} 块"),
    }
    for name, (offset, message) in cases.items():
        changed = bytearray(data)
        changed[offset] ^= 0x01
        _refused(archive, bytes(changed), message, name)


@pytest.mark.django_db(transaction=True)
def test_reordered_dropped_added_or_cut_off_chunks_are_refused(archive):
    data = archive.read_bytes()
    frames = _frames(data)
    (a, _, la), (b, _, lb) = frames[1], frames[2]
    swapped = data[:a] + data[b : b + 5 + lb] + data[a : a + 5 + la] + data[b + 5 + lb :]
    _refused(archive, swapped, "第 1 块校验失败")
    dropped = data[:a] + data[b:]
    _refused(archive, dropped, "第 1 块校验失败")
    last = frames[-1][0]
    _refused(archive, data[:last], "被截断")
    _refused(archive, data[: last + 20], "被截断")
    _refused(archive, data + b"\0", "多余的内容")
    _refused(archive, b"PK\x03\x04" + data[4:], "不是 Shequ 的备份文件")


@pytest.mark.django_db
def test_a_missing_or_malformed_key_is_refused_and_no_file_is_written(settings, tmp_path):
    out = tmp_path / "a.bak"
    for value, message in [
        ("", "未设置 SHEQU_BACKUP_KEY"),
        (KEY[:-1], "必须是 32 位十六进制字符（128 位），现在是 31 个字符"),
        ("z" * 32, "含有非十六进制字符"),
        (KEY + "00", "现在是 34 个字符"),
    ]:
        settings.SHEQU_BACKUP_KEY = value
        with pytest.raises(CommandError, match=message):
            call_command("backup", out=out)
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(out))
    assert list(tmp_path.iterdir()) == []
    assert not AuditRecord.objects.filter(action__startswith="backup.").exists()


@pytest.mark.django_db
def test_an_existing_file_is_not_overwritten(key, tmp_path):
    out = tmp_path / "a.bak"
    out.write_bytes(b"yesterday")
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", out=out)
    assert out.read_bytes() == b"yesterday"


@pytest.mark.django_db(transaction=True)
def test_the_plaintext_copy_stays_in_a_private_directory_that_is_removed(
    key, people, tmp_path, monkeypatch
):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    backup_create(out=tmp_path / "a.bak", actor=ACTOR)
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bak", "scratch"]
    assert (tmp_path / "a.bak").stat().st_mode & 0o077 == 0


@pytest.mark.django_db(transaction=True)
def test_manifest_prints_and_checks_the_whole_file(archive, capsys):
    call_command("backup", manifest=archive)
    out, err = capsys.readouterr()
    manifest = json.loads(out)
    assert manifest["tables"]["core_user"] == User.objects.count()
    assert manifest["migrations"]["core"].startswith("00")
    assert "文件完整" in err


# -- restoring ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_database_with_rows_is_refused_and_changes_nothing(archive):
    before = _counts()
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive))
    message = str(refused.value)
    assert "目标数据库不是空的" in message
    assert f"core_user（{User.objects.count()} 行）" in message
    assert _counts() == before


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_the_other_engine_is_refused(archive, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    opened = archive_read(archive)
    forged = tmp_path / "other.bak"
    with forged.open("wb") as fh:
        writer = backup._Writer(fh, engine=other, master=bytes.fromhex(KEY), chunk_size=4096)
        writer.add(json.dumps(opened.manifest).encode())
        writer.add(b"", final=True)
    with pytest.raises(BackupError, match="请恢复到同类数据库"):
        backup.restore_prepare(path=forged)


@dataclass
class Target:
    """An empty database of the suite's engine, reached by a subprocess."""

    url: str
    vendor: str
    path: Path | None = None
    pg: dict[str, Any] | None = None

    def query(self, sql: str) -> list[tuple]:
        if self.path is not None:
            db = sqlite3.connect(self.path)
            try:
                return db.execute(sql).fetchall()
            finally:
                db.close()
        import psycopg

        with psycopg.connect(**self.pg) as db:
            return db.execute(sql).fetchall()

    def tables(self) -> set[str]:
        if self.path is not None:
            if not self.path.exists():
                return set()
            sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        return {row[0] for row in self.query(sql)}

    def counts(self, tables: list[str]) -> dict[str, int]:
        return {t: self.query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in tables}

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": self.url, "SHEQU_BACKUP_KEY": KEY}
        return subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [SHEQU, *args], env=env, capture_output=True, text=True, timeout=300
        )


@pytest.fixture
def target(tmp_path) -> Iterator[Target]:
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield Target(url=f"sqlite:///{path}", vendor="sqlite", path=path)
        return
    import psycopg

    s = connection.settings_dict
    server = {
        "host": s["HOST"] or None,
        "port": s["PORT"] or None,
        "user": s["USER"] or None,
        "password": s["PASSWORD"] or None,
    }
    name = f"{s['NAME']}_restore_{os.getpid()}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    user = f"{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}@" if s["USER"] else ""
    url = f"postgresql://{user}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    try:
        yield Target(url=url, vendor="postgresql", pg={**server, "dbname": name})
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_every_row_and_the_audit_chain(key, people, tmp_path, target):
    # given rows in every kind of table, audit records sealed into three
    # blocks and one record not sealed yet
    _audit_and_seal(people)
    source = _counts()
    last_block = AuditBlock.objects.order_by("-seq").first()

    # when the database is backed up and restored into an empty one
    made = backup_create(out=tmp_path / "a.bak", actor=ACTOR)
    restored = target.run("restore", str(made.path))

    # then every table has the rows it had, plus the restore's own record
    assert made.manifest["tables"] == source
    assert made.manifest["audit"]["last_block_hash"] == last_block.hash
    assert restored.returncode == 0, restored.stderr
    assert "行数核对一致" in restored.stdout
    assert f"最新区块哈希 {last_block.hash}，与清单一致" in restored.stdout
    expected = {**source, "core_auditrecord": source["core_auditrecord"] + 1}
    assert target.counts(list(source)) == expected
    assert target.query(
        "SELECT action, username, success FROM core_auditrecord ORDER BY id DESC LIMIT 1"
    ) == [("backup.restore", "系统:shequ restore", True)]
    assert target.query("SELECT username FROM core_user ORDER BY username") == sorted(
        (u,) for u in User.objects.values_list("username", flat=True)
    )
    # and `shequ audit verify` passes on the restored database
    verified = target.run("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "已校验 12 条记录、3 个区块；待封存 2 条" in verified.stdout
    assert last_block.hash in verified.stdout


@pytest.mark.django_db(transaction=True)
def test_a_tampered_file_restores_nothing(key, people, tmp_path, target):
    made = backup_create(out=tmp_path / "a.bak", actor=ACTOR)
    data = bytearray(made.path.read_bytes())
    data[-100] ^= 0x80  # in the last chunk, the one pg_restore would see last
    made.path.write_bytes(bytes(data))

    restored = target.run("restore", str(made.path))

    assert restored.returncode == 1
    assert "校验失败：文件被改动或已损坏，未恢复任何数据" in restored.stderr
    assert target.tables() == set()


@pytest.mark.django_db(transaction=True)
def test_counts_that_differ_from_the_manifest_are_listed_and_fail(key, people, tmp_path, target):
    # given a backup whose manifest claims one more account than it holds
    made = backup_create(out=tmp_path / "a.bak", actor=ACTOR)
    opened = archive_read(made.path)
    users = opened.manifest["tables"]["core_user"]
    opened.manifest["tables"]["core_user"] = users + 1
    forged = tmp_path / "forged.bak"
    master = bytes.fromhex(KEY)
    with forged.open("wb") as fh:
        writer = backup._Writer(fh, engine=opened.engine, master=master, chunk_size=backup.CHUNK)
        writer.add(json.dumps(opened.manifest).encode())
        chunks = list(opened.dump_chunks(master))
        for chunk in chunks[:-1]:
            writer.add(chunk)
        writer.add(chunks[-1], final=True)

    restored = target.run("restore", str(forged))

    assert restored.returncode == 1
    assert "行数与清单不符" in restored.stderr
    lines = [line.split() for line in restored.stderr.splitlines()]
    assert ["core_user", str(users + 1), str(users)] in lines
    assert "恢复后的校验未通过" in restored.stderr
    assert target.query(
        "SELECT action, success FROM core_auditrecord ORDER BY id DESC LIMIT 1"
    ) == [("backup.restore", False)]


@pytest.mark.django_db
def test_a_backup_inside_an_open_transaction_is_refused(key, tmp_path):
    with pytest.raises(BackupError, match="不能在未提交的事务中备份"):
        backup_create(out=tmp_path / "a.bak", actor=ACTOR)
    assert list(tmp_path.iterdir()) == []
