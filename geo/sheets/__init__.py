"""Spreadsheet round-trip of initiatives: template, import, export."""
