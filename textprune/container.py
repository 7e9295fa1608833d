"""textprune's compressed vector file and the query class that reads it.

The file is one versioned container that numpy alone can read (the layout is in
``docs/container-format.md``)::

    bytes 0-6    magic b"\\x93TPRUNE"
    byte  7      format version (1)
    bytes 8-15   length L of the JSON metadata, uint64 little-endian
    bytes 16-19  CRC-32 of the JSON metadata, uint32 little-endian
    bytes 20-63  zero
    bytes 64-    JSON metadata (UTF-8), zero-padded to a multiple of 64
    then         raw little-endian arrays, each starting at a multiple of 64

The JSON lists every array with its offset (from the start of the array section),
dtype, shape and CRC-32. It also stores the recipe that made the codes, with the
settings and learned state of each step, and how the word list is encoded.

Opening a file maps it into memory, parses the JSON and checks it against the codes.
The word list is checked and decoded at the first lookup. A lookup reads only its
own code row, and ``most_similar`` scans the codes without decoding the table.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from textprune import __version__
from textprune._io import PathLike, atomic_output
from textprune.errors import InputFormatError, TextpruneError
from textprune.vectors import WordVectors

if TYPE_CHECKING:
    from textprune.compress.recipe import Recipe

logger = logging.getLogger(__name__)

MAGIC = b"\x93TPRUNE"
FORMAT_VERSION = 1
HEADER_SIZE = 64
ALIGNMENT = 64
FORMAT_NAME = "textprune-compressed-vectors"
_HEADER = struct.Struct("<7sBQI")
_ALLOWED_DTYPES = {"|u1", "<u4", "<f2", "<f4", "<i8"}
WORD_CODECS = ("zlib", "utf-8")
# Rows decoded at a time when a whole table is scanned.
_CHUNK_ROWS = 65536
# Rows converted to float32 at a time by queries on float16 and 8-bit codes. Small
# blocks stay in cache, which makes the conversion several times faster.
_QUERY_CHUNK_ROWS = 4096
# Building a pair table costs 65,536 additions and saves one lookup per row, so
# pair tables pay off only on tables with more rows than this.
_PAIR_TABLE_MIN_ROWS = 131072


def _align(offset: int) -> int:
    return -(-offset // ALIGNMENT) * ALIGNMENT


def encode_words(words: Sequence[str], codec: str) -> np.ndarray:
    """Encode words as newline-separated UTF-8, compressed with zlib or not."""
    for word in words:
        if "\n" in word or not word:
            raise TextpruneError(
                f"the word {word!r} is empty or contains a newline, which the "
                "container cannot store; clean the vocabulary first"
            )
    raw = "\n".join(words).encode("utf-8")
    if codec == "zlib":
        raw = zlib.compress(raw, 9)
    elif codec != "utf-8":
        raise ValueError(f"words codec must be one of {WORD_CODECS}, got {codec!r}")
    return np.frombuffer(raw, dtype=np.uint8)


def decode_words(blob: np.ndarray, codec: str, count: int, path: str) -> list[str]:
    """Invert :func:`encode_words`, checking the number of words."""
    raw = bytes(blob)
    try:
        if codec == "zlib":
            raw = zlib.decompress(raw)
        elif codec != "utf-8":
            raise InputFormatError(
                f"unknown word list encoding {codec!r}; the file may come from a "
                "newer textprune",
                path=path,
            )
        words = raw.decode("utf-8").split("\n") if raw else []
    except (zlib.error, UnicodeDecodeError) as exc:
        raise InputFormatError(
            f"the word list is corrupt ({exc}); recreate the file with textprune "
            "compress",
            path=path,
        ) from exc
    if len(words) != count:
        raise InputFormatError(
            f"the word list has {len(words)} words but the header announces {count}; "
            "the file is corrupt",
            path=path,
        )
    return words


class CompressedVectors:
    """Word vectors stored as codes, queried without decoding the whole table.

    Build one with :func:`textprune.compress.compress_vectors` or open a file with
    :meth:`load`. Vectors are returned in the recipe's output space (after
    post-processing and reduction, see :class:`~textprune.compress.recipe.Recipe`).

    Parameters
    ----------
    words : list of str
        The word of each row.
    codes : numpy.ndarray
        The stored codes, one row per word.
    recipe : Recipe
        The fitted recipe that produced ``codes``.
    aliases : dict of str to int, default=None
        Extra keys pointing at rows, such as words dropped by ``--remap``.
    alias_scores : dict of str to float, default=None
        Cosine similarity of each alias to the row it points at (1.0 for keys
        that already shared the row in the input).
    info : dict, default=None
        JSON-serialisable facts recorded in the file (source, sizes, search log).
    """

    def __init__(
        self,
        words: Sequence[str] | None,
        codes: np.ndarray,
        recipe: Recipe,
        aliases: dict[str, int] | None = None,
        alias_scores: dict[str, float] | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.codes = codes
        self.recipe = recipe
        self.info = dict(info or {})
        self.path: str | None = None
        self._words = None if words is None else list(words)
        self._index: dict[str, int] | None = None
        if words is not None and aliases is None:
            aliases = {}
        if aliases is not None and alias_scores is None:
            alias_scores = dict.fromkeys(aliases, 1.0)
        self._aliases = aliases
        self._alias_scores = alias_scores
        self._word_loader: Any = None
        self._alias_loader: Any = None
        self._norms: np.ndarray | None = None
        self._inverse: np.ndarray | None = None
        self._columns: np.ndarray | None = None
        self._arrays: dict[str, dict[str, Any]] = {}
        self._buffer: np.ndarray | None = None
        if words is not None and len(words) != codes.shape[0]:
            raise ValueError(
                f"got {len(words)} words for {codes.shape[0]} code rows; "
                "pass one word per row"
            )

    # -- words and lookups -------------------------------------------------

    @property
    def index_to_key(self) -> list[str]:
        """The word of each row."""
        if self._words is None:
            self._words = self._word_loader()
        return self._words

    @property
    def key_to_index(self) -> dict[str, int]:
        """Map of each word (not alias) to its row."""
        if self._index is None:
            words = self.index_to_key
            self._index = dict(zip(words, range(len(words))))
        return self._index

    @property
    def aliases(self) -> dict[str, int]:
        """Map of each extra key (remapped or shared word) to its row."""
        if self._aliases is None:
            self._aliases, self._alias_scores = self._alias_loader()
        return self._aliases

    @property
    def alias_scores(self) -> dict[str, float]:
        """Cosine similarity of each alias to the row it points at."""
        if self._alias_scores is None:
            self._aliases, self._alias_scores = self._alias_loader()
        return self._alias_scores

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index or word in self.aliases

    @property
    def vector_size(self) -> int:
        """Dimensions of the decoded vectors (the output space)."""
        return int(self.info.get("dims") or self._decode_rows(np.arange(1)).shape[1])

    def get_index(self, word: str) -> int:
        """Return the row of ``word``, following the alias table.

        Raises
        ------
        KeyError
            If ``word`` is neither a word nor an alias; the message names it.
        """
        row = self.key_to_index.get(word)
        if row is None:
            row = self.aliases.get(word)
        if row is None:
            raise KeyError(f"word {word!r} is not in the vocabulary")
        return row

    def _decode_rows(self, rows: np.ndarray) -> np.ndarray:
        return self.recipe.inverse_transform(np.asarray(self.codes[rows]))

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """Return the decoded vector of ``word`` (unit length if ``norm``)."""
        vector = self._decode_rows(np.array([self.get_index(word)]))[0]
        if norm:
            vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return vector

    def __getitem__(self, key: str | Iterable[str]) -> np.ndarray:
        if isinstance(key, str):
            return self.get_vector(key)
        rows = np.array([self.get_index(word) for word in key], dtype=np.int64)
        return self._decode_rows(rows)

    def decode(self, space: str = "output") -> np.ndarray:
        """Decode every row (``space="input"`` also inverts the transform steps)."""
        parts = [
            self.recipe.inverse_transform(
                np.asarray(self.codes[start : start + _CHUNK_ROWS]), space=space
            )
            for start in range(0, len(self), _CHUNK_ROWS)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)

    # -- similarity in the compressed domain --------------------------------

    def _row_norms(self) -> np.ndarray:
        if self._norms is None:
            quantizer = self.recipe.quantizer
            if quantizer.name == "binary":
                scale = np.float32(quantizer.scale_ * np.sqrt(quantizer.dims_))
                self._norms = np.full(len(self), scale, dtype=np.float32)
            else:
                norms = [
                    np.linalg.norm(
                        self.recipe.inverse_transform(
                            np.asarray(self.codes[start : start + _CHUNK_ROWS])
                        ),
                        axis=1,
                    )
                    for start in range(0, len(self), _CHUNK_ROWS)
                ]
                self._norms = np.concatenate(norms).astype(np.float32)
        return self._norms

    def _inverse_norms(self) -> np.ndarray:
        if self._inverse is None:
            self._inverse = 1 / np.maximum(self._row_norms(), 1e-12)
        return self._inverse

    def _dot_all(self, query: np.ndarray) -> np.ndarray:
        """Return the dot product of ``query`` with every decoded row."""
        quantizer = self.recipe.quantizer
        if quantizer.code_kind == "float":
            return self._blocked_dot(query.astype(np.float32), None)
        if quantizer.name == "scalar" and quantizer.bits == 8:
            # One byte per value: a BLAS product on float32 blocks beats tables.
            weights = (query * quantizer.step_).astype(np.float32)
            offset = np.float32(query @ quantizer.low_)
            return self._blocked_dot(weights, offset)
        const, tables = quantizer.lookup_tables(query)
        if len(self) < _PAIR_TABLE_MIN_ROWS:
            if self._columns is None:
                self._columns = np.asarray(self.codes).T.astype(np.intp)
        else:
            if self._columns is None:
                self._columns = _byte_pair_columns(np.asarray(self.codes))
            tables = _pair_tables(tables)
        out = tables[0].take(self._columns[0])
        for position in range(1, len(self._columns)):
            out += tables[position].take(self._columns[position])
        if const:
            out += np.float32(const)
        return out

    def _blocked_dot(
        self, weights: np.ndarray, offset: np.float32 | None
    ) -> np.ndarray:
        out = np.empty(len(self), dtype=np.float32)
        for start in range(0, len(self), _QUERY_CHUNK_ROWS):
            block = np.asarray(self.codes[start : start + _QUERY_CHUNK_ROWS])
            out[start : start + len(block)] = block.astype(np.float32) @ weights
        if offset is not None:
            out += offset
        return out

    def _hamming_cosines(self, row: int) -> np.ndarray:
        codes = np.asarray(self.codes)
        distance = np.bitwise_count(codes ^ codes[row]).sum(axis=1, dtype=np.int32)
        dims = self.recipe.quantizer.dims_
        return (1.0 - 2.0 * distance / dims).astype(np.float32)

    def _as_queries(
        self, items: str | np.ndarray | Iterable[str | np.ndarray] | None
    ) -> list[str | np.ndarray]:
        if items is None:
            return []
        if isinstance(items, (str, np.ndarray)):
            return [items]
        items = list(items)
        # A flat list of numbers is one vector, not several queries.
        if items and all(isinstance(item, (int, float, np.number)) for item in items):
            return [np.asarray(items, dtype=np.float64)]
        return items

    def most_similar(
        self,
        positive: str | np.ndarray | Iterable[str | np.ndarray],
        negative: str | np.ndarray | Iterable[str | np.ndarray] | None = None,
        topn: int | None = 10,
    ) -> list[tuple[str, float]]:
        """Return the ``topn`` rows most similar (cosine) to a word or vector.

        ``topn=None`` returns every row, best first.

        As in gensim, several positive and negative words or vectors are combined
        as the mean of their unit vectors (negatives with weight -1), and the query
        words are left out of the result. Vectors are taken in the output space.
        Scores are computed from the codes: lookup tables for scalar, product and
        binary codes (popcount for a single word with binary codes on tables of
        fewer than 131,072 rows), and a blocked matrix product for float16,
        float32 and 8-bit codes.

        Raises
        ------
        KeyError
            If a query word is not in the vocabulary.
        ValueError
            If a query vector does not have the table's dimensions or is not
            finite.
        """
        if topn is not None and (isinstance(topn, bool) or not isinstance(topn, int)):
            raise TypeError(f"topn must be an int or None, got {topn!r}")
        positives = self._as_queries(positive)
        negatives = self._as_queries(negative)
        if not positives and not negatives:
            raise ValueError("most_similar needs at least one positive or negative")
        exclude: set[int] = set()
        terms: list[np.ndarray] = []
        for weight, items in ((1.0, positives), (-1.0, negatives)):
            for item in items:
                if isinstance(item, str):
                    row = self.get_index(item)
                    exclude.add(row)
                    terms.append(weight * self.get_vector(item, norm=True))
                else:
                    vector = self._check_query(item)
                    terms.append(weight * vector / max(np.linalg.norm(vector), 1e-12))
        single_word = len(positives) == 1 and not negatives and exclude
        # Popcount wins on small tables; on large ones the pair tables are faster.
        small = len(self) < _PAIR_TABLE_MIN_ROWS
        if single_word and small and self.recipe.quantizer.name == "binary":
            scores = self._hamming_cosines(next(iter(exclude)))
        else:
            query = np.mean(terms, axis=0)
            query_norm = max(float(np.linalg.norm(query)), 1e-12)
            scores = self._dot_all(query / query_norm)
            scores *= self._inverse_norms()
        return self._top(scores, len(self) if topn is None else topn, exclude)

    def _check_query(self, item: Any) -> np.ndarray:
        vector = np.asarray(item, dtype=np.float64)
        if vector.shape != (self.vector_size,):
            raise ValueError(
                f"the query vector has shape {vector.shape}, but this table's "
                f"vectors have {self.vector_size} dimensions"
            )
        if not np.isfinite(vector).all():
            raise ValueError("the query vector contains NaN or infinity")
        return vector

    def _top(
        self, scores: np.ndarray, topn: int, exclude: set[int]
    ) -> list[tuple[str, float]]:
        if topn <= 0:
            return []
        wanted = min(topn + len(exclude), len(scores))
        candidates = np.argpartition(scores, len(scores) - wanted)[-wanted:]
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        words = self.index_to_key
        result = [
            (words[row], float(scores[row])) for row in order if row not in exclude
        ]
        return result[:topn]

    def similarity(self, word1: str, word2: str) -> float:
        """Return the cosine similarity of two words' decoded vectors."""
        first = self.get_vector(word1, norm=True)
        second = self.get_vector(word2, norm=True)
        return float(first @ second)

    # -- conversion ---------------------------------------------------------

    def to_word_vectors(self) -> WordVectors:
        """Decode every row into a :class:`~textprune.vectors.WordVectors` table."""
        self.verify()
        return WordVectors(list(self.index_to_key), self.decode(), dict(self.aliases))

    def to_gensim(self):  # noqa: ANN201 - gensim.models.KeyedVectors
        """Return the decoded rows as a gensim ``KeyedVectors`` (aliases left out)."""
        from gensim.models import KeyedVectors

        vectors = self.decode()
        keyed = KeyedVectors(vector_size=vectors.shape[1])
        keyed.add_vectors(list(self.index_to_key), vectors)
        return keyed

    # -- files ----------------------------------------------------------------

    def vector_nbytes(self) -> int:
        """Return the bytes of the codes and of the recipe's learned arrays."""
        _, arrays = self.recipe.to_metadata()
        return int(self.codes.nbytes + sum(array.nbytes for array in arrays.values()))

    def save(self, path: PathLike, words_codec: str = "zlib") -> int:
        """Write the container to ``path`` atomically; return the file size.

        Parameters
        ----------
        path : str or os.PathLike
            Output file.
        words_codec : {"zlib", "utf-8"}, default="zlib"
            How the word lists are stored: zlib-compressed (smaller) or plain
            UTF-8 (readable with a memory map only).
        """
        records, arrays = self.recipe.to_metadata()
        arrays = {"codes": np.asarray(self.codes), **arrays}
        aliases = sorted(self.aliases.items(), key=lambda item: (item[1], item[0]))
        scores = self.alias_scores
        arrays["words"] = encode_words(self.index_to_key, words_codec)
        arrays["alias_words"] = encode_words([key for key, _ in aliases], words_codec)
        arrays["alias_rows"] = np.array([row for _, row in aliases], dtype="<u4")
        arrays["alias_scores"] = np.array(
            [scores.get(key, 1.0) for key, _ in aliases], dtype="<f4"
        )
        layout: dict[str, dict[str, Any]] = {}
        offset = 0
        blobs: list[tuple[int, bytes]] = []
        for name, array in arrays.items():
            data = np.ascontiguousarray(array)
            data = data.astype(data.dtype.newbyteorder("<"), copy=False)
            raw = data.tobytes()
            layout[name] = {
                "offset": offset,
                "nbytes": len(raw),
                "dtype": data.dtype.str,
                "shape": list(data.shape),
                "crc32": zlib.crc32(raw),
            }
            blobs.append((offset, raw))
            offset = _align(offset + len(raw))
        metadata = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "rows": len(self),
            "code_kind": self.recipe.quantizer.code_kind,
            "recipe": records,
            "words": {"codec": words_codec, "count": len(self)},
            "aliases": {"codec": words_codec, "count": len(aliases)},
            "arrays": layout,
            "info": {**self.info, "textprune_version": __version__},
        }
        text = json.dumps(metadata, sort_keys=True, separators=(",", ":")).encode()
        header = _HEADER.pack(MAGIC, FORMAT_VERSION, len(text), zlib.crc32(text))
        data_start = _align(HEADER_SIZE + len(text))
        with atomic_output(path, "wb") as handle:
            handle.write(header.ljust(HEADER_SIZE, b"\0"))
            handle.write(text.ljust(data_start - HEADER_SIZE, b"\0"))
            position = 0
            for start, raw in blobs:
                handle.write(b"\0" * (start - position))
                handle.write(raw)
                position = start + len(raw)
            total = data_start + position
        logger.info("Wrote %s: %d rows, %d bytes", os.fspath(path), len(self), total)
        return total

    @classmethod
    def load(cls, path: PathLike) -> CompressedVectors:
        """Open a container by memory-mapping it; arrays are read on demand.

        Raises
        ------
        InputFormatError
            If the file is not a container, is truncated or is corrupt.
        """
        name = os.fspath(path)
        try:
            size = Path(path).stat().st_size
        except OSError as exc:
            raise TextpruneError(
                f"cannot open the file ({exc.strerror}); check the path", path=name
            ) from exc
        if size < HEADER_SIZE:
            raise InputFormatError(
                f"the file has {size} bytes, fewer than the {HEADER_SIZE}-byte "
                "header; it is truncated",
                path=name,
            )
        buffer = np.memmap(name, dtype=np.uint8, mode="r")
        metadata, data_start = _read_metadata(buffer, name)
        return cls._from_metadata(buffer, metadata, data_start, name)

    @classmethod
    def _from_metadata(
        cls, buffer: np.ndarray, metadata: dict[str, Any], data_start: int, name: str
    ) -> CompressedVectors:
        try:
            layout = metadata["arrays"]
            rows = int(metadata["rows"])
            words_meta, alias_meta = metadata["words"], metadata["aliases"]
            records = metadata["recipe"]
            info = metadata.get("info", {})
        except (KeyError, TypeError, ValueError) as exc:
            raise InputFormatError(
                f"the metadata is missing the field {exc}; the file is corrupt",
                path=name,
            ) from exc
        arrays = {
            key: _map_array(buffer, key, spec, data_start, name)
            for key, spec in layout.items()
        }
        for required in ("codes", "words", "alias_words", "alias_rows", "alias_scores"):
            if required not in arrays:
                raise InputFormatError(
                    f"the array {required!r} is missing; the file is corrupt", path=name
                )
        codes = arrays["codes"]
        if codes.ndim != 2 or codes.shape[0] != rows:
            raise InputFormatError(
                f"the codes have shape {codes.shape} but the header announces {rows} "
                "rows; the file is corrupt",
                path=name,
            )
        from textprune.compress.recipe import Recipe

        state = {
            key: np.array(value)
            for key, value in arrays.items()
            if key.startswith("step")
        }
        try:
            recipe = Recipe.from_metadata(records, state)
        except (ValueError, TypeError) as exc:
            raise InputFormatError(
                f"cannot rebuild the compression recipe ({exc}); the file is corrupt "
                "or comes from a newer textprune",
                path=name,
            ) from exc
        _check_consistency(codes, recipe, state, rows, words_meta, info, name)
        vectors = cls(None, codes, recipe, info=info)
        vectors.path = name
        vectors._arrays = layout
        vectors._buffer = buffer

        def load_words() -> list[str]:
            vectors._verify_array("words")
            return decode_words(arrays["words"], words_meta["codec"], rows, name)

        vectors._word_loader = load_words

        def load_aliases() -> tuple[dict[str, int], dict[str, float]]:
            for key in ("alias_words", "alias_rows", "alias_scores"):
                vectors._verify_array(key)
            keys = decode_words(
                arrays["alias_words"],
                alias_meta["codec"],
                int(alias_meta["count"]),
                name,
            )
            alias_rows = np.asarray(arrays["alias_rows"])
            alias_scores = np.asarray(arrays["alias_scores"])
            if len(alias_rows) != len(keys) or len(alias_scores) != len(keys):
                raise InputFormatError(
                    "the alias table lengths disagree; the file is corrupt", path=name
                )
            if len(alias_rows) and int(alias_rows.max()) >= rows:
                raise InputFormatError(
                    "an alias points past the last row; the file is corrupt", path=name
                )
            return (
                dict(zip(keys, alias_rows.tolist())),
                dict(zip(keys, alias_scores.tolist())),
            )

        vectors._alias_loader = load_aliases
        return vectors

    def verify(self) -> None:
        """Check the CRC-32 of every array of a loaded file (reads all of it).

        Raises
        ------
        InputFormatError
            If an array's bytes do not match the checksum in the header.
        """
        if self._buffer is None:
            return
        for key in self._arrays:
            self._verify_array(key)

    def _verify_array(self, key: str) -> None:
        """Check the CRC-32 of one array of a loaded file."""
        if self._buffer is None:
            return
        spec = self._arrays[key]
        start = self._data_start() + int(spec["offset"])
        raw = self._buffer[start : start + int(spec["nbytes"])]
        if zlib.crc32(raw) != int(spec["crc32"]):
            raise InputFormatError(
                f"the array {key!r} fails its CRC-32 check; the file is corrupt",
                path=self.path,
                offset=start,
            )

    def _data_start(self) -> int:
        _, _, length, _ = _HEADER.unpack(bytes(self._buffer[: _HEADER.size]))
        return _align(HEADER_SIZE + length)


