/* SIT PLADECO Vallenar: reference layers (critical points, canals, the river, the Plan
 * Regulador...), decoded only when a person switches one on.
 *
 * layers/reference_layers.py inlines this file in the map (it is not fetched). Every layer
 * of the layer control starts as an empty group; the first time one is added, the gzip of
 * all reference layers (base64, decoded once by layers/js/gzip.js) gives
 * its features. The legend's row of a layer shows while the layer is on the map. Texts
 * arrive HTML-escaped from layers.sanitize (tooltips insert them as HTML).
 */
(function () {
    "use strict";
    if (window.sitReference) { return; }
    var raw = {};     // sig -> base64 of the gzip (the first layer of a map brings it)
    var stores = {};  // sig -> promise of {layer: FeatureCollection}, decoded on first use

    function decode(sig) {
        if (!stores[sig]) { stores[sig] = window.sitGzip.json(raw[sig] || ""); }
        return stores[sig];
    }

    function tooltip(p) {
        return "<b>" + p.nombre + "</b><br>" + p.capa +
            (p.detalle ? "<br>" + p.detalle : "") +
            "<br><small>Fuente: " + p.fuente + "</small>";
    }

    function legendRows(doc, layer, on) {
        var rows = doc.querySelectorAll("[data-sit-capa]");
        var any = false;
        rows.forEach(function (row) {
            if (row.getAttribute("data-sit-capa") === layer) { row.hidden = !on; }
            if (!row.hidden) { any = true; }
        });
        var heading = doc.querySelector("[data-sit-capas]");
        if (heading) { heading.hidden = !any; }
    }

    window.sitReference = {
        /* Fill ``group`` with layer ``layer`` of store ``sig`` the first time it is added.
         * Only the first layer of a map carries ``b64``; the others name the same ``sig``. */
        attach: function (sig, b64, group, layer, style) {
            if (b64) { raw[sig] = b64; }
            var filled = false;
            group.on("add", function () {
                legendRows(document, layer, true);
                if (filled) { return; }
                filled = true;
                decode(sig).then(function (all) {
                    var fc = all[layer] || {type: "FeatureCollection", features: []};
                    var options = {
                        style: function () { return style.path; },
                        pointToLayer: function (f, ll) {
                            if (style.label) {
                                return L.marker(ll, {interactive: false, icon: L.divIcon({
                                    className: "sit-toponimo", iconSize: null,
                                    html: "<span style=\"" + style.label + "\">" + f.properties.nombre + "</span>"})});
                            }
                            return L.circleMarker(ll, style.point);
                        }
                    };
                    var geo = L.geoJSON(fc, options);
                    if (!style.label) {
                        geo.bindTooltip(function (l) { return tooltip(l.feature.properties); }, {sticky: true});
                    }
                    group.addLayer(geo);
                    var box = document.querySelector(".leaflet-container");
                    if (box) {
                        var on = (box.getAttribute("data-sit-capas-dibujadas") || "").split(" ").filter(Boolean);
                        on.push(layer);
                        box.setAttribute("data-sit-capas-dibujadas", on.join(" "));
                    }
                }).catch(function (err) { console.error("sitReference: " + err); });
            });
            group.on("remove", function () { legendRows(document, layer, false); });
        }
    };
})();
