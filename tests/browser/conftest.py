"""One chromium per journey module (starting one takes about a second); server logs of failures."""

import pytest

from tests.support.browser import chromium, server_log_tail


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed journey's report carries the end of its app's log (tracebacks, slow queries)."""
    report = yield
    if report.when == "call" and report.failed:
        server = item.funcargs.get("server")
        base = server[0] if isinstance(server, tuple) and server and isinstance(server[0], str) else None
        tail = server_log_tail(base) if base else ""
        if tail:
            report.sections.append(("sit serve log (last lines)", tail))
    return report
