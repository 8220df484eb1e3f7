"""Encrypted backups of the whole database, and their restore (``shequ backup``,
``shequ restore``; docs/operations.md §9).

What is dumped
    PostgreSQL: ``pg_dump --format=custom`` inside an exported REPEATABLE READ
    snapshot, so the manifest's counts are those of the dump even while the
    server keeps writing. SQLite: the online backup API
    (``sqlite3.Connection.backup``) into a private temporary directory, which
    is removed afterwards; the manifest is counted from that copy.

The file (format 1)
    header   ``SHEQUBAK`` ‖ version u8 ‖ engine (u8 length ‖ ASCII) ‖ salt (16)
             ‖ key check (16) ‖ chunk size u32
    records  flags u8 (bit 0: final) ‖ length u32 ‖ SM4-GCM ciphertext ‖ tag
    Record 0 is the manifest (JSON), records 1… the dump, the last one flagged
    final. Each file has its own key, HKDF-SM3(SHEQU_BACKUP_KEY, salt), so the
    nonce can simply be the record's index; the associated data is the whole
    header, the index and the flags. Reordered, dropped, appended or altered
    records, a cut-off tail and a changed header all fail authentication. The
    key check (another HKDF output) tells a wrong key from a damaged file.

Restoring
    The whole file is authenticated before anything is written; the second
    pass streams the plaintext into ``pg_restore --single-transaction`` (a
    pipe, never a file) or into a temporary file next to the SQLite database
    that is renamed over it. The target must be empty; afterwards every table
    is recounted against the manifest and the audit chain is verified.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import string
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shequ.core.audit_chain import GENESIS, verify
from shequ.core.history import record
from shequ.core.models import AuditBlock, AuditRecord
from shequ.core.scope import Actor

MAGIC = b"SHEQUBAK"
FORMAT = 1
CHUNK = 1024 * 1024
ENGINES = ("postgresql", "sqlite")
_TAG = 16
_FINAL = 0x01
_MAX_MANIFEST = 16 * 1024 * 1024
_MAX_CHUNK = 64 * 1024 * 1024
_ENGINE_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


class BackupError(Exception):
    """A refused backup or restore; the message (Chinese) says what to do."""


# -- the key -----------------------------------------------------------------------------------


def backup_key() -> bytes:
    """SHEQU_BACKUP_KEY as 16 bytes, or a refusal that says how to make one."""
    value = (getattr(settings, "SHEQU_BACKUP_KEY", "") or "").strip()
    if not value:
        raise BackupError(
            "未设置 SHEQU_BACKUP_KEY：备份用 SM4 加密，密钥为 32 位十六进制（128 位），"
            "可用 python3 -c 'import secrets; print(secrets.token_hex(16))' 生成，"
            "与备份文件分开保管（docs/operations.md §9）。"
        )
    if not all(c in string.hexdigits for c in value):
        raise BackupError("SHEQU_BACKUP_KEY 含有非十六进制字符：它必须是 32 位十六进制（128 位）。")
    if len(value) != 32:
        raise BackupError(
            f"SHEQU_BACKUP_KEY 必须是 32 位十六进制字符（128 位），现在是 {len(value)} 个字符。"
        )
    return bytes.fromhex(value)


def _derive(master: bytes, salt: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=16, salt=salt, info=purpose).derive(master)


# -- the container -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    engine: str
    salt: bytes
    check: bytes
    chunk_size: int
    raw: bytes

    @classmethod
    def new(cls, *, engine: str, master: bytes, chunk_size: int) -> Header:
        salt = os.urandom(16)
        check = _derive(master, salt, b"shequ/backup/check/v1")
        name = engine.encode("ascii")
        raw = (
            MAGIC + bytes([FORMAT, len(name)]) + name + salt + check + struct.pack(">I", chunk_size)
        )
        return cls(engine, salt, check, chunk_size, raw)

    @classmethod
    def read(cls, fh: IO[bytes]) -> Header:
        start = fh.read(len(MAGIC) + 2)
        if len(start) < len(MAGIC) + 2 or not start.startswith(MAGIC):
            raise BackupError("这不是 Shequ 的备份文件（文件头不对）。")
        version, name_len = start[len(MAGIC)], start[len(MAGIC) + 1]
        if version != FORMAT:
            raise BackupError(f"备份文件格式第 {version} 版，本版本只能读第 {FORMAT} 版。")
        rest = fh.read(name_len + 36)
        if len(rest) < name_len + 36:
            raise BackupError("备份文件不完整：文件头被截断。")
        engine = rest[:name_len].decode("ascii", "replace")
        salt, check = rest[name_len : name_len + 16], rest[name_len + 16 : name_len + 32]
        (chunk_size,) = struct.unpack(">I", rest[name_len + 32 :])
        if engine not in ENGINES or not 0 < chunk_size <= _MAX_CHUNK:
            raise BackupError("备份文件头已损坏（数据库类型或分块大小不对）。")
        return cls(engine, salt, check, chunk_size, start + rest)


def _nonce(index: int) -> bytes:
    return b"\0\0\0\0" + struct.pack(">Q", index)


def _aad(header: Header, index: int, flags: int) -> bytes:
    return header.raw + struct.pack(">QB", index, flags)


class _Writer:
    """Writes the header, then one authenticated record per ``add``."""

    def __init__(self, fh: IO[bytes], *, engine: str, master: bytes, chunk_size: int):
        self.fh = fh
        self.header = Header.new(engine=engine, master=master, chunk_size=chunk_size)
        self.key = _derive(master, self.header.salt, b"shequ/backup/sm4/v1")
        self.index = 0
        self.digest = hashes.Hash(hashes.SM3())
        self.size = 0
        self._write(self.header.raw)

    def _write(self, data: bytes) -> None:
        self.fh.write(data)
        self.digest.update(data)
        self.size += len(data)

    def add(self, data: bytes, *, final: bool = False) -> None:
        flags = _FINAL if final else 0
        encryptor = Cipher(algorithms.SM4(self.key), modes.GCM(_nonce(self.index))).encryptor()
        encryptor.authenticate_additional_data(_aad(self.header, self.index, flags))
        body = encryptor.update(data) + encryptor.finalize() + encryptor.tag
        self._write(struct.pack(">BI", flags, len(body)) + body)
        self.index += 1

    def add_stream(self, source: IO[bytes]) -> None:
        """The dump, ``chunk_size`` bytes a record; the last record read is
        the final one (one record ahead, so the final flag is never on an empty
        record unless the dump itself is empty)."""
        current = source.read(self.header.chunk_size)
        while True:
            following = source.read(self.header.chunk_size)
            if not following:
                self.add(current, final=True)
                return
            self.add(current)
            current = following


def _records(fh: IO[bytes], header: Header, master: bytes) -> Iterator[bytes]:
    """Every record's plaintext, in order, each authenticated before it is
    yielded; the manifest first. Raises BackupError at the first fault."""
    key = _derive(master, header.salt, b"shequ/backup/sm4/v1")
    index = 0
    while True:
        frame = fh.read(5)
        if len(frame) < 5:
            raise BackupError(
                f"备份文件不完整：第 {index} 块之前被截断（缺少结尾的数据块），未恢复任何数据。"
            )
        flags, length = struct.unpack(">BI", frame)
        limit = _MAX_MANIFEST if index == 0 else header.chunk_size
        if flags & ~_FINAL or length < _TAG or length > limit + _TAG or (index == 0 and flags):
            raise BackupError(f"备份文件第 {index} 块的长度或标志不对：文件被改动或已损坏。")
        body = fh.read(length)
        if len(body) < length:
            raise BackupError(f"备份文件不完整：第 {index} 块被截断，未恢复任何数据。")
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(_nonce(index), body[-_TAG:])).decryptor()
        decryptor.authenticate_additional_data(_aad(header, index, flags))
        try:
            plain = decryptor.update(body[:-_TAG]) + decryptor.finalize()
        except InvalidTag:
            raise BackupError(
                f"备份文件第 {index} 块校验失败：文件被改动或已损坏，未恢复任何数据。"
            ) from None
        yield plain
        if flags & _FINAL:
            if fh.read(1):
                raise BackupError("备份文件在结尾数据块之后还有多余的内容：文件被改动。")
            return
        index += 1


def _reason(error: OSError) -> str:
    if isinstance(error, FileNotFoundError):
        return "文件或目录不存在"
    if isinstance(error, PermissionError):
        return "没有权限"
    if isinstance(error, IsADirectoryError):
        return "这是一个目录"
    return error.strerror or str(error)


def _open(path: Path, master: bytes) -> tuple[IO[bytes], Header]:
    try:
        fh = path.open("rb")
    except OSError as error:
        raise BackupError(f"无法打开备份文件 {path}：{_reason(error)}。") from None
    try:
        header = Header.read(fh)
    except BackupError:
        fh.close()
        raise
    if _derive(master, header.salt, b"shequ/backup/check/v1") != header.check:
        fh.close()
        raise BackupError("SHEQU_BACKUP_KEY 不是制作这份备份时所用的密钥，无法解密。")
    return fh, header


@dataclass(frozen=True)
class Archive:
    """A backup file whose every record was authenticated."""

    path: Path
    engine: str
    manifest: dict[str, Any]
    records: int  # the manifest and the dump's chunks
    dump_bytes: int
    sm3: str  # of the whole file, as ``shequ backup`` printed it

    def dump_chunks(self, master: bytes) -> Iterator[bytes]:
        """The dump again, each chunk authenticated before it is yielded (the
        file is read a second time, so it is checked a second time)."""
        fh, header = _open(self.path, master)
        with fh:
            chunks = _records(fh, header, master)
            next(chunks)  # the manifest
            yield from chunks


def archive_read(path: Path) -> Archive:
    """Open and authenticate the whole backup file (nothing is written)."""
    master = backup_key()
    fh, header = _open(path, master)
    with fh:
        records = _records(fh, header, master)
        try:
            manifest = json.loads(next(records))
        except ValueError:
            raise BackupError("备份文件的清单无法解析：文件已损坏。") from None
        count, size = 1, 0
        for chunk in records:
            count += 1
            size += len(chunk)
    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as whole:
        while block := whole.read(CHUNK):
            digest.update(block)
    return Archive(path, header.engine, manifest, count, size, digest.finalize().hex())


# -- the manifest ------------------------------------------------------------------------------


def model_tables() -> list[str]:
    """Every table of every installed model (m2m tables included), and
    ``django_migrations``."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    }
    return sorted(tables | {"django_migrations"})


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count(cursor: Any, table: str) -> int:
    # Table names come from the model registry or the manifest, and are quoted.
    cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608
    return int(cursor.fetchone()[0])


