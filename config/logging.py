"""gunicorn's access log as JSON (site/gunicorn.conf.py, LOG_FORMAT=json): one object a line with the same
request id as the application's records (django-guid's X-Request-ID response header)."""

from pythonjsonlogger.json import JsonFormatter

# gunicorn's access-log atoms (https://docs.gunicorn.org/en/stable/settings.html#access-log-format) -> fields.
ATOMS = {
    "h": "remote_address",
    "m": "method",
    "U": "path",
    "q": "query",
    "s": "status",
    "B": "bytes",
    "M": "duration_ms",
    "f": "referer",
    "a": "user_agent",
    "{x-request-id}o": "request_id",
}


class GunicornAccessJsonFormatter(JsonFormatter):
    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        atoms = record.args if isinstance(record.args, dict) else {}
        for atom, field in ATOMS.items():
            value = atoms.get(atom)
            if value in (None, "-", ""):
                continue
            if field in ("status", "bytes", "duration_ms") and str(value).isdigit():
                value = int(value)
            log_record[field] = value
        # /healthz and /readyz answer before the request id is given: the proxy's, if it sent one.
        if "request_id" not in log_record and atoms.get("{x-request-id}i") not in (None, "-", ""):
            log_record["request_id"] = atoms["{x-request-id}i"]
