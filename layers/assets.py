"""Offline (vendored) JS/CSS assets for folium maps rendered with streamlit-folium.

folium 0.20 links Leaflet, jQuery, Bootstrap, Leaflet.awesome-markers, Font Awesome, the
Bootstrap 3 Glyphicons and a rotation stylesheet from public CDNs, and each plugin links its
own library the same way. Without internet access the ``st_folium`` iframe stays blank: the
streamlit-folium frontend loads every ``js_links`` entry in sequence and gives up at the
first script that fails to load.

The files are vendored under ``<project>/static/vendor`` by ``scripts/vendor_assets.sh``
(see ``static/vendor/README.md``) and served by Streamlit's static file serving
(``[server] enableStaticServing = true``), which exposes ``<app dir>/static/<path>`` at
``/app/static/<path>``.

How folium and streamlit-folium consume the asset lists (checked on folium 0.20.0 and
streamlit-folium 0.27.4):

* ``folium.elements.JSCSSMixin.render`` reads ``self.default_js`` / ``self.default_css``
  and adds one ``<script src>`` / ``<link href>`` per entry to the figure header, keyed by
  the entry's name (a later element with the same name replaces the earlier link).
* ``streamlit_folium.st_folium`` removes those tags from the header and instead walks the
  element tree, collecting ``getattr(element, "default_js")`` / ``"default_css"`` of every
  ``JSCSSMixin`` into the ``js_links`` / ``css_links`` it passes to its iframe.

Both read the attribute through the instance, so assigning new lists on the *instance*
is enough and nothing global is patched: ``folium.Map.default_js`` and the plugins' class
lists keep their CDN URLs. (Never call ``add_js_link`` / ``add_css_link`` on an element
that was not localized: they mutate the list in place, i.e. the class-level list shared by
every instance.)

Leaflet's default marker icon: Leaflet finds its images directory from the computed
``background-image`` of ``.leaflet-default-icon-path`` (set by leaflet.css). Inside the
streamlit-folium iframe the stylesheets are appended without waiting for them to load and
the map script runs at once, so the CSS is not applied yet and Leaflet falls back to the
``<link href$="leaflet.css">`` directory without ``images/`` (``.../leaflet-1.9.3marker-
icon.png``: 404, e.g. for GeoJSON point features). Localized maps therefore carry a first
child element whose script sets ``L.Icon.Default.imagePath`` to the vendored directory.

Known gaps, by design: branca colormaps (and so ``folium.Choropleth``, which always adds
one as its legend) make both folium and streamlit-folium link d3 from a CDN, which is not
vendored; plugins other than Draw, MarkerCluster/FastMarkerCluster and Fullscreen are not
vendored either. ``localize_tree`` reports both.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import folium
from branca.colormap import ColorMap
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import Draw, FastMarkerCluster, Fullscreen, MarkerCluster
from folium.template import Template

log = logging.getLogger(__name__)

__all__ = [
    "MAP_CSS",
    "MAP_JS",
    "PLUGIN_ASSETS",
    "LEAFLET_IMAGES",
    "STATIC_URL_PREFIX",
    "VENDOR_DIR",
    "LeafletImagePath",
    "assert_no_external_urls",
    "localize_plugin",
    "localize_tree",
    "make_offline_map",
    "missing_vendor_files",
    "offline_draw",
    "offline_fast_marker_cluster",
    "offline_fullscreen",
    "offline_js_css",
    "offline_marker_cluster",
    "vendor_url",
]

STATIC_URL_PREFIX = "/app/static/vendor"
"""URL under which ``static/vendor`` is served by Streamlit (no ``server.baseUrlPath``).