def _build_manifest(cursor: Any, *, engine: str, existing: set[str]) -> dict[str, Any]:
    """Counted through ``cursor``, which sees exactly what is dumped."""
    tables = [t for t in model_tables() if t in existing]
    counts = {table: _count(cursor, table) for table in tables}
    migrations: dict[str, str] = {}
    if "django_migrations" in existing:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = dict(cursor.fetchall())
    block_table = AuditBlock._meta.db_table
    last_seq, last_hash = 0, GENESIS
    if block_table in existing:
        cursor.execute(
            f"SELECT seq, hash FROM {_quote(block_table)} ORDER BY seq DESC LIMIT 1"  # noqa: S608
        )
        row = cursor.fetchone()
        if row:
            last_seq, last_hash = int(row[0]), str(row[1])
    try:
        version = metadata.version("shequ")
    except metadata.PackageNotFoundError:
        version = ""
    return {
        "format": FORMAT,
        "created_at": timezone.localtime().isoformat(timespec="seconds"),
        "engine": engine,
        "shequ_version": version,
        "migrations": dict(sorted(migrations.items())),
        "tables": counts,
        "missing_tables": [t for t in model_tables() if t not in existing],
        "audit": {
            "records": counts.get(AuditRecord._meta.db_table, 0),
            "last_block_seq": last_seq,
            "last_block_hash": last_hash,
        },
    }


