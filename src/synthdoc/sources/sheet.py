"""Extraction sheets (CSV or XLSX): one claim per row, in columns named as claim fields."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..core.diagnostics import Diagnostic, SynthdocError, error
from ..core.files import read_input
from ..core.schema import did_you_mean
from .claims import LOCATOR_KINDS

LISTS = ("themes", "contrasts", "actors")  # several values, separated by ';'
PLAIN = ("source", "id", "kind", "point", "quote", "says", "short")
COLUMNS = (*PLAIN, *LISTS, *LOCATOR_KINDS)
_LOCALIZED = re.compile(r"(says|short)_([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)")


@dataclass(frozen=True)
class Row:
    line: int  # the row's line in the sheet (1 is the header)
    values: dict[str, object]  # claim fields: text, lists, {lang: text}, {page: "87"}


def read_sheet(path: Path, shown: str) -> list[Row]:
    """The sheet's rows as claim fields; an unknown column is an error naming it, before any row is read."""
    raw = read_input(path, shown, "a sheet")
    table = _xlsx(raw, shown) if path.suffix.lower() == ".xlsx" else _csv(raw, shown)
    if not table:
        raise SynthdocError.single(shown, "the sheet is empty: its first row names the columns (source, quote, "
                                   "says, page, themes, …)", "sheet-column")
    header = [str(cell or "").strip() for cell in table[0]]
    problems: list[Diagnostic] = []
    known = [*COLUMNS, "says_en", "says_id"]
    for col, name in enumerate(header, 1):
        if name and name.lower() not in COLUMNS and not _LOCALIZED.fullmatch(name):
            problems.append(error(shown, 1, col, f"unknown column '{name}'{did_you_mean(name.lower(), known)}; "
                                  f"columns are {', '.join(COLUMNS)}, says_<lang>, short_<lang>", "sheet-column"))
    if "quote" not in [h.lower() for h in header]:
        problems.append(error(shown, 1, 1, "the sheet has no 'quote' column: each claim rests on a verbatim quote",
                              "sheet-column"))
    if problems:
        raise SynthdocError(problems)
    rows = []
    for number, cells in enumerate(table[1:], 2):
        values: dict[str, object] = {}
        for name, cell in zip(header, cells, strict=False):
            text = _text(cell)
            if not name or not text:
                continue
            lower = name.lower()
            if m := _LOCALIZED.fullmatch(name):
                values.setdefault(m.group(1), {})[m.group(2)] = text
            elif lower in LISTS:
                items = [part.strip() for part in text.split(";") if part.strip()]
                if items:
                    values[lower] = items
            elif lower in LOCATOR_KINDS:
                values["at"] = {lower: text}
            else:
                values[lower] = text
        if values:
            rows.append(Row(number, values))
    return rows


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a page typed as 87 comes back from a spreadsheet as 87.0
    return str(cell).strip()


def _csv(raw: bytes, shown: str) -> list[list[str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SynthdocError.single(shown, "not UTF-8 text; save the sheet as 'CSV UTF-8'", "text-encoding") from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return list(reader)
    except csv.Error as exc:  # a cell over csv.field_size_limit() (131,072 characters), …
        raise SynthdocError.single(shown, f"cannot read this row of the sheet: {exc}", "sheet-format",
                                   max(reader.line_num, 1)) from None


def _xlsx(raw: bytes, shown: str) -> list[list[object]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SynthdocError.single(shown, f"cannot read the workbook: {exc}", "sheet-format") from None
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
