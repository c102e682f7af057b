from tests.grants.conftest import (  # noqa: F401 - fixtures shared with the grants tests
    draft,
    eligible,
    manager,
    officer,
    open_call,
    researcher,
    researcher2,
    reviewers,
    submitted,
)
