"""Tables for spreadsheets: CSV cells made safe for Excel and zips of CSV files.

Spreadsheet programs run a cell that starts with one of FORMULA_PREFIXES as a formula (CSV
injection), so such text is quoted; every file starts with a BOM, without which Excel reads UTF-8
(Chinese) as the local code page."""

import csv
import io
import zipfile

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
# Spreadsheet programs in China save CSV as GB18030 (GBK) unless told to use UTF-8.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def cell(value):
    """Blank for missing; text a spreadsheet would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_text(columns, rows):
    """A CSV with a header row of `columns` and one line per row (a dict keyed by the columns)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row[c]) for c in columns])
    return BOM + out.getvalue()


def csv_zip(tables):
    """A zip holding `name.csv` for every (name, columns, rows) of `tables`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, columns, rows in tables:
            archive.writestr(f"{name}.csv", csv_text(columns, rows))
    return buffer.getvalue()


def decode_csv(data):
    """The text of an uploaded CSV file, or None when it is neither UTF-8 nor GB18030 text."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
