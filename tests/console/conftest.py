from tests.console.support import served  # noqa: F401 (the fixture)
