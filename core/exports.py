"""Spreadsheets the portal hands out (CSV, XLSX): every text cell goes through `cell()`.

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and
a tab or a carriage return lets one hide behind them), so a proposal titled
`=HYPERLINK("http://…","Click")` would turn an officer's export into a phishing link or
worse. OWASP's advice: prefix such text with a single quote, which shows it as text."""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """The value as it is safe to write into a spreadsheet cell: numbers and empty cells
    unchanged, text that a spreadsheet would read as a formula prefixed with `'`."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def row(values):
    return [cell(value) for value in values]


class _Echo:
    def write(self, value):
        return value


def csv_lines(header, rows):
    """The CSV file as lines to stream: a BOM (Excel opens UTF-8 with diacritics only then),
    the header, then each row, every cell through `cell()`."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(row(header))
    for values in rows:
        yield writer.writerow(row(values))


def xlsx_append(sheet, values):
    """Append a row to an openpyxl sheet (write-only or not), text written as text.

    openpyxl guesses a formula from a leading `=`; the escaped text does not start with one,
    and the cell's type is set to a string all the same."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in row(values):
        item = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            item.data_type = "s"
        cells.append(item)
    sheet.append(cells)


def sheet_title(text):
    """A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\\`."""
    cleaned = "".join(c for c in str(text) if c not in "[]:*?/\\").strip("'")
    return cleaned[:31] or "Sheet"
