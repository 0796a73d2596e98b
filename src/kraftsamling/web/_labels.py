"""The words people read for the code names the library stores.

Every stored code (a category, a risk marker, an intervention, a column, an audit event)
maps to an English message id here; the Swedish catalogue translates it. Templates use the
``label`` filter (``{{ code|label("category", lang) }}``), the CLI uses :func:`label`. An
unknown code falls back to the code itself, which the code-name tests then catch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kraftsamling.web._i18n import N_, translator

__all__ = ["KINDS", "detail_text", "label", "label_map", "labels"]

LEVEL = {"urgent": N_("Urgent"), "concern": N_("Concern"), "none": N_("No action")}
CATEGORY = {
    "suicide": N_("Suicidal thoughts"),
    "self_harm": N_("Self-harm"),
    "abuse_home": N_("Violence or neglect at home"),
    "sexual_abuse": N_("Sexual abuse"),
    "violence_threat": N_("Threats and violence"),
    "honour_related": N_("Honour-related"),
    "eating_disorder": N_("Eating disorder"),
    "substance": N_("Alcohol and drugs"),
    "bullying": N_("Bullying"),
    "wellbeing": N_("Wellbeing"),
}
INTERVENTION = {
    "jobbtorg": N_("Job centre (Jobbtorg)"),
    "sprakpraktik": N_("Language placement"),
    "subventionerad_anstallning": N_("Subsidised employment"),
    "studier": N_("Studies"),
    "ingen": N_("No intervention"),
    "kontaktperson": N_("Contact person"),
    "familjebehandling": N_("Family therapy"),
    "oppenvard": N_("Outpatient care"),
    "hvb": N_("Residential care home (HVB)"),
    "familjehem": N_("Foster home"),
}
COLUMN_TYPE = {
    "int": N_("a whole number"),
    "float": N_("a number (decimal comma or point)"),
    "date": N_("a date (YYYY-MM-DD)"),
    "bool": N_("yes or no"),
    "str": N_("any text"),
}
CASE_KIND = {
    "economic-assistance": N_("Economic assistance"),
    "social-services": N_("Social services"),
}
ROLE = {
    "admin": N_("Administrator"),
    "analyst": N_("Analyst"),
    "reviewer": N_("Reviewer"),
    "coordinator": N_("Coordinator"),
    "caseworker": N_("Caseworker"),
    "unit_manager": N_("Unit manager"),
}
COLUMN = {
    "person_id": N_("Person id"),
    "fodelsear": N_("Year of birth"),
    "kon": N_("Gender"),
    "stadsdel": N_("District"),
    "inkomst": N_("Income"),
    "anteckning": N_("Note"),
}
AUDIT_ACTION = {
    "login": N_("Logged in"),
    "login_failed": N_("Failed login"),
    "logout": N_("Logged out"),
    "password_changed": N_("Changed password"),
    "user_created": N_("Created user"),
    "user_locked": N_("User locked"),
    "user_unlocked": N_("Unlocked user"),
    "role_changed": N_("Changed role"),
    "import": N_("Imported a file"),
    "export": N_("Exported data"),
    "export_audit": N_("Exported the audit log"),
    "view_table": N_("Viewed a table"),
    "view_record": N_("Viewed a record"),
    "view_review_queue": N_("Viewed the alert queue"),
    "view_alert": N_("Viewed an alert"),
    "view_label_queue": N_("Viewed answers to label"),
    "alert_acknowledged": N_("Acknowledged"),
    "alert_escalated": N_("Escalated"),
    "alert_resolved": N_("Closed"),
    "alert_labelled": N_("Corrected the label"),
    "survey_created": N_("Created a survey"),
    "survey_link_created": N_("Created a survey link"),
    "survey_response": N_("A pupil answered the survey"),
    "notification_sent": N_("Notification sent"),
    "notification_failed": N_("Notification failed"),
    "api_score": N_("Scored answers through the API"),
    "resolve_pseudonym": N_("Looked up who a pseudonym is"),
    "resolve_denied": N_("Pseudonym look-up refused"),
    "resolve_reason": N_("Reason for a pseudonym look-up"),
    "view_chat_conversation": N_("Viewed a chat"),
    "view_volunteer_load": N_("Viewed volunteer load"),
    "download_chat_report": N_("Downloaded the chat report"),
    "view_case_list": N_("Viewed the case list"),
    "view_case_person": N_("Viewed a case"),
    "case_decision": N_("Recorded a case decision"),
    "view_twin_class": N_("Viewed a class twin"),
    "audit_chain_keyed": N_("Audit log sealed with a key"),
    "cases.import": N_("Imported cases"),
    "chat.import": N_("Imported chats"),
    "twin.import": N_("Imported survey waves for the twin"),
    "compliance_report": N_("Wrote the compliance documents"),
    "ignore": N_("Ignored"),
    "login_throttled": N_("Login attempts slowed down"),
    "retention_delete": N_("Deleted data past its retention period"),
    "sessions_revoked": N_("Signed out everywhere"),
    "survey_link_opened": N_("A survey link was opened"),
    "survey_throttled": N_("Survey answers slowed down"),
    "user_activated": N_("Activated user"),
    "user_deactivated": N_("Deactivated user"),
    "view_chat_dashboard": N_("Viewed chat insights"),
    "view_chat_endings": N_("Viewed chats that ended badly"),
}
AUDIT_OBJECT = {
    "user": N_("user"), "autolarm": N_("the alert queue"), "autolarm_answer": N_("alert"),
    "survey": N_("survey"), "survey_link": N_("survey link"), "table": N_("table"),
    "imported_row": N_("row"), "pseudonym": N_("pseudonym look-up"), "audit": N_("audit log"),
    "chat": N_("chat insights"), "chat_batch": N_("chat import"),
    "chat_conversation": N_("chat"), "case_person": N_("case"), "case_batch": N_("case import"),
    "twin_import": N_("twin import"), "twin_class": N_("class twin"),
    "client": N_("client"), "compliance": N_("compliance documents"),
}
AUDIT_DETAIL = {
    "shown": N_("shown"), "rows": N_("rows"), "reason": N_("reason"),
    "conversations": N_("chats"), "table": N_("table"), "search": N_("search"),
    "row": N_("row"), "page": N_("page"), "channel": N_("channel"), "attempt": N_("attempt"),
    "answers": N_("answers"), "urgent": N_("urgent"), "concern": N_("concern"),
    "waves": N_("waves"), "until": N_("until"), "school": N_("school"), "class": N_("class"),
    "schema": N_("import schema"), "recommended": N_("recommended"), "questions": N_("questions"),
    "pseudonymised": N_("pseudonymised"), "persons": N_("persons"), "load": N_("load"),
    "kind": N_("kind"), "found": N_("found"), "format": N_("file format"),
    "followed": N_("followed"), "final": N_("final"), "file": N_("file"),
    "decision": N_("decision"), "classes": N_("classes"), "note": N_("note"),
    "from": N_("from"), "to": N_("to"), "categories": N_("categories"),
    "role": N_("role"), "username": N_("user"),
    "trusted_device": N_("known device"), "encoding": N_("character encoding"),
    "plain": N_("stored as is"), "locked_until": N_("locked until"), "files": N_("files"),
    "limit": N_("limit"), "modules": N_("modules"), "output": N_("output"),
    "sessions": N_("sessions"), "week": N_("week"), "survey": N_("survey"),
    "rows_shown": N_("rows shown"), "results": N_("results"), "person": N_("person"),
    "panel": N_("panel"), "levels": N_("levels"), "labelled": N_("labelled"),
    "high_risk": N_("high risk"), "error": N_("error"), "days": N_("days"),
    "before": N_("before"), "batch": N_("import"), "events": N_("events"),
    "legacy_last_hash": N_("last hash before the key"),
}
FEATURE = {
    "sex": N_("Gender"), "age_band": N_("Age group"), "birth_region": N_("Birth region"),
    "district": N_("District"), "age": N_("Age"), "household_type": N_("Household type"),
    "education": N_("Education"), "main_reason": N_("Main reason for assistance"),
    "prior_months": N_("Months of earlier assistance"), "amount": N_("Amount"),
    "long_term": N_("long-term assistance"), "rereferral_12m": N_("a new referral within a year"),
    "intervention": N_("Intervention"), "household_id": N_("Household"),
    "person_id": N_("Person"),
}
KINDS: dict[str, Mapping[str, str]] = {
    "level": LEVEL, "category": CATEGORY, "risk": CATEGORY, "intervention": INTERVENTION,
    "column": COLUMN, "audit_action": AUDIT_ACTION, "audit_object": AUDIT_OBJECT,
    "audit_detail": AUDIT_DETAIL, "feature": FEATURE, "role": ROLE,
    "case_kind": CASE_KIND, "column_type": COLUMN_TYPE,
}


def label(code: object, kind: str, language: str = "sv") -> str:
    """The word a person reads for ``code``: ``label("abuse_home", "risk")`` → "Våld eller
    försummelse i hemmet"."""
    text = str(code)
    message = KINDS[kind].get(text)
    return translator(language)(message) if message is not None else text


