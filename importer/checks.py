"""Checking the values of one import line: the errors a line collects and the validators that raise them.

A validator takes the decoded line (or one value), returns the cleaned value and raises `LineError` (one
problem) or `LineErrors` (several). `Checks` runs validators and keeps every error, so that one run names
every bad field of a file rather than the first one."""

import json
import re
from datetime import date

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
INVALID_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


class LineError(Exception):
    def __init__(self, field_name, message):
        super().__init__(message)
        self.field = field_name
        self.message = message


class LineErrors(Exception):
    """Every problem found on one line, so that a file is fixed in one pass rather than one field per run.
    `key` is the line's (locale, slug) when those two were valid, for the duplicate check."""

    def __init__(self, errors, key=None):
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors
        self.key = key


class Checks:
    """Runs the validators of one line, keeping every LineError instead of stopping at the first."""

    def __init__(self):
        self.errors = []

    def __call__(self, validator, *args, default=None, **kwargs):
        try:
            return validator(*args, **kwargs)
        except LineError as error:
            self.errors.append(error)
        except LineErrors as errors:
            self.errors.extend(errors.errors)
        return default

    def add(self, field_name, message):
        self.errors.append(LineError(field_name, message))

    def failed(self, field_name):
        return field_name in {error.field for error in self.errors}


def find_invalid_text(value):
    """True if a string anywhere in `value` holds a NUL or a lone surrogate, which no database stores."""
    if isinstance(value, str):
        return bool(INVALID_CHARACTERS.search(value))
    if isinstance(value, dict):
        return any(find_invalid_text(key) or find_invalid_text(item) for key, item in value.items())
    if isinstance(value, list):
        return any(find_invalid_text(item) for item in value)
    return False


def without_invalid_text(value):
    """`value` with those characters removed: the line is refused anyway, but its other fields can still be
    checked (and reported) as if the characters were not there."""
    if isinstance(value, str):
        return INVALID_CHARACTERS.sub("", value)
    if isinstance(value, dict):
        return {without_invalid_text(key): without_invalid_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_invalid_text(item) for item in value]
    return value


def string_value(value, name, max_length=None, what="must be text"):
    """One item of a list of names (a theme, a network, an organisation)."""
    if not isinstance(value, str):
        raise LineError(name, what)
    value = value.strip()
    if max_length and len(value) > max_length:
        raise LineError(name, f'"{value[:40]}…" is longer than {max_length} characters')
    return value


def text_field(data, name, required=False, max_length=None):
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise LineError(name, "must be a string")
    value = value.strip()
    if required and not value:
        raise LineError(name, "is required")
    if max_length and len(value) > max_length:
        raise LineError(name, f"is longer than {max_length} characters")
    return value


def int_field(data, name, minimum, maximum, required=False):
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise LineError(name, "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError(name, f"must be a whole number, not {json.dumps(value)}")
    if not minimum <= value <= maximum:
        raise LineError(name, f"must be between {minimum} and {maximum}, not {value}")
    return value


def list_field(data, name, item_type=str):
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise LineError(name, "must be a list")
    errors = [
        LineError(name, f"every item must be a {item_type.__name__}, not {json.dumps(item)}")
        for item in value
        if isinstance(item, bool) or not isinstance(item, item_type)
    ]
    if errors:
        raise LineErrors(errors)
    return value


def objects_field(data, name, keys, required_keys=(), max_lengths=None):
    """A list of objects whose values are text; returns them with every key present and stripped."""
    cleaned, errors = [], []
    for position, item in enumerate(list_field(data, name, dict), start=1):
        unknown = set(item) - set(keys)
        if unknown:
            errors.append(LineError(name, f"item {position} has unknown key(s): {', '.join(sorted(unknown))}"))
        row = {}
        for key in keys:
            value = item.get(key)
            if value is None:
                value = ""
            if not isinstance(value, str):
                errors.append(LineError(name, f'item {position}: "{key}" must be text, not {json.dumps(value)}'))
                value = ""
            value = value.strip()
            limit = (max_lengths or {}).get(key)
            if limit and len(value) > limit:
                errors.append(LineError(name, f'item {position}: "{key}" is longer than {limit} characters'))
            if key in required_keys and not value:
                errors.append(LineError(name, f'item {position} needs a non-empty "{key}"'))
            row[key] = value
        cleaned.append(row)
    if errors:
        raise LineErrors(errors)
    return cleaned


def date_value(value, name):
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise LineError(name, f"must be a date written YYYY-MM-DD, not {json.dumps(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise LineError(name, f'"{value}" is not a date written YYYY-MM-DD') from None


def dated_objects(check, items, field_name):
    """The items of a list of dated objects, each date checked and written back as YYYY-MM-DD."""
    rows = []
    for item in items:
        when = check(date_value, item["date"], field_name)
        rows.append({**item, "date": when.isoformat() if when else ""})
    return rows


def choice_field(data, name, choices):
    value = text_field(data, name)
    if value and value not in choices:
        raise LineError(name, f'must be one of {", ".join(choices)}, not "{value}"')
    return value


def strings_in(value):
    """The strings of a list that may hold anything, for look-ups made before the line is validated."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
