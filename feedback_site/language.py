"""English and Welsh: which language a page is shown in, and the header's toggle between them."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's: the language cookie, else the browser's Accept-Language. The admin stays in
    English, as its own screens are not translated and a half-Welsh admin helps nobody."""

    def process_request(self, request):
        if request.path_info.startswith(reverse("admin:index")):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
        else:
            super().process_request(request)


@require_GET
def language_switch(request, language: str):
    """The header's "English | Cymraeg" links: a plain link (no JavaScript, no form), so it
    only remembers a choice of language in the language cookie and goes back to the page the
    person was on. Changing no data, it needs no CSRF token."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    back_to = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back_to, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back_to = reverse("workshops:workshop_list")
    response = HttpResponseRedirect(back_to)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def html_lang(code: str) -> str:
    """A language code as HTML's lang attribute spells it: "en-GB", "cy"."""
    language, _, region = code.partition("-")
    return f"{language}-{region.upper()}" if region else language


def languages(request) -> dict:
    """The page's language for <html lang>, and the toggle's links for the page being shown:
    each language with whether it is current."""
    here = request.get_full_path()
    current = translation.get_language()
    return {
        "html_lang": html_lang(current),
        "language_links": [
            {
                "lang": html_lang(code),
                "name": name,
                "current": code == current,
                "url": f"{reverse('language_switch', args=[code])}?{urlencode({'next': here})}",
            }
            for code, name in settings.LANGUAGES
        ],
    }