def _check_consistency(
    codes: np.ndarray,
    recipe: Any,
    state: dict[str, np.ndarray],
    rows: int,
    words_meta: dict[str, Any],
    info: dict[str, Any],
    name: str,
) -> None:
    """Raise unless the metadata, the learned state and the codes agree."""
    if int(words_meta.get("count", rows)) != rows:
        raise InputFormatError(
            f"the word list announces {words_meta.get('count')} words for {rows} rows; "
            "the file is corrupt",
            path=name,
        )
    for key, array in state.items():
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise InputFormatError(
                f"the learned array {key!r} contains NaN or infinity; the file is "
                "corrupt",
                path=name,
            )
    if "input_dims" not in info:
        return
    try:
        expected = recipe.code_nbytes(int(info["input_dims"]))
    except (ValueError, TypeError) as exc:
        raise InputFormatError(
            f"the recipe does not fit {info['input_dims']}-d input ({exc}); the "
            "file is corrupt",
            path=name,
        ) from exc
    stored = codes.shape[1] * codes.itemsize
    if stored != expected:
        raise InputFormatError(
            f"the codes have {stored} bytes per row, but the recipe "
            f"{recipe.describe()!r} stores {expected}; the file is corrupt",
            path=name,
        )


def _pair_tables(tables: np.ndarray) -> np.ndarray:
    """Combine per-byte tables into 65,536-entry tables, one per pair of bytes.

    Entry ``a + 256 * b`` of pair table ``k`` is ``tables[2k][a] + tables[2k+1][b]``,
    matching :func:`_byte_pair_columns`.
    """
    if len(tables) % 2:
        tables = np.vstack([tables, np.zeros((1, 256), dtype=tables.dtype)])
    pairs = tables[0::2][:, None, :] + tables[1::2][:, :, None]
    return pairs.reshape(len(pairs), 65536)


