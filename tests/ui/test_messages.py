"""Confirmations after a write: they survive the rerun a remounting map causes, then go."""

from streamlit.testing.v1 import AppTest


def _page(scope: str, write: bool) -> None:
    import streamlit as st

    from ui.messages import flash, show_flash

    show_flash(scope)
    if write and not st.session_state.get("written"):
        st.session_state["written"] = True
        flash(scope, "Sitio «Chamonate» devuelto a «sin ubicar».")
        st.rerun()


def _successes(at: AppTest) -> list[str]:
    return [s.value for s in at.success]


def test_the_confirmation_survives_the_next_reruns_and_only_on_its_page():
    at = AppTest.from_function(_page, args=("iniciativas", True))
    at.run()
    assert _successes(at) == ["Sitio «Chamonate» devuelto a «sin ubicar»."]
    at.run()  # the map's own rerun right after the save
    assert _successes(at) == ["Sitio «Chamonate» devuelto a «sin ubicar»."]

    other = AppTest.from_function(_page, args=("usuarios", False))
    other.session_state["sit_flash"] = at.session_state["sit_flash"]
    other.run()
    assert _successes(other) == []


def test_the_confirmation_goes_once_it_is_old():
    from ui import messages

    at = AppTest.from_function(_page, args=("iniciativas", True))
    at.run()
    assert len(at.success) == 1
    message, at_time = at.session_state["sit_flash"]["iniciativas"]
    at.session_state["sit_flash"] = {"iniciativas": (message, at_time - messages.LINGER_S - 1)}
    at.run()
    assert _successes(at) == []
