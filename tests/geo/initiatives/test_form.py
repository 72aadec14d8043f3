"""The initiative form on the real PostGIS: validation, saving, locking, history, links."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text

from geo.errors import ConflictError, ValidationError
from geo.initiatives.form import InitiativeInput, create_initiative, update_initiative
from geo.initiatives.funding import FundingLineInput
from geo.initiatives.queries import initiative_detail
from geo.initiatives.read import load_initiative, status_history
from geo.store.actor import Actor
from geo.store.funding import FundingLineValues, stored_lines
from tests.conftest import derived_url, loaded_database

#: People of SECPLAC (the role that edits initiatives), as a page sends them.
ANA, PEDRO = Actor("Ana", "prueba", role="secplac"), Actor("Pedro", "prueba", role="secplac")
ANA_ROJAS, PEDRO_SOTO = (
    Actor("Ana Rojas", "prueba", role="secplac"),
    Actor("Pedro Soto", "prueba", role="secplac"),
)

CENTRO_PONIENTE = (-70.76638617160768, -28.574469734499957)  # inside UV 01
QUINTA_VALLE = (-70.74597282908609, -28.58590157999998)  # inside UV 03


def _line(source="FNDR", detail=None, year="2016", amount="$ 12.500.000", stage="Aprobado"):
    return FundingLineInput(source, detail, year, amount, stage)


def new_input(**kw) -> InitiativeInput:
    base = InitiativeInput(
        code="SECPLAC-2026-001",
        name="Mejoramiento plaza Quinta Valle",
        kind="proyecto",
        strategy="E1",
        plan="E1.P1",
        program="E1.P1.G1",
        status="idea",
        scope="localizada",
        funding=(FundingLineInput("FNDR", None, "2016", "$ 12.500.000", "Aprobado"),),
        start_year="2016",
        end_year=2017,
    )
    return replace(base, **kw)


def tid(conn, kind, code):
    return conn.execute(
        text("SELECT id FROM territory WHERE kind = :k AND code = :c"), {"k": kind, "c": code}
    ).scalar_one()


def links(conn, initiative_id):
    return {
        (r.code, r.link_method)
        for r in conn.execute(
            text(
                "SELECT t.code, it.link_method FROM initiative_territory it JOIN territory t "
                "ON t.id = it.territory_id WHERE it.initiative_id = :i"
            ),
            {"i": initiative_id},
        )
    }


def point(xy):
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": list(xy)}}


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"code": "  "}, "code", "obligatorio"),
        ({"code": "E1.P1.G1.01"}, "code", "ya existe otra iniciativa"),
        ({"name": ""}, "name", "obligatorio"),
        ({"strategy": "E99"}, "strategy", "«E99» no está en el catálogo"),
        ({"plan": "E2.P1"}, "plan", "no pertenece a la estrategia E1"),
        ({"program": "E1.P2.G1"}, "program", "no pertenece al plan E1.P1"),
        (
            {"funding": (_line(amount="doce millones"),)},
            "funding",
            "línea 1, Monto (CLP): no se entiende «doce millones»",
        ),
        (
            {"funding": (_line(), _line(amount="12,5"))},
            "funding",
            "línea 2, Monto (CLP): «12,5» tiene centavos",
        ),
        ({"funding": (_line(amount="$ 125.000.000.000.000.000"),)}, "funding", "revise los dígitos"),
        ({"funding": (_line(year="dos mil"),)}, "funding", "línea 1, Año: «dos mil» no es un año"),
        ({"funding": (_line(stage=None),)}, "funding", "línea 1, Etapa: es obligatoria"),
        ({"funding": (_line(source="Lotería"),)}, "funding", "línea 1, Fuente: la fuente «Lotería» no está"),
        ({"bip_stage": "terminado"}, "bip_stage", "no es una opción válida"),
        ({"technical_result": "XX"}, "technical_result", "no es una opción válida"),
        ({"start_year": "2018", "end_year": "2015"}, "end_year", "anterior al año de inicio"),
        ({"start_year": "dos mil"}, "start_year", "no es un año"),
        ({"status": "aprobado"}, "status", "no es una opción válida"),
        ({"geometry_action": "drawn", "geometry": None}, "geometry", "no hay nada dibujado"),
        (
            {
                "geometry_action": "drawn",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-70.76, -28.57],
                            [-70.75, -28.58],
                            [-70.76, -28.58],
                            [-70.75, -28.57],
                            [-70.76, -28.57],
                        ]
                    ],
                },
            },
            "geometry",
            "se cruza a sí mismo",
        ),
        (
            {"geometry_action": "drawn", "geometry": point((-70.64, -33.44))},
            "geometry",
            "fuera de la comuna de Vallenar",
        ),
    ],
)
def test_a_wrong_field_is_refused_with_a_spanish_message_naming_it(conn, change, field, words):
    before = conn.execute(text("SELECT count(*) FROM initiative")).scalar()
    with pytest.raises(ValidationError) as exc:
        create_initiative(conn, new_input(**change), ANA_ROJAS)
    assert words in exc.value.errors[field]
    assert field in exc.value.errors and len(exc.value.errors) == 1
    assert conn.execute(text("SELECT count(*) FROM initiative")).scalar() == before


def test_bip_code_must_be_unique(conn):
    create_initiative(conn, new_input(bip_code="30123456-0"), ANA)
    with pytest.raises(ValidationError, match="ya es el código BIP de la iniciativa SECPLAC-2026-001"):
        create_initiative(conn, new_input(code="OTRA", bip_code="30123456-0"), ANA)


# --- create / update, history, links ----------------------------------------------------


def test_create_writes_every_field_its_first_status_and_an_audit_row(conn):
    r = create_initiative(
        conn,
        new_input(
            description="Plaza <b>nueva</b>",
            place_note="frente a la sede",
            bip_stage="diseno",
            technical_result="RS",
            funding=(_line(), _line("sectorial", " MINVU ", "2017", "", "postulado"), FundingLineInput()),
            responsible_unit="SECPLAC",
            bip_code="40000001-1",
            status_comment="Ingreso inicial",
        ),
        ANA_ROJAS,
    )
    row = (
        conn.execute(
            text(
                "SELECT i.*, s.code AS s, p.code AS p, g.code AS g FROM initiative i "
                "JOIN strategy s ON s.id = i.strategy_id JOIN plan p ON p.id = i.plan_id "
                "JOIN program g ON g.id = i.program_id WHERE i.id = :i"
            ),
            {"i": r.id},
        )
        .mappings()
        .one()
    )
    assert (row["s"], row["p"], row["g"]) == ("E1", "E1.P1", "E1.P1.G1")
    assert row["start_year"] == 2016 and row["end_year"] == 2017
    assert (row["bip_stage"], row["technical_result"]) == ("diseno", "RS")
    # The blank third row is no line; a blank amount is an amount not informed, never $ 0.
    assert stored_lines(conn, [r.id])[r.id] == [
        FundingLineValues("fndr", None, 2016, 12_500_000, "aprobado"),
        FundingLineValues("sectorial", "MINVU", 2017, None, "postulado"),
    ]
    detail = initiative_detail(conn, r.id)  # what the map's panel shows: the lines' total and sources
    assert (detail["total_clp"], detail["sources"]) == (12_500_000, "FNDR, Sectorial (MINVU)")
    assert row["description"] == "Plaza <b>nueva</b>" and row["source"] == "manual"
    assert row["geom"] is None and r.version == row["version"] == 1
    hist = status_history(conn, r.id)
    assert [(h["from_status"], h["to_status"], h["changed_by_name"], h["comment"]) for h in hist] == [
        (None, "idea", "Ana Rojas", "Ingreso inicial")
    ]
    audit = conn.execute(
        text("SELECT action, user_name FROM audit_log WHERE row_id = :r AND table_name = 'initiative'"),
        {"r": str(r.id)},
    ).all()
    assert [tuple(a) for a in audit] == [("crear_iniciativa", "Ana Rojas")]


def test_status_change_records_who_when_from_to_and_comment(conn):
    r = create_initiative(conn, new_input(), ANA)
    inp = load_initiative(conn, r.id)["input"]
    r2 = update_initiative(
        conn,
        r.id,
        replace(inp, status="en_ejecucion", status_comment="Adjudicada la obra"),
        r.version,
        PEDRO_SOTO,
    )
    assert r2.version == r.version + 1
    hist = status_history(conn, r.id)
    assert (hist[0]["from_status"], hist[0]["to_status"], hist[0]["changed_by_name"], hist[0]["comment"]) == (
        "idea",
        "en_ejecucion",
        "Pedro Soto",
        "Adjudicada la obra",
    )
    assert hist[0]["changed_at"] is not None and len(hist) == 2
    # Saving again without a status change adds no history row.
    update_initiative(
        conn,
        r.id,
        replace(inp, status="en_ejecucion", name="Otro nombre"),
        r2.version,
        PEDRO_SOTO,
    )
    assert len(status_history(conn, r.id)) == 2


def test_drawn_point_links_to_its_uv_and_redrawing_moves_the_link_but_keeps_hand_links(conn):
    chamonate = tid(conn, "sitio", "CHAMONATE")
    uv5 = tid(conn, "unidad_vecinal", "05")
    r = create_initiative(
        conn,
        new_input(geometry_action="drawn", geometry=point(CENTRO_PONIENTE), territories=(chamonate, uv5)),
        ANA,
    )
    assert links(conn, r.id) == {("01", "geometria"), ("CHAMONATE", "manual"), ("05", "manual")}
    inp = load_initiative(conn, r.id)["input"]
    assert set(inp.territories) == {chamonate, uv5}
    update_initiative(
        conn,
        r.id,
        replace(inp, geometry_action="drawn", geometry=point(QUINTA_VALLE)),
        r.version,
        ANA,
    )
    assert links(conn, r.id) == {("03", "geometria"), ("CHAMONATE", "manual"), ("05", "manual")}
    weight = conn.execute(
        text(
            "SELECT weight FROM initiative_territory WHERE initiative_id = :i AND link_method = 'geometria'"
        ),
        {"i": r.id},
    ).scalar()
    assert float(weight) == 1.0


def test_edit_keeps_place_name_links_and_removing_one_from_the_list_drops_it(conn):
    iid = conn.execute(text("SELECT id FROM initiative WHERE code = 'E1.P1.G1.02'")).scalar_one()
    data = load_initiative(conn, iid)
    before = links(conn, iid)
    assert len(before) >= 2 and all(m == "nombre_lugar" for _, m in before)
    update_initiative(
        conn,
        iid,
        replace(data["input"], geometry_action="drawn", geometry=point(CENTRO_PONIENTE)),
        data["version"],
        ANA,
    )
    assert links(conn, iid) == before | {("01", "geometria")}
    kept = data["input"].territories[1:]
    update_initiative(conn, iid, replace(data["input"], territories=kept), data["version"] + 1, ANA)
    named = set(
        conn.execute(
            text(
                "SELECT territory_id FROM initiative_territory WHERE initiative_id = :i "
                "AND link_method = 'nombre_lugar'"
            ),
            {"i": iid},
        ).scalars()
    )
    assert named == set(kept)
    assert ("01", "geometria") in links(conn, iid)


def test_geometry_taken_from_a_territory_is_a_copy_of_it(conn):
    uv3 = tid(conn, "unidad_vecinal", "03")
    r = create_initiative(conn, new_input(geometry_action="territory", geometry_territory_id=uv3), ANA)
    same = conn.execute(
        text("SELECT ST_Equals(i.geom, t.geom) FROM initiative i, territory t WHERE i.id = :i AND t.id = :t"),
        {"i": r.id, "t": uv3},
    ).scalar()
    assert same is True
    assert ("03", "geometria") in links(conn, r.id)
    chamonate = tid(conn, "sitio", "CHAMONATE")
    with pytest.raises(ValidationError, match="está sin ubicar"):
        create_initiative(
            conn,
            new_input(code="X2", geometry_action="territory", geometry_territory_id=chamonate),
            ANA,
        )


def test_removing_the_geometry_removes_its_links(conn):
    r = create_initiative(conn, new_input(geometry_action="drawn", geometry=point(QUINTA_VALLE)), ANA)
    inp = load_initiative(conn, r.id)["input"]
    update_initiative(conn, r.id, replace(inp, geometry_action="none"), r.version, ANA)
    assert links(conn, r.id) == set()
    assert load_initiative(conn, r.id)["geometry"] is None


def test_stale_version_is_refused_and_names_who_saved_and_what_changed(conn):
    r = create_initiative(conn, new_input(), ANA)
    inp = load_initiative(conn, r.id)["input"]
    update_initiative(
        conn,
        r.id,
        replace(inp, name="Nombre de Pedro", status="perfil", strategy="E2", plan=None, program=None),
        r.version,
        PEDRO,
    )
    with pytest.raises(ConflictError) as exc:
        update_initiative(conn, r.id, replace(inp, name="Nombre de Ana"), r.version, ANA)
    msg = str(exc.value)
    assert "Pedro guardó esta iniciativa el" in msg
    assert "Cambió: Nombre, Estrategia, Plan, Programa, Estado." in msg
    assert "Sus cambios siguen en el formulario" in msg
    assert exc.value.current_version == r.version + 1
    assert (
        conn.execute(text("SELECT name FROM initiative WHERE id = :i"), {"i": r.id}).scalar()
        == "Nombre de Pedro"
    )


# --- two editors, two real connections --------------------------------------------------


@pytest.fixture(scope="module")
def committed_engine():
    eng = loaded_database(derived_url("edit"))
    yield eng
    eng.dispose()


def test_two_editors_the_second_save_is_refused_and_the_first_is_kept(committed_engine):
    eng = committed_engine
    r = create_initiative(eng, new_input(code="CONC-1"), ANA)
    # Both open the same version.
    with eng.connect() as c:
        opened_by_ana = load_initiative(c, r.id)
        opened_by_pedro = load_initiative(c, r.id)
    assert opened_by_ana["version"] == opened_by_pedro["version"] == r.version
    # Ana saves inside her own transaction; Pedro's save waits for her row lock.
    import threading

    with eng.connect() as ana:
        tx = ana.begin()
        update_initiative(
            ana,
            r.id,
            replace(opened_by_ana["input"], name="Plaza (versión de Ana)", status="diseno"),
            r.version,
            ANA,
        )
        outcome: dict = {}

        def pedro_saves():
            try:
                update_initiative(
                    eng,
                    r.id,
                    replace(opened_by_pedro["input"], funding=(_line(amount="99"),)),
                    r.version,
                    PEDRO,
                )
                outcome["ok"] = True
            except ConflictError as exc:
                outcome["error"] = exc

        t = threading.Thread(target=pedro_saves)
        t.start()
        t.join(timeout=2)
        assert t.is_alive(), "Pedro's save must wait for Ana's transaction"
        tx.commit()
        t.join(timeout=30)
    assert "error" in outcome, outcome
    assert "Ana guardó esta iniciativa" in str(outcome["error"])
    with eng.connect() as c:
        row = c.execute(text("SELECT name, status, version FROM initiative WHERE id = :i"), {"i": r.id}).one()
        assert tuple(row) == ("Plaza (versión de Ana)", "diseno", r.version + 1)
        assert [ln.amount_clp for ln in stored_lines(c, [r.id])[r.id]] == [12_500_000]  # not Pedro's 99
        assert [h["to_status"] for h in status_history(c, r.id)] == ["diseno", "idea"]


def test_saving_after_reloading_the_current_version_works(committed_engine):
    eng = committed_engine
    r = create_initiative(eng, new_input(code="CONC-2"), ANA)
    with eng.connect() as c:
        opened = load_initiative(c, r.id)
    update_initiative(eng, r.id, replace(opened["input"], name="Primera"), r.version, ANA)
    with pytest.raises(ConflictError):
        update_initiative(eng, r.id, replace(opened["input"], name="Segunda"), r.version, PEDRO)
    with eng.connect() as c:
        fresh = load_initiative(c, r.id)
    assert fresh["input"].name == "Primera"
    update_initiative(eng, r.id, replace(fresh["input"], name="Segunda"), fresh["version"], PEDRO)
    with eng.connect() as c:
        assert c.execute(text("SELECT name FROM initiative WHERE id = :i"), {"i": r.id}).scalar() == "Segunda"


def test_two_people_creating_the_same_code_at_once_the_second_gets_a_field_message(committed_engine):
    import threading

    eng = committed_engine
    with eng.connect() as ana:
        tx = ana.begin()
        create_initiative(ana, new_input(code="RACE-1"), ANA)
        outcome: dict = {}

        def pedro_creates():
            try:
                create_initiative(eng, new_input(code="RACE-1", name="Otra"), PEDRO)
            except ValidationError as exc:
                outcome["error"] = exc

        t = threading.Thread(target=pedro_creates)
        t.start()
        t.join(timeout=2)
        tx.commit()
        t.join(timeout=30)
    assert "acaba de guardar una iniciativa con ese código" in outcome["error"].errors["code"]
    with eng.connect() as c:
        assert (
            c.execute(text("SELECT name FROM initiative WHERE code = 'RACE-1'")).scalar()
            == "Mejoramiento plaza Quinta Valle"
        )