# -- backing up --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    size: int
    sm3: str


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for pg_dump / pg_restore: the password never
    appears on a command line."""
    env = dict(os.environ)
    pairs = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("options", "PGOPTIONS"),
    ):
        pairs[variable] = options.get(option)
    env.update({k: str(v) for k, v in pairs.items() if v not in (None, "")})
    return env


def _client(name: str) -> str:
    """The PostgreSQL client program ``name`` on PATH (its major version must
    be at least the server's)."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 {name}：请安装与服务器同版本的 PostgreSQL 客户端（postgresql-client-15）。"
        )
    return found


def _tail(fh: IO[bytes]) -> str:
    fh.seek(0)
    return fh.read().decode("utf-8", "replace").strip()[-800:]


def _backup_postgresql(writer_for: Any) -> dict[str, Any]:
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = True
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = ANY(current_schemas(false))"
        )
        existing = {row[0] for row in cursor.fetchall()}
        manifest = _build_manifest(cursor, engine="postgresql", existing=existing)
        writer = writer_for(manifest)
        with tempfile.TemporaryFile() as errors:
            try:
                dump = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                    [
                        _client("pg_dump"),
                        "--format=custom",
                        "--no-password",
                        f"--snapshot={snapshot}",
                    ],
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    env=_pg_env(connection.settings_dict),
                )
            except OSError as error:
                raise BackupError(f"无法运行 pg_dump：{_reason(error)}。") from None
            with cast(IO[bytes], dump.stdout) as output:
                writer.add_stream(output)
            if dump.wait() != 0:
                raise BackupError(f"pg_dump 失败（退出码 {dump.returncode}）：{_tail(errors)}")
        cursor.execute("COMMIT")
    finally:
        raw.close()
    return manifest