def labels(codes: Iterable[object] | str, kind: str, language: str = "sv") -> str:
    """Several codes as one readable list; a ';'-joined string is split first."""
    items = [c for c in codes.split(";") if c] if isinstance(codes, str) else list(codes)
    return ", ".join(label(c, kind, language) for c in items)


def label_map(kind: str, language: str = "sv") -> dict[str, str]:
    """Every code of a kind with its label, for templates that look codes up."""
    return {code: label(code, kind, language) for code in KINDS[kind]}


def detail_text(detail: Mapping[str, Any], language: str = "sv") -> str:
    """An audit event's details as words: {"answers": 2, "urgent": 1} → "svar: 2, akuta: 1"."""
    _ = translator(language)
    parts = []
    for key, value in detail.items():
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif key in ("categories",) and isinstance(value, list):
            shown = labels(value, "category", language)
        elif key in ("from", "to", "level") and isinstance(value, str):
            shown = label(value, "level", language)
        elif key in ("recommended", "decision", "final") and isinstance(value, str):
            shown = label(value, "intervention", language)
        elif key == "role" and isinstance(value, str):
            shown = label(value, "role", language)
        elif key in ("pseudonymised", "plain") and isinstance(value, list):
            shown = labels(value, "column", language) or "–"
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value) or "–"
        else:
            shown = str(value)
        parts.append(f"{label(key, 'audit_detail', language)}: {shown}")
    return ", ".join(parts)
