"""Tests of the cleaning options and both tokenizers."""

from __future__ import annotations

import pytest

from textprune.errors import TextpruneError
from textprune.text import (
    CleaningOptions,
    RegexTokenizer,
    TextProcessor,
    tokenize_documents,
)


def tokens(text: str, **options: object) -> list[str]:
    return TextProcessor(CleaningOptions(**options)).tokenize(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don't stop", ["don't", "stop"]),
        ("a well-known fact", ["a", "well-known", "fact"]),
        (
            "'quoted' and trailing- and --dashes--",
            ["quoted", "and", "trailing", "and", "dashes"],
        ),
        ("rock'n'roll", ["rock'n'roll"]),
        ("a--b a'-b", ["a", "b", "a", "b"]),
        ("snake_case", ["snake", "case"]),
        ("L’homme", ["l’homme"]),
        ("R2-D2 mp3", ["r2-d2", "mp3"]),
    ],
)
def test_regex_tokenizer_apostrophes_hyphens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Καλημέρα κόσμε", ["καλημέρα", "κόσμε"]),
        ("Привет, мир!", ["привет", "мир"]),
        ("हिन्दी भाषा", ["हिन्दी", "भाषा"]),
        ("東京は晴れ", ["東京は晴れ"]),
        ("٣ كتب", ["٣", "كتب"]),
        ("emoji 😀 stays out", ["emoji", "stays", "out"]),
        ("𝐀𝐁𝐂 bold math", ["abc", "bold", "math"]),
    ],
)
def test_regex_tokenizer_any_script(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_regex_tokenizer_marks_after_astral_text() -> None:
    # An astral character selects the full pattern; marks must still join.
    assert tokens("😀 हिन्दी") == ["हिन्दी"]


def test_regex_tokenizer_patterns_agree_on_ascii() -> None:
    tokenizer = RegexTokenizer(CleaningOptions())
    text = "It's a well-known fact, isn't it? 42 times.\nSecond line"
    for pattern in (tokenizer._ascii, tokenizer._bmp, tokenizer._full):
        assert pattern.findall(text) == tokenizer._ascii.findall(text)


def test_tokenize_lines_keeps_line_alignment() -> None:
    processor = TextProcessor()
    assert processor.tokenize_lines("One line\n\n... \nlast") == [
        ["one", "line"],
        [],
        [],
        ["last"],
    ]


def test_lowercase_switch() -> None:
    assert tokens("The LORD") == ["the", "lord"]
    assert tokens("The LORD", lowercase=False) == ["The", "LORD"]


def test_nfkc_switch() -> None:
    text = "ﬁne ＡＢＣ"
    assert tokens(text) == ["fine", "abc"]
    assert tokens(text, nfkc=False) == ["ﬁne", "ａｂｃ"]


def test_nfkc_joins_decomposed_accents() -> None:
    decomposed = "cafe\u0301"
    assert tokens(decomposed) == ["café"]
    assert tokens(decomposed) == tokens("café")


def test_strip_accents_switch() -> None:
    assert tokens("Café naïve Ångström") == ["café", "naïve", "ångström"]
    assert tokens("Café naïve Ångström", strip_accents=True) == [
        "cafe",
        "naive",
        "angstrom",
    ]


def test_strip_accents_keeps_hangul() -> None:
    assert tokens("한국어", strip_accents=True) == ["한국어"]


URL_TEXT = "See https://example.org/a?b=1, or www.python.org."


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            "keep",
            [
                "see",
                "https",
                "example",
                "org",
                "a",
                "b",
                "1",
                "or",
                "www",
                "python",
                "org",
            ],
        ),
        ("drop", ["see", "or"]),
        ("replace", ["see", "<url>", "or", "<url>"]),
    ],
)
def test_urls_policy(policy: str, expected: list[str]) -> None:
    assert tokens(URL_TEXT, urls=policy) == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # Dots are not joiners, so a kept address splits into its parts.
        ("keep", ["mail", "jane", "doe", "example", "com", "today"]),
        ("drop", ["mail", "today"]),
        ("replace", ["mail", "<email>", "today"]),
    ],
)
def test_emails_policy(policy: str, expected: list[str]) -> None:
    assert tokens("Mail Jane.Doe@example.com today", emails=policy) == expected


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("keep", ["pi", "is", "3", "14", "not", "1", "000", "2nd", "mp3"]),
        ("drop", ["pi", "is", "not", "2nd", "mp3"]),
        ("replace", ["pi", "is", "<num>", "not", "<num>", "2nd", "mp3"]),
    ],
)
def test_numbers_policy(policy: str, expected: list[str]) -> None:
    assert tokens("Pi is 3.14, not 1,000 (2nd mp3)", numbers=policy) == expected


