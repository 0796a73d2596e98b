"""Tabular import shared by every module: detect, read, validate, store — or refuse whole."""

from kraftsamling.tabular._read import (
    DEFAULT_LIMITS,
    FileFormat,
    ReadError,
    ReadLimits,
    TableFile,
    detect_encoding,
    iter_rows,
    parse_jsonl_line,
    read_table,
    strict_csv_rows,
    surplus_fields_error,
)
from kraftsamling.tabular._registry import (
    PERSONS_SCHEMA,
    available_schemas,
    get_schema,
    register_schema,
)
from kraftsamling.tabular._schema import (
    ColumnKind,
    ColumnSpec,
    ColumnType,
    ExtraColumns,
    Problem,
    TableSchema,
    ValidationFailed,
    header_key,
)
from kraftsamling.tabular._store import ImportProgress, RecordTransform, import_table

__all__ = [
    "DEFAULT_LIMITS",
    "PERSONS_SCHEMA",
    "ColumnKind",
    "ColumnSpec",
    "ColumnType",
    "ExtraColumns",
    "FileFormat",
    "ImportProgress",
    "Problem",
    "ReadError",
    "ReadLimits",
    "RecordTransform",
    "TableFile",
    "TableSchema",
    "ValidationFailed",
    "available_schemas",
    "detect_encoding",
    "get_schema",
    "header_key",
    "import_table",
    "iter_rows",
    "parse_jsonl_line",
    "read_table",
    "register_schema",
    "strict_csv_rows",
    "surplus_fields_error",
]
