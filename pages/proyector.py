"""Modo proyector: one territory on the hall's wall, legend and numbered initiatives beside it."""

from ui.frame import page_frame
from ui.projector import show_projector

filters, version = page_frame(__file__)
show_projector(filters.include_demo, version)
