"""Importing initiatives from spreadsheets into the real database (rolled back after each test)."""

import pytest
from sqlalchemy import text

from geo.errors import DataError
from geo.sheets.importer import apply_import, plan_import
from geo.store.funding import FundingLineValues, stored_lines
from tests.support.actors import TESTER
from tests.support.sheets import fingerprint, line, row, workbook


def initiative(conn, code):
    return conn.execute(text("SELECT * FROM initiative WHERE code = :c"), {"c": code}).mappings().first()


def lines(conn, code):
    iid = initiative(conn, code)["id"]
    return stored_lines(conn, [iid])[iid]


def places(conn, code):
    return conn.execute(
        text(
            """
        SELECT t.name, it.link_method, it.weight FROM initiative_territory it
          JOIN territory t ON t.id = it.territory_id JOIN initiative i ON i.id = it.initiative_id
         WHERE i.code = :c ORDER BY t.name
        """
        ),
        {"c": code},
    ).all()


def test_new_rows_are_written_with_every_field(conn, tmp_path):
    f = workbook(
        [
            row(
                "X-1",
                **{
                    "Ubicación": "UV 3; Domeyko",
                    "Etapa BIP": "diseno",
                    "Resultado técnico": "RS",
                    "Código BIP": 30123456,
                    "Descripción": "  Plaza con juegos  ",
                    "Sector": "Localizada",
                    "Programa": "E1.P1.G1",
                },
            )
        ],
        tmp_path / "a.xlsx",
        lines=[
            line("X-1"),
            line("X-1", Fuente="Sectorial", **{"Detalle de la fuente": "MINVU", "Monto (CLP)": None}),
        ],
    )
    plan = plan_import(conn, f)
    assert plan.counts() == {
        "nuevas": 1,
        "con cambios": 0,
        "en conflicto": 0,
        "sin cambios": 0,
        "rechazadas": 0,
    }
    result = apply_import(conn, plan, actor=TESTER)
    assert result.inserted == 1 and result.status_changes == 1
    i = initiative(conn, "X-1")
    assert (i["start_year"], i["end_year"], i["bip_stage"], i["technical_result"]) == (
        2016,
        2017,
        "diseno",
        "RS",
    )
    assert (i["status"], i["kind"], i["scope"]) == ("perfil", "proyecto", "localizada")
    assert lines(conn, "X-1") == [
        FundingLineValues("fndr", None, 2016, 12_500_000, "aprobado"),
        FundingLineValues("sectorial", "MINVU", 2016, None, "aprobado"),  # no amount: never $ 0
    ]
    assert i["bip_code"] == "30123456" and i["description"] == "Plaza con juegos"
    assert [(n, m, float(w)) for n, m, w in places(conn, "X-1")] == [
        ("Domeyko", "nombre_lugar", 0.5),
        ("Quinta Valle", "nombre_lugar", 0.5),
    ]
    hist = (
        conn.execute(text("SELECT * FROM status_history WHERE initiative_id = :i"), {"i": i["id"]})
        .mappings()
        .one()
    )
    assert (hist["from_status"], hist["to_status"]) == (None, "perfil")
    assert hist["changed_by_name"] == TESTER.name and "a.xlsx" in hist["comment"]
    audit = conn.execute(text("SELECT * FROM audit_log ORDER BY id DESC LIMIT 2")).mappings().all()
    # The file's summary, then one row per initiative written with its values.
    assert audit[0]["action"] == "importar_planilla" and audit[0]["details"]["nuevas"] == 1
    assert (audit[1]["action"], audit[1]["row_id"]) == ("crear_iniciativa", str(i["id"]))
    assert audit[1]["details"]["changes"]["status"] == [None, "perfil"]
    assert (audit[1]["details"]["archivo"], audit[1]["details"]["fila"]) == ("a.xlsx", 2)


