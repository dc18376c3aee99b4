"""Codes that identify units, campaigns and indicators in files, URLs and the API."""

import re

CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")


def is_valid_code(text: str) -> bool:
    """Letters without accents, digits, ".", "_" and "-"; 1 to 32 characters."""
    return bool(CODE_PATTERN.match(text))
