"""Leaflet's and Leaflet.draw's own words in Spanish, and a metric-only scale (no database here).

Leaflet 1.9 speaks English in its zoom buttons ("Zoom in/out"), the layer-control toggle
("Layers"), the popup close button and the attribution link; its scale shows miles beside
kilometres; Leaflet.draw 1.0.2 takes every word of its toolbars and hints from the global
``L.drawLocal``. Each map gets small ``MacroElement`` children whose scripts run in the
map's own script, after the vendored ``leaflet.js`` / ``leaflet.draw.js`` loaded: nothing
is fetched, and nothing outside the map's iframe changes (see :mod:`layers.assets`).
"""

from __future__ import annotations

import logging
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from layers.assets import STATIC_URL_PREFIX, make_offline_map

log = logging.getLogger(__name__)

ZOOM_IN_TITLE = "Acercar"
ZOOM_OUT_TITLE = "Alejar"
LAYERS_TITLE = "Capas"
CLOSE_POPUP = "Cerrar"
LEAFLET_LINK_TITLE = "Biblioteca JavaScript para mapas interactivos"

#: Every string of Leaflet.draw 1.0.2's ``L.drawLocal`` (same structure), in Spanish, and
#: es-CL number delimiters for the lengths and areas it shows while drawing.
DRAW_LOCAL_ES: dict[str, Any] = {
    "format": {"numeric": {"delimiters": {"thousands": ".", "decimal": ","}}},
    "draw": {
        "toolbar": {
            "actions": {"title": "Cancelar el dibujo", "text": "Cancelar"},
            "finish": {"title": "Terminar el dibujo", "text": "Terminar"},
            "undo": {"title": "Borrar el último punto dibujado", "text": "Borrar el último punto"},
            "buttons": {
                "polyline": "Dibujar una línea",
                "polygon": "Dibujar un polígono",
                "rectangle": "Dibujar un rectángulo",
                "circle": "Dibujar un círculo",
                "marker": "Dibujar un punto",
                "circlemarker": "Dibujar un círculo pequeño",
            },
        },
        "handlers": {
            "circle": {
                "tooltip": {"start": "Haga clic y arrastre para dibujar un círculo."},
                "radius": "Radio",
            },
            "circlemarker": {"tooltip": {"start": "Haga clic en el mapa para ubicar el círculo."}},
            "marker": {"tooltip": {"start": "Haga clic en el mapa para ubicar el punto."}},
            "polygon": {
                "tooltip": {
                    "start": "Haga clic para empezar a dibujar el polígono.",
                    "cont": "Haga clic para seguir dibujando el polígono.",
                    "end": "Haga clic en el primer punto para cerrar el polígono.",
                }
            },
            "polyline": {
                "error": "<strong>Error:</strong> ¡los bordes de la figura no pueden cruzarse!",
                "tooltip": {
                    "start": "Haga clic para empezar a dibujar la línea.",
                    "cont": "Haga clic para seguir dibujando la línea.",
                    "end": "Haga clic en el último punto para terminar la línea.",
                },
            },
            "rectangle": {"tooltip": {"start": "Haga clic y arrastre para dibujar un rectángulo."}},
            "simpleshape": {"tooltip": {"end": "Suelte el botón del mouse para terminar el dibujo."}},
        },
    },
    "edit": {
        "toolbar": {
            "actions": {
                "save": {"title": "Guardar los cambios", "text": "Guardar"},
                "cancel": {"title": "Cancelar la edición y descartar los cambios", "text": "Cancelar"},
                "clearAll": {"title": "Borrar todas las figuras", "text": "Borrar todo"},
            },
            "buttons": {
                "edit": "Editar figuras",
                "editDisabled": "No hay figuras para editar",
                "remove": "Borrar figuras",
                "removeDisabled": "No hay figuras para borrar",
            },
        },
        "handlers": {
            "edit": {
                "tooltip": {
                    "text": "Arrastre los vértices o los puntos para editar las figuras.",
                    "subtext": "Haga clic en Cancelar para deshacer los cambios.",
                }
            },
            "remove": {"tooltip": {"text": "Haga clic en una figura para borrarla."}},
        },
    },
}


class SpanishControls(MacroElement):
    """Zoom buttons, metric-only scale, layer toggle, popup close and attribution in Spanish.

    The map must be built without folium's zoom control and scale (``zoom_control=False``,
    ``control_scale=False``): this element adds both, first among the map's children so the
    zoom buttons stay at the top of their corner.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            if (!L.Control.Layers.prototype._sitSpanish) {
                var layersLayout = L.Control.Layers.prototype._initLayout;
                L.Control.Layers.include({
                    _sitSpanish: true,
                    _initLayout: function () {
                        layersLayout.call(this);
                        if (this._layersLink) { this._layersLink.title = {{ this.layers_title|tojson }}; }
                    }
                });
                var popupLayout = L.Popup.prototype._initLayout;
                L.Popup.include({
                    _initLayout: function () {
                        popupLayout.call(this);
                        if (this._closeButton) {
                            this._closeButton.setAttribute("aria-label", {{ this.close_popup|tojson }});
                        }
                    }
                });
            }
            if (map.zoomControl) { map.removeControl(map.zoomControl); }
            map.zoomControl = L.control.zoom({
                position: "topleft",
                zoomInTitle: {{ this.zoom_in|tojson }},
                zoomOutTitle: {{ this.zoom_out|tojson }}
            }).addTo(map);
            L.control.scale({metric: true, imperial: false}).addTo(map);
            if (map.attributionControl) {
                map.attributionControl.setPrefix(String(map.attributionControl.options.prefix).replace(
                    "A JavaScript library for interactive maps", {{ this.leaflet_title|tojson }}));
            }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SpanishControls"
        self.zoom_in = ZOOM_IN_TITLE
        self.zoom_out = ZOOM_OUT_TITLE
        self.layers_title = LAYERS_TITLE
        self.close_popup = CLOSE_POPUP
        self.leaflet_title = LEAFLET_LINK_TITLE


class SpanishDrawLocal(MacroElement):
    """Merge :data:`DRAW_LOCAL_ES` into ``L.drawLocal``; add it before the Draw control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (target, source) {
            function merge(t, s) {
                Object.keys(s).forEach(function (k) {
                    if (s[k] && typeof s[k] === "object") {
                        if (!t[k] || typeof t[k] !== "object") { t[k] = {}; }
                        merge(t[k], s[k]);
                    } else {
                        t[k] = s[k];
                    }
                });
            }
            merge(target, source);
        })(L.drawLocal, {{ this.local|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SpanishDrawLocal"
        self.local = DRAW_LOCAL_ES


def spanish_map(static_prefix: str = STATIC_URL_PREFIX, **map_kwargs: Any) -> folium.Map:
    """An offline map with plain Leaflet only and Leaflet's controls in Spanish.

    Like :func:`layers.assets.make_offline_map` (``map_kwargs`` go to ``folium.Map``), but
    without jQuery, Bootstrap, awesome-markers and Font Awesome (these maps use plain
    Leaflet: bench/ measured -170 ms), and with :class:`SpanishControls` as the first
    child: the zoom control and a metric-only scale replace folium's.
    """
    map_kwargs.update(zoom_control=False, control_scale=False)
    m = make_offline_map(static_prefix, **map_kwargs)
    m.default_js = [(k, v) for k, v in m.default_js if k == "leaflet"]
    m.default_css = [(k, v) for k, v in m.default_css if k == "leaflet_css"]
    SpanishControls().add_to(m)
    return m
