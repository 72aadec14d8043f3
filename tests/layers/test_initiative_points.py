"""The map's initiatives, encoded once and filtered by a bitset (layers.initiative_points)."""

import base64
import gzip
import json
import random

from layers.initiative_points import JS_LIBRARY, SCALE, encode_initiatives
from layers.map import build_map

XSS = "<img src=x onerror=alert(1)> {{ 7*7 }}"
EMPTY = {"type": "FeatureCollection", "features": []}
BASE = {"commune": EMPTY, "urban": EMPTY, "schools": EMPTY, "health": EMPTY}


def feature(id_, lon, lat, name="Plaza", status="Idea", pos=1, geometry=None):
    return {
        "type": "Feature",
        "geometry": geometry or {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "layer": "iniciativa",
            "id": id_,
            "codigo": f"C-{id_}",
            "nombre": name,
            "estado": status,
            "monto": "Sin información",
            "pos": pos,
        },
    }


def decode(data: str) -> dict:
    return json.loads(gzip.decompress(base64.b64decode(data)))


def test_encoding_keeps_ids_positions_to_a_metre_statuses_and_escapes_text():
    line = {"type": "LineString", "coordinates": [[-70.76, -28.58], [-70.75, -28.57]]}
    fc = {
        "type": "FeatureCollection",
        "features": [
            feature(30, -70.758123, -28.577456, name=XSS, status="Diseño", pos=4),
            feature(7, -70.7, -28.6, status="Idea"),
            feature(12, 0, 0, status="Diseño", geometry=line),
        ],
    }
    enc = encode_initiatives(fc)
    assert enc.ids == (7, 12, 30)  # sorted, sent as differences
    cols = decode(enc.data)
    assert cols["id"] == [7, 5, 18]
    x, y = cols["geom"][2]
    assert abs(x / SCALE - -70.758123) < 1e-5 and abs(y / SCALE - -28.577456) < 1e-5
    assert cols["geom"][1] == line  # lines and polygons keep their GeoJSON
    assert [cols["statuses"][i] for i in cols["status"]] == ["Idea", "Diseño", "Diseño"]
    assert cols["pos"] == [1, 1, 4]
    assert "<img" not in cols["name"][2] and "{{" not in cols["name"][2]
    assert cols["name"][2].startswith("&lt;img src=x onerror=alert(1)&gt;")


def test_bits_select_by_id_and_ignore_ids_not_on_the_map():
    enc = encode_initiatives(
        {"type": "FeatureCollection", "features": [feature(i, -70.7, -28.6) for i in range(1, 11)]}
    )
    mask = base64.b64decode(enc.bits([2, 9, 10, 999]))
    shown = [enc.ids[i] for i in range(len(enc.ids)) if mask[i >> 3] & (1 << (i & 7))]
    assert shown == [2, 9, 10]
    everything = base64.b64decode(enc.bits())
    assert sum(bin(b).count("1") for b in everything) == 10


def test_same_initiatives_give_the_same_encoding():
    """The map's fixed part must not change between reruns, or the map would reload."""
    fc = {"type": "FeatureCollection", "features": [feature(i, -70.7 + i / 1000, -28.6) for i in range(50)]}
    assert encode_initiatives(fc) == encode_initiatives(json.loads(json.dumps(fc)))


def test_the_decoder_carries_no_template_syntax():
    """folium renders the map through Jinja: the inlined decoder must not look like a template."""
    for token in ("{{", "{%", "{#"):
        assert token not in JS_LIBRARY


def test_ten_thousand_initiatives_make_a_map_under_one_megabyte():
    rnd = random.Random(1)
    words = ["Mejoramiento", "Construcción", "Reposición", "Plaza", "Sede", "Calle", "Multicancha", "Pasaje"]
    fc = {
        "type": "FeatureCollection",
        "features": [
            feature(
                i,
                -70.80 + rnd.random() * 0.09,
                -28.62 + rnd.random() * 0.08,
                name=f"{rnd.choice(words)} {rnd.choice(words).lower()} N° {i}",
                status=rnd.choice(["Idea", "Perfil", "Diseño", "Ejecución"]),
                pos=rnd.randint(1, 9),
            )
            for i in range(1, 10_001)
        ],
    }
    html = build_map(base=BASE, territories=EMPTY, initiatives=fc, strategies=[]).whole().get_root().render()
    assert len(html.encode()) < 1_000_000
