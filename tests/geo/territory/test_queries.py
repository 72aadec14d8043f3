"""Map layers read from PostGIS: the plan's placed sites come with the reference layers."""

from sqlalchemy import text

from geo.territory.queries import base_layers


def place(conn, code: str, wkt: str) -> None:
    conn.execute(
        text("UPDATE territory SET geom = ST_GeomFromText(:wkt, 4326) WHERE kind = 'sitio' AND code = :code"),
        {"wkt": wkt, "code": code},
    )


def test_placed_sites_of_every_geometry_type_are_a_base_layer(conn):
    assert base_layers(conn)["sites"]["features"] == []  # the plan places none of them
    place(conn, "VIVERO", "POINT(-70.758123456 -28.577123456)")
    place(conn, "RIO-HUASCO", "LINESTRING(-70.80 -28.57, -70.76 -28.575, -70.72 -28.58)")
    place(
        conn,
        "LADERA-AVDA-HUASCO",
        "POLYGON((-70.770 -28.590, -70.765 -28.590, -70.765 -28.585, -70.770 -28.585, -70.770 -28.590))",
    )
    sites = base_layers(conn)["sites"]["features"]
    by_name = {f["properties"]["nombre"]: f for f in sites}
    assert set(by_name) == {"Vivero", "Río Huasco", "Ladera Avda. Huasco"}  # not the sin ubicar ones
    assert [by_name[n]["geometry"]["type"] for n in ("Vivero", "Río Huasco", "Ladera Avda. Huasco")] == [
        "Point",
        "LineString",
        "Polygon",
    ]
    # Rounded like every other layer (5 decimals, about 1 m).
    assert by_name["Vivero"]["geometry"]["coordinates"] == [-70.75812, -28.57712]
    props = by_name["Vivero"]["properties"]
    assert props["layer"] == "sitio" and props["codigo"] == "VIVERO"
    assert props["fuente"].startswith("PLADECO 2014-2017")