def _byte_pair_columns(codes: np.ndarray) -> np.ndarray:
    """Return the codes as index columns, one per pair of code bytes.

    Each query then needs one lookup per pair of bytes in a 65,536-entry table
    (256 KiB, which stays in cache) instead of one per byte. The indices are
    stored as ``intp``, which ``take`` uses without a conversion, so the cache
    takes 4 bytes per code byte (19 MB for 400,000 rows of 12-byte codes).
    """
    if codes.shape[1] % 2:
        codes = np.hstack([codes, np.zeros((len(codes), 1), dtype=np.uint8)])
    low = codes[:, 0::2].astype(np.intp)
    high = codes[:, 1::2].astype(np.intp)
    return np.ascontiguousarray((low | (high << 8)).T)


def _read_metadata(buffer: np.ndarray, name: str) -> tuple[dict[str, Any], int]:
    magic, version, length, checksum = _HEADER.unpack(bytes(buffer[: _HEADER.size]))
    if magic != MAGIC:
        raise InputFormatError(
            "not a textprune container (the magic bytes do not match)", path=name
        )
    if version > FORMAT_VERSION or version == 0:
        raise InputFormatError(
            f"container format version {version} is not supported (this textprune "
            f"reads version {FORMAT_VERSION}); upgrade textprune",
            path=name,
            offset=7,
        )
    reserved = np.flatnonzero(buffer[_HEADER.size : HEADER_SIZE])
    if reserved.size:
        raise InputFormatError(
            f"header bytes {_HEADER.size}-{HEADER_SIZE - 1} must be zero; the file is "
            "corrupt or was written by an incompatible program",
            path=name,
            offset=_HEADER.size + int(reserved[0]),
        )
    if HEADER_SIZE + length > len(buffer):
        raise InputFormatError(
            f"the metadata needs {length} bytes but the file ends first; it is "
            "truncated",
            path=name,
            offset=HEADER_SIZE,
        )
    text = bytes(buffer[HEADER_SIZE : HEADER_SIZE + length])
    if zlib.crc32(text) != checksum:
        raise InputFormatError(
            "the metadata fails its CRC-32 check; the file is corrupt",
            path=name,
            offset=HEADER_SIZE,
        )
    try:
        metadata = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFormatError(
            f"the metadata is not valid JSON ({exc}); the file is corrupt",
            path=name,
            offset=HEADER_SIZE,
        ) from exc
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise InputFormatError(
            f"the metadata does not describe a {FORMAT_NAME} file", path=name
        )
    return metadata, _align(HEADER_SIZE + length)


