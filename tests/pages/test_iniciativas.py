"""The Iniciativas page driven with AppTest: create, edit, conflict, history, who edits (the account)."""

import getpass
from dataclasses import replace

import pytest
from sqlalchemy import text

from geo.initiatives.form import update_initiative
from geo.initiatives.read import load_initiative
from geo.store.actor import Actor
from layers.sanitize import clean_markdown
from tests.pages.conftest import app_as
from ui import auth

CODE = "APPTEST-EDIT-1"


@pytest.fixture
def app(engine, monkeypatch, accounts):
    with app_as(monkeypatch, accounts["secplac"]) as at:
        yield at
    # The page commits: remove what these tests wrote from the shared test database.
    with engine.begin() as conn:
        ids = [
            str(i)
            for i in conn.execute(text("SELECT id FROM initiative WHERE code LIKE 'APPTEST-%'")).scalars()
        ]
        conn.execute(
            text("DELETE FROM audit_log WHERE table_name = 'initiative' AND row_id = ANY(:i)"), {"i": ids}
        )
        conn.execute(text("DELETE FROM initiative WHERE code LIKE 'APPTEST-%'"))


def open_page(app):
    app.switch_page("pages/iniciativas.py").run()
    assert not app.exception, app.exception
    return app


def field(app, label):
    return next(w for w in app.text_input if w.label == label)


def select(app, label):
    return next(w for w in app.selectbox if w.label == label)


def click_save(app):
    next(b for b in app.button if b.label == "Guardar").click().run()
    assert not app.exception, app.exception


def fill_new(app, code=CODE):
    field(app, "Código *").input(code)
    field(app, "Nombre *").input("Sede social Quinta Valle")
    select(app, "Estrategia *").select("E1").run()
    select(app, "Plan").select("E1.P1").run()
    select(app, "Programa").select("E1.P1.G1")
    select(app, "Estado").select("idea")
    select(app, "Etapa BIP").select("diseno")
    field(app, "Comentario del cambio de estado").input("Ingreso del perfil")
    app.run()


def stored(engine, code=CODE):
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM initiative WHERE code = :c"), {"c": code}).mappings().first()


def test_nobody_types_a_name_the_save_is_recorded_under_the_account(app, engine, accounts):
    open_page(app)
    assert not [w for w in app.sidebar.text_input if w.label == "Su nombre"]
    fill_new(app)
    click_save(app)
    with engine.connect() as conn:
        who = conn.execute(
            text("SELECT user_id, user_name FROM audit_log WHERE table_name = 'initiative' AND row_id = :i"),
            {"i": str(stored(engine)["id"])},
        ).one()
    assert tuple(who) == (accounts["secplac"].id, "Ana Rojas")


