"""Problems found in user input, formatted the way compilers do (``FILE:LINE: ...``)
so editors and terminals can jump to them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    file: Path | None
    line: int
    path: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = str(self.file) if self.file is not None else "<experiment>"
        if self.line:
            where += f":{self.line}"
        text = f"{where}: "
        if self.severity == "warning":
            text += "warning: "
        if self.path:
            text += f"{self.path}: "
        return text + self.message

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class ExperimentError(Exception):
    """An experiment file has problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
