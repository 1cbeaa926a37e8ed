"""The validator's whole-column field tests (validate_format.FieldTests.column) never pass a column that a test
of each entry would fail: they only decide quickly that every entry is well formed."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.validate_format import FieldTests

NAMEISH = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,6}", fullmatch=True)
NUMBERS = st.one_of(st.integers(min_value=-5, max_value=10**20), st.floats(allow_nan=True, allow_infinity=True))
TWO_LINES = st.builds(lambda a, b: f"{a}\n{b}", NAMEISH, NAMEISH)  # two names in one: the joined text's trap
STRINGS = st.one_of(NAMEISH, st.text(max_size=8), TWO_LINES)
VALUES = st.one_of(STRINGS, NUMBERS, st.booleans(), st.none(), st.lists(NAMEISH, max_size=2))
# columns of one kind (where a quick whole-column test applies) and of mixed kinds
COLUMNS = st.one_of(*(st.lists(kind, max_size=12) for kind in (NAMEISH, STRINGS, NUMBERS, VALUES)))


@settings(max_examples=300, deadline=None)
@given(COLUMNS, st.sampled_from([FieldTests.name, FieldTests.amount, FieldTests.count, FieldTests.names]))
def test_a_column_passes_only_when_each_entry_does(column, test):
    if FieldTests().column(test, column):
        assert all(test(FieldTests(), x) for x in column), column


@settings(max_examples=200, deadline=None)
@given(st.lists(NAMEISH, max_size=6), COLUMNS)
def test_names_passed_earlier_do_not_let_others_through(earlier, column):
    tests = FieldTests()
    tests.all_names(earlier)
    if tests.all_names(column):
        assert all(FieldTests().name(x) for x in column), column
