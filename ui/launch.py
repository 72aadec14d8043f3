"""Start Streamlit on the app: ``python -m ui.launch run app.py ...``, what ``sit serve`` runs.

Streamlit takes an app with a ``pages/`` folder for a first-generation multipage app until
some session has called ``st.navigation``: the first run after the server starts goes
through its emulation of those apps, which lists every file of ``pages/`` in the sidebar
(«app», «actividad», «usuarios»...) until ``app.py``'s own menu replaces it, about a second
later, and opens a page asked for by its address without the router (each page still checks
the session first: ``ui.frame.page_frame``). This app always routes through
``st.navigation``, so the launcher says so before Streamlit starts.
``tests/browser/test_first_session.py`` watches the first visit after ``sit serve`` starts.
"""

from __future__ import annotations

import logging

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web.cli import main

log = logging.getLogger(__name__)


def run() -> None:
    """Streamlit's own command line (``streamlit run app.py ...``), the app's menu from the start."""
    # Read once per process by PagesManager (None: look for a pages/ folder).
    PagesManager.uses_pages_directory = False
    main(prog_name="streamlit")


if __name__ == "__main__":
    run()
