"""``sit db``, ``sit setup``, ``sit serve``, ``sit load``, ``sit demo`` and ``sit stats``."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import os
import socket
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from geo.cli.common import actor, admin_engine, engine, indented_json, print_counts
from geo.errors import DataError
from geo.schema.roles import DEFAULT_APP_ROLE
from geo.settings import PROJECT_ROOT, get_settings
from geo.store.permissions import require

log = logging.getLogger(__name__)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Create the database and PostGIS if possible, then migrate to head."""
    from geo.schema import migrate

    require(actor(args), "accounts")  # schema changes: an administrator (or the OS user) only

    url = get_settings().migrations_url
    try:
        if migrate.ensure_database(url):
            print(f"Base de datos creada: {url.rsplit('/', 1)[-1]}")
    except (OperationalError, ProgrammingError) as exc:
        log.info("could not check/create the database (continuing): %s", exc)
    try:
        version = migrate.ensure_postgis(url)
    except (OperationalError, ProgrammingError) as exc:
        if getattr(exc.orig, "sqlstate", None) is None:  # no server answered: say that, not PostGIS
            raise
        raise DataError(
            "No se pudo activar PostGIS en la base de datos. ¿Está instalado el paquete "
            f"postgresql-15-postgis-3? Detalle: {exc.orig}"
        ) from exc
    migrate.upgrade(url)
    print(f"Esquema al día (revisión {migrate.current_revision(url)}, PostGIS {version}).")
    _grant_app_role()
    return 0


def _grant_app_role() -> None:
    """After a migration, give the app's own role (when it is not the owner) its rights again."""
    from geo.schema.roles import grant_app_rights

    settings = get_settings()
    app_user = make_url(settings.database_url).username
    if not app_user or app_user == make_url(settings.migrations_url).username:
        return
    with admin_engine().begin() as conn:
        grant_app_rights(conn, app_user)
    print(f"Permisos del rol de la aplicación actualizados ({app_user}).")


def cmd_db_app_role(args: argparse.Namespace) -> int:
    """Create (or update) the app's own role and store its address in the secrets file."""
    from geo.schema.roles import app_url, provision_app_role, store_app_url

    require(actor(args), "accounts")  # database roles: an administrator (or the OS user) only

    settings = get_settings()
    # An existing role whose address the settings don't hold (a lost secrets file) gets a new
    # password: it is shown nowhere, so that is the only way to write its address again.
    known = make_url(settings.database_url).username == args.role
    role = provision_app_role(
        settings.migrations_url, args.role, reset_password=args.reset_password or not known
    )
    if role.password is None:
        print(f"El rol «{role.name}» ya existía; permisos actualizados (contraseña sin cambios).")
        return 0
    secrets_file = Path(args.secrets) if args.secrets else settings.secrets_file
    assert secrets_file is not None
    store_app_url(secrets_file, app_url(settings.migrations_url, role))
    print(
        f"Rol «{role.name}» {'creado' if role.created else 'con contraseña nueva'}: solo lee y modifica "
        f"filas. Su dirección (con la contraseña) quedó en {secrets_file}, legible solo por su usuario; "
        "la aplicación la usa desde ahora."
    )
    return 0


def cmd_load_base(args: argparse.Namespace) -> int:
    """Load the base territorial pack."""
    from geo.territory.base_pack import load_base_pack

    pack = Path(args.pack) if args.pack else get_settings().data_dir
    report = load_base_pack(admin_engine(), pack, actor(args))
    print_counts(
        f"Datos base cargados desde {pack}",
        report.counts,
        [f"geometría reparada: {label}" for label in report.repaired],
    )
    return 0


def cmd_load_pladeco(args: argparse.Namespace) -> int:
    """Load the PLADECO catalogue."""
    from geo.catalogue.loader import CATALOGUE_FILE, load_catalogue

    path = Path(args.file) if args.file else get_settings().data_dir / CATALOGUE_FILE
    report = load_catalogue(admin_engine(), path, actor(args))
    print_counts(
        f"Catálogo del PLADECO cargado desde {path}",
        report.counts,
        [f"aviso: {warning}" for warning in report.warnings],
    )
    return 0


