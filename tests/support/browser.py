"""Shared parts of the browser journeys: the app served by ``sit serve``, a chromium page.

Each journey module builds its own database (a sibling of the test database, so journeys
never share state) and uses :func:`served_app` and :func:`chromium_page` in its fixtures;
the module's journeys share one chromium (``browser`` in ``tests/browser/conftest.py``),
each in a fresh context.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from geo.accounts.users import create_user
from geo.store.actor import Actor
from layers.map import DRAWN_ATTRIBUTE
from tests.conftest import free_port, run_sit, set_up_database

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


#: The accounts every served app has, one per role: role -> (username, full name, password).
ACCOUNTS: dict[str, tuple[str, str, str]] = {
    "administrador": ("admin", "Alicia Administradora", "clave-admin-2026"),
    "secplac": ("ana", "Ana Rojas", "clave-secplac-2026"),
    "facilitador": ("fede", "Federico Facilitador", "clave-taller-2026"),
    "concejo": ("concejal", "Carmen Concejal", "clave-concejo-2026"),
}


_COMMON = [
    "Mapa del PLADECO",
    "Brechas territoriales",
    "Inversión por territorio",
    "Calidad de datos",
    "Modo proyector",
    "Evaluación del PLADECO",
]
#: The sidebar of each role, in order (the role table of issue 10, as a person sees it).
PAGES_OF: dict[str, list[str]] = {
    "administrador": [
        *_COMMON,
        "Iniciativas",
        "Talleres",
        "Planillas",
        "Importar capas",
        "Actividad",
        "Usuarios",
        "Mi cuenta",
    ],
    "secplac": [*_COMMON, "Iniciativas", "Talleres", "Planillas", "Actividad", "Mi cuenta"],
    "facilitador": [*_COMMON, "Talleres", "Planillas", "Mi cuenta"],
    "concejo": [*_COMMON, "Planillas", "Mi cuenta"],
}


def create_accounts(engine: Engine) -> None:
    """One account per role (:data:`ACCOUNTS`), created by the system as ``sit user add`` would."""
    actor = Actor.system("pruebas automáticas")
    for role, (username, full_name, password) in ACCOUNTS.items():
        create_user(engine, actor, username, full_name, role, password)


#: Base URL of each app served by :func:`served_app` -> its log file.
SERVER_LOGS: dict[str, Path] = {}


def server_log_tail(base: str, lines: int = 60) -> str:
    """The last ``lines`` of the log of the app served at ``base`` ("" when unknown)."""
    path = SERVER_LOGS.get(base)
    if path is None or not path.is_file():
        return ""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@contextmanager
def served_app(
    suffix: str, *prepare: Sequence[str], env: Mapping[str, str] | None = None
) -> Iterator[tuple[str, Engine]]:
    """Create database ``<test db>_<suffix>``, ``sit setup`` it, run each ``prepare`` command,
    create :data:`ACCOUNTS`, start ``sit serve`` on a free port with ``env`` added to its
    environment (e.g. ``SIT_PUBLIC_READ``); yield (base URL, engine on that database)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: scripts/test.sh installs it (apt-get install chromium)")
    url = set_up_database(suffix)
    for args in prepare:
        run_sit(*args, url=url)
    setup_engine = create_engine(url)
    try:
        create_accounts(setup_engine)
    finally:
        setup_engine.dispose()
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}, **(env or {})}
    env["DATABASE_URL"] = url
    base = f"http://127.0.0.1:{port}"
    # The server's log, for the report of a journey that fails (tests/browser/conftest.py).
    log_file = tempfile.NamedTemporaryFile(prefix=f"sit-serve-{suffix}-", suffix=".log", delete=False)
    SERVER_LOGS[base] = Path(log_file.name)
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "sit"), "serve", "--port", str(port)],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    log_file.close()
    for _ in range(120):
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("the app did not start")
    engine = create_engine(url)
    try:
        yield base, engine
    finally:
        engine.dispose()
        proc.terminate()
        proc.wait(timeout=20)


@contextmanager
def chromium() -> Iterator:
    """One headless chromium (a module's journeys share it; each gets its own context)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium_page(browser, width: int = 1500, height: int = 1100):
    """A page in a fresh context of ``browser`` (no cookies or storage from the previous
    journey: a new Streamlit session), recording every request URL in ``page.requests``."""
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.requests = requests
    try:
        yield pg
    finally:
        context.close()


def log_in(pg, base: str, role: str = "secplac", path: str = "", password: str | None = None) -> None:
    """Open ``base + path`` (a new session) and log in there with the account of ``role``
    (:data:`ACCOUNTS`); wait until the sidebar names it and the run after the login has
    ended (a click during that run is lost). The address then shows its page."""
    username, full_name, right = ACCOUNTS[role]
    pg.goto(base + path)
    fill_login(pg, username, password or right)
    pg.get_by_test_id("stSidebar").get_by_text(full_name).wait_for(timeout=60_000)
    app_idle(pg)


def fill_login(pg, username: str, password: str) -> None:
    """Type ``username`` and ``password`` in the login form on screen and press «Ingresar»."""
    form = pg.get_by_test_id("stForm").filter(has=pg.get_by_role("button", name="Ingresar"))
    form.get_by_role("textbox", name="Usuario").wait_for(timeout=60_000)
    form.get_by_role("textbox", name="Usuario").fill(username)
    form.get_by_label("Contraseña").fill(password)
    form.get_by_role("button", name="Ingresar").click()


def sidebar_pages(pg) -> list[str]:
    """The titles listed in the sidebar's navigation, in order."""
    nav = pg.get_by_test_id("stSidebarNav")
    nav.wait_for(timeout=60_000)
    # Each link's text is its icon's name, then its title.
    return [t.strip().splitlines()[-1] for t in nav.get_by_test_id("stSidebarNavLink").all_inner_texts()]


