from __future__ import annotations

import pytest
from indicator_db import ENGINES


@pytest.fixture(params=sorted(ENGINES))
def engine(request):
    return request.param, ENGINES[request.param]
