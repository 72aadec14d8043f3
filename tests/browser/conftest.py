"""One chromium per journey module (starting one takes about a second)."""

import pytest

from tests.support.browser import chromium


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b
