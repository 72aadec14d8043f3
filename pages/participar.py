"""Participar en el taller: a resident's phone sends a need to an open workshop (no sidebar, no account).

Opened from the QR code the projector shows (``/participar?codigo=XXXXXX``); everything is in
:func:`ui.participation.phone_page`.
"""

from ui.navigation import guard
from ui.participation import phone_page

guard(__file__)
phone_page()
