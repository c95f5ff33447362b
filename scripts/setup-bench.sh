#!/usr/bin/env bash
# Prepares the tokenizer benchmark: a Python with a pinned tiktoken to compare against, and the corpus
# (scripts/tokenizer-corpus.py). Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

TIKTOKEN=tiktoken==0.14.0
VENV=.build/bench-python

scripts/setup.sh
if ! "$VENV/bin/python3" -c "import tiktoken, sys; sys.exit(tiktoken.__version__ != '${TIKTOKEN#*==}')" 2>/dev/null; then
    echo "setup-bench: installing $TIKTOKEN into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check "$TIKTOKEN"
fi
[ -f .build/tokenizer-corpus/emoji.txt ] || python3 scripts/tokenizer-corpus.py .build/tokenizer-corpus
