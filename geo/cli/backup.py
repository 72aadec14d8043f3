"""``sit backup OUT`` and ``sit restore FILE``: the whole database to one file and back.

With ``sit --user``, both need the right to administer accounts (an administrator's): a copy
holds every account with its password hash, and a restore replaces them all.

:mod:`geo.schema.backup` and :mod:`geo.schema.migrate` (alembic, geoalchemy2: ~0.3 s) are
imported by the commands that use them: ``sit`` registers every command in every process.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geo.cli.common import actor, engine
from geo.domain import format_int
from geo.errors import DataError
from geo.settings import get_settings, normalise_database_url
from geo.store import audit
from geo.store.permissions import require

log = logging.getLogger(__name__)


def _size(n: int) -> str:
    """Bytes as a person reads them: ``12,3 MB``."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".", ",")
    return f"{n} bytes"


def cmd_backup(args: argparse.Namespace) -> int:
    """Dump the configured database to ``OUT`` (pg_dump custom format) and audit it."""
    from geo.initiatives.stats import collect_stats
    from geo.schema import backup

    require(actor(args), "accounts")
    out = Path(args.out)
    if out.is_dir():
        raise DataError(f"{out} es una carpeta; indique el nombre del archivo de la copia.")
    if out.exists() and not args.force:
        raise DataError(f"Ya existe el archivo {out}; no se reemplazó. Use --force para reemplazarlo.")
    if not out.parent.is_dir():
        raise DataError(f"No existe la carpeta {out.parent}.")
    url = get_settings().migrations_url
    size = backup.dump(url, out)
    eng = engine()
    with eng.begin() as conn:
        stats = collect_stats(conn)
        audit_rows = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        audit.record(
            conn,
            actor(args),
            [
                audit.Entry(
                    "copia_de_seguridad",
                    None,
                    None,
                    {"file": str(out.resolve()), "bytes": size, "revision": revision},
                )
            ],
        )
    print(f"Copia de seguridad de la base {backup.describe(url)} guardada en {out} ({_size(size)}).")
    ini = stats["initiatives"]
    print(
        f"  Estrategias: {stats['strategies']}  Planes: {stats['plans']}  Programas: {stats['programs']}  "
        f"Iniciativas: {format_int(ini['total'])} (archivadas {ini['archived']}, demostración {ini['demo']})"
    )
    print(
        f"  Territorios: {format_int(sum(t['total'] for t in stats['territories'].values()))}"
        f"  Registros de auditoría: {format_int(audit_rows)}  Revisión del esquema: {revision}"
    )
    print(f"Para restaurarla: sit restore {out}")
    return 0


def _target_url(args: argparse.Namespace) -> str:
    url = normalise_database_url(args.target_url) if args.target_url else get_settings().migrations_url
    if args.create_db:
        url = make_url(url).set(database=args.create_db).render_as_string(hide_password=False)
    return url


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore ``FILE`` into the configured database, ``--target-url`` or a new ``--create-db``."""
    from geo.schema import backup, migrate

    require(actor(args), "accounts")
    archive = Path(args.file)
    backup.check_archive(archive)
    url = _target_url(args)
    created = False
    if args.create_db:
        if not migrate.ensure_database(url):
            raise DataError(
                f"Ya existe la base {backup.describe(url)}; --create-db crea una base nueva. "
                "Elija otro nombre, o restaure sobre ella con --target-url y --force."
            )
        created = True
        print(f"Base de datos creada: {backup.describe(url)}")
    else:
        full = backup.tables_with_rows(url)
        if full and not args.force:
            shown = ", ".join(full[:6]) + (f" y {len(full) - 6} más" if len(full) > 6 else "")
            raise DataError(
                f"La base {backup.describe(url)} ya tiene datos ({len(full)} tablas con filas: {shown}); "
                "no se restauró nada. Use --force para reemplazarlos por los de la copia, o "
                "--create-db NOMBRE para restaurar en una base nueva."
            )
    try:
        backup.restore(url, archive)
    except DataError:
        if created:
            _drop_database(url)
        raise
    _record_restore(url, archive, args)
    print(f"Copia {archive} restaurada en la base {backup.describe(url)}.")
    return _report_revision(url)


def _record_restore(url: str, archive: Path, args: argparse.Namespace) -> None:
    """The restore's own audit row, written after the restored audit log is in place."""
    eng = create_engine(url)
    who = actor(args)
    try:
        with eng.begin() as conn:
            details: dict[str, object] = {"file": str(archive.resolve())}
            if (
                who.user_id is not None
                and not conn.execute(text("SELECT 1 FROM app_user WHERE id = :i"), {"i": who.user_id}).first()
            ):
                # The account of --user is not in the restored copy: the row keeps its name.
                details["cuenta_no_restaurada"] = who.user_id
                who = replace(who, user_id=None)
            audit.record(conn, who, [audit.Entry("restaurar_copia", None, None, details)])
    finally:
        eng.dispose()


def _report_revision(url: str) -> int:
    from geo.schema import backup, migrate

    restored, head = migrate.current_revision(url), backup.head_revision()
    if restored == head:
        print(f"Esquema en la revisión {restored}, la que espera esta versión del programa.")
        return 0
    print(
        f"Aviso: la copia está en la revisión {restored} del esquema y esta versión del programa "
        f"espera {head}. Si la copia es más antigua, ejecute «sit db upgrade» con DATABASE_URL "
        "apuntando a esa base; si es más nueva, actualice el programa antes de usarla."
    )
    return 0


def _drop_database(url: str) -> None:
    """Drop the database ``--create-db`` made for a restore that failed."""
    u = make_url(url)
    name = (u.database or "").replace('"', '""')
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        log.info("dropped database %s after a failed restore", u.database)
    finally:
        admin.dispose()


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``backup`` and ``restore`` to ``sit``."""
    bak = sub.add_parser("backup", help="copia de seguridad de toda la base (formato de pg_dump)")
    bak.add_argument("out", metavar="ARCHIVO", help="archivo de la copia (p. ej. sit-2025-01-31.dump)")
    bak.add_argument("--force", action="store_true", help="reemplazar el archivo si ya existe")
    bak.set_defaults(func=cmd_backup)

    res = sub.add_parser("restore", help="restaurar una copia hecha con «sit backup»")
    res.add_argument("file", metavar="ARCHIVO", help="archivo de la copia")
    res.add_argument(
        "--target-url", help="base de destino (por defecto DATABASE_URL); la contraseña nunca se muestra"
    )
    res.add_argument(
        "--create-db",
        metavar="NOMBRE",
        help="crear una base nueva con este nombre (mismo servidor) y restaurar ahí",
    )
    res.add_argument(
        "--force", action="store_true", help="reemplazar los datos de una base que ya tiene datos"
    )
    res.set_defaults(func=cmd_restore)
