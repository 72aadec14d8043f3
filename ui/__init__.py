"""Streamlit glue shared by the pages: cached engine and data, shared filters, banners."""