def test_a_role_that_may_not_edit_sees_no_save_even_when_the_page_runs_alone(engine, monkeypatch, accounts):
    """Streamlit may run a file of pages/ by itself: the page refuses before drawing anything."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    at = AppTest.from_file("../../pages/iniciativas.py", default_timeout=60)
    at.session_state[auth.SESSION_KEY] = auth.SignedIn.of(accounts["concejo"])
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["No autorizado"]
    assert any("no puede ver «Iniciativas»" in e.value for e in at.error)
    assert not at.button and not at.text_input


def table(app, column):
    """The table on the page that has ``column``."""
    return next(d.value for d in app.dataframe if column in d.value.columns)


def test_create_then_edit_an_initiative_and_see_its_status_history(app, engine):
    open_page(app)
    assert select(app, "Iniciativa").value == 0  # "Nueva iniciativa"
    fill_new(app)
    # Plans offered follow the chosen strategy.
    assert all(p == "— Sin plan —" or p.startswith("E1.") for p in select(app, "Plan").options)
    click_save(app)
    row = stored(engine)
    assert row is not None and row["bip_stage"] == "diseno" and row["status"] == "idea"
    assert any(clean_markdown("Guardado: APPTEST-EDIT-1") in s.value for s in app.success)
    # The new initiative is now the one selected, with its history.
    assert select(app, "Iniciativa").value == row["id"]
    assert field(app, "Nombre *").value == "Sede social Quinta Valle"
    history = table(app, "A")
    assert list(history["A"]) == ["Idea"] and list(history["Por"]) == ["Ana Rojas (apptest-ana)"]

    field(app, "Nombre *").input("Sede social Quinta Valle (etapa 2)")
    select(app, "Estado").select("en_ejecucion")
    field(app, "Comentario del cambio de estado").input("Obra adjudicada")
    app.run()
    click_save(app)
    row2 = stored(engine)
    assert row2["name"] == "Sede social Quinta Valle (etapa 2)" and row2["version"] == row["version"] + 1
    history = table(app, "A")
    assert list(history["A"]) == ["En ejecución", "Idea"]
    assert history["De"].iloc[0] == "Idea" and history["Comentario"].iloc[0] == "Obra adjudicada"
    # Every change, with each field before and after, newest first.
    changes = table(app, "Cambios")
    assert list(changes["Acción"]) == ["Editada", "Creada"]
    assert changes["Por"].iloc[0] == "Ana Rojas (apptest-ana)"
    assert (
        "Nombre: Sede social Quinta Valle → Sede social Quinta Valle (etapa 2)" in changes["Cambios"].iloc[0]
    )
    assert "Estado: Idea → En ejecución" in changes["Cambios"].iloc[0]
    assert "Etapa BIP" not in changes["Cambios"].iloc[0]  # only what changed
    assert "Etapa BIP: (vacío) → Diseño" in changes["Cambios"].iloc[1]


def test_bad_year_is_reported_on_its_field_and_nothing_is_written(app, engine):
    # (A funding line's bad amount, typed in the lines table, is the browser journey's.)
    open_page(app)
    fill_new(app)
    field(app, "Año de inicio").input("dos mil").run()
    click_save(app)
    assert any("Año de inicio" in e.value and "dos mil" in e.value for e in app.error)
    assert stored(engine) is None


def test_conflict_message_when_someone_saved_underneath_and_the_input_is_kept(app, engine):
    open_page(app)
    fill_new(app)
    click_save(app)
    iid = stored(engine)["id"]
    # Pedro saves the same initiative from another session.
    with engine.connect() as conn:
        opened = load_initiative(conn, iid)
    update_initiative(
        engine,
        iid,
        replace(opened["input"], status="perfil", name="Nombre puesto por Pedro"),
        opened["version"],
        Actor("Pedro Soto", "otra sesión", role="secplac"),
    )
    field(app, "Nombre *").input("Nombre puesto por Ana").run()
    click_save(app)
    errors = " ".join(e.value for e in app.error)
    assert "No se guardó" in errors and "Pedro Soto" in errors
    assert field(app, "Nombre *").value == "Nombre puesto por Ana"  # her input is kept
    assert stored(engine)["name"] == "Nombre puesto por Pedro"  # his save is kept
    diff = table(app, "Lo que usted escribió")
    assert "Nombre puesto por Ana" in set(diff["Lo que usted escribió"])
    # Reloading shows the stored version; saving then works.
    next(b for b in app.button if b.label.startswith("Cargar la versión guardada")).click().run()
    assert field(app, "Nombre *").value == "Nombre puesto por Pedro"
    field(app, "Nombre *").input("Nombre acordado").run()
    click_save(app)
    assert stored(engine)["name"] == "Nombre acordado"


def test_geometry_copied_from_a_territory_draws_the_initiative_on_the_map_page(app, engine):
    open_page(app)
    fill_new(app)
    next(r for r in app.radio if r.label == "Geometría").set_value("territory").run()
    with engine.connect() as conn:
        uv03 = conn.execute(
            text("SELECT id FROM territory WHERE kind = 'unidad_vecinal' AND code = '03'")
        ).scalar_one()
    uv = select(app, "Territorio cuya geometría se copia")
    assert "UV 03 · Quinta Valle" in uv.options
    uv.set_value(uv03).run()
    click_save(app)
    row = stored(engine)
    with engine.connect() as conn:
        links = (
            conn.execute(
                text(
                    "SELECT t.code FROM initiative_territory it JOIN territory t "
                    "ON t.id = it.territory_id WHERE it.initiative_id = :i "
                    "AND it.link_method = 'geometria'"
                ),
                {"i": row["id"]},
            )
            .scalars()
            .all()
        )
    assert "03" in links
    app.switch_page("pages/mapa.py").run()
    assert next(m.value for m in app.metric if m.label == "Dibujadas en el mapa") == "1"


def test_sites_sin_ubicar_are_listed_for_placing(app):
    open_page(app)
    site = select(app, "Sitio")
    assert any(o.startswith("Chamonate") for o in site.options)


def test_editar_from_the_map_opens_that_initiative(app, engine):
    # The map's "Editar" button leaves the id in ed_pick_next and switches page.
    with engine.connect() as conn:
        iid, name = conn.execute(text("SELECT id, name FROM initiative WHERE code = 'E4.P1.G4.08'")).one()
    app.session_state["ed_pick_next"] = iid
    app.switch_page("pages/iniciativas.py").run()
    assert not app.exception
    assert select(app, "Iniciativa").value == iid
    assert field(app, "Código *").value == "E4.P1.G4.08" and field(app, "Nombre *").value == name
    # The plan gives no status: the catalogue load (``sit setup``, run by the admin's
    # operating-system account) recorded "Sin información".
    history = table(app, "A")
    assert list(history["A"]) == ["Sin información"]
    assert history["Por"].iloc[0] == getpass.getuser()  # the console, not a typed name


def test_archive_with_a_reason_then_restore(app, engine):
    open_page(app)
    fill_new(app)
    click_save(app)
    iid = stored(engine)["id"]
    field(app, "Motivo (queda en el historial)").input("Duplicada").run()
    next(b for b in app.button if b.label == "Archivar").click().run()
    assert not app.exception and any("Iniciativa archivada" in s.value for s in app.success)
    assert any("archivada" in w.value and "no aparece en los mapas" in w.value for w in app.warning)
    assert not any(b.label == "Guardar" for b in app.button)  # an archived initiative is read-only
    with engine.connect() as conn:
        assert conn.execute(
            text("SELECT archived_at IS NOT NULL FROM initiative WHERE id = :i"), {"i": iid}
        ).scalar()
    # It left the list of initiatives, unless archived ones are asked for.
    app.session_state["ed_pick"] = 0
    app.run()
    assert not any(o.startswith(CODE) for o in select(app, "Iniciativa").options)
    app.toggle(key="ed_archived").set_value(True).run()
    assert any(o.startswith(CODE) for o in select(app, "Iniciativa").options)
    select(app, "Iniciativa").set_value(iid).run()
    next(b for b in app.button if b.label == "Restaurar la iniciativa").click().run()
    assert any("Iniciativa restaurada" in s.value for s in app.success)
    changes = table(app, "Cambios")
    assert list(changes["Acción"][:2]) == ["Restaurada", "Archivada"]
    assert "Motivo: Duplicada" in changes["Cambios"].iloc[1]


def test_a_site_placed_by_mistake_is_returned_to_sin_ubicar_from_the_page(app, engine):
    import shapely

    from geo.store.territories import place_site, unplace_site
    from geo.territory.sites import find_site

    with engine.connect() as conn:
        site = find_site(conn, "Vivero")
    placed = place_site(
        engine,
        Actor("Pedro Soto", "prueba", role="secplac"),
        site["id"],
        shapely.Point(-70.7581, -28.5770),
        site["version"],
    )
    try:
        open_page(app)
        select(app, "Sitio").set_value(site["id"]).run()
        placements = table(app, "Ubicación")
        assert list(placements["Acción"][:1]) == ["Ubicado"]
        assert placements["Por"].iloc[0] == "Pedro Soto (nombre escrito, sin cuenta)"
        next(b for b in app.button if b.label == "Devolver a «sin ubicar»").click().run()
        assert not app.exception and any("devuelto a «sin ubicar»" in s.value for s in app.success)
        with engine.connect() as conn:
            assert find_site(conn, "Vivero")["located"] is False
        placements = table(app, "Ubicación")
        assert list(placements["Acción"][:2]) == ["Devuelto a «sin ubicar»", "Ubicado"]
        assert placements["Por"].iloc[0] == "Ana Rojas (apptest-ana)"
    finally:
        with engine.connect() as conn:
            now = find_site(conn, "Vivero")
        if now["located"]:
            unplace_site(engine, Actor.system("limpieza"), now["id"], now["version"])
        assert placed.version > site["version"]


@pytest.mark.parametrize(
    ("label", "typed", "message"),
    [
        ("Nombre *", "Sede\x00social", "carácter NUL"),
        ("Nombre *", "N" * 100_000, "el máximo es 300"),
        ("Código *", "APPTEST-\x00", "carácter NUL"),  # (the widget itself stops at 60 characters)
    ],
)
def test_nul_or_too_long_text_is_refused_in_spanish_and_kept(app, engine, label, typed, message):
    open_page(app)
    fill_new(app)
    field(app, label).input(typed).run()
    click_save(app)  # asserts no exception (it was a psycopg traceback for the NUL)
    errors = " ".join(e.value for e in app.error)
    assert "No se guardó" in errors and clean_markdown(message) in errors
    assert clean_markdown(label.rstrip(" *")) in errors  # the field is named
    assert field(app, label).value == typed  # what the person typed is kept
    assert stored(engine) is None


def test_a_site_sin_ubicar_is_placed_by_confirming_a_suggestion_and_the_history_says_where_from(app, engine):
    from geo.store.territories import unplace_site
    from geo.territory.sites import find_site

    with engine.connect() as conn:
        site = find_site(conn, "Chamonate")
    assert site["located"] is False
    try:
        open_page(app)
        select(app, "Sitio").set_value(site["id"]).run()
        offered = [m.value for m in app.markdown if "Fuente:" in m.value]
        assert offered and "Chamonate" in offered[0] and "SENAPRED" in offered[0]
        assert "Puntos críticos de invierno 2024" in offered[0]
        button = next(b for b in app.button if b.label == "Ubicar aquí")
        button.click().run()
        assert not app.exception
        assert any("ubicado donde está «Chamonate»" in s.value for s in app.success)
        with engine.connect() as conn:
            assert find_site(conn, "Chamonate")["located"] is True
        placements = table(app, "Ubicación")
        assert placements["Acción"].iloc[0] == "Ubicado"
        assert "Chamonate" in placements["Origen"].iloc[0] and "SENAPRED" in placements["Origen"].iloc[0]
        assert placements["Por"].iloc[0] == "Ana Rojas (apptest-ana)"
        assert not any(b.label == "Ubicar aquí" for b in app.button)  # placed: nothing more to suggest
    finally:
        with engine.connect() as conn:
            now = find_site(conn, "Chamonate")
        if now["located"]:
            unplace_site(engine, Actor.system("limpieza"), now["id"], now["version"])