With ``server.baseUrlPath = "sit"`` pass ``prefix="/sit/app/static/vendor"``.
"""

VENDOR_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor"
"""Directory holding the vendored files (``<project>/static/vendor``)."""

#: The project's own small scripts, inlined in the maps that use them (never fetched).
JS_DIR = Path(__file__).resolve().parent / "js"


def page_script(*names: str) -> str:
    """The scripts ``names`` of ``layers/js`` in that order, as one text to inline in a map."""
    return "\n".join((JS_DIR / name).read_text(encoding="utf-8") for name in names)


def pack_json(value: Any, level: int = 6) -> tuple[str, str]:
    """``value`` as compact JSON, gzip (``level``) and base64, for ``layers/js/gzip.js``.

    Returns (signature, data): the signature is 12 hex digits of the gzip's SHA-1, the same
    for the same value, so a map that carries the same data keeps the same script.
    """
    raw = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    packed = gzip.compress(raw, compresslevel=level, mtime=0)
    return hashlib.sha1(packed).hexdigest()[:12], base64.b64encode(packed).decode("ascii")


Asset = tuple[str, str]
"""A folium asset entry: (folium link name, path relative to ``VENDOR_DIR``)."""

MAP_JS: tuple[Asset, ...] = (
    ("leaflet", "leaflet-1.9.3/leaflet.js"),
    ("jquery", "jquery-3.7.1/jquery.min.js"),
    ("bootstrap", "bootstrap-5.2.2/js/bootstrap.bundle.min.js"),
    ("awesome_markers", "leaflet.awesome-markers-2.0.2/leaflet.awesome-markers.js"),
)
"""Local replacements for ``folium.Map.default_js`` (same names, same order)."""

MAP_CSS: tuple[Asset, ...] = (
    ("leaflet_css", "leaflet-1.9.3/leaflet.css"),
    ("bootstrap_css", "bootstrap-5.2.2/css/bootstrap.min.css"),
    ("glyphicons_css", "bootstrap-3.4.1/css/bootstrap-glyphicons.css"),
    ("awesome_markers_font_css", "fontawesome-free-6.2.0/css/all.min.css"),
    ("awesome_markers_css", "leaflet.awesome-markers-2.0.2/leaflet.awesome-markers.css"),
    ("awesome_rotate_css", "generated/leaflet.awesome.rotate.min.css"),
)
"""Local replacements for ``folium.Map.default_css`` (same names, same order)."""

PLUGIN_ASSETS: dict[type[JSCSSMixin], tuple[tuple[Asset, ...], tuple[Asset, ...]]] = {
    folium.Map: (MAP_JS, MAP_CSS),
    Draw: (
        (("leaflet_draw_js", "leaflet-draw-1.0.2/leaflet.draw.js"),),
        (("leaflet_draw_css", "leaflet-draw-1.0.2/leaflet.draw.css"),),
    ),
    # Also covers FastMarkerCluster, a subclass.
    MarkerCluster: (
        (("markerclusterjs", "leaflet.markercluster-1.1.0/leaflet.markercluster.js"),),
        (
            ("markerclustercss", "leaflet.markercluster-1.1.0/MarkerCluster.css"),
            ("markerclusterdefaultcss", "leaflet.markercluster-1.1.0/MarkerCluster.Default.css"),
        ),
    ),
    Fullscreen: (
        (("Control.Fullscreen.js", "leaflet.fullscreen-3.0.0/Control.FullScreen.js"),),
        (("Control.FullScreen.css", "leaflet.fullscreen-3.0.0/Control.FullScreen.css"),),
    ),
}
"""Vendored (js, css) assets per folium class, keyed by the class that declares them."""

LEAFLET_IMAGES = "leaflet-1.9.3/images/"
"""Directory of Leaflet's default marker/layers images, relative to ``VENDOR_DIR``."""

_E = TypeVar("_E", bound=JSCSSMixin)


