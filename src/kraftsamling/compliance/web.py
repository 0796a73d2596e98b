"""Model cards for the roles that use each model, and for admins whether the papers (DPIA,
record of processing, AI Act checklist) are still current."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from kraftsamling.compliance import (
    MODULES,
    card_context,
    cards_for,
    installation_live,
    papers_status,
)
from kraftsamling.settings import Settings
from kraftsamling.store import Database, Role, User
from kraftsamling.web import framework as web
from kraftsamling.web.framework import N_

router = APIRouter()
Admin = Annotated[User, Depends(web.require_roles(Role.admin))]
AnyUser = Annotated[User, Depends(web.require_user)]
MODULE_LABELS = {"privacy": N_("Privacy"), "autolarm": N_("Autolarm: danger in pupils' answers"),
                 "chat": N_("Chat"), "twin": N_("Class twin"), "cases": N_("Cases")}


def readers(module: str) -> set[str]:
    """Who may read a module's cards: the roles that use its models, and admins."""
    return {role for card in cards_for(module) for role in card.users} | {Role.admin.value}


@router.get("/cards", response_class=HTMLResponse)
def cards_index(request: Request, user: AnyUser) -> Response:
    mine = [m for m in MODULES if user.role.value in readers(m)]
    return web.render(request, "compliance/cards_index.html", {
        "modules": [(m, MODULE_LABELS[m], cards_for(m)) for m in mine]})


@router.get("/cards/{module}", response_class=HTMLResponse)
def module_cards(request: Request, module: str, user: AnyUser) -> Response:
    if module not in MODULES:
        raise HTTPException(status_code=404)
    if user.role.value not in readers(module):
        raise HTTPException(status_code=403, detail="role")
    settings: Settings = request.app.state.settings
    language = web.request_language(request)
    try:
        live = installation_live(settings.data_dir, module)
    except ValueError:  # a model file that cannot be read: show the shipped figures
        live = {}
    return web.render(request, "compliance/cards.html", {
        "label": MODULE_LABELS[module],
        **card_context(module, language, web.translator(language), live=live)})


@router.get("/admin/compliance", response_class=HTMLResponse)
async def papers(request: Request, admin: Admin) -> Response:
    settings: Settings = request.app.state.settings
    db: Database = request.app.state.db
    # Hashing model files and reading the audit chain is file and database work: off the loop.
    statuses = await asyncio.to_thread(papers_status, settings, db)
    return web.render(request, "admin/compliance.html", {
        "statuses": [(s, MODULE_LABELS[s.module]) for s in statuses]})
