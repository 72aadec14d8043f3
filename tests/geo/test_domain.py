import math

from geo.domain import format_clp, format_clp_millions, format_int, status_label


def test_clp_format_es_cl():
    assert format_clp(12500000) == "$ 12.500.000"
    assert format_clp(0) == "$ 0"
    assert format_clp(None) == "Sin información"
    # A table mixing known and unknown amounts arrives from pandas as float NaN.
    assert format_clp(float("nan")) == "Sin información"
    assert format_clp(math.nan) == format_clp_millions(math.nan) == "Sin información"
    assert format_clp_millions(53_901_500_000) == "$ 53.902 millones"
    assert format_int(10197) == "10.197"


def test_status_labels_in_spanish():
    assert status_label("en_ejecucion") == "En ejecución"
    assert status_label(None) == "Sin información"
