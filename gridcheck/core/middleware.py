"""Gridcheck speaks Chinese: the language is zh-Hans unless the user asked for another one."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseLocaleMiddleware(LocaleMiddleware):
    """Activate ``LANGUAGE_CODE`` (zh-Hans) for every request, whatever the browser's Accept-Language.

    A user who wants another language of ``LANGUAGES`` sets the language cookie (Django's ``set_language``
    view, or ``?lang=en`` once, which sets the cookie). A station's browsers are not always set to Chinese;
    the product is.
    """

    def process_request(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        request._gridcheck_lang_param = request.GET.get("lang") in supported
        code = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if getattr(request, "_gridcheck_lang_param", False):
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.GET["lang"], samesite="Lax")
        return response
