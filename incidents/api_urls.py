"""REST API of incidents (being written this session)."""

urlpatterns: list = []
