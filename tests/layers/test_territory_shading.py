"""The territories' shapes are encoded once; a filter change only sends counts and colours."""

import base64
import gzip
import json

from layers.styles import count_colour
from layers.territory_shading import COUNT_BREAKS, encode_territories

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-70.76, -28.57], [-70.75, -28.57], [-70.75, -28.58], [-70.76, -28.57]]],
}


def _fc(counts: dict[int, int], name: str = "Carrera") -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": SQUARE,
                "properties": {
                    "layer": "unidad_vecinal",
                    "id": tid,
                    "codigo": f"{tid:02d}",
                    "nombre": name if tid == 5 else f"UV {tid}",
                    "sector": "Urbano",
                    "iniciativas": n,
                    "label": [-70.755, -28.575],
                },
            }
            for tid, n in counts.items()
        ],
    }


def _decoded(encoded) -> dict:
    return json.loads(gzip.decompress(base64.b64decode(encoded.data)))


def test_every_filter_set_of_the_same_data_encodes_the_same_shapes():
    all_open, one_strategy = _fc({5: 84, 6: 3, 7: 0}), _fc({5: 12, 6: 0, 7: 1})
    assert encode_territories(all_open) == encode_territories(one_strategy)  # the map is not reloaded
    assert "iniciativas" not in _decoded(encode_territories(all_open))


def test_the_shading_gives_each_territory_its_count_and_colour_in_the_encodings_order():
    encoded = encode_territories(_fc({5: 84, 6: 3, 7: 0}))
    assert encoded.ids == (5, 6, 7)
    shading = encoded.shading(_fc({7: 1, 5: 12}))
    assert shading == [[12, count_colour(12, COUNT_BREAKS)], None, [1, count_colour(1, COUNT_BREAKS)]]
    assert shading[0][1] != shading[2][1]  # 12 and 1 fall in different classes


def test_names_a_person_typed_reach_the_page_escaped():
    encoded = encode_territories(_fc({5: 1}, name="<script>alert(1)</script>{{ 7*7 }}"))
    name = _decoded(encoded)["nombre"][0]
    assert "<script>" not in name and "{{" not in name
    assert name.startswith("&lt;script&gt;")
    assert "{" not in encoded.data and "<" not in encoded.data  # base64 only
