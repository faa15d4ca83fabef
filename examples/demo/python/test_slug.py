import pytest

from slug import slugify


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Hello, World!", "hello-world"),
        ("  spaces   everywhere ", "spaces-everywhere"),
        ("Crème brûlée", "creme-brulee"),
        ("Release 2.4.7", "release-2-4-7"),
    ],
)
def test_slugify(title, expected):
    assert slugify(title) == expected


def test_nothing_usable_gives_a_placeholder():
    assert slugify("!!!") == "untitled"


def test_cuts_at_a_word_boundary():
    assert slugify("alpha beta gamma", max_length=12) == "alpha-beta"
