"""A statement's lines kept on disk, so that reading and importing a statement of a million
lines holds one batch of them in memory, not all.

`LineSpool` is a read-only sequence of `StatementLine` once `finish`ed: `len`, indexing and
iteration in the statement's date order read a temporary SQLite database (a file, not memory,
thrown away with the spool). `numbered` gives each line with the number of identical lines
before it, the part of a line's key a statement without references needs
(statements.line_key), counted by SQLite, not in a dictionary of every line.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from ledger.bank.statements import StatementLine

FLUSH = 5000  # lines appended before they are written to the spool


class LineSpool(Sequence["StatementLine"]):
    def __init__(self, line_type: type[StatementLine]) -> None:
        self.line_type = line_type
        names = [field.name for field in fields(line_type)]
        self.values = attrgetter(*names)  # a line's fields as a tuple
        self.columns = ", ".join(names)
        self.db = sqlite3.connect("")  # "": a temporary database on disk, not in memory
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute(f"CREATE TABLE line (seq INTEGER PRIMARY KEY, {self.columns})")
        self.insert = f"INSERT INTO line ({self.columns}) VALUES ({', '.join('?' * len(names))})"
        self.pending: list[tuple] = []
        self.count = 0
        self.order = "ASC"  # "DESC" when the file listed the newest line first

    def append(self, line: StatementLine) -> None:
        self.pending.append(self.values(line))
        self.count += 1
        if len(self.pending) >= FLUSH:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany(self.insert, self.pending)
        self.pending.clear()

    def finish(self, newest_first: bool = False) -> LineSpool:
        """No more lines; read them back oldest first (reversed if the file was not)."""
        self._flush()
        self.order = "DESC" if newest_first else "ASC"
        return self

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, index: int) -> StatementLine: ...

    @overload
    def __getitem__(self, index: slice) -> list[StatementLine]: ...

    def __getitem__(self, index: int | slice) -> StatementLine | list[StatementLine]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.count))]
        if index < 0:
            index += self.count
        if not 0 <= index < self.count:
            raise IndexError(index)
        self._flush()
        seq = index + 1 if self.order == "ASC" else self.count - index
        row = self.db.execute(f"SELECT {self.columns} FROM line WHERE seq = ?",
                              (seq,)).fetchone()
        return self.line_type(*row)

    def __iter__(self) -> Iterator[StatementLine]:
        self._flush()
        make = self.line_type
        for row in self.db.execute(f"SELECT {self.columns} FROM line ORDER BY seq {self.order}"):
            yield make(*row)

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same lines in the same order, as a list would be."""
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # mutable until finished, like a list

    def repeated_refs(self) -> list[tuple[str, list[int]]]:
        """Each bank reference more than one line states, with those lines' file rows."""
        self._flush()
        return [(ref, [int(n) for n in rows.split(",")]) for ref, rows in self.db.execute(
            "SELECT ref, group_concat(line, ',') FROM (SELECT ref, line FROM line WHERE "
            "coalesce(ref, '') <> '' ORDER BY line) GROUP BY ref HAVING count(*) > 1 "
            "ORDER BY min(line)")]

    def numbered(self) -> Iterator[tuple[StatementLine, int]]:
        """Each line, in order, with how many lines before it have no reference and the same
        date, time, credit, debit, text and counter-party (statements._content)."""
        self._flush()
        if self.db.execute("SELECT 1 FROM line WHERE coalesce(ref, '') = '' LIMIT 1").fetchone() \
                is None:  # every line has the bank's reference (most banks): nothing to count
            yield from ((line, 0) for line in self)
            return
        make, width = self.line_type, len(fields(self.line_type))
        for row in self.db.execute(
                f"SELECT {self.columns}, row_number() OVER (PARTITION BY coalesce(ref, '') = '',"
                " date, coalesce(time, ''), credit, debit, text, coalesce(party, '') "
                f"ORDER BY seq {self.order}) - 1 FROM line ORDER BY seq {self.order}"):
            yield make(*row[:width]), row[width]