def cmd_demo_generate(args: argparse.Namespace) -> int:
    """Generate a seeded synthetic portfolio."""
    from geo.initiatives.demo import generate_demo

    result = generate_demo(admin_engine(), args.initiatives, args.seed, actor(args))
    print(
        f"Iniciativas de demostración generadas: {result.initiatives} "
        f"(semilla {args.seed}, {result.links} vínculos por geometría)."
    )
    return 0


def cmd_demo_clear(args: argparse.Namespace) -> int:
    """Delete every demo row."""
    from geo.initiatives.demo import clear_demo

    print(f"Iniciativas de demostración eliminadas: {clear_demo(admin_engine(), actor(args))}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Print the counts a planner checks after a load."""
    from geo.initiatives.stats import collect_stats

    with engine().connect() as conn:
        stats = collect_stats(conn)
    if args.json:
        print(indented_json(stats))
    else:
        print(f"Estrategias: {stats['strategies']}  Planes: {stats['plans']}  Programas: {stats['programs']}")
        for kind, t in stats["territories"].items():
            print(f"Territorios {kind}: {t['total']} ({t['sin_geometria']} sin ubicar)")
        ini = stats["initiatives"]
        print(
            f"Iniciativas: {ini['total']} (por tipo {ini['by_kind']}; "
            f"con territorio {ini['linked_to_territory']}; demostración {ini['demo']})"
        )
        refs = stats["reference"]
        print(f"Capas de referencia: {sum(refs.values())} elementos en {len(refs)} capas")
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    """Migrate, then load the base pack and the catalogue when the database is empty."""
    cmd_db_upgrade(args)
    eng = admin_engine()
    with eng.connect() as conn:
        uvs = conn.execute(text("SELECT count(*) FROM territory WHERE kind = 'unidad_vecinal'")).scalar_one()
        strategies = conn.execute(text("SELECT count(*) FROM strategy")).scalar_one()
        references = conn.execute(text("SELECT count(*) FROM reference_feature")).scalar_one()
    if uvs == 0 or references == 0:  # a database from before the reference layers gets them too
        cmd_load_base(argparse.Namespace(pack=None, command=args.command))
    else:
        print(f"Datos base ya cargados ({uvs} unidades vecinales, {references} elementos de referencia).")
    if strategies == 0:
        cmd_load_pladeco(argparse.Namespace(file=None, command=args.command))
    else:
        print(f"Catálogo ya cargado ({strategies} estrategias).")
    return 0


#: Printed by ``sit serve --lan``: the app is open to the whole local network.
LAN_WARNING = (
    "ATENCIÓN: la aplicación queda abierta a la red local: cualquier persona conectada a esta "
    "red puede abrirla en su navegador con la dirección de arriba. Úselo solo en la red del "
    "taller, con las cuentas de usuario activadas cuando existan, y cierre la aplicación "
    "(Ctrl+C) al terminar el taller."
)


def lan_addresses() -> list[str]:
    """IPv4 addresses of this machine on its networks (loopback excluded), best guess first.

    The address of the default route first (a UDP ``connect`` sends nothing), then those of
    the host name; no new dependency and no external request.
    """
    found: list[str] = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.254.254.254", 9))
        found.append(probe.getsockname()[0])
    with contextlib.suppress(OSError):
        for *_, sockaddr in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(sockaddr[0]))
    return [a for a in dict.fromkeys(found) if not ipaddress.ip_address(a).is_loopback]


