"""A one-sheet XLSX workbook written a chunk of rows at a time, for the big exports (issue 19: the
grid's XLSX of ~100k orders took 28 s, nearly all of it in xlsxwriter's per-cell calls, ~12 µs
for each of 2.5 million cells). Here a chunk's cells are built one column at a time, each by one
comprehension of f-strings, and a row is the join of its cells.

The cells are those xlsxwriter writes in its `constant_memory` mode, so a workbook reads back
as before: numbers as `%.16G`, times as Excel serial numbers (xlsxwriter's formula), texts as
inline strings with xlsxwriter's escapes (`& < >`, control characters as `_xHHHH_`, a literal
`_xHHHH_` kept literal, `xml:space="preserve"` for a leading or trailing space, cut at 32,767
UTF-16 units). Texts are only ever inline strings, never formulas; they come already made safe
(queries.cells.safe_text). One deliberate difference: xlsxwriter writes a text shaped `<r>…</r>`
as raw XML, here it is escaped like any other.

The rows go to a file of the export's private folder as they come (memory stays flat); `close`
writes the ZIP (the part list, the styles known only then: one number format per currency met)."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from xlsxwriter.theme import THEME_XML_2007  # the look of xlsxwriter's workbooks (Calibri 11)

EXCEL_ROWS = 1_048_576  # rows past Excel's last one are left out, as xlsxwriter does
KNOWN_TEXTS = 2_000  # inline strings remembered per column (codes, labels, events repeat)
TEXT_UNITS = 32_767  # Excel's longest text, in UTF-16 units
EPOCH = datetime(1899, 12, 31)
FIRST_FORMAT = 164  # custom number formats are numbered from here
_SLOW_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f&<>]|_x[0-9a-fA-F]{4}_")
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE = "http://schemas.openxmlformats.org/package"
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument"
_RELS = f"{_OFFICE_DOC}/2006/relationships"
_PACKAGE_RELS = f"{_PACKAGE}/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OFFICE = "application/vnd.openxmlformats-officedocument"
_PACKAGE_TYPE = "application/vnd.openxmlformats-package"
CONTENT_TYPES = (
    f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="{_PACKAGE_TYPE}.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/docProps/app.xml" ContentType="{_OFFICE}.extended-properties+xml"/>'
    f'<Override PartName="/docProps/core.xml" ContentType="{_PACKAGE_TYPE}.core-properties+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE}.spreadsheetml.styles+xml"/>'
    f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_OFFICE}.theme+xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OFFICE}.spreadsheetml.worksheet+xml"/></Types>'
)
PACKAGE_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PACKAGE_RELS}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_RELS}/extended-properties" Target="docProps/app.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_RELS}/theme" Target="theme/theme1.xml"/>'
    f'<Relationship Id="rId3" Type="{_RELS}/styles" Target="styles.xml"/></Relationships>'
)
SHEET_TAIL = (
    b'</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
)
_FONT = '<sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'


def column_letters(index: int) -> str:
    """A zero-based column index as Excel names it (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def excel_time(moment: datetime) -> float:
    """A naive datetime as Excel's serial number, exactly as xlsxwriter computes it (its 1900 leap
    year included; no export holds a time of 1900's first two months)."""
    delta = moment - EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400
    return serial + 1 if serial > 59 else serial


def _utf16_cut(text: str) -> str:
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > TEXT_UNITS:
            return text[:index]
    return text


def inline_text(text: str) -> str:
    """What follows `<c r="…"` (and its style) for a text cell: the inline string, escaped."""
    if len(text) > TEXT_UNITS // 2:
        text = _utf16_cut(text)
    if _SLOW_TEXT.search(text):
        text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text[:1].isspace() or text[-1:].isspace():
        return f' t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f' t="inlineStr"><is><t>{text}</t></is></c>'


def _learn(known: dict[str, str], text: str) -> str:
    shown = known[text] = inline_text(text)
    return shown


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _style(index: int) -> str:
    return f' s="{index}"' if index else ""


class Sheet:
    """One worksheet named `name`, its first row `header` in bold and frozen. For each chunk: turn
    each column into cells with `numbers`, `times` or `texts` (None: no cell), then `add_rows`;
    `close` writes the workbook to `out`."""

    def __init__(self, out: BinaryIO, workdir: str, name: str, header: Sequence[str]) -> None:
        self.out, self.name, self.width = out, name, len(header)
        self.path = Path(workdir) / "sheet-rows.xml"
        self.rows = self.path.open("w", encoding="utf-8", newline="", buffering=1 << 20)
        self.formats: dict[str, int] = {}  # number format -> style index (0 plain, 1 bold)
        self.known: dict[int, dict[str, str]] = {}  # per column: text -> its inline string
        self.next_row = 1  # Excel's number of the next row added
        self.add_rows([self.texts(column, [title], style=1) for column, title in enumerate(header)])

    def style(self, number_format: str) -> int:
        """The style index of cells shown with `number_format` (added on first use)."""
        if number_format not in self.formats:
            self.formats[number_format] = len(self.formats) + 2
        return self.formats[number_format]

    def _refs(self, column: int, count: int) -> list[str]:
        letters = column_letters(column)
        return [f"{letters}{row}" for row in range(self.next_row, self.next_row + count)]

    def numbers(self, column: int, values: Sequence[Any], style: int | Sequence[int] = 0) -> list[str]:
        """Number cells (int, float, Decimal) of the next rows, `style` one for all or one per row."""
        refs = self._refs(column, len(values))
        if isinstance(style, int):
            s = _style(style)
            return ["" if v is None else f'<c r="{r}"{s}><v>{float(v):.16G}</v></c>' for r, v in zip(refs, values)]
        return [
            "" if v is None else f'<c r="{r}"{_style(s)}><v>{float(v):.16G}</v></c>'
            for r, v, s in zip(refs, values, style, strict=True)
        ]

    def times(self, column: int, values: Sequence[datetime | None], style: int) -> list[str]:
        """Naive datetimes as Excel times shown with `style` (a date format)."""
        return self.numbers(column, [None if v is None else excel_time(v) for v in values], style)

    def texts(self, column: int, values: Sequence[str | None], style: int = 0) -> list[str]:
        """Text cells: always text, whatever they start with."""
        refs, s = self._refs(column, len(values)), _style(style)
        known = self.known.setdefault(column, {})
        if len(known) > KNOWN_TEXTS:  # not a column of few values after all (names, emails)
            known.clear()
        return [
            "" if v is None else f'<c r="{r}"{s}{known[v] if v in known else _learn(known, v)}'
            for r, v in zip(refs, values)
        ]

    def add_rows(self, columns: Sequence[Sequence[str]]) -> None:
        """The next rows, from their cells column by column (all columns of the same length)."""
        first = self.next_row
        count = min(len(columns[0]), EXCEL_ROWS + 1 - first) if columns else 0
        if count <= 0:
            return
        rows = zip(range(first, first + count), zip(*columns), strict=False)
        self.rows.writelines(f'<row r="{row}">{"".join(cells)}</row>' for row, cells in rows)
        self.next_row += count

    def _sheet_head(self) -> str:
        last = f"{column_letters(max(self.width, 1) - 1)}{max(self.next_row - 1, 1)}"
        cells = "A1" if last == "A1" else f"A1:{last}"
        return (
            f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}"><dimension ref="{cells}"/>'
            '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/><sheetData>'
        )

    def _styles(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{FIRST_FORMAT + n}" formatCode="{_attribute(code)}"/>'
            for n, code in enumerate(self.formats)
        )
        xfs = "".join(
            f'<xf numFmtId="{FIRST_FORMAT + n}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            for n in range(len(self.formats))
        )
        return (
            f'{_XML}<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(self.formats)}">{formats}</numFmts>' if self.formats else "")
            + f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(self.formats) + 2}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
            'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
        )

    def _workbook(self) -> str:
        return (
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}">'
            '<fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/><workbookPr defaultThemeVersion="124226"/>'
            f'<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
            f'<sheets><sheet name="{_attribute(self.name)}" sheetId="1" r:id="rId1"/></sheets>'
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )

    def _app(self) -> str:
        return (
            f'{_XML}<Properties xmlns="{_OFFICE_DOC}/2006/extended-properties" xmlns:vt="{_OFFICE_DOC}/2006/docPropsVTypes">'
            "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
            '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>'
            '<vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="1" '
            f'baseType="lpstr"><vt:lpstr>{_attribute(self.name)}</vt:lpstr></vt:vector></TitlesOfParts><Company></Company>'
            "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
            "<AppVersion>12.0000</AppVersion></Properties>"
        )

    def close(self) -> None:
        """Write the workbook (its parts, then the rows copied from their file) to `out`."""
        self.rows.close()
        head, tail = self._sheet_head().encode(), SHEET_TAIL
        size = len(head) + self.path.stat().st_size + len(tail)
        with zipfile.ZipFile(self.out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for part, text in (
                ("[Content_Types].xml", CONTENT_TYPES),
                ("_rels/.rels", PACKAGE_RELS),
                ("docProps/app.xml", self._app()),
                ("docProps/core.xml", _core()),
                ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
                ("xl/workbook.xml", self._workbook()),
                ("xl/styles.xml", self._styles()),
                ("xl/theme/theme1.xml", THEME_XML_2007),
            ):
                archive.writestr(_entry(part), text.encode("utf-8"))
            # ZIP64 only when the sheet needs it (a bigger header some readers refuse otherwise)
            with archive.open(
                _entry("xl/worksheets/sheet1.xml"), "w", force_zip64=size * 1.05 > zipfile.ZIP64_LIMIT
            ) as sheet:
                sheet.write(head)
                with self.path.open("rb") as rows:
                    shutil.copyfileobj(rows, sheet, 1 << 20)
                sheet.write(tail)
        self.path.unlink()


def _core() -> str:
    """The document's properties: no author, created and modified now (UTC), as xlsxwriter."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f'{_XML}<cp:coreProperties xmlns:cp="{_PACKAGE}/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">{now}'
        f'</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
    )


def _entry(name: str) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    return entry
