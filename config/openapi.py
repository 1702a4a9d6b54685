"""Schema post-processing: the error answers every API operation can give, documented once.

Views document their own errors where they have something to say (a 409's reasons, a 429's
Retry-After). What every operation of a kind can answer is added here, when it is missing:

- 400 when it takes query parameters or a body (a filter or field that does not validate, a
  body that is not JSON or is nested too deeply, a NUL byte in the address);
- 401 when it needs a signed-in user (no or a bad token);
- 404 when it has path parameters (no such object that you can see) or pages (no such page).
"""

from __future__ import annotations

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer of the API.",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "field → messages (400 only)",
        },
    },
    "required": ["detail"],
}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}
        },
    }


def _needs_login(operation: dict) -> bool:
    return {} not in operation.get("security", [{}])


def _expected(operation: dict) -> dict[str, dict]:
    parameters = operation.get("parameters", [])
    where = {parameter["in"] for parameter in parameters}
    names = {parameter["name"] for parameter in parameters}
    codes: dict[str, dict] = {}
    if "query" in where or "requestBody" in operation:
        codes["400"] = _error("bad input: errors maps field → messages")
    if _needs_login(operation):
        codes["401"] = _error("not signed in, or the token is unknown or expired")
    if "path" in where:
        codes["404"] = _error("no such object that you can see")
    elif "page" in names:
        codes["404"] = _error("no such page")
    return codes


def document_errors(result: dict, generator: object, request: object, public: bool) -> dict:
    """drf-spectacular POSTPROCESSING_HOOKS entry: add the missing error responses."""
    # incidents.serializers.ErrorSerializer has this name and shape; either serves.
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        ERROR_COMPONENT, ERROR_SCHEMA
    )
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, response in _expected(operation).items():
                responses.setdefault(code, response)
    return result
