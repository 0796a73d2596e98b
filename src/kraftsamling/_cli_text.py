"""Typer's and Click's own words ("Show this message and exit.", "Options", "[required]")
from the message catalogue, so the CLI's help reads in one language.

Click and Typer look their strings up with :func:`gettext.gettext`, which only reads compiled
catalogues from disk in the language of the environment. The CLI is Swedish first whatever
the terminal's locale, so the ``_`` those modules call is pointed at our catalogue instead,
and the type placeholders Typer prints (``<path>``, ``<str>``) get Swedish names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kraftsamling.web import translator

__all__ = ["CLICK_MESSAGES", "install_cli_language", "translate_command"]


def N_(message: str) -> str:
    return message


# What Click and Typer print in help and errors; extracted into the catalogue from here.
CLICK_MESSAGES = (
    N_("Show this message and exit."), N_("Usage:"), N_("Options"), N_("Commands"),
    N_("Arguments"), N_("Error"), N_("Aborted."), N_("Aborted!"), N_("[default: {}]"),
    N_("[env var: {}]"), N_("[required]"), N_("(deprecated) "), N_("(dynamic)"),
    N_("default: {default}"), N_("required"), N_("env var: {var}"),
    N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    N_("Missing command."), N_("No such command {name!r}."),
    N_("Missing argument {param_hint}."), N_("Missing option {param_hint}."),
    N_("Missing parameter: {param_name}"), N_("Invalid value for {param_hint}: {message}"),
    N_("No such option: {name}"), N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"), N_("Option {name!r} requires an argument."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("{value!r} is not a valid integer."), N_("{value!r} is not a valid float."),
)
USAGE_WORDS = (N_("Usage:"), N_("[OPTIONS]"), N_("COMMAND [ARGS]..."))
METAVARS = {"<str>": N_("<text>"), "<path>": N_("<path>"), "<int>": N_("<integer>"),
            "<float>": N_("<number>"), "<bool>": ""}
_RICH_CONSTANTS = ("DEPRECATED_STRING", "DEFAULT_STRING", "ENVVAR_STRING",
                   "REQUIRED_LONG_STRING", "ARGUMENTS_PANEL_TITLE", "OPTIONS_PANEL_TITLE",
                   "COMMANDS_PANEL_TITLE", "ERRORS_PANEL_TITLE", "ABORTED_TEXT", "RICH_HELP")


def _modules_using_gettext() -> list[Any]:
    """Click's modules, Typer's and the copy of Click that Typer ships (typer._click)."""
    import gettext
    import importlib
    import pkgutil

    found: list[Any] = []
    for package_name in ("click", "typer", "typer._click"):
        try:
            package = importlib.import_module(package_name)
        except ImportError:
            continue
        names = [package_name] + [f"{package_name}.{m.name}" for m in
                                  pkgutil.iter_modules(getattr(package, "__path__", []))]
        for name in names:
            if name.endswith(("__main__", "_winconsole", "testing", "cli")):
                continue
            try:
                module = importlib.import_module(name)
            except Exception:  # noqa: S112 - a module that does not import is skipped
                continue
            lookup = getattr(module, "_", None)
            if lookup is gettext.gettext or getattr(lookup, "kraftsamling", False):
                found.append(module)
    return found


def install_cli_language(language: str = "sv") -> Callable[[str], str]:
    """Route Click's and Typer's message look-ups through our catalogue."""
    import typer.rich_utils

    translate = translator(language)

    def _(message: str) -> str:
        return translate(message)

    _.kraftsamling = True  # type: ignore[attr-defined]

    for module in _modules_using_gettext():
        module._ = _

    originals: dict[str, str] = getattr(typer.rich_utils, "_kraftsamling_originals", {})
    for name in _RICH_CONSTANTS:
        original = originals.setdefault(name, getattr(typer.rich_utils, name))
        setattr(typer.rich_utils, name, _(original))
    typer.rich_utils._kraftsamling_originals = originals  # type: ignore[attr-defined]
    return _


def _fix_param(param: Any, command: Any, _: Callable[[str], str]) -> None:
    if getattr(param, "help", None):
        param.help = _(param.help)
    display = getattr(param, "display_type", None)
    if display is None:
        return
    try:
        shown = display(command.context_class(command))
    except Exception:
        return
    if shown in METAVARS:
        text = _(METAVARS[shown]) if METAVARS[shown] else ""
        param.display_type_rich = lambda ctx, text=text: text


def translate_command(command: Any, language: str = "sv") -> Any:
    """Every option's help and type placeholder in ``language``, the whole command tree
    (Click's own commands or Typer's copy of them)."""
    _ = install_cli_language(language)
    _translate_tree(command, _)
    return command


def _translate_tree(command: Any, _: Callable[[str], str]) -> None:
    for param in command.params:
        _fix_param(param, command, _)
    get_help_option = command.get_help_option

    get_usage = command.get_usage

    def help_option(ctx: Any) -> Any:
        option = get_help_option(ctx)
        if option is not None:
            option.display_type_rich = lambda ctx: ""
            if option.help:
                option.help = _(option.help)
        return option

    def usage(ctx: Any) -> str:
        text = str(get_usage(ctx))
        for english in USAGE_WORDS:
            text = text.replace(english, _(english))
        return text

    command.get_help_option = help_option
    command.get_usage = usage
    for sub in getattr(command, "commands", {}).values():
        _translate_tree(sub, _)