def test_reimport_updates_instead_of_duplicating(conn, tmp_path):
    f = workbook([row("X-1"), row("X-2")], tmp_path / "a.xlsx", lines=[line("X-1"), line("X-2")])
    apply_import(conn, plan_import(conn, f), actor=TESTER)
    total = conn.execute(text("SELECT count(*) FROM initiative")).scalar_one()
    again = plan_import(conn, f)
    assert again.counts() == {
        "nuevas": 0,
        "con cambios": 0,
        "en conflicto": 0,
        "sin cambios": 2,
        "rechazadas": 0,
    }
    assert apply_import(conn, again, actor=TESTER).updated == 0
    f2 = workbook(
        [row("X-1", **{"Estado": "En ejecución"}), row("X-2")],
        tmp_path / "b.xlsx",
        lines=[line("X-1", **{"Monto (CLP)": "13.000.000"}), line("X-2")],
    )
    plan = plan_import(conn, f2)
    changed = plan.by_status("cambios")
    assert [(r.code, r.changed) for r in changed] == [("X-1", ["Estado", "Financiamiento"])]
    assert str(changed[0].changes[1]) == (
        "Financiamiento: FNDR, 2016, $ 12.500.000, Aprobado → FNDR, 2016, $ 13.000.000, Aprobado"
    )
    version = initiative(conn, "X-1")["version"]
    assert apply_import(conn, plan, actor=TESTER).status_changes == 1
    assert conn.execute(text("SELECT count(*) FROM initiative")).scalar_one() == total
    i = initiative(conn, "X-1")
    assert (i["status"], i["version"]) == ("en_ejecucion", version + 1)  # one version for both fields
    assert lines(conn, "X-1") == [FundingLineValues("fndr", None, 2016, 13_000_000, "aprobado")]
    last = conn.execute(
        text(
            "SELECT from_status, to_status, changed_by_name, comment FROM status_history "
            "WHERE initiative_id = :i ORDER BY id DESC LIMIT 1"
        ),
        {"i": i["id"]},
    ).one()
    assert tuple(last) == (
        "perfil",
        "en_ejecucion",
        TESTER.name,
        "Cambio de estado importado desde la planilla b.xlsx",
    )


def test_bip_code_is_the_key_when_the_code_is_missing(conn, tmp_path):
    apply_import(
        conn,
        plan_import(conn, workbook([row("X-9", **{"Código BIP": "40001234"})], tmp_path / "a.xlsx")),
        actor=TESTER,
    )
    plan = plan_import(
        conn, workbook([row(None, **{"Código BIP": "40001234", "Estado": "Diseño"})], tmp_path / "b.xlsx")
    )
    assert [(r.code, r.status) for r in plan.rows] == [("X-9", "cambios")]


def test_reimport_replaces_name_links_and_keeps_manual_ones(conn, tmp_path):
    first = workbook([row("X-1", **{"Ubicación": "UV 3"})], tmp_path / "a.xlsx")
    apply_import(conn, plan_import(conn, first), actor=TESTER)
    i = initiative(conn, "X-1")["id"]
    conn.execute(
        text("""INSERT INTO initiative_territory (initiative_id, territory_id, link_method)
                         SELECT :i, id, 'manual' FROM territory WHERE kind = 'sitio' AND code = 'VIVERO'"""),
        {"i": i},
    )
    second = workbook([row("X-1", **{"Ubicación": "Domeyko; Chamonat"})], tmp_path / "b.xlsx")
    plan = plan_import(conn, second)
    assert plan.by_status("cambios")[0].changed == ["Ubicación"]
    assert any("Chamonate" in n and "confianza" in n for n in plan.rows[0].notes)
    apply_import(conn, plan, actor=TESTER)
    assert [(n, m) for n, m, _ in places(conn, "X-1")] == [
        ("Chamonate", "nombre_lugar"),
        ("Domeyko", "nombre_lugar"),
        ("Vivero", "manual"),
    ]


def test_a_facility_links_itself_and_its_unidad_vecinal(conn, tmp_path):
    apply_import(
        conn,
        plan_import(conn, workbook([row("X-1", **{"Ubicación": "CESFAM Baquedano"})], tmp_path / "a.xlsx")),
        actor=TESTER,
    )
    fac = (
        conn.execute(
            text("""
        SELECT f.name FROM initiative_facility x JOIN facility f ON f.id = x.facility_id
          JOIN initiative i ON i.id = x.initiative_id WHERE i.code = 'X-1'""")
        )
        .scalars()
        .all()
    )
    assert fac == ["Centro de Salud Familiar Baquedano"]
    assert len(places(conn, "X-1")) == 1


def test_invalid_rows_are_skipped_and_valid_rows_written(conn, tmp_path):
    f = workbook(
        [row("X-1"), row("X-2", **{"Estrategia": "E99"}), row("X-3", **{"Plan": "E2.P1"})],
        tmp_path / "a.xlsx",
    )
    plan = plan_import(conn, f)
    assert [str(e) for e in plan.errors][0].startswith("fila 3, columna «Estrategia»: estrategia desconocida")
    assert str(plan.errors[1]).startswith("fila 4, columna «Plan»: el plan «E2.P1» no pertenece")
    assert apply_import(conn, plan, actor=TESTER).inserted == 1
    assert initiative(conn, "X-1") and not initiative(conn, "X-2") and not initiative(conn, "X-3")


