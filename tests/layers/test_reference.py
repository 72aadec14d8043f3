"""Sites and establishments on every map that draws them: own layer, tooltip, legend, escaping."""

import re

import pytest

from layers.assets import assert_no_external_urls
from layers.choropleth import build_choropleth
from layers.editmap import build_edit_map
from layers.map import build_map
from layers.reference import OUT_OF_SERVICE_COLOUR, SITE_CLASS, SITES_LAYER

EMPTY = {"type": "FeatureCollection", "features": []}
XSS = "<img src=x onerror=alert(1)>"
JINJA = "{{ 7*7 }}"


def feature(geometry, **props):
    return {"type": "Feature", "geometry": geometry, "properties": props}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def sites(name="Vivero municipal"):
    return collection(
        feature({"type": "Point", "coordinates": [-70.7581, -28.5771]}, layer="sitio", id=31, nombre=name,
                fuente="PLADECO 2014-2017; ubicado en el SIT por Ana Rojas"),
        feature(
            {"type": "LineString", "coordinates": [[-70.76, -28.58], [-70.75, -28.575]]},
            layer="sitio", id=32, nombre="Canal Ventanas", fuente="PLADECO 2014-2017",
        ),
        feature(
            {
                "type": "Polygon",
                "coordinates": [[[-70.77, -28.59], [-70.765, -28.59], [-70.765, -28.585], [-70.77, -28.59]]],
            },
            layer="sitio", id=33, nombre="Ladera Avda. Huasco", fuente="PLADECO 2014-2017",
        ),
    )  # fmt: skip


def facilities():
    def school(i, active):
        return feature(
            {"type": "Point", "coordinates": [-70.75 - i / 100, -28.57]},
            layer="escuela", id=i, codigo=str(i), nombre=f"Escuela {i}", tipo="Municipal",
            estado="Funcionando" if active else "Cerrado", en_funcionamiento=active,
        )  # fmt: skip

    return collection(school(1, True), school(2, False))


def base(**layers):
    return {"commune": EMPTY, "urban": EMPTY, "schools": EMPTY, "health": EMPTY, **layers}


def legend(html: str) -> str:
    return re.search(r'<details class="sit-legend".*?</details>', html, re.S).group(0)


def render_main(b):
    parts = build_map(base=b, territories=EMPTY, initiatives=EMPTY, strategies=[(1, "E1", "Territorial")])
    return parts.whole()


def render_choropleth(b):
    return build_choropleth(territories=EMPTY, base=b, legend_html="<b>Iniciativas vinculadas</b>")


MAPS = {"mapa": render_main, "brechas": render_choropleth}


@pytest.mark.parametrize("which", list(MAPS))
def test_placed_sites_are_their_own_layer_with_a_tooltip_and_a_legend_row(which):
    html = MAPS[which](base(sites=sites())).get_root().render()
    # One toggleable layer in the layer control, named for people.
    assert f'"{SITES_LAYER}"' in html
    # Points, lines and polygons all drawn with the site style (a class a browser can find).
    assert html.count(f'"className": "{SITE_CLASS}"') >= 2
    for name in ("Vivero municipal", "Canal Ventanas", "Ladera Avda. Huasco"):
        assert name in html
    assert '"Sitio del plan"' in html and '"Fuente"' in html  # tooltip aliases
    assert SITES_LAYER in legend(html)
    assert assert_no_external_urls(html) == []


@pytest.mark.parametrize("which", list(MAPS))
def test_no_sites_no_layer_and_no_legend_row(which):
    html = MAPS[which](base()).get_root().render()
    assert SITES_LAYER not in html


@pytest.mark.parametrize("which", list(MAPS))
def test_establishments_are_in_the_legend_with_the_grey_out_of_service_state(which):
    html = MAPS[which](base(schools=facilities())).get_root().render()
    box = legend(html)
    assert "Establecimientos educacionales" in box and "Fuera de funcionamiento" in box
    assert OUT_OF_SERVICE_COLOUR in box
    assert "Establecimientos de salud" not in box  # not drawn: not labelled
    # The closed school is drawn in the grey of the legend, the open one in its colour.
    styler = re.search(r"_styler\(feature\) \{.*?\n        \}", html, re.S).group(0)
    assert f'"fillColor": "{OUT_OF_SERVICE_COLOUR}"' in styler and '"fillColor": "#1F78B4"' in styler


def test_edit_map_shows_placed_sites_and_labels_them():
    html = (
        build_edit_map(
            commune=EMPTY,
            territories=EMPTY,
            current={"type": "Point", "coordinates": [-70.758, -28.577]},
            current_label="Plaza",
            sites=sites(),
        )
        .get_root()
        .render()
    )
    assert f'"{SITES_LAYER}"' in html and "Canal Ventanas" in html
    box = legend(html)
    assert SITES_LAYER in box and "Geometría guardada" in box


@pytest.mark.parametrize("which", [*MAPS, "editmap"])
def test_typed_site_names_are_escaped(which):
    evil = sites(f"Sede {XSS} {JINJA}")
    if which == "editmap":
        m = build_edit_map(commune=EMPTY, territories=EMPTY, sites=evil)
    else:
        m = MAPS[which](base(sites=evil))
    html = m.get_root().render()
    assert XSS not in html and "Sede <img" not in html
    assert " 49" not in html
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt; \\u0026#123;\\u0026#123; 7*7" in html
