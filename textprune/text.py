"""Text cleaning and tokenizing: the rules that turn a line of text into tokens.

Cleaning runs in a fixed order, each step switchable through :class:`CleaningOptions`:

1. Unicode NFKC normalisation (``nfkc``).
2. URLs, then e-mail addresses, then numbers: kept as text, dropped, or replaced by
   the placeholders ``<url>``, ``<email>`` and ``<num>`` (``urls``, ``emails``,
   ``numbers``).
3. Lowercasing (``lowercase``).
4. Accent stripping (``strip_accents``): NFKD, drop combining marks, NFC.
5. Tokenizing with the regex tokenizer or spaCy's tokenizer (``tokenizer``, ``lang``),
   keeping or dropping punctuation (``punctuation``).
6. Dropping tokens shorter than ``min_length`` or longer than ``max_length``
   characters; placeholders are never dropped by length.

Tokens never span a line break, and never contain whitespace.
"""

from __future__ import annotations

import enum
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from textprune.errors import TextpruneError


class EntityPolicy(str, enum.Enum):
    """Policy for URLs, e-mail addresses or numbers during cleaning."""

    KEEP = "keep"
    DROP = "drop"
    REPLACE = "replace"


class TokenizerName(str, enum.Enum):
    """The tokenizers textprune offers."""

    REGEX = "regex"
    SPACY = "spacy"


PLACEHOLDERS = {"urls": "<url>", "emails": "<email>", "numbers": "<num>"}

# A URL starts with a scheme or "www." and ends before whitespace, quotes, angle
# brackets and trailing sentence punctuation.
URL_PATTERN = r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]}'’]"
EMAIL_PATTERN = r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"
# A number is a run of digits, with inner '.', ',' or ':' separators, that is not
# glued to a letter or digit: "3.14" and "1,000" are numbers, "2nd" and "mp3" are not.
NUMBER_PATTERN = r"(?<![^\W_])\d+(?:[.,:]\d+)*(?![^\W_])"

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# Characters that join two word parts into one token: apostrophes and hyphens.
JOINERS = "'’\\-\u2010"


def _mark_characters() -> tuple[str, str]:
    """Return the combining marks (categories Mn, Mc, Me) of the BMP and above it."""
    bmp = []
    astral = []
    for code in range(0x110000):
        if unicodedata.category(chr(code)).startswith("M"):
            (bmp if code < 0x10000 else astral).append(chr(code))
    return "".join(bmp), "".join(astral)


@functools.cache
def _marks() -> tuple[str, str]:
    return _mark_characters()


@functools.cache
def _combining_table() -> dict[int, None]:
    """Return a str.translate table that deletes every combining character."""
    return {code: None for code in range(0x110000) if unicodedata.combining(chr(code))}


def _word_pattern(marks: str, letter: str = r"[^\W_]") -> str:
    """Return the regex of one word: letters and digits, marks after a letter, and
    single apostrophes or hyphens between two word parts."""
    if marks:
        part = f"{letter}+(?:[{marks}]+{letter}*)*"
    else:
        part = f"{letter}+"
    return f"{part}(?:[{JOINERS}]{part})*"


@dataclass(frozen=True)
class CleaningOptions:
    """Settings of the cleaning and tokenizing steps.

    Parameters
    ----------
    lowercase : bool, default=True
        Lowercase the text (spaCy: each token after tokenizing).
    nfkc : bool, default=True
        Apply Unicode NFKC normalisation first, so that ligatures, full-width
        forms and composed or decomposed accents count as one token.
    strip_accents : bool, default=False
        Remove combining marks after NFKD decomposition ("café" -> "cafe"). This
        also removes the marks that scripts such as Devanagari need.
    urls, emails, numbers : EntityPolicy, default="keep"
        ``keep`` leaves them in the text for the tokenizer, ``drop`` deletes them,
        ``replace`` puts ``<url>``, ``<email>`` or ``<num>`` in their place.
    punctuation : bool, default=False
        Keep punctuation and symbols as tokens (the regex tokenizer makes one token
        per character). By default they are dropped.
    min_length : int, default=1
        Drop tokens with fewer characters.
    max_length : int, default=None
        Drop tokens with more characters; None keeps every length.
    tokenizer : TokenizerName, default="regex"
        ``regex`` or ``spacy`` (a blank spaCy pipeline for ``lang``).
    lang : str, default="en"
        Language code of spaCy's tokenizer; the regex tokenizer ignores it.
    """

    lowercase: bool = True
    nfkc: bool = True
    strip_accents: bool = False
    urls: EntityPolicy = EntityPolicy.KEEP
    emails: EntityPolicy = EntityPolicy.KEEP
    numbers: EntityPolicy = EntityPolicy.KEEP
    punctuation: bool = False
    min_length: int = 1
    max_length: int | None = None
    tokenizer: TokenizerName = TokenizerName.REGEX
    lang: str = "en"

    def __post_init__(self) -> None:
        for name in ("urls", "emails", "numbers"):
            object.__setattr__(self, name, EntityPolicy(getattr(self, name)))
        object.__setattr__(self, "tokenizer", TokenizerName(self.tokenizer))
        if self.min_length < 1:
            raise TextpruneError(f"min_length must be 1 or more, got {self.min_length}")
        if self.max_length is not None and self.max_length < self.min_length:
            raise TextpruneError(
                f"max_length must be at least min_length ({self.min_length}), "
                f"got {self.max_length}"
            )

    def settings(self) -> dict[str, Any]:
        """Return the options as plain JSON values, for a counts file header."""
        values = asdict(self)
        for key, value in values.items():
            if isinstance(value, enum.Enum):
                values[key] = value.value
        if self.tokenizer is TokenizerName.SPACY:
            import spacy

            values["spacy_version"] = spacy.__version__
        else:
            del values["lang"]
        return values

    @property
    def placeholders(self) -> list[str]:
        """The placeholder tokens that cleaning may insert."""
        return [
            token
            for name, token in PLACEHOLDERS.items()
            if getattr(self, name) is EntityPolicy.REPLACE
        ]

    @property
    def filters_length(self) -> bool:
        """Whether ``min_length`` or ``max_length`` drops any token."""
        return self.min_length > 1 or self.max_length is not None

    def keeps_token(self, token: str) -> bool:
        """Return False for a token that the length limits drop."""
        if token in PLACEHOLDERS.values():
            return True
        if len(token) < self.min_length:
            return False
        return self.max_length is None or len(token) <= self.max_length


