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


class RequestLimitsMiddleware:
    """Refuse, with a 400, request values no page or API call can mean, before they reach a query.

    - a query parameter longer than ``MAX_PARAM_CHARS`` (a 60,000-character search);
    - an integer beyond 64 bits, in the query string or anywhere in a JSON body (an id or a page number
      that no database column can hold, which used to end in an ``OverflowError``);
    - a JSON body that is not valid JSON.

    One class of errors handled in one place instead of in every filter, form and serializer.
    """

    MAX_PARAM_CHARS = 1000
    INT64 = 2**63 - 1

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request)
        if problem is not None:
            return self._refuse(request, problem)
        return self.get_response(request)

    def _problem(self, request):
        from django.utils.translation import gettext as _

        for values in request.GET.lists():
            for value in values[1]:
                if len(value) > self.MAX_PARAM_CHARS:
                    return _("A value in the address is too long.")
                if self._big_int_text(value):
                    return _("A number in the address is out of range.")
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH") and content_type.startswith("application/json"):
            import json

            try:
                body = json.loads(request.body or b"null", parse_int=self._int)
            except (ValueError, RecursionError):
                return _("The request body is not valid JSON.")
            except OverflowError:
                return _("A number in the request is out of range.")
            del body
        return None

    def _big_int_text(self, value: str) -> bool:
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        return digits.isdigit() and len(digits) > 18 and abs(int(text)) > self.INT64

    def _int(self, text: str) -> int:
        number = int(text)
        if abs(number) > self.INT64:
            raise OverflowError(text)
        return number

    def _refuse(self, request, message):
        from django.http import HttpResponseBadRequest, JsonResponse
        from django.template.loader import render_to_string

        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(message)}, status=400)
        return HttpResponseBadRequest(
            render_to_string("400.html", {"error_detail": message}, request=request)
        )


#: The Content-Security-Policy of every page: scripts only from our own static files (no inline script,
#: no eval), nothing framed, forms only to ourselves. Styles may be inline (Bootstrap and ECharts set them).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every response (uploads keep their stricter one) and ``nosniff``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


class WriteGenerationMiddleware:
    """After every request that may have written something (any method but GET, HEAD, OPTIONS and TRACE),
    what the pages keep a minute for the readers who may see it is forgotten
    (``gridcheck.core.pagecache.note_write``: the writer's station's staff and the county's users, or
    everyone after a county-level write): what one user approved, assigned or submitted shows on their
    colleagues' home pages and lists at the next visit."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in self.SAFE:
            from gridcheck.core.pagecache import note_write

            note_write(getattr(request, "user", None))
        return response
