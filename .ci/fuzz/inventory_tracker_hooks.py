"""Teaches Schemathesis the one kind of value in our API document that a JSON Schema cannot
describe by itself (loaded through SCHEMATHESIS_HOOKS by .ci/fuzz/run.sh)."""

import sys

import schemathesis
from hypothesis import strategies as st

# The coverage phase walks regular expressions recursively; with the default limit Python
# 3.11 fails inside it on our longer patterns ("AST constructor recursion depth mismatch").
sys.setrecursionlimit(20_000)


def _gtin(body: str) -> str:
    """`body` with its GS1 check digit (weights 3 and 1 alternate from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


# `format: gtin`: an EAN-13 or UPC-A barcode whose last digit is its check digit, or blank.
schemathesis.openapi.format(
    "gtin",
    st.one_of(
        st.from_regex(r"\A[0-9]{11,12}\Z").map(_gtin),
        st.sampled_from(["", " "]),
    ),
)
