"""What is wrong with an uploaded file, said so that a person can fix it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    """One reason to reject: the spreadsheet row (header is row 1), the column
    as headed in the file, the value found and what was expected."""

    message: str
    row: int | None = None
    column: str = ""
    value: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        if self.value:  # what the person typed, so they can find it
            where.append(_("value “%(value)s”") % {"value": self.value[:80]})
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else str(self.message)


class FileRejected(Exception):  # noqa: N818 - a verdict, not a crash
    """The whole file is refused; ``problems`` says why (nothing is written)."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else problems
        super().__init__("; ".join(str(p) for p in self.problems[:5]))
