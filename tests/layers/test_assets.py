"""Offline map assets: every JS/CSS/image/font the map needs is served from static/vendor.

Policy on URLs (see layers.assets.assert_no_external_urls): anything the browser would
*fetch* (script/link/img/... references, CSS url()/@import, tile and overlay URLs) must be
local. Plain navigation links (<a href>, e.g. tile attribution text) are not resources and
are allowed; the maps built here happen to contain no http(s) URL at all, which is also
asserted.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import branca.colormap
import folium
import pytest
from folium import plugins

from layers import assets
from layers.assets import (
    LEAFLET_IMAGES,
    MAP_CSS,
    MAP_JS,
    PLUGIN_ASSETS,
    STATIC_URL_PREFIX,
    VENDOR_DIR,
    assert_no_external_urls,
    localize_plugin,
    localize_tree,
    make_offline_map,
    missing_vendor_files,
    offline_draw,
    offline_fast_marker_cluster,
    offline_fullscreen,
    offline_js_css,
    offline_marker_cluster,
)

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
VALLENAR = [-28.5757, -70.7596]

GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"nombre": "Centro", "poblacion": 1200},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [-70.77, -28.58],
                        [-70.75, -28.58],
                        [-70.75, -28.57],
                        [-70.77, -28.57],
                        [-70.77, -28.58],
                    ]
                ],
            },
        },
        {
            "type": "Feature",
            "properties": {"nombre": "Plaza", "poblacion": 0},
            "geometry": {"type": "Point", "coordinates": [-70.7596, -28.5757]},
        },
    ],
}


def build_full_map(prefix: str = STATIC_URL_PREFIX) -> folium.Map:
    """A map with everything the app uses: GeoJson+tooltip+popup, clusters, Draw, ..."""
    m = make_offline_map(prefix, location=VALLENAR, zoom_start=13)
    folium.GeoJson(
        GEOJSON,
        name="Zonas",
        tooltip=folium.GeoJsonTooltip(fields=["nombre"], aliases=["Zona"]),
        popup=folium.GeoJsonPopup(fields=["nombre", "poblacion"]),
    ).add_to(m)
    cluster = offline_marker_cluster(name="Equipamientos", prefix=prefix).add_to(m)
    folium.Marker(VALLENAR, icon=folium.Icon(icon="house", prefix="fa", angle=45)).add_to(cluster)
    folium.Marker(
        [VALLENAR[0] + 0.001, VALLENAR[1]], icon=folium.Icon(icon="info-sign", prefix="glyphicon")
    ).add_to(cluster)
    offline_fast_marker_cluster(
        [[VALLENAR[0] + i * 1e-3, VALLENAR[1]] for i in range(5)], prefix=prefix, name="Rápido"
    ).add_to(m)
    offline_draw(prefix=prefix, export=False).add_to(m)
    offline_fullscreen(prefix=prefix).add_to(m)
    folium.LayerControl().add_to(m)
    return m


def resource_refs(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html) + re.findall(
        r"<link\b[^>]*\bhref=\"([^\"]+)\"", html
    )


def all_vendored_relpaths() -> set[str]:
    return {rel for js, css in PLUGIN_ASSETS.values() for _, rel in (*js, *css)}


def local_file(url: str, prefix: str = STATIC_URL_PREFIX) -> Path:
    assert url.startswith(prefix + "/"), url
    return VENDOR / url[len(prefix) + 1 :]


# --- rendered map ----------------------------------------------------------------------


def test_rendered_map_uses_only_vendored_assets():
    html = build_full_map().get_root().render()
    refs = resource_refs(html)

    assert refs, "no <script src>/<link href> rendered"
    for url in refs:
        assert url.startswith("/app/static/vendor/"), url
        assert local_file(url).is_file(), f"{url} -> {local_file(url)} missing"
    # every vendored asset is used by this map, each exactly once
    assert sorted(refs) == sorted(f"{STATIC_URL_PREFIX}/{p}" for p in all_vendored_relpaths())
    # Leaflet must come before the plugins that extend it
    scripts = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)
    assert scripts[0].endswith("/leaflet-1.9.3/leaflet.js")

    # Leaflet's default icon images: set explicitly, before any marker is created
    image_path = f'L.Icon.Default.imagePath = "{STATIC_URL_PREFIX}/leaflet-1.9.3/images/";'
    assert html.count(image_path) == 1
    assert html.index(image_path) < html.index("L.geoJson(") < html.index("L.marker(")
    for png in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"):
        assert (VENDOR / LEAFLET_IMAGES / png).is_file()

    assert assert_no_external_urls(html) == []
    # stronger than the policy needs: not even an attribution link is left
    assert re.findall(r".{0,40}(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}.{0,40}", html, re.I) == []


def test_instance_level_override_leaves_folium_classes_alone():
    build_full_map()  # must not leak into the classes
    for cls in (folium.Map, plugins.Draw, plugins.MarkerCluster, plugins.Fullscreen):
        for _, url in (*cls.default_js, *cls.default_css):
            assert url.startswith("https://"), (cls, url)
    plain = folium.Map(tiles=None).get_root().render()
    assert any("cdn.jsdelivr.net" in url for url in assert_no_external_urls(plain))


def test_prefix_is_configurable():
    prefix = "/sit/app/static/vendor/"
    html = build_full_map(prefix).get_root().render()
    refs = resource_refs(html)
    assert refs
    for url in refs:
        assert url.startswith("/sit/app/static/vendor/") and "vendor//" not in url, url
        assert local_file(url, "/sit/app/static/vendor").is_file()
    js, css = offline_js_css("http://intranet:8501/app/static/vendor")
    assert js[0] == ("leaflet", "http://intranet:8501/app/static/vendor/leaflet-1.9.3/leaflet.js")
    assert len(css) == len(MAP_CSS)


def test_offline_map_has_max_zoom_for_marker_cluster():
    # Without a tile layer Leaflet.markercluster throws "Map has no maxZoom specified".
    m = make_offline_map(location=VALLENAR)
    assert m.options["max_zoom"] == 18
    assert '"maxZoom": 18' in m.get_root().render()
    m2 = make_offline_map(location=VALLENAR, max_zoom=20, min_zoom=8)
    assert (m2.options["max_zoom"], m2.options["min_zoom"]) == (20, 8)


# --- vendored files ------------------------------------------------------------------------


def test_vendored_names_and_versions_match_folium():
    """Same link names as folium (so header de-duplication works) and same versions.

    Fails on a folium upgrade that changes an asset: re-run scripts/vendor_assets.sh with
    the new versions and update PLUGIN_ASSETS.
    """
    not_same_version = {
        "glyphicons_css",  # folium: Bootstrap 3.0.0 (not on npm); vendored: 3.4.1's section
        "awesome_rotate_css",  # unversioned file in folium's repo; generated
    }
    for cls, (js, css) in PLUGIN_ASSETS.items():
        for ours, theirs in ((js, cls.default_js), (css, cls.default_css)):
            assert [n for n, _ in ours] == [n for n, _ in theirs], cls
            for (name, rel), (_, url) in zip(ours, theirs, strict=True):
                if name in not_same_version:
                    continue
                version = re.search(r"\d+\.\d+\.\d+", url).group(0)
                assert rel.split("/")[0].endswith(f"-{version}"), (cls, name, url, rel)
    # FastMarkerCluster inherits MarkerCluster's assets
    assert plugins.FastMarkerCluster.default_js == plugins.MarkerCluster.default_js


def test_every_referenced_file_is_present():
    assert VENDOR_DIR == VENDOR
    assert missing_vendor_files() == []
    missing = missing_vendor_files(VENDOR / "nowhere")
    assert len(missing) == len(set(missing)) and set(missing) == all_vendored_relpaths()


def test_css_relative_urls_resolve_to_vendored_files():
    css_files = sorted(VENDOR.rglob("*.css"))
    assert len(css_files) >= 9
    checked = 0
    for css in css_files:
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text, css
        for raw in re.findall(r"url\(\s*([^)]*?)\s*\)", text):
            ref = raw.strip("'\"")
            if ref.startswith("data:") or ref.startswith("#"):
                continue  # inline data / IE's url(#default#VML) behaviour
            assert not re.match(r"(?:[a-z]+:)?//", ref, re.I), f"{css}: external {ref}"
            path = ref.split("#")[0].split("?")[0]
            target = (css.parent / path).resolve()
            assert target.is_file(), f"{css.relative_to(VENDOR)}: {ref} -> missing {target}"
            assert VENDOR.resolve() in target.parents, f"{css}: {ref} escapes static/vendor"
            checked += 1
    assert checked >= 20  # leaflet, draw, fullscreen, awesome markers, both icon fonts


def test_sha256sums_cover_every_vendored_file():
    listed = {}
    for line in (VENDOR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    on_disk = {
        p.relative_to(VENDOR).as_posix()
        for p in VENDOR.rglob("*")
        if p.is_file() and p.name not in {"SHA256SUMS", "README.md"}
    }
    assert set(listed) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_each_vendored_package_keeps_its_license():
    for pkg in sorted(p for p in VENDOR.iterdir() if p.is_dir()):
        if pkg.name == "generated":  # produced by scripts/vendor_assets.sh itself
            continue
        assert any(f.name.upper().startswith(("LICENSE", "MIT-LICEN")) for f in pkg.iterdir()), pkg
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for pkg in (p.name for p in VENDOR.iterdir() if p.is_dir()):
        assert pkg in readme, f"{pkg} not documented in static/vendor/README.md"


# --- helpers -----------------------------------------------------------------------------


def test_assert_no_external_urls_finds_resources_but_not_links():
    html = textwrap.dedent(
        r"""
        <link rel="stylesheet" href="https://cdn.example.org/a.css"/>
        <script src="//cdn.example.org/b.js"></script>
        <script src="/app/static/vendor/leaflet-1.9.3/leaflet.js"></script>
        <style>.x { background: url('https://img.example.org/c.png') }
               .y { background: url(data:image/svg+xml,%3csvg xmlns='http://www.w3.org/2000/svg'%3e) }
               @import "http://example.org/d.css";</style>
        <div><a href="https://www.openstreetmap.org/copyright">OSM</a></div>
        <svg xmlns="http://www.w3.org/2000/svg"></svg>
        <img src="/app/static/local.png">
        <script>
          var t = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
              {"attribution": "\u003ca href=\"https://openstreetmap.org\"\u003eOSM\u003c/a\u003e"});
          var w = L.tileLayer.wms('http://wms.example.org/geoserver', {});
          var p = "\u003cimg src=\"https://photos.example.org/e.jpg\"\u003e";
          var q = `<iframe src="https://video.example.org/f"></iframe>`;
        </script>
        """
    )
    assert assert_no_external_urls(html) == [
        "https://cdn.example.org/a.css",
        "//cdn.example.org/b.js",
        "https://img.example.org/c.png",
        "http://example.org/d.css",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "http://wms.example.org/geoserver",
        "https://photos.example.org/e.jpg",
        "https://video.example.org/f",
    ]
    assert assert_no_external_urls("") == []


def test_default_folium_map_is_flagged():
    urls = assert_no_external_urls(folium.Map().get_root().render())
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in urls
    assert len([u for u in urls if u.endswith((".js", ".css"))]) == len(MAP_JS) + len(MAP_CSS)


def test_localize_plugin_and_tree():
    draw = plugins.Draw()
    assert localize_plugin(draw) is draw
    assert draw.default_js[0][1] == f"{STATIC_URL_PREFIX}/leaflet-draw-1.0.2/leaflet.draw.js"
    with pytest.raises(ValueError, match="MiniMap"):
        localize_plugin(plugins.MiniMap())

    # plain folium objects, localized in one go just before rendering
    m = folium.Map(location=VALLENAR, tiles=None)
    m.options["max_zoom"] = 18
    plugins.Draw().add_to(m)
    plugins.MarkerCluster([VALLENAR]).add_to(m)
    plugins.FastMarkerCluster([VALLENAR]).add_to(m)
    plugins.Fullscreen().add_to(m)
    assert localize_tree(m, "/x/vendor") == []
    assert localize_tree(m, "/x/vendor") == []  # idempotent
    html = m.get_root().render()
    assert html.count("L.Icon.Default.imagePath") == 1
    assert '"/x/vendor/leaflet-1.9.3/images/"' in html
    assert assert_no_external_urls(html) == []
    assert all(url.startswith("/x/vendor/") for url in resource_refs(html))


def test_localize_tree_reports_what_cannot_be_offline():
    m = make_offline_map(location=VALLENAR)
    plugins.MiniMap().add_to(m)
    branca.colormap.LinearColormap(["red", "blue"], vmin=0, vmax=1).add_to(m)
    with pytest.raises(ValueError, match="internet"):
        localize_tree(m)
    problems = localize_tree(m, strict=False)
    assert len(problems) == 2
    assert any("MiniMap" in p and "Control.MiniMap.js" in p for p in problems)
    assert any("d3" in p for p in problems)

    tileless = folium.Map(location=VALLENAR, tiles=None)
    plugins.MarkerCluster().add_to(tileless)
    assert any("maxZoom" in p for p in localize_tree(tileless, strict=False))


def test_assets_module_does_not_import_streamlit():
    code = "import sys, layers.assets; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert assets.__doc__


# --- streamlit-folium ----------------------------------------------------------------------


def test_st_folium_sends_only_local_links(monkeypatch):
    """st_folium strips the header tags and passes js_links/css_links to its iframe."""
    st_folium_mod = pytest.importorskip("streamlit_folium")
    captured = {}

    def fake_component(**kwargs):
        captured.update(kwargs)
        return kwargs["default"]

    monkeypatch.setattr(st_folium_mod, "_component_func", fake_component)
    st_folium_mod.st_folium(build_full_map(), key="offline", height=400, width=600)

    js, css = captured["js_links"], captured["css_links"]
    assert js[0] == f"{STATIC_URL_PREFIX}/leaflet-1.9.3/leaflet.js"
    assert sorted(js + css) == sorted(f"{STATIC_URL_PREFIX}/{p}" for p in all_vendored_relpaths())
    for url in js + css:
        assert local_file(url).is_file(), url
    for part in ("header", "html", "script"):
        assert assert_no_external_urls(captured[part]) == [], part
    script = captured["script"]
    assert script.index("L.Icon.Default.imagePath") < script.index("L.geoJson(")


# --- real browser, no network ------------------------------------------------------------

_APP = """
import sys
sys.path.insert(0, {root!r})
import folium
from streamlit_folium import st_folium
from layers.assets import (localize_tree, make_offline_map, offline_draw,
                           offline_fullscreen, offline_marker_cluster)