class LeafletImagePath(MacroElement):
    """Map child whose script sets ``L.Icon.Default.imagePath`` (see module docstring).

    Args:
        image_path: URL of the directory holding ``marker-icon.png``, ending in ``/``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.image_path|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self, image_path: str) -> None:
        super().__init__()
        self._name = "LeafletImagePath"
        self.image_path = image_path


def _set_image_path(m: folium.Map, prefix: str) -> None:
    """Give ``m`` exactly one ``LeafletImagePath`` child, placed before all others."""
    for key, child in list(m._children.items()):
        if isinstance(child, LeafletImagePath):
            del m._children[key]
    element = LeafletImagePath(vendor_url(LEAFLET_IMAGES, prefix))
    m.add_child(element)
    # Marker icons resolve their URL when created, i.e. in earlier children's scripts.
    m._children.move_to_end(element.get_name(), last=False)


def vendor_url(relpath: str, prefix: str = STATIC_URL_PREFIX) -> str:
    """Return the URL of a vendored file.

    Args:
        relpath: Path relative to ``VENDOR_DIR``, e.g. ``"leaflet-1.9.3/leaflet.js"``.
        prefix: URL prefix under which ``static/vendor`` is served.

    Returns:
        ``prefix`` and ``relpath`` joined by exactly one ``/``.
    """
    return f"{prefix.rstrip('/')}/{relpath.lstrip('/')}"


def _urls(assets: tuple[Asset, ...], prefix: str) -> list[tuple[str, str]]:
    return [(name, vendor_url(relpath, prefix)) for name, relpath in assets]


def offline_js_css(
    prefix: str = STATIC_URL_PREFIX,
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return the local replacements for ``folium.Map.default_js`` / ``default_css``.

    Args:
        prefix: URL prefix under which ``static/vendor`` is served.

    Returns:
        ``(js, css)``: fresh lists of folium-style ``(name, url)`` pairs, safe to assign
        to an instance and to mutate.
    """
    return _urls(MAP_JS, prefix), _urls(MAP_CSS, prefix)


def _assets_for(element: JSCSSMixin) -> tuple[tuple[Asset, ...], tuple[Asset, ...]] | None:
    for cls in type(element).__mro__:
        if cls in PLUGIN_ASSETS:
            return PLUGIN_ASSETS[cls]
    return None


def localize_plugin(plugin: _E, prefix: str = STATIC_URL_PREFIX) -> _E:
    """Point a folium element's JS/CSS links at the vendored copies.

    The new lists are set on the instance only; the class attributes are left alone. A
    ``folium.Map`` also gets a ``LeafletImagePath`` first child (see module docstring).

    Args:
        plugin: A ``folium.Map``, ``Draw``, ``MarkerCluster``, ``FastMarkerCluster`` or
            ``Fullscreen`` instance (see ``PLUGIN_ASSETS``).
        prefix: URL prefix under which ``static/vendor`` is served.

    Returns:
        The same object, for chaining.

    Raises:
        ValueError: The element's class has no vendored assets.
    """
    assets = _assets_for(plugin)
    if assets is None:
        raise ValueError(
            f"no vendored assets for {type(plugin).__module__}.{type(plugin).__qualname__}; "
            "vendor them (scripts/vendor_assets.sh) and add them to PLUGIN_ASSETS"
        )
    js, css = assets
    plugin.default_js = _urls(js, prefix)
    plugin.default_css = _urls(css, prefix)
    if isinstance(plugin, folium.Map):
        _set_image_path(plugin, prefix)
    return plugin


def make_offline_map(
    prefix: str = STATIC_URL_PREFIX,
    *,
    tiles: Any = None,
    max_zoom: int = 18,
    min_zoom: int | None = None,
    **map_kwargs: Any,
) -> folium.Map:
    """Build a ``folium.Map`` whose JS/CSS come from the vendored files.

    Args:
        prefix: URL prefix under which ``static/vendor`` is served.
        tiles: Passed to ``folium.Map``. Defaults to ``None`` (no base layer) because
            every folium tile provider is an internet tile server.
        max_zoom: Set as the map's own ``maxZoom`` option (and passed to ``folium.Map``
            for its tile layer, if any). folium only gives zoom limits to the tile layer,
            so a map without tiles would have none, and Leaflet.markercluster then throws
            "Map has no maxZoom specified", which stops the rest of the map script.
        min_zoom: Same as ``max_zoom`` for ``minZoom``; not set when ``None``.
        **map_kwargs: Any other ``folium.Map`` argument (``location``, ``zoom_start``...).

    Returns:
        The map, with ``default_js`` / ``default_css`` replaced on the instance and a
        ``LeafletImagePath`` first child.
    """
    m = folium.Map(tiles=tiles, max_zoom=max_zoom, min_zoom=min_zoom, **map_kwargs)
    m.options["max_zoom"] = max_zoom
    if min_zoom is not None:
        m.options["min_zoom"] = min_zoom
    return localize_plugin(m, prefix)


