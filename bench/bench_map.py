"""Benchmark of the map page with the synthetic demo portfolio (figures only, no asserts).

For each size (``--sizes``, default 1000 10000) it regenerates the demo portfolio in a
dedicated database with the project's own CLI (``sit demo clear`` / ``sit demo generate``),
then measures, with the same functions the map page calls (``ui.state.map_payload`` and
``pages/mapa.py``):

* the queries (``geo.mapdata.filtered_initiatives``, ``initiative_features``,
  ``territory_features``, ``base_layers``, strategies);
* ``layers.map.build_map(...)``;
* ``m.get_root().render()`` (time and bytes: the map payload);
* ``streamlit_folium.st_folium(m, ...)`` with the component call captured (time and the
  bytes of the arguments streamlit-folium really sends to its iframe);
* the bytes of every GeoJSON layer serialised with ``json.dumps``;
* the page in a real browser: ``streamlit run app.py`` on a free port, Debian chromium via
  Playwright, time from ``page.goto`` until the ``streamlit_folium.st_folium`` iframe holds
  one ``path.sit-iniciativa`` per initiative feature, plus the requests that left
  localhost (must be 0) and the websocket bytes the browser received.

Each measurement runs once cold, then ``--repeats`` times warm; the table shows the warm
median and the cold figure. The bench database is left with its demo data cleared.

Usage::

    .venv/bin/python bench/bench_map.py [--sizes 1000 10000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the page's modules (ui/, layers/, geo/) as app.py sees them
VENV_BIN = ROOT / ".venv" / "bin"
SIT = str(VENV_BIN / "sit")
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
DEFAULT_DB_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sit_pladeco_bench"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
INITIATIVE_SELECTOR = "path.sit-iniciativa"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
TARGET_PAYLOAD_BYTES = 1_000_000
TARGET_PAGE_S = 1.5
TARGET_SIZE = 1000


# --- helpers --------------------------------------------------------------------------------

def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def sit(*args: str, env: dict[str, str]) -> str:
    """Run ``.venv/bin/sit ARGS`` (the CLI, as a user would); return its stdout."""
    t0 = time.perf_counter()
    proc = subprocess.run([SIT, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"sit {' '.join(args)} failed ({proc.returncode}):\n"
                         f"{proc.stdout}\n{proc.stderr}")
    log(f"sit {' '.join(args)}: {time.perf_counter() - t0:.1f} s")
    return proc.stdout


def timed(fn, *args, **kwargs) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t0, result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "chrome", "chrome-extension", "devtools"):
        return True
    return (parsed.hostname or "") in LOCAL_HOSTS


def summarise(values: list[float]) -> dict[str, Any]:
    """``values[0]`` is the cold run; the rest are the warm repeats."""
    warm = values[1:] or values
    return {"cold": values[0], "median": statistics.median(warm), "min": min(warm),
            "max": max(warm), "runs": values}


# --- in-process measurements (same calls as ui.state.map_payload and pages/mapa.py) -------

def python_run(engine, n_expected: int | None = None) -> dict[str, Any]:
    """One pass of the server-side work of the map page; timings in seconds, sizes in bytes."""
    import streamlit_folium

    from geo import mapdata
    from layers.map import BASEMAPS, build_map
    from ui.state import initiatives_table

    filters = mapdata.MapFilters()  # the page's default selection: everything, demo included
    out: dict[str, Any] = {}
    t_all = time.perf_counter()
    with engine.connect() as conn:
        out["q_table_s"], table = timed(mapdata.filtered_initiatives, conn, filters)
        out["q_initiatives_s"], initiatives = timed(mapdata.initiative_features, conn, filters)
        out["q_territories_s"], territories = timed(mapdata.territory_features, conn, filters)
        out["q_base_s"], base = timed(mapdata.base_layers, conn)
        out["q_strategies_s"], strategies = timed(lambda: [tuple(r) for r in conn.exec_driver_sql(
            "SELECT position, code, name FROM strategy ORDER BY position").all()])
    out["q_total_s"] = time.perf_counter() - t_all

    kwargs = dict(base=base, territories=territories, initiatives=initiatives,
                  strategies=strategies, basemap=BASEMAPS[next(iter(BASEMAPS))])
    out["build_s"], m = timed(build_map, **kwargs)
    out["render_s"], html = timed(lambda: m.get_root().render())
    out["html_bytes"] = len(html.encode("utf-8"))

    # What the page really does: st_folium(m, ...) renders the map (twice) and sends its
    # script/header/html to the iframe. Capture the component call instead of sending it.
    captured: dict[str, Any] = {}

    def fake_component(**kw):
        captured.update(kw)
        return kw.get("default")

    real = streamlit_folium._component_func
    streamlit_folium._component_func = fake_component
    try:
        m2 = build_map(**kwargs)
        out["st_folium_s"], _ = timed(streamlit_folium.st_folium, m2, height=620,
                                      use_container_width=True, key="mapa",
                                      returned_objects=["last_active_drawing"])
    finally:
        streamlit_folium._component_func = real
    sent = {k: v for k, v in captured.items() if not callable(v)}
    out["component_args_bytes"] = len(json.dumps(sent).encode("utf-8"))
    out["component_script_bytes"] = len(captured.get("script", "").encode("utf-8"))

    layers = {"initiatives": initiatives, "territories": territories,
              **{f"base.{k}": v for k, v in base.items()}}
    out["geojson_bytes"] = {k: len(json.dumps(v).encode("utf-8")) for k, v in layers.items()}
    out["geojson_total_bytes"] = sum(out["geojson_bytes"].values())
    out["features"] = len(initiatives["features"])
    out["table_rows"] = len(table)

    # The st.dataframe under the map (Arrow bytes sent to the browser).
    try:
        import pyarrow as pa

        t0 = time.perf_counter()
        arrow = pa.Table.from_pandas(initiatives_table(table), preserve_index=False)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, arrow.schema) as writer:
            writer.write_table(arrow)
        out["table_arrow_bytes"] = sink.getvalue().size
        out["table_arrow_s"] = time.perf_counter() - t0
    except Exception as exc:  # noqa: BLE001 - an optional figure
        log(f"table arrow size not measured: {exc}")
    if n_expected is not None and out["features"] != n_expected:
        log(f"warning: {out['features']} initiative features, expected {n_expected}")
    return out


def python_bench(engine, repeats: int, n_expected: int) -> dict[str, Any]:
    runs = [python_run(engine, n_expected) for _ in range(repeats + 1)]
    result: dict[str, Any] = {}
    for key, value in runs[0].items():
        if key.endswith("_s"):
            result[key] = summarise([r[key] for r in runs])
        else:  # sizes and counts do not change between runs
            result[key] = value
    return result


# --- browser -------------------------------------------------------------------------------

class Server:
    """``streamlit run app.py`` on a free port, pointed at the bench database."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"streamlit-{self.port}.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**env, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"},
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"streamlit did not start; see {self.log_path}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def browser_run(browser, url: str, n_features: int, timeout_s: float) -> dict[str, Any]:
    """Open the page in a fresh context; time until every initiative path is drawn."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    external: list[str] = []
    n_requests = 0
    ws_bytes = 0
    errors: list[str] = []

    def on_request(req) -> None:
        nonlocal n_requests
        n_requests += 1
        if not is_local(req.url):
            external.append(req.url)

    def on_websocket(ws) -> None:
        if not is_local(ws.url):
            external.append(ws.url)

        def received(payload) -> None:
            nonlocal ws_bytes
            ws_bytes += len(payload)
        ws.on("framereceived", received)

    context.on("request", on_request)
    page = context.new_page()
    page.on("websocket", on_websocket)
    page.on("pageerror", lambda e: errors.append(str(e)))
    out: dict[str, Any] = {"ok": False}
    try:
        t0 = time.perf_counter()
        deadline = t0 + timeout_s
        page.goto(url + "/", wait_until="commit", timeout=timeout_s * 1000)
        handle = page.wait_for_selector(IFRAME, state="attached", timeout=timeout_s * 1000)
        out["iframe_s"] = time.perf_counter() - t0
        milestone = "leaflet_s"
        selector_js = ("([sel, n]) => n === 0 ? !!document.querySelector('.leaflet-container')"
                       " : document.querySelectorAll(sel).length >= n")
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError
            try:
                frame = handle.content_frame()
                if frame is None:
                    handle = page.wait_for_selector(IFRAME, state="attached",
                                                    timeout=remaining * 1000)
                    continue
                if milestone == "leaflet_s":
                    frame.wait_for_function(selector_js, arg=[INITIATIVE_SELECTOR, 0],
                                            polling=20, timeout=remaining * 1000)
                    out["leaflet_s"] = time.perf_counter() - t0
                    milestone = "page_s"
                    continue
                frame.wait_for_function(selector_js, arg=[INITIATIVE_SELECTOR, n_features],
                                        polling=20, timeout=remaining * 1000)
                out["page_s"] = time.perf_counter() - t0
                break
            except PlaywrightTimeout as exc:
                raise TimeoutError from exc
            except PlaywrightError:
                # The iframe was replaced or reloaded (rerun): find it again.
                handle = page.wait_for_selector(IFRAME, state="attached",
                                                timeout=max(1, deadline - time.perf_counter())
                                                * 1000)
        out["drawn"] = handle.content_frame().evaluate(
            "sel => document.querySelectorAll(sel).length", INITIATIVE_SELECTOR)
        out["ok"] = True
    except TimeoutError:
        out["error"] = f"timeout after {timeout_s:.0f} s"
        try:
            frame = page.query_selector(IFRAME)
            out["drawn"] = (frame.content_frame().evaluate(
                "sel => document.querySelectorAll(sel).length", INITIATIVE_SELECTOR)
                if frame and frame.content_frame() else 0)
        except Exception:  # noqa: BLE001
            pass
    finally:
        out["requests"] = n_requests
        out["external_requests"] = len(external)
        out["external_urls"] = sorted(set(external))[:20]
        out["ws_received_bytes"] = ws_bytes
        out["page_errors"] = errors[:5]
        context.close()
    return out


def browser_bench(env: dict[str, str], n_features: int, repeats: int, timeout_s: float,
                  log_dir: Path, playwright) -> dict[str, Any]:
    server = Server(env, log_dir)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        runs = []
        for i in range(repeats + 1):
            run = browser_run(browser, server.url, n_features, timeout_s)
            log(f"  browser run {i} ({'cold' if i == 0 else 'warm'}): "
                + (f"{run['page_s']:.2f} s" if run["ok"] else run.get("error", "failed"))
                + f", external requests {run['external_requests']}")
            runs.append(run)
    finally:
        browser.close()
        server.stop()
    result: dict[str, Any] = {"runs": runs, "ok": all(r["ok"] for r in runs)}
    for key in ("iframe_s", "leaflet_s", "page_s"):
        values = [r.get(key) for r in runs]
        if all(v is not None for v in values):
            result[key] = summarise(values)
    result["external_requests"] = sum(r["external_requests"] for r in runs)
    result["external_urls"] = sorted({u for r in runs for u in r["external_urls"]})
    result["ws_received_bytes"] = summarise([r["ws_received_bytes"] for r in runs])
    result["requests"] = runs[-1]["requests"]
    result["drawn"] = runs[-1].get("drawn")
    return result


# --- report --------------------------------------------------------------------------------

def fmt_s(stat: dict[str, Any] | None) -> str:
    if not stat:
        return "n/a"
    return f"{stat['median'] * 1000:8.1f} ms (cold {stat['cold'] * 1000:7.1f})"


def fmt_b(n: float | None) -> str:
    if n is None:
        return "n/a"
    return f"{n:>12,.0f} B ({n / 1e6:5.2f} MB)"


def report(results: dict[int, dict[str, Any]], repeats: int) -> str:
    sizes = list(results)
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, getter) -> None:
        cells = []
        for n in sizes:
            try:
                cells.append(getter(results[n]))
            except (KeyError, TypeError):
                cells.append("n/a")
        rows.append((label, cells))

    add("initiative features drawn", lambda r: f"{r['python']['features']:,}")
    add("rows in the filtered table", lambda r: f"{r['python']['table_rows']:,}")
    add("PAYLOAD  map HTML (get_root().render())", lambda r: fmt_b(r["python"]["html_bytes"]))
    add("         st_folium component args (json)",
        lambda r: fmt_b(r["python"]["component_args_bytes"]))
    for layer in ("initiatives", "territories", "base.commune", "base.urban", "base.schools",
                  "base.health"):
        add(f"         GeoJSON {layer}",
            lambda r, layer=layer: fmt_b(r["python"]["geojson_bytes"][layer]))
    add("         GeoJSON total (json.dumps)", lambda r: fmt_b(r["python"]["geojson_total_bytes"]))
    add("         table (Arrow IPC)", lambda r: fmt_b(r["python"]["table_arrow_bytes"]))
    add("         websocket bytes to browser", lambda r: fmt_b(
        r["browser"]["ws_received_bytes"]["median"]))
    add("QUERY    filtered_initiatives", lambda r: fmt_s(r["python"]["q_table_s"]))
    add("         initiative_features", lambda r: fmt_s(r["python"]["q_initiatives_s"]))
    add("         territory_features", lambda r: fmt_s(r["python"]["q_territories_s"]))
    add("         base_layers", lambda r: fmt_s(r["python"]["q_base_s"]))
    add("         total (incl. strategies)", lambda r: fmt_s(r["python"]["q_total_s"]))
    add("BUILD    layers.map.build_map", lambda r: fmt_s(r["python"]["build_s"]))
    add("RENDER   m.get_root().render()", lambda r: fmt_s(r["python"]["render_s"]))
    add("         st_folium(m) (captured call)", lambda r: fmt_s(r["python"]["st_folium_s"]))
    add("BROWSER  goto -> st_folium iframe", lambda r: fmt_s(r["browser"]["iframe_s"]))
    add("         goto -> .leaflet-container", lambda r: fmt_s(r["browser"]["leaflet_s"]))
    add("         goto -> all path.sit-iniciativa", lambda r: fmt_s(r["browser"]["page_s"]))
    add("         external requests (must be 0)",
        lambda r: str(r["browser"]["external_requests"]))
    add("         requests per page load", lambda r: str(r["browser"]["requests"]))

    width = max(len(label) for label, _ in rows)
    colw = max(34, *(len(c) for _, cells in rows for c in cells))
    lines = [f"Map page benchmark (times: median of {repeats} warm runs, cold first run in "
             "parentheses)", ""]
    lines.append(f"{'':<{width}}  " + "  ".join(f"{f'{n:,} initiatives':>{colw}}"
                                                   for n in sizes))
    lines.append("-" * (width + 2 + (colw + 2) * len(sizes)))
    for label, cells in rows:
        lines.append(f"{label:<{width}}  " + "  ".join(f"{c:>{colw}}" for c in cells))
    lines.append("")
    if TARGET_SIZE in results:
        r = results[TARGET_SIZE]
        payload = r["python"]["html_bytes"]
        page = r.get("browser", {}).get("page_s", {}).get("median")
        lines.append(f"Targets at {TARGET_SIZE:,} initiatives: payload < 1 MB -> "
                     f"{payload / 1e6:.2f} MB {'OK' if payload < TARGET_PAYLOAD_BYTES else 'MISSED'};"
                     " page < 1.5 s -> " + (f"{page:.2f} s "
                     f"{'OK' if page < TARGET_PAGE_S else 'MISSED'}" if page is not None
                     else "not measured"))
    for n in sizes:
        b = results[n].get("browser") or {}
        if b.get("external_urls"):
            lines.append(f"External URLs at {n:,}: {', '.join(b['external_urls'])}")
        if b and not b.get("ok"):
            lines.append(f"Browser runs at {n:,} did not all finish: "
                         + "; ".join(r.get("error", "?") + f" (drawn {r.get('drawn')})"
                                     for r in b["runs"] if not r["ok"]))
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000],
                        help="demo portfolio sizes (default: 1000 10000)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="warm repeats per measurement, after one cold run (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="demo generator seed (default 1)")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB_URL),
                        help=f"bench database (default {DEFAULT_DB_URL}); created if needed")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds to wait for the map in the browser (default 120)")
    parser.add_argument("--no-browser", action="store_true", help="skip the browser figures")
    parser.add_argument("--skip-load", action="store_true",
                        help="skip 'sit load base/pladeco' (database already loaded)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    env = {**os.environ, "DATABASE_URL": args.db_url}
    os.environ["DATABASE_URL"] = args.db_url  # read once by geo.settings.get_settings
    # st_folium is called in bare mode (no Streamlit runtime): silence its warnings.
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    log_dir = Path(tempfile.mkdtemp(prefix="sit-bench-"))

    sit("db", "upgrade", env=env)
    if not args.skip_load:
        sit("load", "base", env=env)
        sit("load", "pladeco", env=env)

    from geo.db import get_engine
    from geo.settings import get_settings

    url = get_settings().database_url
    if url.rsplit("/", 1)[-1] != args.db_url.rsplit("/", 1)[-1]:
        raise SystemExit(f"settings point at {url}, not the bench database")
    engine = get_engine(url)

    playwright_cm = None
    playwright = None
    if not args.no_browser:
        from playwright.sync_api import sync_playwright

        playwright_cm = sync_playwright()
        playwright = playwright_cm.start()

    results: dict[int, dict[str, Any]] = {}
    started = time.perf_counter()
    try:
        for n in args.sizes:
            log(f"size {n:,}")
            sit("demo", "clear", env=env)
            t_gen, _ = timed(sit, "demo", "generate", "--initiatives", str(n),
                             "--seed", str(args.seed), env=env)
            res: dict[str, Any] = {"size": n, "generate_s": t_gen}
            res["python"] = python_bench(engine, args.repeats, n)
            n_features = res["python"]["features"]
            log(f"  python: {n_features} features, html {res['python']['html_bytes']:,} B, "
                f"render {res['python']['render_s']['median']:.3f} s")
            if playwright is not None:
                res["browser"] = browser_bench(env, n_features, args.repeats, args.timeout,
                                               log_dir, playwright)
            results[n] = res
    finally:
        if playwright_cm is not None:
            playwright_cm.__exit__(None, None, None)
        sit("demo", "clear", env=env)
        engine.dispose()

    text = report(results, args.repeats)
    print(text)
    if args.json:
        payload = {"database": args.db_url.rsplit("/", 1)[-1], "repeats": args.repeats,
                   "seed": args.seed, "elapsed_s": time.perf_counter() - started,
                   "targets": {"size": TARGET_SIZE, "payload_bytes": TARGET_PAYLOAD_BYTES,
                               "page_s": TARGET_PAGE_S},
                   "results": {str(n): r for n, r in results.items()}}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
        log(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