def test_strict_refuses_the_whole_file(conn, tmp_path):
    before = fingerprint(conn)
    plan = plan_import(
        conn,
        workbook(
            [row("X-1"), row("X-2")],
            tmp_path / "a.xlsx",
            lines=[line("X-1"), line("X-2", **{"Monto (CLP)": "12,5 millones"})],
        ),
    )
    with pytest.raises(
        DataError,
        match=r"modo estricto.*hoja «Financiamiento», fila 3, columna «Monto \(CLP\)»: no se entiende",
    ):
        apply_import(conn, plan, strict=True, actor=TESTER)
    assert fingerprint(conn) == before


def test_a_database_error_on_the_last_row_leaves_nothing(conn, tmp_path):
    # A real database failure while writing: a trigger refuses the last row's code.
    conn.execute(
        text("""
        CREATE FUNCTION refuse_x3() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.code = 'X-3' THEN RAISE EXCEPTION 'disco lleno (simulado)'; END IF; RETURN NEW; END $$;
        CREATE TRIGGER refuse_x3 BEFORE INSERT OR UPDATE ON initiative
            FOR EACH ROW EXECUTE FUNCTION refuse_x3();
        """)
    )
    before = fingerprint(conn)
    plan = plan_import(conn, workbook([row("X-1"), row("X-2"), row("X-3")], tmp_path / "a.xlsx"))
    with pytest.raises(DataError, match="no se importó nada: error al escribir.*disco lleno"):
        apply_import(conn, plan, actor=TESTER)
    assert fingerprint(conn) == before
    assert not initiative(conn, "X-1")


def test_latin1_semicolon_and_utf8_comma_csv(conn, tmp_path):
    header = "Código;Nombre;Tipo;Estrategia;Ubicación;Inicio (año)\r\n"
    body = "X-1;Reposición sede Ñandú;Estudio;E1;la compañia;2016\r\n"
    (tmp_path / "latin.csv").write_bytes((header + body).encode("cp1252"))
    (tmp_path / "utf8.csv").write_text(
        (header + body.replace("X-1", "X-2")).replace(";", ","), encoding="utf-8"
    )
    for name in ("latin.csv", "utf8.csv"):
        apply_import(conn, plan_import(conn, tmp_path / name), actor=TESTER)
    for code in ("X-1", "X-2"):
        i = initiative(conn, code)
        assert i["name"] == "Reposición sede Ñandú" and i["start_year"] == 2016
        assert [n for n, _, _ in places(conn, code)] == ["La Compañía"]


def test_missing_optional_columns_leave_those_fields_alone(conn, tmp_path):
    apply_import(
        conn,
        plan_import(conn, workbook([row("X-1")], tmp_path / "a.xlsx", lines=[line("X-1")])),
        actor=TESTER,
    )
    short = workbook(
        [{"Código": "X-1", "Nombre": "Nuevo nombre", "Tipo": "Proyecto", "Estrategia": "E1"}],
        tmp_path / "b.xlsx",
        headers=["Código", "Nombre", "Tipo", "Estrategia"],
    )
    plan = plan_import(conn, short)
    assert plan.by_status("cambios")[0].changed == ["Nombre"]
    apply_import(conn, plan, actor=TESTER)
    i = initiative(conn, "X-1")
    assert i["name"] == "Nuevo nombre" and i["plan_id"] is not None
    # A workbook without «Financiamiento» leaves the lines as they are, and says so.
    assert "quedan como están" in plan.funding_note and len(lines(conn, "X-1")) == 1


def test_text_is_stored_as_typed(conn, tmp_path):
    name = "<b>Plaza</b> {{ 7*7 }} =1+1"
    apply_import(
        conn, plan_import(conn, workbook([row("X-1", Nombre=name)], tmp_path / "a.xlsx")), actor=TESTER
    )
    assert initiative(conn, "X-1")["name"] == name


