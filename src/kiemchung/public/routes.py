"""Public site routes (landing page until the public site lands)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kiemchung.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    return render(request, "landing.html")
