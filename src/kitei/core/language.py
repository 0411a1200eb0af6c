"""The page language: Japanese, unless the person chose English with the header's switch."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def chosen_language(request: HttpRequest) -> str:
    """The language of the switch's cookie when kitei has it, else Japanese (LANGUAGE_CODE).

    The browser's Accept-Language is not followed: kitei's pages are mostly Japanese data
    (names, pack titles, quotes of the policy), so an English-configured browser would get
    Japanese pages marked `lang="en"` and be read aloud in the wrong language (WCAG 3.1.1).
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return str(settings.LANGUAGE_CODE)


class LanguageMiddleware:
    """Activate the chosen language for the request; `<html lang>` and gettext follow it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
