"""The map's initiatives in a compact encoding, sent once and filtered in the browser.

A filter change used to re-send every filtered initiative as GeoJSON (3.2 MB at 10,000).
Now the map's fixed part carries every initiative a selection can show (all those with a
geometry, demo and archived included, so no filter reloads the map) as gzip-compressed
columns, with coordinates as integers of
1e-5 degree (about 1 m, what the map can show), decoded in the page by
``layers/js/initiatives.js``. A filter change sends a bitset of which of them to show.

Texts (code, name, status, amount) are sanitised (:mod:`layers.sanitize`) before they are
encoded: the tooltip inserts them as HTML. Base64 carries no Jinja or HTML delimiters.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from branca.element import MacroElement, Template

from layers.assets import pack_json, page_script
from layers.sanitize import clean_feature_collection
from layers.styles import STRATEGY_PALETTE, UNKNOWN_COLOUR

log = logging.getLogger(__name__)

#: Coordinates are sent as integers of 1/SCALE degree: 1e-5 degree is about 1.1 m.
SCALE = 100_000
INITIATIVE_CLASS = "sit-iniciativa"
JS_LIBRARY = page_script("gzip.js", "initiatives.js")


@dataclass(frozen=True)
class EncodedInitiatives:
    """The initiatives of a map, encoded once (cache this, not the GeoJSON).

    ``ids`` are the initiative ids in the order of the encoding; ``data`` is the base64 of
    the gzip of the columns; ``sig`` names this encoding in the page.
    """

    sig: str
    data: str
    ids: tuple[int, ...]

    def bits(self, selected: Iterable[int] | None = None) -> str:
        """Base64 bitset of which initiatives to show (``None``: all of them).

        Bit ``i`` (byte ``i // 8``, bit ``i % 8``) is set when ``ids[i]`` is selected; ids
        that are not in this encoding are ignored (and logged).
        """
        mask = bytearray((len(self.ids) + 7) // 8)
        index: Sequence[int]
        if selected is None:
            index = range(len(self.ids))
        else:
            where = {id_: i for i, id_ in enumerate(self.ids)}
            wanted = set(selected)
            index = [where[i] for i in wanted if i in where]
            if len(index) != len(wanted):
                log.warning("%d selected initiatives are not on the map", len(wanted) - len(index))
        for i in index:
            mask[i >> 3] |= 1 << (i & 7)
        return base64.b64encode(bytes(mask)).decode("ascii")


def _quantised(geometry: Mapping[str, Any]) -> list[int] | Mapping[str, Any]:
    if geometry.get("type") == "Point":
        lon, lat = geometry["coordinates"][:2]
        return [round(lon * SCALE), round(lat * SCALE)]
    return geometry


def encode_initiatives(fc: Mapping[str, Any]) -> EncodedInitiatives:
    """Encode a FeatureCollection of initiatives for :class:`InitiativeStore`.

    The properties used are ``id``, ``codigo``, ``nombre``, ``estado``, ``monto`` and ``pos``
    (:func:`geo.initiatives.queries.initiative_features`). Points become two integers; lines
    and polygons keep their (already rounded) GeoJSON. Ids are sent as differences (they are
    sorted), statuses as indices into their labels.
    """
    features = sorted(clean_feature_collection(fc)["features"], key=lambda f: f["properties"]["id"])
    statuses: list[str] = []
    status_index: dict[str, int] = {}
    cols: dict[str, Any] = {
        "scale": SCALE,
        "id": [],
        "geom": [],
        "pos": [],
        "code": [],
        "name": [],
        "amount": [],
        "status": [],
        "statuses": statuses,
    }
    previous = 0
    for f in features:
        p = f["properties"]
        cols["id"].append(p["id"] - previous)
        previous = p["id"]
        cols["geom"].append(_quantised(f["geometry"]))
        cols["pos"].append(p.get("pos") or 0)
        cols["code"].append(p.get("codigo", ""))
        cols["name"].append(p.get("nombre", ""))
        cols["amount"].append(p.get("monto", ""))
        label = p.get("estado", "")
        if label not in status_index:
            status_index[label] = len(statuses)
            statuses.append(label)
        cols["status"].append(status_index[label])
    sig, data = pack_json(cols)
    return EncodedInitiatives(
        sig=sig,
        data=data,
        ids=tuple(f["properties"]["id"] for f in features),
    )


class InitiativeStore(MacroElement):
    """The fixed part: the decoder and the encoded initiatives, built once per map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.library }}
        window.sitInitiatives.load({{ this.sig|tojson }}, {{ this.data|tojson }}, {{ this.style|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, encoded: EncodedInitiatives) -> None:
        super().__init__()
        self._name = "SitInitiativeStore"
        self.library = JS_LIBRARY
        self.sig = encoded.sig
        self.data = encoded.data
        self.style = {
            "palette": list(STRATEGY_PALETTE),
            "unknown": UNKNOWN_COLOUR,
            "className": INITIATIVE_CLASS,
        }


class Underneath(MacroElement):
    """Keeps its feature group under every other layer of the map's canvas.

    Whenever the group is added (the shaded territories, added after the other layers).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.sitInitiatives.underneath({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "SitUnderneath"
