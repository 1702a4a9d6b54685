"""The self-service security page: password, API tokens, sessions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import change_own_password
from accounts.sessions import active_sessions, end_other_sessions
from accounts.tokens import live_tokens, revoke_user_token


def _page(request: HttpRequest, form: PasswordChangeForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "tokens": list(live_tokens(request.user)),
        "sessions": active_sessions(request.user),
        "current_session": request.session.session_key,
    }
    return render(request, "accounts/security.html", context, status=status)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The page itself."""
    return _page(request, PasswordChangeForm(request.user))


@login_required
@require_POST
def change_password(request: HttpRequest) -> HttpResponse:
    """Change one's own password; this session stays signed in."""
    form = PasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    change_own_password(
        user=request.user,
        new_password=form.cleaned_data["new_password1"],
        keep_session_key=request.session.session_key,
    )
    update_session_auth_hash(request, request.user)
    messages.success(
        request,
        _("Your password was changed. Your API tokens and other sessions no longer work."),
    )
    return redirect("account-security")


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of one's own API tokens."""
    if revoke_user_token(user=request.user, token_id=pk):
        messages.success(request, _("The token was revoked."))
    return redirect("account-security")


@login_required
@require_POST
def end_other_sessions_view(request: HttpRequest) -> HttpResponse:
    """Sign out every other browser of this user."""
    ended = end_other_sessions(user=request.user, keep_session_key=request.session.session_key)
    messages.success(request, _("Signed out of %(count)d other sessions.") % {"count": ended})
    return redirect("account-security")