def switch_on(pg, label: str, attempts: int = 5) -> None:
    """Turn on the sidebar switch (``st.toggle``) ``label``; a click during a rerun can be lost."""
    sidebar = pg.get_by_test_id("stSidebar")
    switch = sidebar.get_by_role("switch", name=label)
    switch.wait_for(state="attached", timeout=90_000)
    for _ in range(attempts):
        if switch.is_checked():
            return
        sidebar.get_by_text(label, exact=True).click()
        deadline = time.time() + 5
        while time.time() < deadline and not switch.is_checked():
            time.sleep(0.2)
    if not switch.is_checked():
        raise AssertionError(f"the switch {label!r} did not turn on")


def _calm(check: Callable[[], bool], timeout: float, calm_for: float, every: float) -> bool:
    """Whether ``check()`` held for ``calm_for`` s in a row within ``timeout`` s (polled every ``every``)."""
    deadline = time.time() + timeout
    calm_since = None
    while time.time() < deadline:
        if check():
            calm_since = calm_since or time.time()
            if time.time() - calm_since >= calm_for:
                return True
        else:
            calm_since = None
        time.sleep(every)
    return False


def settle(pg, maps: int = 1, timeout: float = 90, calm_for: float = 0.5) -> None:
    """Wait until the page shows ``maps`` map frames, all current and sized, for ``calm_for`` s.

    streamlit-folium keys its component by a hash of the map's JavaScript, so a map whose
    own content changes (the editor's maps when another item is picked, the first load) is
    a new iframe: for a moment the previous run's frame (stale) and the new one (height 0
    until Leaflet loads) are both on the page, and a locator would pick the wrong one.
    """
    probe = f"""() => [...document.querySelectorAll('{IFRAME}')].map(f => ({{
        stale: !!f.closest('[data-stale="true"]'), height: Number(f.getAttribute('height')) || 0}}))"""
    frames: list[dict] = []

    def ready() -> bool:
        frames[:] = pg.evaluate(probe)
        return len(frames) == maps and all(not f["stale"] and f["height"] > 0 for f in frames)

    if _calm(ready, timeout, calm_for, every=0.2):
        return
    running = pg.get_by_test_id("stStatusWidget").count() > 0
    raise AssertionError(
        f"the page did not settle on {maps} map(s): frames {frames}, app still running: {running}"
    )


def app_idle(pg, timeout: float = 60, calm_for: float = 0.5) -> None:
    """Wait until the app's run has finished: no running indicator and no stale element.

    A widget change reruns the page; an element drawn early in the run (a caption) shows
    the new state before a later one (a download button) is drawn again, and a click on
    the stale one is lost.
    """
    probe = """() => !document.querySelector('[data-testid="stStatusWidget"]')
        && !document.querySelector('[data-stale="true"]')"""
    if _calm(lambda: bool(pg.evaluate(probe)), timeout, calm_for, every=0.1):
        return
    raise AssertionError("the app did not finish its run")


def open_and_type(pg, box, typed: str) -> None:
    """Open the list of ``box`` (a selectbox or multiselect) and type ``typed`` to filter it.

    Keys typed before the list is open are lost (then Enter picks nothing, or the first
    option of the whole list): wait for the list first.
    """
    box.click()
    pg.get_by_role("listbox").first.wait_for(timeout=10_000)
    pg.keyboard.type(typed)


def pick(pg, box, typed: str, option: str) -> None:
    """Add ``option`` to the multiselect ``box`` (typing ``typed`` to find it), and check it is
    chosen; a click that a rerun swallowed is tried again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        app_idle(pg)
        try:
            open_and_type(pg, box, typed)
            pg.get_by_role("option", name=option).first.click(timeout=10_000)
        except PlaywrightTimeout:
            pass
        pg.keyboard.press("Escape")
        try:
            box.get_by_text(option).first.wait_for(timeout=5_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"option {option!r} could not be chosen")


def choose(pg, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label``; reopen it if a rerun closed it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = pg.get_by_test_id("stSelectbox").filter(has=pg.get_by_text(label, exact=True))
    choice = pg.get_by_role("option", name=option).first
    for _ in range(3):
        app_idle(pg)  # a rerun ending closes an open list
        try:
            open_and_type(pg, box, option)  # filters the list: a long one only renders what is in view
            choice.wait_for(timeout=10_000)
            choice.click(timeout=10_000)
        except PlaywrightTimeout:
            pg.keyboard.press("Escape")
            continue
        return
    raise AssertionError(f"option {option!r} never appeared in {label!r}")


def map_frame(pg):
    """The map's frame once the page has settled (see :func:`settle`)."""
    settle(pg)
    return pg.frame_locator(IFRAME)


