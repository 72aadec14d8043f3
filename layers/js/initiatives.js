/* SIT PLADECO Vallenar: the initiatives of the map, sent once and filtered in the browser.
 *
 * layers/initiative_points.py inlines this file in the map (it is not fetched). The map's
 * fixed part calls sitInitiatives.load(sig, b64, style): a gzip of the compact columns
 * (layers.initiative_points.encode_initiatives), decoded by layers/js/gzip.js, is built once
 * into the points' columns (and a Leaflet layer for each line or polygon). Each filter change
 * sends only a bitset of which of them to show (layers/js/selection.js calls
 * sitInitiatives.show), which puts one SitPoints layer with the chosen points (and the chosen
 * shapes) into the map's group of initiatives, then sets data-sit-drawn on the map container
 * two frames later.
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

    // Every point initiative of a selection is one Leaflet layer, SitPoints, drawn on the map's
    // canvas (the renderer the territories, sites and facilities share) by stamping one small
    // pre-drawn circle per strategy colour: one L.circleMarker per initiative cost a fill and a
    // stroke each (at 10,000, from decoded to drawn 0.24 s, now 0.13 s: bench/README.md,
    // 2026-12-02). Hit testing goes through a grid of the projected points, so hovering and
    // clicking still name the initiative under the mouse. Lines and polygons stay Leaflet
    // paths, drawn under the points.
    var RADIUS = 6, WEIGHT = 1.2, HOVER_WEIGHT = 4, LINE_WEIGHT = 4, CELL = 32;

    function sprite(colour, retina) {
        var m = retina ? 2 : 1, half = Math.ceil(RADIUS + HOVER_WEIGHT / 2) + 1, size = 2 * half;
        var canvas = document.createElement("canvas");
        canvas.width = canvas.height = size * m;
        var ctx = canvas.getContext("2d");
        ctx.scale(m, m);
        ctx.beginPath();
        ctx.arc(half, half, RADIUS, 0, Math.PI * 2, false);
        ctx.globalAlpha = 0.9;
        ctx.fillStyle = colour;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.lineWidth = WEIGHT;
        ctx.strokeStyle = "#ffffff";
        ctx.stroke();
        return {canvas: canvas, half: half, size: size};
    }

    var SitPoints = L.Path.extend({
        options: {radius: RADIUS, weight: WEIGHT, fill: true, interactive: true},

        /* ``pts``: the store's points (lat, lng, colour index, store index); ``chosen``: which
         * of them (positions in ``pts``, in drawing order). */
        initialize: function (pts, chosen, palette, options) {
            L.setOptions(this, options);
            this._pts = pts;
            this._chosen = chosen;
            this._palette = palette;
            this._hit = -1;
            this._hover = -1;
            this.on({mouseover: this._over, mouseout: this._out, mousemove: this._moved}, this);
        },

        count: function () { return this._chosen.length; },

        /* Store index (into the decoded columns) of the point under the mouse, or -1. */
        hitIndex: function () {
            return this._hit < 0 ? -1 : this._pts.index[this._chosen[this._hit]];
        },

        /* The point under the mouse as a GeoJSON Feature (streamlit-folium reports it). */
        toGeoJSON: function () {
            if (this._hit < 0) { return null; }
            var k = this._chosen[this._hit], pts = this._pts;
            return {type: "Feature", properties: {layer: "iniciativa", id: pts.id[k]},
                    geometry: {type: "Point", coordinates: [pts.lng[k], pts.lat[k]]}};
        },

        /* Every point as {latlng, props} (tests aim the mouse at them). */
        sitPoints: function () {
            var pts = this._pts, out = [];
            for (var j = 0; j < this._chosen.length; j += 1) {
                var k = this._chosen[j];
                out.push({latlng: L.latLng(pts.lat[k], pts.lng[k]),
                          props: {layer: "iniciativa", id: pts.id[k]}});
            }
            return out;
        },

        getBounds: function () {
            var b = L.latLngBounds([]), pts = this._pts;
            for (var j = 0; j < this._chosen.length; j += 1) {
                var k = this._chosen[j];
                b.extend([pts.lat[k], pts.lng[k]]);
            }
            return b;
        },

        beforeAdd: function (map) {
            L.Path.prototype.beforeAdd.call(this, map);
            if (!(this._renderer instanceof L.Canvas)) {
                console.error("sitInitiatives: the map must draw on a canvas (preferCanvas)");
            }
            var retina = L.Browser.retina;
            if (!this._sprites || this._retina !== retina) {
                this._retina = retina;
                this._sprites = this._palette.map(function (c) { return sprite(c, retina); });
            }
        },

        _project: function () {
            var map = this._map, pts = this._pts, n = this._chosen.length;
            var x = this._x = new Float64Array(n), y = this._y = new Float64Array(n);
            var grid = this._grid = new Map();
            if (!n) { this._pxBounds = null; return; }
            var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
            for (var j = 0; j < n; j += 1) {
                var k = this._chosen[j];
                // As L.CircleMarker places itself (latLngToLayerPoint rounds the point).
                var p = map.latLngToLayerPoint([pts.lat[k], pts.lng[k]]);
                x[j] = p.x;
                y[j] = p.y;
                if (p.x < minX) { minX = p.x; }
                if (p.y < minY) { minY = p.y; }
                if (p.x > maxX) { maxX = p.x; }
                if (p.y > maxY) { maxY = p.y; }
                var key = Math.floor(p.x / CELL) + "," + Math.floor(p.y / CELL);
                var cell = grid.get(key);
                if (cell) { cell.push(j); } else { grid.set(key, [j]); }
            }
            var pad = RADIUS + this._clickTolerance();
            this._pxBounds = L.bounds([minX - pad, minY - pad], [maxX + pad, maxY + pad]);
        },

        _update: function () {
            if (this._map) { this._updatePath(); }
        },

        /* Draw the points the renderer is redrawing (all, or those in its redraw bounds). */
        _updatePath: function () {
            var r = this._renderer;
            if (!r._drawing || !this._x) { return; }
            var ctx = r._ctx, pts = this._pts, x = this._x, y = this._y;
            var area = r._redrawBounds || r._bounds, h = this._sprites[0].half;
            // The layers drawn before leave their alpha and dashes on the shared context.
            ctx.globalAlpha = 1;
            if (ctx.setLineDash) { ctx.setLineDash([]); }
            var x0 = area.min.x - h, y0 = area.min.y - h, x1 = area.max.x + h, y1 = area.max.y + h;
            for (var j = 0; j < x.length; j += 1) {
                var px = x[j], py = y[j];
                if (px < x0 || px > x1 || py < y0 || py > y1) { continue; }
                var s = this._sprites[pts.colour[this._chosen[j]]];
                ctx.drawImage(s.canvas, px - s.half, py - s.half, s.size, s.size);
            }
            if (this._hover >= 0) {
                var k = this._chosen[this._hover];
                ctx.beginPath();
                ctx.arc(x[this._hover], y[this._hover], RADIUS, 0, Math.PI * 2, false);
                ctx.globalAlpha = 0.9;
                ctx.fillStyle = this._palette[pts.colour[k]];
                ctx.fill();
                ctx.globalAlpha = 1;
                ctx.lineWidth = HOVER_WEIGHT;
                ctx.strokeStyle = "#ffffff";
                ctx.stroke();
            }
        },

        /* The renderer asks, for a hover or a click, whether the mouse is on this layer:
         * on the topmost (last drawn) point within reach, remembered for the event. */
        _containsPoint: function (p) {
            this._hit = -1;
            if (!this._grid) { return false; }
            var reach = RADIUS + this._clickTolerance(), best = -1;
            var cx0 = Math.floor((p.x - reach) / CELL), cx1 = Math.floor((p.x + reach) / CELL);
            var cy0 = Math.floor((p.y - reach) / CELL), cy1 = Math.floor((p.y + reach) / CELL);
            for (var cx = cx0; cx <= cx1; cx += 1) {
                for (var cy = cy0; cy <= cy1; cy += 1) {
                    var cell = this._grid.get(cx + "," + cy);
                    if (!cell) { continue; }
                    for (var i = 0; i < cell.length; i += 1) {
                        var j = cell[i], dx = this._x[j] - p.x, dy = this._y[j] - p.y;
                        if (j > best && dx * dx + dy * dy <= reach * reach) { best = j; }
                    }
                }
            }
            this._hit = best;
            return best >= 0;
        },

        _redrawAround: function (j) {
            if (j < 0 || !this._renderer || !this._x) { return; }
            var pad = RADIUS + HOVER_WEIGHT, p = L.point(this._x[j], this._y[j]);
            // The renderer redraws the union of what it is asked for in its next frame.
            this._renderer._requestRedraw({_pxBounds: L.bounds(p.subtract([pad, pad]), p.add([pad, pad])),
                                           options: {weight: HOVER_WEIGHT}});
        },

        _over: function () {
            this._hover = this._hit;
            this._redrawAround(this._hover);
        },

        _out: function () {
            this._redrawAround(this._hover);
            this._hover = -1;
        },

        /* From one point straight onto a neighbour: to the tooltip and the highlight, that is
         * leaving one initiative and entering another. */
        _moved: function (e) {
            if (this._hit >= 0 && this._hit !== this._hover) {
                this.fire("mouseout", e, true);
                this.fire("mouseover", e, true);
            }
        }
    });

    /* A line or polygon initiative as the Leaflet paths it is drawn with (a list). Only paths go into
     * the feature group: Leaflet 1.9.3 throws when a tooltip opens on a group holding a layer
     * group (Leaflet/Leaflet#8890), which stopped the canvas from tracking the mouse. Built by
     * L.GeoJSON.geometryToLayer with the path options themselves, without a GeoJSON group
     * around each one and its style pass: a (multi)line or (multi)polygon is one path, a
     * geometry collection a group of them. */
    function shape(geometry, id, index, options) {
        var parts = [], feature = {type: "Feature", properties: {layer: "iniciativa", id: id}};
        (function leaves(layer) {
            if (layer.getElement) {
                if (layer instanceof L.Polyline && !(layer instanceof L.Polygon)) {
                    // A line has no fill: drawn in its strategy's colour, not as the white
                    // outline the points and polygons have.
                    layer.setStyle({color: options.fillColor, weight: LINE_WEIGHT, opacity: 0.9, fill: false});
                }
                layer.sitWeight = layer.options.weight;
                layer.sitIndex = index;
                layer.feature = feature;
                parts.push(layer);
            } else if (layer.eachLayer) {
                layer.eachLayer(leaves);
            }
        })(L.GeoJSON.geometryToLayer(geometry, Object.assign({}, options, {
            pointToLayer: function (f, ll) { return L.circleMarker(ll, options); }
        })));
        return parts;
    }

    function build(cols, style) {
        var n = cols.id.length, scale = cols.scale;
        var palette = style.palette.concat([style.unknown]);
        var pts = {id: [], lat: [], lng: [], colour: [], index: []};
        var at = new Int32Array(n).fill(-1);  // each store index among the points (-1: none)
        var shapes = [];  // store index -> the paths of a line or polygon (sparse)
        var options = {color: "#ffffff", weight: WEIGHT, fill: true, fillOpacity: 0.9,
                       radius: RADIUS, className: style.className};
        var id = 0;
        for (var i = 0; i < n; i += 1) {
            id += cols.id[i];
            var pos = cols.pos[i];
            var colour = pos >= 1 ? (pos - 1) % style.palette.length : style.palette.length;
            var g = cols.geom[i];
            if (Array.isArray(g)) {
                at[i] = pts.id.length;
                pts.id.push(id);
                pts.lat.push(g[1] / scale);
                pts.lng.push(g[0] / scale);
                pts.colour.push(colour);
                pts.index.push(i);
            } else {
                shapes[i] = shape(g, id, i, Object.assign({}, options, {fillColor: palette[colour]}));
            }
        }
        return {pts: pts, at: at, shapes: shapes, palette: palette, className: style.className};
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
                var chosen = [], others = [];
                for (var i = 0; i < s.cols.id.length; i += 1) {
                    if (!(mask[i >> 3] & (1 << (i & 7)))) { continue; }
                    if (s.layers.at[i] >= 0) { chosen.push(s.layers.at[i]); } else { others.push(s.layers.shapes[i]); }
                }
                // One tooltip and one hover handler for the group, not one per initiative; the
                // group stays on the map from one selection to the next: bound once.
                if (!group.sitBound) {
                    group.sitBound = true;
                    group.bindTooltip(function (layer) {
                        return tooltip(s.cols, layer.hitIndex ? layer.hitIndex() : layer.sitIndex);
                    }, {sticky: true});
                    group.on({
                        mouseover: function (e) {
                            if (!e.layer.hitIndex) { e.layer.setStyle({weight: e.layer.sitWeight + HOVER_WEIGHT - WEIGHT}); }
                        },
                        mouseout: function (e) {
                            if (!e.layer.hitIndex) { e.layer.setStyle({weight: e.layer.sitWeight}); }
                        }
                    });
                }
                group.clearLayers();
                // Lines and polygons under the points, as maps draw them: a shape never hides
                // a point.
                others.forEach(function (parts) { parts.forEach(function (part) { group.addLayer(part); }); });
                group.addLayer(new SitPoints(s.layers.pts, chosen, s.layers.palette,
                                             {className: s.layers.className}));
                mark("sit-added");
                signal(attribute, chosen.length + others.length, waiting);
            });
        },
        /* Keep ``group`` (the shaded territories, added after the other layers) under
         * everything else whenever it is added: on a canvas the last drawn is on top and
         * takes the click, and sites, facilities and initiatives must stay clickable. */
        underneath: function (group) {
            group.on("add", function () { group.bringToBack(); });
        },
        /* How many initiatives are on the map now (tests compare it with the signal). */
        onMap: function (map) {
            var n = 0;
            map.eachLayer(function (layer) { if (layer instanceof SitPoints) { n += layer.count(); } });
            Object.keys(built).forEach(function (sig) {
                built[sig].layers.shapes.forEach(function (parts) {  // skips the points' holes
                    if (parts.length && map.hasLayer(parts[0])) { n += 1; }
                });
            });
            return n;
        }
    };
})();
