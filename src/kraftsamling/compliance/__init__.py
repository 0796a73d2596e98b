"""Lawful to switch on: model cards for every model, the DPIA draft, the record of processing
and the AI Act checklist written from the installation, retention, and whether the papers are
current (docs/compliance.md)."""

from typing import TYPE_CHECKING

from kraftsamling._lazy import lazy_exports

if TYPE_CHECKING:
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
    from kraftsamling.compliance._documents import (
        Document,
        Section,
        Statement,
        Table,
        build_documents,
    )
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
    "Table",
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


# Each name's module loads when the name is first used (PEP 562): registering the plugin or
# running an unrelated command imports none of the module's model code.
__getattr__ = lazy_exports(__name__, {
    "Table": "kraftsamling.compliance._documents",
    "CARDS": "kraftsamling.compliance._cards",
    "CardLive": "kraftsamling.compliance._cards",
    "CardTable": "kraftsamling.compliance._cards",
    "ComplianceReport": "kraftsamling.compliance._store",
    "Document": "kraftsamling.compliance._documents",
    "Figure": "kraftsamling.compliance._cards",
    "Installation": "kraftsamling.compliance._installation",
    "MODULES": "kraftsamling.compliance._cards",
    "ModelCard": "kraftsamling.compliance._cards",
    "PapersStatus": "kraftsamling.compliance._report",
    "RetentionResult": "kraftsamling.compliance._retention",
    "Section": "kraftsamling.compliance._documents",
    "Source": "kraftsamling.compliance._installation",
    "Statement": "kraftsamling.compliance._documents",
    "Text": "kraftsamling.compliance._cards",
    "apply_retention": "kraftsamling.compliance._retention",
    "build_documents": "kraftsamling.compliance._documents",
    "card_context": "kraftsamling.compliance._cards",
    "card_data_file": "kraftsamling.compliance._cards",
    "cards_for": "kraftsamling.compliance._cards",
    "check_modules": "kraftsamling.compliance._report",
    "inspect_installation": "kraftsamling.compliance._installation",
    "installation_live": "kraftsamling.compliance._cards",
    "load_figures": "kraftsamling.compliance._cards",
    "papers_status": "kraftsamling.compliance._report",
    "render_cards": "kraftsamling.compliance._cards",
    "write_report": "kraftsamling.compliance._report",
})