def test_placeholder_not_lowercased_away() -> None:
    assert tokens("HTTP://EXAMPLE.ORG", urls="replace", lowercase=False) == ["<url>"]


def test_punctuation_switch() -> None:
    assert tokens("Hello, world!") == ["hello", "world"]
    assert tokens("Hello, world!", punctuation=True) == ["hello", ",", "world", "!"]


def test_punctuation_keeps_inner_apostrophe() -> None:
    assert tokens("'don't'", punctuation=True) == ["'", "don't", "'"]


def test_min_max_length() -> None:
    text = "a an the house extraordinary"
    assert tokens(text, min_length=2) == ["an", "the", "house", "extraordinary"]
    assert tokens(text, max_length=5) == ["a", "an", "the", "house"]
    assert tokens(text, min_length=3, max_length=5) == ["the", "house"]


def test_length_limits_spare_placeholders() -> None:
    result = tokens("x at https://a.org", urls="replace", min_length=2, max_length=3)
    assert result == ["at", "<url>"]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"min_length": 0}, "min_length must be 1 or more"),
        ({"min_length": 4, "max_length": 3}, "max_length must be at least"),
        ({"urls": "mask"}, "mask"),
    ],
)
def test_cleaning_options_invalid(options: dict[str, object], match: str) -> None:
    with pytest.raises((TextpruneError, ValueError), match=match):
        CleaningOptions(**options)  # type: ignore[arg-type]


def test_settings_record_every_option() -> None:
    settings = CleaningOptions(numbers="drop").settings()
    assert settings["numbers"] == "drop"
    assert settings["tokenizer"] == "regex"
    assert "lang" not in settings
    spacy_settings = CleaningOptions(tokenizer="spacy", lang="de").settings()
    assert spacy_settings["lang"] == "de"
    assert "spacy_version" in spacy_settings


def test_spacy_tokenizer_splits_contractions() -> None:
    assert tokens("Don't stop!", tokenizer="spacy") == ["do", "n't", "stop"]


def test_spacy_tokenizer_matches_spacy() -> None:
    import spacy

    text = "Mr. Smith's U.K. trip cost $3.50 -- e.g. (roughly)."
    expected = [
        token.text
        for token in spacy.blank("en")(text)
        if any(character.isalnum() for character in token.text)
    ]
    assert tokens(text, tokenizer="spacy", lowercase=False) == expected


def test_spacy_tokenizer_language() -> None:
    german = tokens("Wir gehen z.B. zum Markt.", tokenizer="spacy", lang="de")
    assert "z.b." in german


def test_spacy_tokenizer_keeps_placeholders_whole() -> None:
    result = tokens("Visit https://example.org now", tokenizer="spacy", urls="replace")
    assert result == ["visit", "<url>", "now"]


def test_spacy_tokenizer_punctuation_switch() -> None:
    assert tokens("Hi, you!", tokenizer="spacy", punctuation=True) == [
        "hi",
        ",",
        "you",
        "!",
    ]


def test_spacy_tokenizer_unknown_language() -> None:
    with pytest.raises(TextpruneError, match="language 'zz'"):
        TextProcessor(CleaningOptions(tokenizer="spacy", lang="zz"))


def test_tokenize_documents_each_text() -> None:
    assert tokenize_documents(["A b", "C"]) == [["a", "b"], ["c"]]
