"""Account API: obtain a token (phones), and who am I."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from config.http import SafeJSONParser


class MeSerializer(serializers.ModelSerializer):
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", default=None)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", default=None)

    class Meta:
        model = User
        fields = ["username", "display_name", "role", "jurisdiction_code", "jurisdiction_name"]


class TokenView(ObtainAuthToken):
    """Exchange username and password for an API token (sent as ``Authorization: Token …``)."""

    # ObtainAuthToken names DRF's JSONParser itself; ours answers deep nesting with a 400.
    parser_classes = (FormParser, MultiPartParser, SafeJSONParser)


class MeView(APIView):
    """The signed-in user's role and jurisdiction."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