def _map_array(
    buffer: np.ndarray, key: str, spec: Any, data_start: int, name: str
) -> np.ndarray:
    try:
        offset = int(spec["offset"])
        nbytes = int(spec["nbytes"])
        dtype = np.dtype(spec["dtype"])
        shape = tuple(int(value) for value in spec["shape"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputFormatError(
            f"the entry of array {key!r} is malformed ({exc}); the file is corrupt",
            path=name,
        ) from exc
    if dtype.str not in _ALLOWED_DTYPES:
        raise InputFormatError(
            f"array {key!r} has the unsupported dtype {dtype.str}", path=name
        )
    start = data_start + offset
    if (
        offset < 0
        or offset % ALIGNMENT
        or any(value < 0 for value in shape)
        or int(np.prod(shape, dtype=np.int64)) * dtype.itemsize != nbytes
    ):
        raise InputFormatError(
            f"array {key!r} has an inconsistent offset, shape or size; the file is "
            "corrupt",
            path=name,
        )
    if start + nbytes > len(buffer):
        raise InputFormatError(
            f"array {key!r} needs bytes up to offset {start + nbytes}, but the file "
            f"has {len(buffer)}; it is truncated",
            path=name,
            offset=len(buffer),
        )
    return buffer[start : start + nbytes].view(dtype).reshape(shape)
