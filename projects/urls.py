"""Execution pages of a funded proposal, under /proposals/<id>/ (DESIGN.md → URLs)."""

urlpatterns = [
    # -- contract --
    # -- tranches --
    # -- reports --
    # -- changes --
]