def offline_draw(prefix: str = STATIC_URL_PREFIX, **kwargs: Any) -> Draw:
    """Return a ``folium.plugins.Draw`` (Leaflet.draw 1.0.2) using the vendored files.

    Args:
        prefix: URL prefix under which ``static/vendor`` is served.
        **kwargs: Passed to ``Draw``.

    Returns:
        The localized plugin.
    """
    return localize_plugin(Draw(**kwargs), prefix)


def offline_marker_cluster(
    locations: Any = None, prefix: str = STATIC_URL_PREFIX, **kwargs: Any
) -> MarkerCluster:
    """Return a ``folium.plugins.MarkerCluster`` (1.1.0) using the vendored files.

    Args:
        locations: Passed to ``MarkerCluster``.
        prefix: URL prefix under which ``static/vendor`` is served.
        **kwargs: Passed to ``MarkerCluster``.

    Returns:
        The localized plugin.
    """
    return localize_plugin(MarkerCluster(locations, **kwargs), prefix)


def offline_fast_marker_cluster(
    data: Any, prefix: str = STATIC_URL_PREFIX, **kwargs: Any
) -> FastMarkerCluster:
    """Return a ``folium.plugins.FastMarkerCluster`` using the vendored files.

    Args:
        data: Passed to ``FastMarkerCluster``.
        prefix: URL prefix under which ``static/vendor`` is served.
        **kwargs: Passed to ``FastMarkerCluster``.

    Returns:
        The localized plugin.
    """
    return localize_plugin(FastMarkerCluster(data, **kwargs), prefix)


def offline_fullscreen(prefix: str = STATIC_URL_PREFIX, **kwargs: Any) -> Fullscreen:
    """Return a ``folium.plugins.Fullscreen`` (leaflet.fullscreen 3.0.0), vendored files.

    Args:
        prefix: URL prefix under which ``static/vendor`` is served.
        **kwargs: Passed to ``Fullscreen``.

    Returns:
        The localized plugin.
    """
    return localize_plugin(Fullscreen(**kwargs), prefix)


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.I)


def localize_tree(root: Element, prefix: str = STATIC_URL_PREFIX, *, strict: bool = True) -> list[str]:
    """Localize every element of a folium tree that has vendored assets.

    Call it on the map right before ``st_folium`` / ``render`` to catch plugins that were
    added without the ``offline_*`` factories.

    Args:
        root: A ``folium.Map`` (or any element: its whole subtree is visited).
        prefix: URL prefix under which ``static/vendor`` is served.
        strict: Raise when something would still load from the internet.

    Returns:
        Descriptions of the elements that would still load assets from the internet
        (non-vendored plugins, branca colormaps), plus a tile-less map without
        ``max_zoom`` that holds a marker cluster; empty when the tree is offline-safe.

    Raises:
        ValueError: ``strict`` is true and the returned list would not be empty.
    """
    problems: list[str] = []
    for element in _walk(root):
        name = f"{type(element).__qualname__} {element.get_name()}"
        if isinstance(element, ColorMap):
            problems.append(f"{name}: branca colormaps load d3 from a CDN (not vendored)")
        if not isinstance(element, JSCSSMixin):
            continue
        if _assets_for(element) is not None:
            localize_plugin(element, prefix)
            continue
        urls = [url for _, url in [*element.default_js, *element.default_css]]
        external = [url for url in urls if _EXTERNAL.match(url)]
        if external:
            problems.append(f"{name}: not vendored: {', '.join(external)}")
    if (
        isinstance(root, folium.Map)
        and "max_zoom" not in root.options
        and not any(isinstance(e, folium.TileLayer) for e in _walk(root))
        and any(isinstance(e, MarkerCluster) for e in _walk(root))
    ):
        problems.append(
            f"{root.get_name()}: no tile layer and no max_zoom: Leaflet.markercluster "
            "throws 'Map has no maxZoom specified' (use make_offline_map)"
        )
    if strict and problems:
        raise ValueError("map would load assets from the internet:\n" + "\n".join(problems))
    return problems


