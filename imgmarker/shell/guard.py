"""The last line of defence for the user: an unexpected exception in a slot is
reported (dialog, log) instead of unwinding through Qt; nothing stored is affected."""

from __future__ import annotations

import functools
import logging
import traceback
from typing import Any, Callable

log = logging.getLogger("imgmarker.shell")


def guarded(method: Callable) -> Callable:
    """Report an unexpected exception instead of letting it unwind through Qt: the
    window stays usable and nothing already stored is affected."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the last line of defence for the user
            log.error("unexpected error in %s", method.__name__, exc_info=True)
            self.failure.emit(f"{type(exc).__name__}: {exc}", traceback.format_exc())
            return None

    return wrapper
