#!/usr/bin/env bash
# Build the ~100 MB English corpus that scripts/bench_count.py reads by default.
#
# Usage: scripts/build_bench_corpus.sh [OUTDIR]   (default /tmp/english-corpus)
#
# The text comes from Debian packages (installed with apt-get, so run as root) and
# from the test data in gensim's wheel: the GCIDE dictionary, WordNet glosses, the
# fortune files, the King James Bible, the Perl, Python and Linux documentation
# sources, a shortened English Wikipedia dump and the Lee background corpus. Each
# source is written to its own file, then all are joined into OUTDIR/combined.txt.
# gcide.txt contains a few bytes that are not UTF-8, as real corpora do, so count it
# with --encoding-errors replace.
set -euo pipefail
out=${1:-/tmp/english-corpus}
mkdir -p "$out"

packages=(dict-gcide wordnet-base fortunes bible-kjv perl-doc python3-doc linux-doc)
needed=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || needed+=("$package")
done
if [ "${#needed[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${needed[@]}" >/dev/null
fi

python=${PYTHON:-python3}
gensim_data=$("$python" -c 'from gensim.test.utils import datapath; print(datapath(""))')

# Concatenate the files found under the given folders (each real folder once).
join_tree() {
  local pattern=$1
  shift
  local folders
  folders=$(for folder in "$@"; do [ -d "$folder" ] && readlink -f "$folder"; done | sort -u)
  [ -n "$folders" ] || return 0
  # shellcheck disable=SC2086
  find $folders -name "$pattern" -print0 | sort -z | xargs -0 cat
}

zcat /usr/share/dictd/gcide.dict.dz >"$out/gcide.txt"
cat /usr/share/wordnet/data.{noun,verb,adj,adv} | grep -v '^  ' | sed 's/.*| //' \
  >"$out/wordnet-glosses.txt"
find /usr/share/games/fortunes -type f ! -name '*.dat' ! -name '*.u8' -print0 \
  | sort -z | xargs -0 cat >"$out/fortunes.txt"
bible -f "Gen1:1-Rev22:21" >"$out/kjv.txt"
join_tree '*.txt' /usr/share/doc/linux-doc-*/html/_sources >"$out/linux-doc.txt"
join_tree '*.txt' /usr/share/doc/python3.*/html/_sources >"$out/python-doc.txt"
join_tree '*.pod' /usr/share/perl/5.*/pod >"$out/perl-pod.txt"
bzcat "$gensim_data/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2" \
  >"$out/enwiki-sample.xml"
cp "$gensim_data/lee_background.cor" "$out/lee-background.txt"

cd "$out"
cat gcide.txt wordnet-glosses.txt fortunes.txt kjv.txt linux-doc.txt python-doc.txt \
  perl-pod.txt enwiki-sample.xml lee-background.txt >combined.txt.tmp
mv combined.txt.tmp combined.txt
wc -c -w -- *.txt *.xml | grep -v ' total$'
