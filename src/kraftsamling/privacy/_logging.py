"""A logging filter that redacts personal data before any handler writes a line.

Our own code logs identifiers and counts only; this catches what a library or a careless
f-string might still pass (an exception message quoting a row, say).
"""

from __future__ import annotations

import logging

from kraftsamling.privacy._analyzer import Analyzer

__all__ = ["RedactingFilter", "install_log_redaction"]


class RedactingFilter(logging.Filter):
    def __init__(self, analyzer: Analyzer | None = None) -> None:
        super().__init__()
        self.analyzer = analyzer or Analyzer.from_config()

    def _redact(self, text: str) -> str:
        spans = self.analyzer.analyze(text)
        for span in reversed(spans):
            text = f"{text[:span.start]}[{span.entity_type}]{text[span.end:]}"
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            redacted += "\n" + self._redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = redacted, None
        return True


def install_log_redaction(logger: logging.Logger | None = None,
                          analyzer: Analyzer | None = None) -> RedactingFilter:
    """Redact every record that reaches the handlers of ``logger`` (default: the root)."""
    target = logger or logging.getLogger()
    redacting = RedactingFilter(analyzer)
    if not target.handlers:
        target.addHandler(logging.StreamHandler())
    for handler in target.handlers:
        handler.addFilter(redacting)
    return redacting
