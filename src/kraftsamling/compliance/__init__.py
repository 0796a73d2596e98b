"""Lawful to switch on: model cards for every model, the DPIA draft, the record of processing
and the AI Act checklist written from the installation, retention, and whether the papers are
current (docs/compliance.md)."""

from kraftsamling.compliance._cards import (
    CARDS,
    MODULES,
    CardLive,
    CardTable,
    Figure,
    ModelCard,
    Text,
    card_context,
    card_data_file,
    cards_for,
    installation_live,
    load_figures,
    render_cards,
)
from kraftsamling.compliance._documents import Document, Section, Statement, build_documents
from kraftsamling.compliance._installation import Installation, Source, inspect_installation
from kraftsamling.compliance._report import (
    PapersStatus,
    check_modules,
    papers_status,
    write_report,
)
from kraftsamling.compliance._retention import RetentionResult, apply_retention
from kraftsamling.compliance._store import ComplianceReport

__all__ = [
    "CARDS",
    "MODULES",
    "CardLive",
    "CardTable",
    "ComplianceReport",
    "Document",
    "Figure",
    "Installation",
    "ModelCard",
    "PapersStatus",
    "RetentionResult",
    "Section",
    "Source",
    "Statement",
    "Text",
    "apply_retention",
    "build_documents",
    "card_context",
    "card_data_file",
    "cards_for",
    "check_modules",
    "inspect_installation",
    "installation_live",
    "load_figures",
    "papers_status",
    "render_cards",
    "write_report",
]
