"""A plan as a Word file for the reader and drafter tests."""
from __future__ import annotations

from pathlib import Path


def docx_plan(path: Path, paragraphs: list[str], rows: list[list[str]]) -> Path:
    """``paragraphs``, then a table of ``rows`` (the first its header), saved at ``path``."""
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(path)
    return path
