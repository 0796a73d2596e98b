"""The papers as HTML (one self-contained page each) and DOCX (python-docx), from one model."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kraftsamling.compliance._cards import TEMPLATES
from kraftsamling.compliance._documents import ORG, Document, Statement

__all__ = ["render_docx", "render_html"]


def render_html(doc: Document, *, generated_at: datetime,
                fingerprints: dict[str, str]) -> str:
    environment = Environment(loader=FileSystemLoader(TEMPLATES),
                              autoescape=select_autoescape(["html"]))
    sections = [{"key": s.key, "title": s.title, "items": s.items} for s in doc.sections]
    return environment.get_template("report.html").render(
        doc={"title": doc.title, "intro": doc.intro, "sections": sections},
        generated_at=generated_at, fingerprints=fingerprints, org=ORG)


def render_docx(doc: Document, path: Path, *, generated_at: datetime,
                fingerprints: dict[str, str]) -> Path:
    from docx import Document as Docx
    from docx.shared import Pt, RGBColor

    document = Docx()
    document.core_properties.title = doc.title
    document.core_properties.language = "sv-SE"
    document.add_heading(doc.title, level=0)
    document.add_paragraph(doc.intro)
    stamps = ", ".join(f"{m} {f[:16]}" for m, f in fingerprints.items())
    document.add_paragraph(f"Skapat {generated_at:%Y-%m-%d %H:%M} UTC. Fingeravtryck per "
                           f"modul: {stamps}.")

    def sources_run(paragraph: object, labels: list[str]) -> None:
        run = paragraph.add_run(f" [Källa: {'; '.join(labels)}]")  # type: ignore[attr-defined]
        run.italic = True
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0x4A, 0x4A, 0x4A)

    for section in doc.sections:
        document.add_heading(section.title, level=1)
        for item in section.items:
            if isinstance(item, Statement):
                paragraph = document.add_paragraph()
                if item.organisation:
                    paragraph.add_run(f"{ORG}: ").bold = True
                paragraph.add_run(item.text)
                if item.sources:
                    sources_run(paragraph, [s.label() for s in item.sources])
                continue
            document.add_paragraph(item.caption).runs[0].bold = True
            table = document.add_table(rows=1, cols=len(item.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, item.header, strict=True):
                cell.text = text
                cell.paragraphs[0].runs[0].bold = True
            for row in item.rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = text
            if item.sources:
                sources_run(document.add_paragraph(), [s.label() for s in item.sources])
    document.save(str(path))
    return path
