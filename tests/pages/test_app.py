"""The router (app.py) when the database does not answer, driven with AppTest."""

from geo import settings
from tests.conftest import app_test, database_url_for_tests, free_port
from tests.pages.conftest import app_as
from ui.state import DATABASE_UNREACHABLE


def test_an_unreachable_database_shows_the_spanish_message_and_retry_brings_the_page(engine, monkeypatch):
    with app_test(monkeypatch) as at:
        # Nothing listens on this port: what a person sees while PostgreSQL restarts.
        monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/sit")
        settings.get_settings.cache_clear()
        at.run()
        assert not at.exception
        assert [e.value for e in at.error] == [DATABASE_UNREACHABLE]
        assert not at.title  # the page did not run
        retry = at.button(key="_sit_retry_database")
        retry.click().run()  # still down: the same message
        assert [e.value for e in at.error] == [DATABASE_UNREACHABLE]

        monkeypatch.setenv("DATABASE_URL", database_url_for_tests())
        settings.get_settings.cache_clear()
        at.button(key="_sit_retry_database").click().run()
        assert not at.exception
        assert not at.error
        assert at.title[0].value == "Ingresar"  # nobody is logged in: the login page


def test_an_unexpected_error_shows_spanish_never_the_traceback(engine, monkeypatch, accounts):
    """Issue 10: visitors saw raw English tracebacks with SQL and file paths."""
    from ui.messages import UNEXPECTED

    def boom() -> None:
        raise RuntimeError('SELECT secret FROM "/tmp/x.py"')

    monkeypatch.setattr("ui.frame.draw_frame", boom)
    with app_as(monkeypatch, accounts["concejo"]) as at:
        assert not at.exception
        assert [e.value for e in at.error] == [UNEXPECTED]


def test_streamlit_is_told_not_to_show_error_details():
    import tomllib
    from pathlib import Path

    from streamlit.config import ShowErrorDetailsConfigOptions

    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE == "none"


def test_the_server_runs_on_uvloop_and_httptools():
    """Declared in pyproject.toml (issue 9): Streamlit runs its server on uvloop when it is
    installed, and uvicorn parses HTTP with httptools; the Mapa page's first visit fetches ~45
    script chunks, which queued behind each other on asyncio and the pure-Python parser."""
    import uvloop
    from streamlit.web import bootstrap
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    assert bootstrap._get_uvloop_loop_factory() is uvloop.new_event_loop
    assert AutoHTTPProtocol.__name__ == "HttpToolsProtocol"


def test_the_readme_says_what_a_reverse_proxy_must_add():
    """Streamlit 1.67 cannot send security headers nor close /_stcore/metrics: the proxy must."""
    from pathlib import Path

    import streamlit.config as st_config

    options = st_config.get_config_options()
    server = [k for k in options if k.startswith("server.")]
    assert not [k for k in server if "header" in k.lower() and k != "server.trustedUserHeaders"], (
        "Streamlit now configures headers: use it instead of only documenting the proxy"
    )
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Publicar detrás de un proxy", 1)[1].split("\n## ", 1)[0]
    needed = ("TLS", "/_stcore/metrics", "X-Frame-Options", "frame-ancestors", "Content-Security-Policy")
    assert [n for n in needed if n not in section] == []


def test_a_run_of_a_map_page_asks_for_the_data_version_once(engine, monkeypatch, accounts):
    """The router reads the data version (reference layers included) and hands it on: a run of
    the Mapa page made three round trips for it before (issue 9, 2026-12-02, evening)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    asked: list[str] = []

    def count(conn, cursor, statement, params, context, executemany) -> None:
        if "coalesce(max(" in statement:  # a fingerprint: the data's or the reference layers'
            asked.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        with app_as(monkeypatch, accounts["secplac"]) as at:
            assert at.title[0].value == "Mapa del PLADECO 2014-2017"
            asked.clear()
            at.run()  # a rerun, as a filter change makes
            assert not at.exception
            assert at.title[0].value == "Mapa del PLADECO 2014-2017"
            assert len(asked) == 1
    finally:
        event.remove(Engine, "before_cursor_execute", count)
