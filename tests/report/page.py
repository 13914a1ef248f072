"""Reading the report back: its tables (cell text) by section, and its chart containers."""

from __future__ import annotations

from html.parser import HTMLParser


class ReportReader(HTMLParser):
    """Collects every table's rows of cell text under the ``id`` of the ``h2`` above it."""

    def __init__(self) -> None:
        super().__init__()
        self.section = ""
        self.sections: list[str] = []
        self.tables: dict[str, list[list[list[str]]]] = {}
        self.charts: list[tuple[str, str]] = []  # (section, data-chart)
        self.scripts: list[dict[str, str | None]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "h2":
            self.section = attributes.get("id") or ""
            self.sections.append(self.section)
        elif tag == "table":
            self.tables.setdefault(self.section, []).append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "figure" and "chart" in (attributes.get("class") or ""):
            self.charts.append((self.section, attributes.get("data-chart") or ""))
        elif tag == "script":
            self.scripts.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self.section][-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_page(html: str) -> ReportReader:
    reader = ReportReader()
    reader.feed(html)
    return reader


def rows_by_first_cell(table: list[list[str]]) -> dict[str, dict[str, str]]:
    """A table's body rows keyed by their first cell, each as {header: cell}."""
    header, *body = table
    return {row[0]: dict(zip(header, row, strict=True)) for row in body}