def _backup_sqlite(writer_for: Any) -> dict[str, Any]:
    connection.ensure_connection()
    # mkdtemp makes the directory 0700; the plaintext copy never leaves it and
    # the directory goes with the context, also when the backup fails.
    with tempfile.TemporaryDirectory(prefix="shequ-backup-") as private:
        copy = Path(private) / "db.sqlite3"
        target = sqlite3.connect(copy)
        try:
            connection.connection.backup(target)
            # One self-contained file: the copy carries no WAL mode with it.
            target.execute("PRAGMA journal_mode=DELETE")
            cursor = target.cursor()
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            existing = {row[0] for row in cursor.fetchall()}
            manifest = _build_manifest(cursor, engine="sqlite", existing=existing)
        finally:
            target.close()
        writer = writer_for(manifest)
        with copy.open("rb") as source:
            writer.add_stream(source)
    return manifest


def backup_create(*, out: Path, actor: Actor, chunk_size: int = CHUNK) -> BackupResult:
    """Dump the database into the encrypted file ``out`` (which must
    not exist), and audit it (``backup.create``, in the database backed up,
    after the dump: the record itself is in the next backup)."""
    master = backup_key()
    engine = connection.vendor
    if engine not in ENGINES:
        raise BackupError(f"不支持备份 {engine} 数据库（只支持 PostgreSQL 和 SQLite）。")
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} 已存在：请换一个文件名（备份不会覆盖已有的文件）。")
    if not out.parent.is_dir():
        raise BackupError(f"目录 {out.parent} 不存在。")
    if connection.in_atomic_block:
        # SQLite's backup would wait for this connection's own transaction
        # for ever, and pg_dump could not see what it has not committed.
        raise BackupError("不能在未提交的事务中备份：请在事务之外运行。")
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise BackupError(f"无法在 {out.parent} 写入备份文件：{_reason(error)}。") from None
    writers: list[_Writer] = []

    def writer_for(manifest: dict[str, Any]) -> _Writer:
        writer = _Writer(fh, engine=engine, master=master, chunk_size=chunk_size)
        writer.add(json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode())
        writers.append(writer)
        return writer

    try:
        with os.fdopen(fd, "wb") as fh:
            run = _backup_postgresql if engine == "postgresql" else _backup_sqlite
            manifest = run(writer_for)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(partial, out)  # unlike a rename, never replaces a file made meanwhile
        except FileExistsError:
            raise BackupError(
                f"{out} 在备份期间被别人创建了：备份未写入，请换一个文件名。"
            ) from None
    finally:
        partial.unlink(missing_ok=True)
    writer = writers[0]
    result = BackupResult(out, manifest, writer.size, writer.digest.finalize().hex())
    with transaction.atomic():
        record(
            actor=actor,
            action="backup.create",
            changes={
                "file": out.name,
                "bytes": result.size,
                "sm3": result.sm3,
                "rows": sum(manifest["tables"].values()),
                "last_block_seq": manifest["audit"]["last_block_seq"],
            },
            message=f"已备份数据库到 {out.name}（{result.size} 字节）。",
        )
    return result


# -- restoring ---------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    mismatches: list[tuple[str, int | None, int | None]] = field(default_factory=list)
    audit_ok: bool = False
    audit_message: str = ""

    @property
    def ok(self) -> bool:
        return self.audit_ok and not self.mismatches


def _refuse_unless_empty() -> None:
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        filled = [(t, n) for t in tables if (n := _count(cursor, t))]
    if filled:
        listed = "、".join(f"{t}（{n} 行）" for t, n in filled[:10])
        more = f" 等 {len(filled)} 张表" if len(filled) > 10 else ""
        raise BackupError(
            f"目标数据库不是空的：{listed}{more}已有数据。请恢复到新建的空数据库"
            "（恢复不会覆盖已有的数据，也没有强制选项）。"
        )
    if tables and connection.vendor == "postgresql":
        raise BackupError(
            f"目标数据库已有 {len(tables)} 张表（如 {tables[0]}），虽然都是空的："
            "pg_restore 要自己建表，请恢复到新建的空数据库（不要先运行 migrate）。"
        )