def test_demo_rows_exported_and_imported_back_stay_flagged(conn, tmp_path):
    from geo.initiatives.demo import clear_demo, generate_demo
    from geo.sheets.writer import export_initiatives

    generate_demo(conn, 5, seed=2, actor=TESTER)
    export_initiatives(conn, "xlsx", tmp_path / "demo.xlsx")
    clear_demo(conn, TESTER)
    plan = plan_import(conn, tmp_path / "demo.xlsx")
    assert plan.counts()["nuevas"] == 5
    apply_import(conn, plan, actor=TESTER)
    assert conn.execute(text("SELECT count(*) FROM initiative WHERE is_demo")).scalar_one() == 5


def test_a_code_with_another_strategys_name_is_rejected_not_guessed(conn, tmp_path):
    label = conn.execute(text("SELECT code || ' · ' || name FROM strategy WHERE code = 'E1'")).scalar_one()
    f = workbook(
        [row("X-1", **{"Estrategia": label}), row("X-2", **{"Estrategia": "E1 · Salud para todos"})],
        tmp_path / "a.xlsx",
    )
    plan = plan_import(conn, f)
    assert len(plan.errors) == 1
    assert str(plan.errors[0]).startswith(
        f"fila 3, columna «Estrategia»: el código «E1» corresponde a «{label}», no a «E1 · Salud para todos»"
    )


def test_the_funding_sheet_is_the_whole_truth_for_the_initiatives_it_lists(conn, tmp_path):
    first = workbook(
        [row("X-1"), row("X-2")],
        tmp_path / "a.xlsx",
        lines=[line("X-1"), line("X-1", Año=2017, Etapa="Postulado"), line("X-2")],
    )
    apply_import(conn, plan_import(conn, first), actor=TESTER)
    assert len(lines(conn, "X-1")) == 2
    # X-1 listed with no row in «Financiamiento»: its lines go; X-2 keeps its one line.
    second = workbook([row("X-1"), row("X-2")], tmp_path / "b.xlsx", lines=[line("X-2")])
    plan = plan_import(conn, second)
    assert [(r.code, r.changed) for r in plan.by_status("cambios")] == [("X-1", ["Financiamiento"])]
    assert "reemplaza todas las líneas" in plan.funding_note
    apply_import(conn, plan, actor=TESTER)
    assert lines(conn, "X-1") == [] and len(lines(conn, "X-2")) == 1


def test_funding_rows_that_cannot_be_read_reject_their_initiative_and_name_sheet_row_and_column(
    conn, tmp_path
):
    before = fingerprint(conn)
    f = workbook(
        [row("X-1"), row("X-2")],
        tmp_path / "a.xlsx",
        lines=[
            line("X-1"),
            line("X-2", Etapa=None),
            line("X-2", Fuente="Lotería"),
            line("X-9"),  # no such initiative in the sheet
        ],
    )
    plan = plan_import(conn, f)
    assert [str(e) for e in plan.errors] == [
        "hoja «Financiamiento», fila 3, columna «Etapa»: es obligatoria (Postulado, Aprobado, Ejecutado)",
        "hoja «Financiamiento», fila 4, columna «Fuente»: la fuente «Lotería» no está en la lista "
        "(Municipal, FNDR, FRIL, PMU, PMB, Sectorial, Privado, Otro)",
        "hoja «Financiamiento», fila 5, columna «Código»: el Código «X-9» no está en la hoja «Iniciativas»: "
        "agregue la iniciativa allí o borre la fila",
    ]
    assert plan.counts()["nuevas"] == 1 and plan.counts()["rechazadas"] == 1
    assert fingerprint(conn) == before  # the preview writes nothing
    apply_import(conn, plan, actor=TESTER)
    assert initiative(conn, "X-1") and not initiative(conn, "X-2")  # X-2 is not half-written


def test_the_error_workbook_names_the_sheet(conn, tmp_path):
    from openpyxl import load_workbook

    from geo.sheets.writer import write_errors

    f = workbook([row("X-1", Estrategia="E99")], tmp_path / "a.xlsx", lines=[line("X-1", Año="dos mil")])
    plan = plan_import(conn, f)
    write_errors(plan.errors, tmp_path / "errores.xlsx")
    ws = load_workbook(tmp_path / "errores.xlsx").active
    got = [tuple(c.value for c in r) for r in ws.iter_rows(min_row=1)]
    assert got[0] == ("Hoja", "Fila", "Columna", "Valor", "Motivo")
    assert got[1][:4] == ("Iniciativas", 2, "Estrategia", "E99")
    assert got[2][:4] == ("Financiamiento", 2, "Año", "dos mil")
