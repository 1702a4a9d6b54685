"""Account API: obtain and revoke a token (phones), and who am I."""

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ApiTokenAuthentication
from accounts.lockout import lockout_response
from accounts.models import ApiToken, User
from accounts.tokens import issue_token, revoke_token
from config.http import SafeJSONParser
from gridmap.api import DetailSerializer


class MeSerializer(serializers.ModelSerializer):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", default=None)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", default=None)

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "jurisdiction_code", "jurisdiction_name"]


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


IssuedTokenSerializer = inline_serializer(
    "IssuedToken", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
)


class TokenView(APIView):
    """Exchange username and password for a new API token (sent as ``Authorization: Token …``).

    Every success issues a new token valid API_TOKEN_DAYS days; after repeated failures the
    username is locked for the caller's address (429).
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = (FormParser, MultiPartParser, SafeJSONParser)

    @extend_schema(
        request=CredentialsSerializer,
        responses={
            200: IssuedTokenSerializer,
            429: OpenApiResponse(
                DetailSerializer, description="too many failed logins: username locked here"
            ),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = CredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        django_request = request._request
        # authenticate() with the request: axes counts failures and refuses a locked pair, and
        # user_login_failed goes out with the request on every failure.
        user = authenticate(django_request, **serializer.validated_data)
        if getattr(django_request, "axes_locked_out", False):
            return lockout_response(django_request, None, None)
        if user is None:
            # 400 as DRF's ObtainAuthToken answered (phones already handle it).
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with the given username and password.")]}
            )
        token, key = issue_token(user=user, user_agent=request.META.get("HTTP_USER_AGENT", ""))
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        return Response({"token": key, "expires": token.expires}, status=status.HTTP_200_OK)


class RevokeTokenView(APIView):
    """Revoke the token this request is authenticated with."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):
            raise AuthenticationFailed(_("Send the token to revoke in the Authorization header."))
        revoke_token(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in user's role and jurisdiction."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