def _restore_postgresql(archive: Archive, master: bytes) -> None:
    connection.close()
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [
                    _client("pg_restore"),
                    "--no-owner",
                    "--exit-on-error",
                    "--single-transaction",
                    "--no-password",
                    f"--dbname={connection.settings_dict['NAME']}",
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=_pg_env(connection.settings_dict),
            )
        except OSError as error:
            raise BackupError(f"无法运行 pg_restore：{_reason(error)}。") from None
        stdin = cast(IO[bytes], proc.stdin)
        try:
            for chunk in archive.dump_chunks(master):
                stdin.write(chunk)
            stdin.close()
        except BrokenPipeError:
            pass  # pg_restore stopped on an error: its exit code and message follow
        except BaseException:
            # The file changed since it was checked: pg_restore has not seen
            # the end, so its single transaction never commits.
            proc.kill()
            proc.wait()
            raise
        if proc.wait() != 0:
            raise BackupError(
                f"pg_restore 失败（退出码 {proc.returncode}），事务已回滚，数据库未改动：{_tail(errors)}"
            )


def _restore_sqlite(archive: Archive, master: bytes) -> None:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("目标是内存数据库，无法恢复：请把 DATABASE_URL 指向一个数据库文件。")
    target = Path(name)
    if not target.parent.is_dir():
        raise BackupError(f"目录 {target.parent} 不存在。")
    connection.close()
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".restore", dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in archive.dump_chunks(master):
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        check = sqlite3.connect(f"file:{temp}?mode=ro", uri=True)
        try:
            verdict = check.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            check.close()
        if verdict != "ok":
            raise BackupError(f"恢复出的 SQLite 文件校验不通过：{verdict}。")
        # The target was empty; a WAL left beside it must not be replayed
        # into the restored file.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def restore_prepare(*, path: Path) -> Archive:
    """Every check that comes before writing: the key, the whole file, the
    engine, an empty target. Raises BackupError; writes nothing."""
    archive = archive_read(Path(path))
    engine = connection.vendor
    if archive.engine != engine:
        raise BackupError(
            f"这是 {_ENGINE_NAMES[archive.engine]} 的备份，目标数据库是 "
            f"{_ENGINE_NAMES.get(engine, engine)}：请恢复到同类数据库。"
        )
    _refuse_unless_empty()
    return archive


def restore_apply(*, archive: Archive, actor: Actor) -> RestoreReport:
    """Restore a prepared archive, recount every table against the manifest,
    verify the audit chain, and audit the restore (``backup.restore``) in the
    restored database."""
    master = backup_key()
    if archive.engine == "postgresql":
        _restore_postgresql(archive, master)
    else:
        _restore_sqlite(archive, master)
    report = RestoreReport(manifest=archive.manifest)
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for table, expected in archive.manifest["tables"].items():
            found = _count(cursor, table) if table in existing else None
            if found != expected:
                report.mismatches.append((table, expected, found))
    result = verify()
    expected_hash = archive.manifest["audit"]["last_block_hash"]
    if not result.ok:
        report.audit_message = f"审计链校验失败：{result.reason}"
    elif result.last_block_hash != expected_hash:
        report.audit_message = (
            f"审计链自身完整，但最新区块哈希 {result.last_block_hash} 与清单中的 "
            f"{expected_hash} 不同。"
        )
    else:
        report.audit_ok = True
        report.audit_message = (
            f"审计链完整：已校验 {result.checked} 条记录、{result.blocks} 个区块；"
            f"最新区块哈希 {result.last_block_hash}，与清单一致。"
        )
    with transaction.atomic():
        record(
            actor=actor,
            action="backup.restore",
            changes={
                "file": archive.path.name,
                "sm3": archive.sm3,
                "created_at": archive.manifest["created_at"],
                "mismatched_tables": [t for t, _, _ in report.mismatches],
                "audit_ok": report.audit_ok,
            },
            success=report.ok,
            message=f"已从 {archive.path.name} 恢复数据库。"
            + ("" if report.ok else " 恢复后的校验未通过。"),
        )
    return report