def missing_vendor_files(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """List the vendored files referenced by ``PLUGIN_ASSETS`` that are not on disk.

    Args:
        vendor_dir: Directory served as ``prefix`` (default: ``<project>/static/vendor``).

    Returns:
        Paths relative to ``vendor_dir``; empty when everything is in place.
    """
    relpaths = [relpath for js, css in PLUGIN_ASSETS.values() for _, relpath in (*js, *css)]
    return [p for p in dict.fromkeys(relpaths) if not (vendor_dir / p).is_file()]


# --- scanning rendered HTML -----------------------------------------------------------

_URL = r"(?:https?:)?//[^\s\"'<>()\\]+"
_Q = r"\\?[\"']?"  # optional (possibly JS-escaped) quote
_RESOURCE_PATTERNS = [
    # <script src>, <img src>, <iframe src>, <source src>, <video poster>...
    re.compile(
        r"<(?:script|img|iframe|frame|source|video|audio|embed|track|input)\b[^>]*?"
        rf"\b(?:src|poster)\s*=\s*{_Q}({_URL})",
        re.I,
    ),
    re.compile(r"<(?:img|source)\b[^>]*?\bsrcset\s*=\s*" + _Q + "(" + _URL + ")", re.I),
    # <link href> (stylesheets, preloads, icons): every rel loads something
    re.compile(rf"<link\b[^>]*?\bhref\s*=\s*{_Q}({_URL})", re.I),
    re.compile(rf"<object\b[^>]*?\bdata\s*=\s*{_Q}({_URL})", re.I),
    # CSS in <style> or style="": url(...) and @import
    re.compile(rf"\burl\(\s*{_Q}({_URL})", re.I),
    re.compile(rf"@import\s+{_Q}({_URL})", re.I),
    # Leaflet layers fetching from a server: tile layers (incl. WMS), image/video overlays
    re.compile(
        r"\bL\.(?:tileLayer(?:\.wms)?|imageOverlay|videoOverlay)\s*\(\s*"
        rf"[\"'`]({_URL})",
        re.I,
    ),
]
_JS_ESCAPES = {
    "\\u003c": "<",
    "\\u003e": ">",
    "\\u0026": "&",
    "\\u0027": "'",
    "\\/": "/",
}


def assert_no_external_urls(html: str) -> list[str]:
    """Return the internet URLs that rendered map HTML would load resources from.

    Looked at (also inside inline scripts, e.g. popup/tooltip HTML, after undoing the
    JSON escapes folium uses there): ``src``/``srcset``/``poster`` of script, img, iframe,
    source, video, audio, embed, track and input tags; ``href`` of ``<link>`` tags;
    ``data`` of ``<object>``; CSS ``url(...)`` and ``@import``; and the URL argument of
    ``L.tileLayer``, ``L.tileLayer.wms``, ``L.imageOverlay`` and ``L.videoOverlay``.

    Deliberately ignored: ``<a href>`` links (e.g. tile attributions or Leaflet's own
    attribution prefix) since they are only followed if the user clicks them, and XML
    namespace identifiers such as ``http://www.w3.org/2000/svg``, which are never fetched.
    ``data:`` URIs and relative or root-relative paths are local by definition.

    Despite the name it does not raise, so tests can show the offending URLs:
    ``assert assert_no_external_urls(html) == []``.

    Args:
        html: The rendered document, e.g. ``m.get_root().render()``.

    Returns:
        The external (``http://``, ``https://`` or protocol-relative ``//``) URLs found, in
        document order, without duplicates.
    """
    text = html
    for escaped, plain in _JS_ESCAPES.items():
        text = text.replace(escaped, plain)
    found: list[tuple[int, str]] = []
    for pattern in _RESOURCE_PATTERNS:
        found.extend((m.start(1), m.group(1)) for m in pattern.finditer(text))
    return list(dict.fromkeys(url for _, url in sorted(found)))