class TextCleaner:
    """Apply the text-level cleaning steps (1 to 4 of the module docstring).

    Parameters
    ----------
    options : CleaningOptions
        The settings; ``lowercase`` is left to the tokenizer when it is spaCy.
    """

    def __init__(self, options: CleaningOptions) -> None:
        self.options = options
        self._substitutions: list[tuple[re.Pattern[str], str]] = []
        for name, pattern in (
            ("urls", URL_PATTERN),
            ("emails", EMAIL_PATTERN),
            ("numbers", NUMBER_PATTERN),
        ):
            policy = getattr(options, name)
            if policy is EntityPolicy.KEEP:
                continue
            replacement = (
                " " if policy is EntityPolicy.DROP else f" {PLACEHOLDERS[name]} "
            )
            self._substitutions.append(
                (re.compile(pattern, re.IGNORECASE), replacement)
            )
        self._lowercase_text = (
            options.lowercase and options.tokenizer is TokenizerName.REGEX
        )

    def clean(self, text: str) -> str:
        """Return ``text`` after normalisation, substitutions, lowercasing and accent
        stripping; line breaks stay where they are."""
        if self.options.nfkc and not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        for pattern, replacement in self._substitutions:
            text = pattern.sub(replacement, text)
        if self._lowercase_text:
            text = text.lower()
        if self.options.strip_accents and not text.isascii():
            text = unicodedata.normalize("NFKD", text).translate(_combining_table())
            text = unicodedata.normalize("NFC", text)
        return text


class RegexTokenizer:
    """Split cleaned text into words by Unicode category.

    A word is a run of letters and digits (any script), with the combining marks
    that follow a letter, and with single apostrophes or hyphens between two parts
    (``don't``, ``well-known``). Underscores and other punctuation separate words;
    with ``punctuation=True`` each punctuation or symbol character is a token.

    Parameters
    ----------
    options : CleaningOptions
        Only ``punctuation`` and the placeholders of ``urls``, ``emails`` and
        ``numbers`` matter here.
    """

    def __init__(self, options: CleaningOptions) -> None:
        self.options = options
        bmp_marks, astral_marks = _marks()
        prefix = "".join(f"{re.escape(token)}|" for token in options.placeholders)
        suffix = r"|[^\w\s]|_" if options.punctuation else ""
        # Three equivalent patterns: matching marks costs time, so text without
        # them uses a pattern without the mark classes.
        self._ascii = re.compile(
            prefix + _word_pattern("", "[A-Za-z0-9]") + suffix + r"|\n"
        )
        self._bmp = re.compile(prefix + _word_pattern(bmp_marks) + suffix + r"|\n")
        self._full = re.compile(
            prefix + _word_pattern(bmp_marks + astral_marks) + suffix + r"|\n"
        )

    @property
    def pattern(self) -> str:
        """The regex of one token, valid for any text (without the line-end
        alternative)."""
        return self._full.pattern.removesuffix(r"|\n")

    def _pattern(self, text: str) -> re.Pattern[str]:
        if text.isascii():
            return self._ascii
        if _ASTRAL.search(text) is None:
            return self._bmp
        return self._full

    def tokenize(self, text: str) -> list[str]:
        """Return the tokens of one line of cleaned text."""
        return [token for token in self._pattern(text).findall(text) if token != "\n"]

    def tokenize_lines(self, text: str) -> list[list[str]]:
        """Return the tokens of each line of ``text`` (split on ``\\n`` only)."""
        # The "\n" items mark the line ends, and no token contains whitespace.
        tokens = self.tokenize_block(text)
        return list(map(str.split, " ".join(tokens).split("\n")))

    def tokenize_block(self, text: str) -> list[str]:
        """Return all tokens of ``text`` with a ``"\\n"`` item at each line end."""
        # One findall over the whole text is about 3x faster than one per line.
        return self._pattern(text).findall(text)