def print_participation(lan: str) -> None:
    """Print the phone participation addresses on the local network.

    One per workshop open to it now, else the address's shape (the code appears when the
    facilitator opens participation).
    """
    from geo.store.participation import participation_url

    try:
        with engine().connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, participation_code FROM workshop "
                    "WHERE participation_open AND state = 'abierto' ORDER BY id"
                )
            ).all()
    except Exception:  # noqa: BLE001 - the server starts anyway; the page shows the address too
        log.info("open workshops not read", exc_info=True)
        rows = []
    for r in rows:
        print(f"  Participación por teléfono, taller {r.id}: {participation_url(lan, r.participation_code)}")
    if not rows:
        print(
            f"  Participación por teléfono: {participation_url(lan, 'XXXX')} (el código aparece al abrir "
            "la participación de un taller en la página Talleres)",
            flush=True,
        )


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the Streamlit app: on 127.0.0.1 only, or on every interface with ``--lan``."""
    address = args.address or ("0.0.0.0" if args.lan else "127.0.0.1")
    env = dict(os.environ)
    cmd = [
        sys.executable,
        "-m",
        "ui.launch",  # streamlit's own command line, without its first-run menu of pages/
        "run",
        str(PROJECT_ROOT / "app.py"),
        "--server.port",
        str(args.port),
        "--server.address",
        address,
        "--server.headless",
        "true",
    ]
    if args.lan:
        found = lan_addresses()
        print("Iniciando la aplicación para la red local en:", flush=True)
        for ip in found or ["<la IP de este equipo>"]:
            print(f"  http://{ip}:{args.port}", flush=True)
        if found:
            # With a wildcard address and no server address, Streamlit asks an outside
            # service for the public IP (to print it): a workshop has no internet.
            cmd += ["--browser.serverAddress", found[0]]
        print(f"  (en este equipo: http://127.0.0.1:{args.port})", flush=True)
        lan = f"http://{found[0] if found else '<la IP de este equipo>'}:{args.port}"
        print_participation(lan)
        print(LAN_WARNING, flush=True)
        if found:  # the app shows this address in the participation QR code (settings.lan_url)
            env["SIT_LAN_URL"] = lan
    else:
        print("Iniciando la aplicación en", f"http://{address}:{args.port}", flush=True)
    os.chdir(PROJECT_ROOT)
    # Replace this process: stopping `sit serve` stops the server, no orphan is left.
    os.execve(sys.executable, cmd, env)
    return 0  # not reached


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``db``, ``load``, ``demo``, ``serve``, ``stats`` and ``setup`` to ``sit``."""
    db = sub.add_parser("db", help="esquema de la base de datos").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="crear/migrar el esquema").set_defaults(func=cmd_db_upgrade)
    role = db.add_parser(
        "app-role", help="crear el rol de PostgreSQL de la aplicación (solo lee y modifica filas)"
    )
    role.add_argument(
        "--role", default=DEFAULT_APP_ROLE, help=f"nombre del rol (por defecto {DEFAULT_APP_ROLE})"
    )
    role.add_argument(
        "--reset-password", action="store_true", help="darle una contraseña nueva aunque ya exista"
    )
    role.add_argument(
        "--secrets",
        help="archivo donde guardar su dirección (por defecto el de la configuración: "
        ".streamlit/secrets.toml o SIT_SECRETS_FILE)",
    )
    role.set_defaults(func=cmd_db_app_role)

    load = sub.add_parser("load", help="cargar datos").add_subparsers(dest="load_command", required=True)
    base = load.add_parser("base", help="cargar el paquete territorial base")
    base.add_argument("--pack", help="carpeta con la estructura de data/ (por defecto data/)")
    base.set_defaults(func=cmd_load_base)
    pladeco = load.add_parser("pladeco", help="cargar el catálogo del PLADECO 2014-2017")
    pladeco.add_argument("--file", help="archivo YAML del catálogo")
    pladeco.set_defaults(func=cmd_load_pladeco)

    demo = sub.add_parser("demo", help="datos sintéticos de demostración").add_subparsers(
        dest="demo_command", required=True
    )
    gen = demo.add_parser("generate", help="generar una cartera sintética reproducible")
    gen.add_argument("--initiatives", type=int, required=True, help="cantidad de iniciativas")
    gen.add_argument("--seed", type=int, default=1, help="semilla (misma semilla, mismos datos)")
    gen.set_defaults(func=cmd_demo_generate)
    demo.add_parser("clear", help="eliminar los datos de demostración").set_defaults(func=cmd_demo_clear)

    serve = sub.add_parser("serve", help="iniciar la aplicación web (solo en este equipo, salvo --lan)")
    serve.add_argument("--port", type=int, default=8501)
    serve.add_argument(
        "--lan", action="store_true", help="abrirla a la red local (taller): muestra la dirección y un aviso"
    )
    serve.add_argument("--address", help="dónde escuchar (por defecto 127.0.0.1; 0.0.0.0 con --lan)")
    serve.set_defaults(func=cmd_serve)

    stats = sub.add_parser("stats", help="conteos después de una carga")
    stats.add_argument("--json", action="store_true", help="salida JSON")
    stats.set_defaults(func=cmd_stats)

    sub.add_parser("setup", help="migrar y cargar datos si la base está vacía").set_defaults(func=cmd_setup)
