from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.backends.utils import csrf_input
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import format_html
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

INVALID = "This activation link is invalid, used or expired."


def linked_user(uidb64, token, queryset):
    """The never-activated account the link is for, or None."""
    try:
        user = queryset.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, get_user_model().DoesNotExist):
        return None
    never_activated = not user.is_active and user.last_login is None and user.activated_at is None
    if never_activated and default_token_generator.check_token(user, token):
        return user
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request, uidb64, token):
    User = get_user_model()
    if request.method == "GET":
        # Mail scanners and link previewers follow GET links: a GET only asks for confirmation,
        # with a POST form, and changes nothing.
        user = linked_user(uidb64, token, User.objects)
        if user is None:
            return HttpResponseBadRequest(INVALID)
        return HttpResponse(format_html(
            '<form method="post">{}<p>Activate the account {}?</p><button>Activate</button></form>',
            csrf_input(request), user.user_id))
    with transaction.atomic():
        # Checked again under a row lock, so that two POSTs cannot both activate.
        user = linked_user(uidb64, token, User.objects.select_for_update())
        if user is None:
            return HttpResponseBadRequest(INVALID)
        now = timezone.now()
        user.is_active = True
        user.activated_at = now
        user.last_login = now  # part of the token: the link is used up
        # update_fields: an UPDATE or an error, never the INSERT a plain save() falls back to,
        # which would bring back an account purged meanwhile.
        user.save(update_fields=["is_active", "activated_at", "last_login"])
    return HttpResponse("메일 인증이 완료 되었습니다")
