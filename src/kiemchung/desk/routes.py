"""Editors' desk routes (placeholder until the desk lands)."""

from fastapi import APIRouter

router = APIRouter(prefix="/desk")
