"""Regenerate the bad-spreadsheet corpus: ``python tests/corpus/sheets/make_corpus.py``.

Each file is one way a planner's spreadsheet can be wrong. tests/geo/test_sheets_corpus.py
lists, for each file, the Spanish message a person must see; every file must leave the
database unchanged.
"""

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
HEAD = "Código;Nombre;Tipo;Estrategia;Plan;Ubicación;Código BIP;Inicio (año);Término (año)"
OK = "T-{n};Mejoramiento plaza {n};Proyecto;E1;E1.P1;UV 3;;2016;2017"
FUNDING_HEAD = ["Código", "Fuente", "Detalle de la fuente", "Año", "Monto (CLP)", "Etapa"]


def csv(name: str, *rows: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(("\r\n".join([HEAD, *rows]) + "\r\n").encode(encoding))


def xlsx(name: str, rows: list[list], lines: list[list] | None = None) -> bytes:
    """A workbook: «Iniciativas» and, when ``lines`` is given, «Financiamiento»."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Iniciativas"
    ws.append(["Código", "Nombre", "Tipo", "Estrategia", "Plan", "Código BIP"])
    for row in rows:
        ws.append(row)
    if lines is not None:
        fs = wb.create_sheet("Financiamiento")
        fs.append(FUNDING_HEAD)
        for line in lines:
            fs.append(line)
    buf = io.BytesIO()
    wb.save(buf)
    (HERE / name).write_bytes(buf.getvalue())
    return buf.getvalue()


def main() -> None:
    (HERE / "vacio.csv").write_bytes(b"")
    csv("solo_encabezados.csv")
    (HERE / "faltan_columnas.csv").write_bytes("Código;Nombre\r\nT-1;Plaza\r\n".encode("utf-8-sig"))
    (HERE / "sin_encabezados.csv").write_bytes(b"1;2;3\r\n4;5;6\r\n")
    csv("estrategia_desconocida.csv", "T-1;Plaza;Proyecto;E99;;UV 3;;;")
    csv("plan_de_otra_estrategia.csv", "T-1;Plaza;Proyecto;E1;E2.P1;UV 3;;;")
    xlsx(
        "monto_ilegible.xlsx",
        [["T-1", "Plaza", "Proyecto", "E1", "E1.P1", None]],
        [["T-1", "FNDR", None, 2016, "doce millones", "Aprobado"]],
    )
    csv("codigo_repetido.csv", OK.format(n=1), OK.format(n=1).replace("plaza", "sede"))
    csv("fecha_inexistente.csv", "T-1;Plaza;Proyecto;E1;E1.P1;UV 3;;31-02-2016;")
    csv("termino_antes_de_inicio.csv", "T-1;Plaza;Proyecto;E1;E1.P1;UV 3;;2018;2016")
    csv(
        "lugar_desconocido_latin1.csv",
        "T-1;Reposición sede Ñandú;Proyecto;E1;E1.P1;Peñablanca;;;",
        encoding="cp1252",
    )
    csv("lugar_ambiguo.csv", "T-1;Plaza;Proyecto;E1;E1.P1;Huasco;;;")
    csv("html_jinja.csv", "T-1;<b>Plaza</b>;Proyecto;{{ 7*7 }};E1.P1;<script>alert(1)</script>;;;")
    xlsx(
        "formulas.xlsx",
        [
            ["T-1", "Plaza", "Proyecto", "E1", "E1.P1", None],
            ["T-2", '=HYPERLINK("http://x","y")', "Proyecto", "E1", "E1.P1", None],
        ],
        [["T-1", "FNDR", None, 2016, "=10*1000000", "Aprobado"]],
    )
    good = xlsx("truncada.xlsx", [["T-1", "Plaza", "Proyecto", "E1", "E1.P1", None]])
    (HERE / "truncada.xlsx").write_bytes(good[: len(good) // 2])
    (HERE / "no_es_planilla.xlsx").write_bytes(b"%PDF-1.4 esto no es una planilla\n" * 20)
    (HERE / "informe.pdf").write_bytes(b"%PDF-1.4\n" * 20)
    (HERE / "antiguo.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (HERE / "binario.csv").write_bytes(b"\x00\x01\x02\x03" * 64)
    with zipfile.ZipFile(HERE / "bomba.xlsx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            chunk = b"\x00" * (1 << 20)
            for _ in range(310):
                f.write(chunk)


if __name__ == "__main__":
    main()
