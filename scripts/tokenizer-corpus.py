#!/usr/bin/env python3
"""Builds the tokenizer benchmark's corpus: one UTF-8 file per kind of text, from Debian packages and PyPI
wheels, so any machine of the project's kind can make the same corpus again. Never committed.

    python3 scripts/tokenizer-corpus.py [FOLDER]      (default: .build/tokenizer-corpus)

Kinds (each cut to at most --megabytes, whole files only, in a fixed order):
  python        Python's standard library
  swift         Swift sources of the package's dependencies (.build/checkouts, `swift package resolve`)
  markdown      Markdown documentation of the same dependencies
  man-english   English man pages (Debian's manpages, manpages-dev), as roff
  man-translated man pages in 25 languages (Debian's manpages-*): Latin, Cyrillic, Greek, CJK scripts
  catalogues    gettext message catalogues (.mo) of installed packages and iso-codes: every script
                Debian translates into (Arabic, Devanagari, Thai, Hebrew, Georgian, Tamil, ...)
  json          AWS API models, pretty-printed JSON (the botocore wheel)
  changelogs    Debian changelogs of the installed packages
  emoji         Unicode's emoji-test.txt and sequence lists (Debian's unicode-data)
"""
import argparse
import gzip
import itertools
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

BOTOCORE = "botocore==1.44.5"
MAN_LANGUAGES = (
    "ja zh ru uk de fr es pl it nl pt-br cs el vi tr sr mk hu fi ro sv da nb id"
).split()  # with English's manpages: 25 languages
DEBIAN_PACKAGES = ["manpages", "manpages-dev", "iso-codes", "unicode-data"] + [
    f"manpages-{language}" for language in MAN_LANGUAGES
]


def read_text(path):
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None  # a few old files are Latin-1: leave them out rather than guess


def mo_text(path):
    """The translations of a .mo catalogue, one a line (the English originals would be most of the text)."""
    data = path.read_bytes()
    if len(data) < 20:
        return None
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic == 0x950412DE else ">" if magic == 0xDE120495 else None
    if endian is None:
        return None
    count, _, translations = struct.unpack(endian + "III", data[8:20])
    lines = []
    try:
        for index in range(count):
            length, offset = struct.unpack(endian + "II", data[translations + 8 * index : translations + 8 * index + 8])
            translation = data[offset : offset + length].decode("utf-8")
            if translation and not translation.startswith("Project-Id-Version"):
                lines.append(translation)
    except (UnicodeDecodeError, struct.error):
        return None
    return "\n".join(lines)


def debian_packages(work):
    """Downloads and unpacks the Debian packages the corpus reads (no install needed)."""
    root = work / "debian"
    if root.exists():
        return root
    downloads = work / "debs"
    downloads.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", *DEBIAN_PACKAGES], cwd=downloads, check=True, stdout=subprocess.DEVNULL)
    staging = work / "debian.partial"
    shutil.rmtree(staging, ignore_errors=True)
    for deb in sorted(downloads.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(staging)], check=True)
    staging.rename(root)
    return root


def botocore_models(work):
    wheel_folder = work / "wheels"
    if not list(wheel_folder.glob("botocore-*.whl")):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--disable-pip-version-check",
             "-d", str(wheel_folder), BOTOCORE],
            check=True,
        )
    wheel = zipfile.ZipFile(next(wheel_folder.glob("botocore-*.whl")))
    for name in sorted(wheel.namelist()):
        if name.endswith("service-2.json.gz") or name.endswith("service-2.json"):
            data = wheel.read(name)
            yield name, (gzip.decompress(data) if name.endswith(".gz") else data).decode("utf-8")


def files(root, *patterns):
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and not path.is_symlink():
                yield path


def texts(paths, reader=read_text):
    for path in paths:
        text = reader(path)
        if text:
            yield str(path), text


def round_robin(groups):
    """One item of each group in turn, so that every language is in the cut."""
    for items in itertools.zip_longest(*groups):
        yield from (item for item in items if item is not None)


def write_kind(folder, kind, sources, limit):
    """Concatenates whole files until the next would pass the limit."""
    parts, size = [], 0
    for _, text in sources:
        length = len(text.encode("utf-8"))
        if size and size + length > limit:
            continue
        parts.append(text)
        size += length
        if size >= limit * 0.95:
            break
    if not parts:
        sys.exit(f"tokenizer-corpus: no text found for {kind}")
    (folder / f"{kind}.txt").write_text("\n".join(parts), encoding="utf-8")
    print(f"tokenizer-corpus: {kind}: {size / 1e6:.2f} MB from {len(parts)} files")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default=".build/tokenizer-corpus")
    parser.add_argument("--megabytes", type=float, default=4, help="at most this much text per kind")
    arguments = parser.parse_args()
    folder = pathlib.Path(arguments.folder)
    work = folder / "sources"
    work.mkdir(parents=True, exist_ok=True)
    limit = int(arguments.megabytes * 1e6)

    if not pathlib.Path(".build/checkouts").exists():
        subprocess.run(["swift", "package", "resolve"], check=True)
    checkouts = pathlib.Path(".build/checkouts")
    debian = debian_packages(work)
    locale = pathlib.Path("/usr/share/locale")

    write_kind(folder, "python", texts(files(pathlib.Path(sysconfig.get_paths()["stdlib"]), "*.py", "*/*.py")), limit)
    write_kind(folder, "swift", texts(files(checkouts, "**/Sources/**/*.swift")), limit)
    write_kind(folder, "markdown", texts(files(checkouts, "**/*.md")), limit)
    write_kind(folder, "man-english", texts(files(debian / "usr/share/man", "man*/*.gz")), limit)
    per_language = [
        texts(files(debian / "usr/share/man", f"{language}/man*/*.gz"))
        for language in sorted({p.name for p in (debian / "usr/share/man").iterdir() if not p.name.startswith("man")})
    ]
    write_kind(folder, "man-translated", round_robin(per_language), limit)
    catalogues = list(files(debian / "usr/share/locale", "*/LC_MESSAGES/*.mo")) + list(
        files(locale, "*/LC_MESSAGES/*.mo")
    )
    by_language = {}
    for path in catalogues:
        by_language.setdefault(path.parts[-3], []).append(path)
    write_kind(folder, "catalogues", round_robin(texts(paths, mo_text) for _, paths in sorted(by_language.items())), limit)
    write_kind(folder, "json", botocore_models(work), limit)
    write_kind(folder, "changelogs", texts(files(pathlib.Path("/usr/share/doc"), "*/changelog.Debian.gz")), limit)
    write_kind(folder, "emoji", texts(files(debian / "usr/share/unicode/emoji", "*.txt")), limit)


if __name__ == "__main__":
    main()
