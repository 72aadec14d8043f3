/* SIT PLADECO Vallenar: the initiatives of the map, sent once and filtered in the browser.
 *
 * layers/initiative_points.py inlines this file in the map (it is not fetched). The map's
 * fixed part calls sitInitiatives.load(sig, b64, style): a gzip of the compact columns
 * (layers.initiative_points.encode_initiatives), decoded by layers/js/gzip.js, becomes one
 * Leaflet layer per initiative, built once. Each filter change sends only a bitset of which
 * of them to show (sitInitiatives.show), which moves the chosen layers into the filtered
 * feature group that streamlit-folium swaps in place, then sets data-sit-drawn on the map
 * container two frames later.
 *
 * The map draws on a canvas (preferCanvas): 10,000 SVG paths cost the browser about twice
 * as long. Texts arrive HTML-escaped from layers.sanitize (tooltips insert them as HTML).
 */
(function () {
    "use strict";
    if (window.sitInitiatives) { return; }
    // A line of 1.2 px is hard to hit on a canvas: accept clicks and hovers 4 px around
    // every shape (the projector, a touch pad). Existing renderers read it from here.
    L.Canvas.prototype.options.tolerance = 4;
    // Timings (ms since the frame's start) that the benchmark reads: load, decoded, built,
    // added, drawn.
    var marks = window.sitMarks = {};
    function mark(name) { marks[name] = Math.round(performance.now()); }
    var stores = {};  // sig -> promise of {cols, layers}
    var built = {};   // sig -> {cols, layers}, once decoded

    function tooltip(cols, i) {
        var rows = [["Código", cols.code[i]], ["Iniciativa", cols.name[i]],
                    ["Estado", cols.statuses[cols.status[i]]], ["Monto", cols.amount[i]]];
        var html = "<table>";
        for (var r = 0; r < rows.length; r += 1) {
            html += "<tr><th style=\"text-align:left;padding-right:6px\">" + rows[r][0] +
                    "</th><td>" + rows[r][1] + "</td></tr>";
        }
        return html + "</table>";
    }

    function build(cols, style) {
        var layers = new Array(cols.id.length);
        var scale = cols.scale;
        var id = 0;
        cols.id.forEach(function (delta, i) {
            id += delta;
            var pos = cols.pos[i];
            var colour = pos >= 1 ? style.palette[(pos - 1) % style.palette.length] : style.unknown;
            var options = {color: "#ffffff", weight: 1.2, fill: true, fillOpacity: 0.9,
                           radius: 6, className: style.className, fillColor: colour};
            var props = {layer: "iniciativa", id: id};
            var g = cols.geom[i];
            var layer;
            if (Array.isArray(g)) {
                layer = L.circleMarker([g[1] / scale, g[0] / scale], options);
                layer.feature = {type: "Feature", properties: props};
            } else {
                layer = L.geoJSON({type: "Feature", properties: props, geometry: g},
                                  {style: function () { return options; },
                                   pointToLayer: function (f, ll) { return L.circleMarker(ll, options); }});
            }
            layer.sitIndex = i;
            if (layer.eachLayer) { layer.eachLayer(function (part) { part.sitIndex = i; }); }
            layers[i] = layer;
        });
        return layers;
    }

    // The first time the initiatives are on screen, the page hears it through
    // streamlit-folium's component value, if it waits for that (ui/frame.py: a session's first
    // visit draws the map before the rest of the page, with an element under the map that
    // matches ``waiting``, a selector in the page around the map's frame). On any other visit
    // the report would only rerun the app for nothing, and a report sent just after a click on
    // another page carries the map's page and can take the person back to the map. Its record
    // of what it last sent (previous_data) is left as it is: it compares its next report with
    // that and would otherwise send its own value again at once.
    var reported = false;
    function waitedFor(waiting) {
        if (!waiting) { return false; }
        try {
            return window.parent.document.querySelector(waiting) !== null;
        } catch (e) {
            return true;  // a page we cannot look into: report, as before
        }
    }
    function report(n, waiting) {
        var data = window.__GLOBAL_DATA__;
        if (reported || !window.Streamlit || !data || !waitedFor(waiting)) { return; }
        reported = true;
        window.Streamlit.setComponentValue(Object.assign({}, data.previous_data || {}, {sit_drawn: n}));
    }

    function signal(attribute, n, waiting) {
        requestAnimationFrame(function () { requestAnimationFrame(function () {
            var box = document.querySelector(".leaflet-container");
            if (box) { box.setAttribute(attribute, String(n)); }
            mark("sit-drawn");
            report(n, waiting);
        }); });
    }

    window.sitInitiatives = {
        /* Decode the initiatives of store ``sig`` once; returns its promise. */
        load: function (sig, b64, style) {
            if (!stores[sig]) {
                mark("sit-load");
                stores[sig] = window.sitGzip.json(b64).then(function (cols) {
                    mark("sit-decoded");
                    built[sig] = {cols: cols, layers: build(cols, style)};
                    mark("sit-built");
                    return built[sig];
                });
            }
            return stores[sig];
        },
        /* Put the initiatives whose bit is set in ``bits`` into ``group``, then signal (and
         * report, if the page shows ``waiting``). */
        show: function (sig, bits, group, attribute, waiting) {
            var store = stores[sig];
            if (!store) {
                console.error("sitInitiatives: no store " + sig);
                return;
            }
            store.then(function (s) {
                var mask = window.sitGzip.bytes(bits);
                var chosen = [];
                for (var i = 0; i < s.layers.length; i += 1) {
                    if (mask[i >> 3] & (1 << (i & 7))) { chosen.push(s.layers[i]); }
                }
                // One tooltip and one hover handler for the group, not one per initiative.
                group.bindTooltip(function (layer) { return tooltip(s.cols, layer.sitIndex); },
                                  {sticky: true});
                group.on({
                    mouseover: function (e) { e.layer.setStyle({weight: 4}); },
                    mouseout: function (e) { e.layer.setStyle({weight: 1.2}); }
                });
                chosen.forEach(function (layer) { group.addLayer(layer); });
                mark("sit-added");
                signal(attribute, chosen.length, waiting);
            });
        },
        /* Keep ``group`` (the shaded territories, swapped in after the fixed layers) under
         * everything else whenever it is added: on a canvas the last drawn is on top and
         * takes the click, and sites, facilities and initiatives must stay clickable. */
        underneath: function (group) {
            group.on("add", function () { group.bringToBack(); });
        },
        /* How many initiative layers are on the map now (tests compare it with the signal). */
        onMap: function (map) {
            var n = 0;
            Object.keys(built).forEach(function (sig) {
                built[sig].layers.forEach(function (layer) { if (map.hasLayer(layer)) { n += 1; } });
            });
            return n;
        }
    };
})();