def drawn_initiatives(pg, timeout: float = 90) -> int:
    """How many initiatives the settled map says it has drawn (``data-sit-drawn``, set by
    ``layers/js/initiatives.js`` once they are on screen)."""
    container = map_frame(pg).locator(f".leaflet-container[{DRAWN_ATTRIBUTE}]")
    container.wait_for(state="attached", timeout=timeout * 1000)
    return int(container.get_attribute(DRAWN_ATTRIBUTE) or "-1")


def wait_for_drawn(pg, expected: int, timeout: float = 60) -> int:
    """Wait until the map signals ``expected`` initiatives drawn; return what it signalled
    last. The map reloads after a filter change, so the first signal may be the old map's."""
    deadline = time.time() + timeout
    n = -1
    while time.time() < deadline:
        n = drawn_initiatives(pg)
        if n == expected:
            return n
        time.sleep(0.3)
    return n


#: The vector layers of class ``cls`` on the settled map, with the point a person would
#: aim at (an initiative's position, a territory's label point, a shape's centre) in the
#: frame's coordinates, and whether that point is inside the visible map.
_LAYERS_JS = """(body, cls) => {
  const map = window.map, box = map.getContainer().getBoundingClientRect(), size = map.getSize();
  const out = [];
  const add = (ll, props, point) => {
    const p = map.latLngToContainerPoint(ll);
    out.push({x: box.left + p.x, y: box.top + p.y, props: props, point: point,
              inside: p.x > 8 && p.y > 8 && p.x < size.x - 8 && p.y < size.y - 8});
  };
  for (const l of Object.values(map._layers)) {
    if (!(l instanceof L.Path) || l.options.className !== cls) continue;
    if (l.sitPoints) {  // the initiatives' points: one layer, drawn by layers/js/initiatives.js
      for (const pt of l.sitPoints()) add(pt.latlng, pt.props, true);
      continue;
    }
    const props = (l.feature && l.feature.properties) || {};
    const ll = l.getLatLng ? l.getLatLng()
      : props.label ? L.latLng(props.label[1], props.label[0]) : l.getCenter();
    add(ll, props, !!l.getLatLng);
  }
  return out;
}"""


def map_layers(pg, cls: str) -> list[dict]:
    """The vector layers of class ``cls`` on the Mapa page's map, as a person can reach them.

    The map draws on a canvas (no element per feature), so tests count Leaflet's layers and
    aim the real mouse at the returned page coordinates (``x``, ``y``): a click or a hover
    reaches whatever is drawn on top there, as it does for a person.
    """
    frame = map_frame(pg)
    # A map touching the window's edge scrolls into view when it takes the focus (the mouse
    # button going down), so the click would land elsewhere: centre it first.
    pg.locator(IFRAME).evaluate("f => f.scrollIntoView({block: 'center'})")
    # Read until two reads agree: while streamlit-folium sizes its frame, Leaflet keeps the
    # centre and everything on the map moves by half the change.
    seen = None
    for _ in range(50):
        now = (frame.locator("body").evaluate(_LAYERS_JS, cls), pg.locator(IFRAME).bounding_box())
        if now == seen:
            break
        seen = now
        time.sleep(0.3)
    found, box = seen
    return [{**f, "x": f["x"] + box["x"], "y": f["y"] + box["y"]} for f in found]


def hide_layers(pg, *names: str) -> None:
    """Switch layers off in the map's layer control, as a person does to reach what lies
    under them (a health centre can stand where an initiative or a site is)."""
    control = map_frame(pg).locator(".leaflet-control-layers")
    control.hover()
    for name in names:
        control.get_by_text(name, exact=True).click()
    pg.mouse.move(1, 1)  # the control folds up again


def wait_until(check: Callable[[], bool], timeout: float = 60) -> bool:
    """Whether ``check()`` came true within ``timeout`` seconds (polled every 0.3 s)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def draw_point(frame, reached: Callable[[], bool], attempts: int = 3) -> None:
    """Draw a point in the middle of ``frame``'s map with the Leaflet.draw toolbar.

    A drawing made while Streamlit remounts the map goes to the old one and is lost, so
    draw again until ``reached()`` says the app received it.
    """
    for _ in range(attempts):
        frame.locator(".leaflet-draw-draw-marker").click()
        box = frame.locator(".leaflet-container").bounding_box()
        frame.locator(".leaflet-container").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
        if wait_until(reached, 10):
            return
    raise AssertionError("the drawing did not reach the app")
