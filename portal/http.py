"""Small request helpers shared by the apps."""


def client_ip(request):
    """The address recorded in audit entries (the proxy must set REMOTE_ADDR; see operations)."""
    return request.META.get("REMOTE_ADDR") or None
