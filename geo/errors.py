"""Errors that carry a Spanish message meant for the person who gave the input."""


class DataError(ValueError):
    """Bad input data: the message says what and where (file, row, field), in Spanish."""