class SpacyTokenizer:
    """Split cleaned text with the tokenizer of a blank spaCy pipeline.

    Each line is one spaCy ``Doc``, tokenized in batches with ``nlp.pipe``.
    Whitespace inside a line is collapsed to single spaces first, so no token
    contains whitespace. A token without any letter or digit is punctuation.

    Parameters
    ----------
    options : CleaningOptions
        ``lang`` picks the language; ``lowercase`` lowercases each token.
    """

    def __init__(self, options: CleaningOptions) -> None:
        self.options = options
        self.nlp = load_blank_pipeline(options.lang)
        self._placeholders = set(options.placeholders)
        if self._placeholders:
            from spacy.symbols import ORTH

            for token in self._placeholders:
                self.nlp.tokenizer.add_special_case(token, [{ORTH: token}])

    def _keep(self, text: str) -> bool:
        if self.options.punctuation or text in self._placeholders:
            return True
        return any(character.isalnum() for character in text)

    def tokenize(self, text: str) -> list[str]:
        """Return the tokens of one line of cleaned text."""
        return self.tokenize_lines(text)[0]

    def tokenize_lines(self, text: str) -> list[list[str]]:
        """Return the tokens of each line of ``text`` (split on ``\\n`` only)."""
        lines = [" ".join(line.split()) for line in text.split("\n")]
        lowercase = self.options.lowercase
        keep = self._keep
        result = []
        for doc in self.nlp.pipe(lines, batch_size=1000):
            words = [token.lower_ if lowercase else token.text for token in doc]
            result.append([word for word in words if word.strip() and keep(word)])
        return result


def load_blank_pipeline(lang: str) -> Any:
    """Create a blank spaCy pipeline for ``lang``.

    Raises
    ------
    TextpruneError
        If spaCy has no language ``lang`` or it needs a package that is missing.
    """
    import spacy

    try:
        return spacy.blank(lang)
    except (ImportError, ValueError, KeyError) as exc:
        raise TextpruneError(
            f"spaCy cannot create a tokenizer for language {lang!r} ({exc}); "
            "pass an ISO code spaCy supports, such as en, de, fr or xx"
        ) from exc


Tokenizer = RegexTokenizer | SpacyTokenizer


def make_tokenizer(options: CleaningOptions) -> Tokenizer:
    """Return the tokenizer that ``options.tokenizer`` names."""
    if options.tokenizer is TokenizerName.SPACY:
        return SpacyTokenizer(options)
    return RegexTokenizer(options)


class TextProcessor:
    """Clean and tokenize text with one set of options: the whole of this module.

    Parameters
    ----------
    options : CleaningOptions, default=None
        The settings; None uses the defaults.

    Examples
    --------
    >>> TextProcessor(CleaningOptions(urls="replace")).tokenize(
    ...     "See https://example.org, it's well-known!")
    ['see', '<url>', "it's", 'well-known']
    """

    def __init__(self, options: CleaningOptions | None = None) -> None:
        self.options = options or CleaningOptions()
        self.cleaner = TextCleaner(self.options)
        self.tokenizer = make_tokenizer(self.options)

    def tokenize(self, text: str) -> list[str]:
        """Return the tokens of ``text`` with every step applied; line breaks are
        treated as spaces."""
        lines = self.tokenize_lines(text.replace("\n", " "))
        return lines[0]

    def tokenize_block(self, text: str) -> list[str]:
        """Return all tokens of ``text`` with a ``"\\n"`` item at each line end,
        without the length limits."""
        cleaned = self.cleaner.clean(text)
        if isinstance(self.tokenizer, RegexTokenizer):
            return self.tokenizer.tokenize_block(cleaned)
        tokens: list[str] = []
        for line in self.tokenizer.tokenize_lines(cleaned):
            tokens += line
            tokens.append("\n")
        return tokens

    def tokenize_lines(self, text: str, filter_length: bool = True) -> list[list[str]]:
        """Return the tokens of each line of ``text`` with every step applied.

        ``filter_length=False`` skips the length limits, for callers that apply
        them to the distinct tokens afterwards.
        """
        lines = self.tokenizer.tokenize_lines(self.cleaner.clean(text))
        if filter_length and self.options.filters_length:
            keep = self.options.keeps_token
            lines = [[token for token in line if keep(token)] for line in lines]
        return lines


def validate_lang(options: CleaningOptions) -> None:
    """Raise :class:`TextpruneError` now if spaCy cannot tokenize ``options.lang``.

    Checking before counting starts turns a failure in every worker into one
    message.
    """
    if options.tokenizer is TokenizerName.SPACY:
        load_blank_pipeline(options.lang)


def tokenize_documents(
    texts: Sequence[str], options: CleaningOptions | None = None
) -> list[list[str]]:
    """Return the tokens of each text, a convenience for library users."""
    processor = TextProcessor(options)
    return [processor.tokenize(text) for text in texts]
