#!/usr/bin/env bash
# Re-create static/vendor/: the JS/CSS/image/font assets that folium 0.20 and the
# folium plugins used by the app would otherwise load from public CDNs.
#
# Every package is fetched from the npm registry with `npm pack` (which checks the
# tarball's integrity against the registry) and only the files the map needs are
# extracted. The versions are the ones folium 0.20.0 references (folium/folium.py and
# folium/plugins/{draw,marker_cluster,fullscreen}.py); see static/vendor/README.md.
#
# Usage: bash scripts/vendor_assets.sh            (from anywhere inside the repo)
# Needs: npm, tar, python3, sha256sum. Only the npm registry is contacted.
#
# static/vendor/README.md is maintained by hand and is left untouched; every other
# directory listed below is deleted and written again, then static/vendor/SHA256SUMS
# is regenerated (check with: cd static/vendor && sha256sum -c SHA256SUMS).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$DEST"

# fetch <npm spec> -> prints the directory holding the extracted "package/" tree
fetch() {
    local spec="$1" tgz dir
    tgz="$(cd "$WORK" && npm pack --silent "$spec" 2>/dev/null | tail -n 1)"
    dir="$WORK/x-${tgz%.tgz}"
    mkdir -p "$dir"
    tar -xzf "$WORK/$tgz" -C "$dir"
    echo "$dir/package"
}

# put <src dir> <dest dir> <path>[=<dest path>]...
put() {
    local src="$1" dst="$2" item from to
    shift 2
    for item in "$@"; do
        from="${item%%=*}"
        to="${item#*=}"
        install -D -m 0644 "$src/$from" "$dst/$to"
    done
}

# fresh <dir name> -> prints the emptied destination directory
fresh() {
    rm -rf "${DEST:?}/$1"
    mkdir -p "$DEST/$1"
    echo "$DEST/$1"
}

# mit_license <dest file> <copyright line> <provenance note>
# For the two packages whose npm tarball ships no LICENSE file although their
# package.json / file header declare MIT.
mit_license() {
    cat >"$1" <<EOF
$2

(The npm tarball of this package ships no LICENSE file. $3
This file reproduces the standard MIT License text with the copyright line
from the distributed source.)

Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to
the following conditions:

The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION
OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
EOF
}

# --- folium.Map defaults ---------------------------------------------------------
src="$(fetch leaflet@1.9.3)"
put "$src" "$(fresh leaflet-1.9.3)" LICENSE \
    dist/leaflet.js=leaflet.js dist/leaflet.css=leaflet.css \
    dist/images/layers.png=images/layers.png dist/images/layers-2x.png=images/layers-2x.png \
    dist/images/marker-icon.png=images/marker-icon.png \
    dist/images/marker-icon-2x.png=images/marker-icon-2x.png \
    dist/images/marker-shadow.png=images/marker-shadow.png

src="$(fetch jquery@3.7.1)"
put "$src" "$(fresh jquery-3.7.1)" LICENSE.txt dist/jquery.min.js=jquery.min.js

src="$(fetch bootstrap@5.2.2)"
put "$src" "$(fresh bootstrap-5.2.2)" LICENSE \
    dist/css/bootstrap.min.css=css/bootstrap.min.css \
    dist/js/bootstrap.bundle.min.js=js/bootstrap.bundle.min.js

# folium links Bootstrap 3.0.0's bootstrap-glyphicons.css (used by awesome markers with
# prefix="glyphicon"). Bootstrap 3.0.0 is not on npm and the full Bootstrap 3 CSS would
# clash with Bootstrap 5, so only the Glyphicons section (@font-face + .glyphicon*
# rules) is cut out of Bootstrap 3.4.1's dist/css/bootstrap.css, with its fonts.
src="$(fetch bootstrap@3.4.1)"
dst="$(fresh bootstrap-3.4.1)"
put "$src" "$dst" LICENSE \
    dist/fonts/glyphicons-halflings-regular.eot=fonts/glyphicons-halflings-regular.eot \
    dist/fonts/glyphicons-halflings-regular.svg=fonts/glyphicons-halflings-regular.svg \
    dist/fonts/glyphicons-halflings-regular.ttf=fonts/glyphicons-halflings-regular.ttf \
    dist/fonts/glyphicons-halflings-regular.woff=fonts/glyphicons-halflings-regular.woff \
    dist/fonts/glyphicons-halflings-regular.woff2=fonts/glyphicons-halflings-regular.woff2
python3 - "$src/dist/css/bootstrap.css" "$dst/css/bootstrap-glyphicons.css" <<'PY'
import pathlib, re, sys

css = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
start = css.index('@font-face {\n  font-family: "Glyphicons Halflings";')
# Top-level rules after the @font-face: keep the run of ".glyphicon..." rules.
rule = re.compile(r"([^{}]+)\{[^{}]*\}\n", re.S)
pos = css.index("}\n", start) + 2
while True:
    m = rule.match(css, pos)
    if not m or not all(s.strip().startswith(".glyphicon") for s in m.group(1).split(",")):
        break
    pos = m.end()
body = css[start:pos]
assert body.count(":before") > 200, "glyphicons section not found"
out = pathlib.Path(sys.argv[2])
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(
    "/*!\n * Glyphicons Halflings section of Bootstrap v3.4.1 dist/css/bootstrap.css\n"
    " * (https://getbootstrap.com/), cut out by scripts/vendor_assets.sh.\n"
    " * Copyright 2011-2019 Twitter, Inc. Licensed under MIT (see LICENSE).\n */\n" + body,
    encoding="utf-8",
)
PY

# Leaflet.awesome-markers 2.0.2 (folium pins the cdnjs build of lvoogdt's 2.0.2). The
# npm package "leaflet.awesome-markers" is a later fork (2.0.4+); the 2.0.2 release is
# republished on npm as "drmonty-leaflet-awesome-markers".
src="$(fetch drmonty-leaflet-awesome-markers@2.0.2)"
dst="$(fresh leaflet.awesome-markers-2.0.2)"
put "$src" "$dst" \
    js/leaflet.awesome-markers.js=leaflet.awesome-markers.js \
    css/leaflet.awesome-markers.css=leaflet.awesome-markers.css \
    css/images/markers-soft.png=images/markers-soft.png \
    css/images/markers-soft@2x.png=images/markers-soft@2x.png \
    css/images/markers-shadow.png=images/markers-shadow.png \
    css/images/markers-shadow@2x.png=images/markers-shadow@2x.png
mit_license "$dst/LICENSE" "Copyright (c) 2012-2013, Lennard Voogdt" \
    "Its package.json declares the MIT license (lvoogdt/Leaflet.awesome-markers)."

src="$(fetch @fortawesome/fontawesome-free@6.2.0)"
dst="$(fresh fontawesome-free-6.2.0)"
put "$src" "$dst" LICENSE.txt css/all.min.css
for f in "$src"/webfonts/*; do
    put "$src" "$dst" "webfonts/$(basename "$f")"
done

# folium also links leaflet.awesome.rotate.min.css from its GitHub repository: 360 rules
# ".fa-rotate-N { transform: rotate(Ndeg) }" used by folium.Icon(angle=N). It is not
# published on npm, so it is generated here.
dst="$(fresh generated)"
{
    echo "/* Generated by scripts/vendor_assets.sh: replaces folium's leaflet.awesome.rotate.min.css */"
    for n in $(seq 1 360); do
        printf '.fa-rotate-%d{-ms-transform:rotate(%ddeg);-webkit-transform:rotate(%ddeg);transform:rotate(%ddeg)}\n' \
            "$n" "$n" "$n" "$n"
    done
} >"$dst/leaflet.awesome.rotate.min.css"

# --- plugins -----------------------------------------------------------------------
src="$(fetch leaflet-draw@1.0.2)"
dst="$(fresh leaflet-draw-1.0.2)"
put "$src" "$dst" \
    dist/leaflet.draw.js=leaflet.draw.js dist/leaflet.draw.css=leaflet.draw.css \
    dist/images/spritesheet.png=images/spritesheet.png \
    dist/images/spritesheet-2x.png=images/spritesheet-2x.png \
    dist/images/spritesheet.svg=images/spritesheet.svg
mit_license "$dst/LICENSE" "Copyright (c) 2012-2017, Jacob Toye, Jon West, Smartrak, Leaflet" \
    "Its package.json declares the MIT license (Leaflet/Leaflet.draw)."

src="$(fetch leaflet.markercluster@1.1.0)"
put "$src" "$(fresh leaflet.markercluster-1.1.0)" MIT-LICENCE.txt \
    dist/leaflet.markercluster.js=leaflet.markercluster.js \
    dist/MarkerCluster.css=MarkerCluster.css \
    dist/MarkerCluster.Default.css=MarkerCluster.Default.css

# folium links Control.FullScreen.min.js, a jsDelivr on-the-fly minification; the npm
# tarball ships the unminified Control.FullScreen.js, which is used instead.
src="$(fetch leaflet.fullscreen@3.0.0)"
put "$src" "$(fresh leaflet.fullscreen-3.0.0)" LICENSE \
    Control.FullScreen.js Control.FullScreen.css icon-fullscreen.svg

# --- checksums ---------------------------------------------------------------------
(
    cd "$DEST"
    find . -type f ! -name SHA256SUMS ! -name README.md | LC_ALL=C sort | sed 's|^\./||' \
        | xargs sha256sum >SHA256SUMS
)
echo "vendored into $DEST:"
du -sh "$DEST"
