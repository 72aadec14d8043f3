"""Provisioning: what `sit db upgrade` tells a person whose DATABASE_URL is incomplete."""

import pytest

from geo.errors import DataError
from geo.schema.migrate import ensure_database


def test_a_url_without_a_database_name_is_explained_in_spanish():
    with pytest.raises(DataError, match="no indica el nombre de la base"):
        ensure_database("postgresql+psycopg://postgres@127.0.0.1:5432")
