/* SIT PLADECO Vallenar: the UVs and localities of the map, sent once and shaded in the browser.
 *
 * layers/territory_shading.py inlines this file in the map (it is not fetched). The map's
 * fixed part calls sitTerritories.load(sig, b64, style): a gzip of their shapes and names
 * (layers.territory_shading.encode_territories), decoded by layers/js/gzip.js, becomes one
 * Leaflet layer per territory, built once. Each filter change sends only [count, colour]
 * per territory (layers/js/selection.js calls sitTerritories.show), which restyles them and
 * puts those shown into the map's group of territories; a click reaches streamlit-folium
 * through that group with the territory's properties (layer, id, nombre...).
 *
 * Texts arrive HTML-escaped from layers.sanitize (the tooltip inserts them as HTML).
 */
(function () {
    "use strict";
    if (window.sitTerritories) { return; }
    var stores = {};  // sig -> promise of {layers, style}

    function build(cols, style) {
        return cols.id.map(function (id, i) {
            var props = {layer: cols.layer[i], id: id, codigo: cols.codigo[i],
                         nombre: cols.nombre[i], sector: cols.sector[i], iniciativas: 0};
            var base = style.base[cols.layer[i]] || style.base.unidad_vecinal;
            // The feature's own layer (a polygon, or a marker for a locality without area):
            // the group holds these directly, since Leaflet's tooltip of a group asks each
            // member for its element, which a nested GeoJSON group does not have.
            var layer = L.geoJSON({type: "Feature", properties: props, geometry: cols.geom[i]}, {
                style: function () { return {className: style.className}; }
            }).getLayers()[0];
            layer.sitBase = base;
            layer.sitFill = base.fillColor;
            return layer;
        });
    }

    function styleOf(layer, style) {
        var s = {};
        Object.keys(layer.sitBase).forEach(function (k) { s[k] = layer.sitBase[k]; });
        s.fillColor = layer.sitFill;
        s.fillOpacity = style.fillOpacity;
        s.className = style.className;
        return s;
    }

    function tooltip(style, layer) {
        var p = layer.feature.properties;
        var html = "<table>";
        style.tooltip.forEach(function (row) {
            html += "<tr><th style=\"text-align:left;padding-right:6px\">" + row[0] +
                    "</th><td>" + p[row[1]] + "</td></tr>";
        });
        return html + "</table>";
    }

    window.sitTerritories = {
        /* Decode the territories of store ``sig`` once; returns its promise. */
        load: function (sig, b64, style) {
            if (!stores[sig]) {
                stores[sig] = window.sitGzip.json(b64).then(function (cols) {
                    return {layers: build(cols, style), style: style};
                });
            }
            return stores[sig];
        },
        /* Shade each territory with its [count, colour] and put it in ``group`` (null: left out). */
        show: function (sig, shading, group) {
            var store = stores[sig];
            if (!store) {
                console.error("sitTerritories: no store " + sig);
                return;
            }
            store.then(function (s) {
                if (!group.sitBound) {  // the group stays on the map: bound once
                    group.sitBound = true;
                    group.bindTooltip(function (part) { return tooltip(s.style, part); });
                    group.on({
                        mouseover: function (e) { if (e.layer.setStyle) { e.layer.setStyle(s.style.highlight); } },
                        mouseout: function (e) { if (e.layer.setStyle) { e.layer.setStyle(styleOf(e.layer, s.style)); } }
                    });
                }
                group.clearLayers();
                s.layers.forEach(function (layer, i) {
                    var shade = shading[i];
                    if (!shade) { return; }
                    layer.sitFill = shade[1];
                    layer.feature.properties.iniciativas = shade[0];
                    if (layer.setStyle) { layer.setStyle(styleOf(layer, s.style)); }
                    group.addLayer(layer);
                });
                if (group._map) { group.bringToBack(); }
            });
        }
    };
})();
