"""``sit site``: place a named site, move it, return it to "sin ubicar", read its history."""

import pytest

from tests.conftest import run_sit, set_up_database

QUINTA_VALLE = ("-70.74597", "-28.58590")  # inside UV 03
CENTRO = ("-70.76639", "-28.57447")  # inside UV 01


@pytest.fixture(scope="module")
def url():
    return set_up_database("cli_sites")


def test_place_move_unplace_and_history(url, tmp_path):
    listed = run_sit("site", "list", "--unlocated", url=url).stdout
    assert "Chamonate" in listed and "sin ubicar" in listed
    out = run_sit("site", "place", "Chamonate", "--point", *CENTRO, url=url).stdout
    assert "Sitio «Chamonate» ubicado" in out and "iniciativa(s) vinculadas recalculadas" in out
    assert "Chamonate" not in run_sit("site", "list", "--unlocated", url=url).stdout
    geojson = tmp_path / "chamonate.geojson"
    geojson.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        f'"geometry": {{"type": "Point", "coordinates": [{QUINTA_VALLE[0]}, {QUINTA_VALLE[1]}]}}}}]}}',
        encoding="utf-8",
    )
    assert (
        "Sitio «Chamonate» reubicado"
        in run_sit("site", "place", "CHAMONATE", "--geojson", str(geojson), url=url).stdout
    )
    assert "devuelto a «sin ubicar»" in run_sit("site", "unplace", "Chamonate", url=url).stdout
    history = run_sit("site", "history", "Chamonate", url=url).stdout.splitlines()
    actions = [line.split("  ")[2].split(" por ")[0] for line in history[1:4]]
    assert actions == ["Devuelto a «sin ubicar»", "Reubicado", "Ubicado"]
    assert "-70.74597" in history[2] and "-70.76639" in history[3]


def test_refusals_are_spanish_and_change_nothing(url):
    far = run_sit("site", "place", "Vivero", "--point", "-70.64", "-33.44", url=url, check=False)
    assert far.returncode == 2 and "quedaría fuera de la comuna de Vallenar" in far.stderr
    missing = run_sit("site", "place", "Atlántida", "--point", *CENTRO, url=url, check=False)
    assert missing.returncode == 2 and "No hay un sitio con código o nombre «Atlántida»" in missing.stderr
    not_placed = run_sit("site", "unplace", "Vivero", url=url, check=False)
    assert not_placed.returncode == 2 and "ya está sin ubicar" in not_placed.stderr
    assert "Traceback" not in far.stderr + missing.stderr + not_placed.stderr