m = make_offline_map(location=[-28.5757, -70.7596], zoom_start=13)
folium.GeoJson({geojson!r}, name="Zonas", tooltip=folium.GeoJsonTooltip(["nombre"]),
               popup=folium.GeoJsonPopup(["nombre", "poblacion"])).add_to(m)
cluster = offline_marker_cluster(name="Equipamientos").add_to(m)
for i in range(4):  # ~120 px apart at zoom 18: not clustered there
    folium.Marker([-28.5757 + i * 5e-4, -70.7596 + i * 5e-4],
                  icon=folium.Icon(icon="house" if i % 2 else "info-sign",
                                   prefix="fa" if i % 2 else "glyphicon", angle=30)
                  ).add_to(cluster)
offline_draw().add_to(m)
offline_fullscreen().add_to(m)
folium.LayerControl().add_to(m)
localize_tree(m)
st_folium(m, height=500, width=700, key="map")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.browser
def test_map_renders_in_streamlit_with_network_blocked(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Debian chromium not installed")

    (tmp_path / "app.py").write_text(_APP.format(root=str(ROOT), geojson=GEOJSON))
    (tmp_path / "static").symlink_to(ROOT / "static", target_is_directory=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    server = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.enableStaticServing", "true",
            "--server.fileWatcherType", "none",
        ],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, "streamlit exited"
            assert time.monotonic() < deadline, "streamlit did not start"
            time.sleep(0.5)

        blocked, failed, errors = [], [], []
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            try:
                context = browser.new_context(viewport={"width": 900, "height": 800})

                def route(r):
                    url = r.request.url
                    if url.startswith((base, "ws://127.0.0.1", "data:", "blob:")):
                        r.continue_()
                    else:
                        blocked.append(url)
                        r.abort()

                context.route("**/*", route)
                page = context.new_page()
                page.on("requestfailed", lambda r: failed.append(r.url))
                page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(base + "/", wait_until="domcontentloaded")

                frame = None
                deadline = time.monotonic() + 60
                while frame is None:
                    frame = next((f for f in page.frames if "st_folium" in f.url), None)
                    assert time.monotonic() < deadline, "st_folium iframe never appeared"
                    page.wait_for_timeout(250)
                frame.wait_for_selector(".leaflet-draw-toolbar a", timeout=60_000)
                frame.evaluate("() => window.map.setView([-28.57495, -70.75885], 18)")
                frame.wait_for_selector(".awesome-marker", timeout=30_000)
                page.wait_for_timeout(1500)
                state = frame.evaluate(
                    """() => ({
                        leaflet: L.version,
                        draw: document.querySelectorAll('.leaflet-draw-toolbar a').length,
                        fullscreen: document.querySelectorAll('.leaflet-control-zoom-fullscreen').length,
                        layers: document.querySelectorAll('.leaflet-control-layers').length,
                        paths: document.querySelectorAll('path.leaflet-interactive').length,
                        markers: document.querySelectorAll('.awesome-marker').length,
                        fonts: [...document.fonts].filter(f => f.status === 'loaded')
                                                  .map(f => f.family),
                    })"""
                )
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    assert blocked == []
    assert failed == []
    assert errors == []
    assert state["leaflet"] == "1.9.3"
    assert state["draw"] > 0 and state["fullscreen"] == 1 and state["layers"] == 1
    assert state["paths"] >= 1 and state["markers"] >= 1
    assert "Font Awesome 6 Free" in state["fonts"]
    assert "Glyphicons Halflings" in state["fonts"]
