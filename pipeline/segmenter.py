"""Where the pkuseg model comes from, and how it reaches a fresh machine.

spacy-pkuseg's named models (``"mixed"``, ``"news"`` …) are downloaded from the
internet the first time they are used, which fails offline and in locked-down batch
clusters.  zhnews instead takes the *mixed-domain* model that ships inside the PyPI
source distribution of ``pkuseg==0.0.25`` (fetched with pip, i.e. only the package
registry is needed), checks the archive against a pinned SHA-256, and converts it
once into the format spacy-pkuseg loads natively (``features.msgpack`` +
``weights.npz``).  The conversion is the only place a pickle is ever read, and only
from that pinned, verified archive; at run time nothing but msgpack/npz is loaded.

Licence: the pkuseg model is distributed under a proprietary, research-only licence
by its authors.  It is therefore never committed to this repository nor redistributed:
each user fetches it on their own machine (``make setup`` / ``zhnews setup``).  A user
can point zhnews at any other pkuseg model directory with ``ZHNEWS_PKUSEG_MODEL`` or
``--pkuseg-model``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from pipeline.errors import Errors, ZhnewsError
from pipeline.safety.model_files import sha256_file

PKUSEG_REQUIREMENT = "pkuseg==0.0.25"
PKUSEG_SDIST_NAME = "pkuseg-0.0.25.tar.gz"
PKUSEG_SDIST_SHA256 = "dd012bf93689721c9574bc2b2ba98fb4ac22790cec0af354a78e217828b81e91"
_MODEL_MEMBERS = ("features.pkl", "weights.npz")
_MODEL_PREFIX = "pkuseg-0.0.25/pkuseg/models/default/"
MODEL_FILES = ("features.msgpack", "weights.npz")
MANIFEST = "zhnews-manifest.json"


def cache_root() -> Path:
    """The per-user cache directory (``ZHNEWS_HOME`` or ``$XDG_CACHE_HOME/zhnews``)."""
    if os.environ.get("ZHNEWS_HOME"):
        return Path(os.environ["ZHNEWS_HOME"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "zhnews"


def default_model_dir() -> Path:
    """The pkuseg model zhnews uses unless told otherwise (``ZHNEWS_PKUSEG_MODEL``)."""
    override = os.environ.get("ZHNEWS_PKUSEG_MODEL")
    if override:
        return Path(override).expanduser()
    return cache_root() / "pkuseg" / "mixed-0.0.25"


def resolve_model_dir(setting: str | os.PathLike[str] | None) -> Path:
    """Turn a config value (``"auto"``, empty or a path) into a checked model directory."""
    path = default_model_dir() if setting in (None, "", "auto") else Path(setting).expanduser()
    if not model_is_ready(path):
        raise ZhnewsError(Errors.E004.format(path=path))
    return path


def model_is_ready(path: Path) -> bool:
    """True when ``path`` holds a loadable pkuseg model in msgpack/npz form."""
    return all((path / name).is_file() for name in MODEL_FILES)


def download_sdist(target_dir: Path) -> Path:
    """Fetch the pinned pkuseg sdist with pip (registry only) and verify its SHA-256.

    The sdist declares ``setup_requires`` on numpy and cython; ``--no-build-isolation``
    lets pip prepare its metadata with the numpy/cython already in this environment
    instead of trying to build an isolated one.
    """
    target_dir.mkdir(parents=True, exist_ok=True)
    archive = target_dir / PKUSEG_SDIST_NAME
    if not archive.exists():
        cmd = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
            "--no-build-isolation", "--disable-pip-version-check", "-d", str(target_dir),
            PKUSEG_REQUIREMENT,
        ]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not archive.exists():
            raise ZhnewsError(
                Errors.E010.format(requirement=PKUSEG_REQUIREMENT, reason=result.stderr[-2000:])
            )
    actual = sha256_file(archive)
    if actual != PKUSEG_SDIST_SHA256:
        archive.unlink()
        raise ZhnewsError(
            Errors.E011.format(path=archive, actual=actual, expected=PKUSEG_SDIST_SHA256)
        )
    return archive


def convert_sdist_model(archive: Path, dest: Path) -> Path:
    """Extract the mixed model from the verified archive and save it as msgpack + npz."""
    import spacy_pkuseg  # heavy import, only needed here

    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            for name in _MODEL_MEMBERS:
                member = tar.getmember(_MODEL_PREFIX + name)
                source = tar.extractfile(member)
                if source is None:
                    raise ZhnewsError(Errors.E012.format(path=archive, member=member.name))
                with source, (tmp_dir / name).open("wb") as out:
                    shutil.copyfileobj(source, out)
        # spacy-pkuseg reads features.pkl when no features.msgpack exists; the archive
        # was verified against a pinned hash above, so this one-time read is trusted.
        extractor = spacy_pkuseg.feature_extractor.FeatureExtractor.load(str(tmp_dir))
        model = spacy_pkuseg.model.Model.load(str(tmp_dir))
        staging = dest.with_name(dest.name + ".partial")
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        extractor.save(str(staging))
        model.save(str(staging))
    manifest = {
        "source": PKUSEG_REQUIREMENT,
        "source_sha256": PKUSEG_SDIST_SHA256,
        "licence": "pkuseg models: research use only (proprietary); not redistributed by zhnews",
        "files": {name: sha256_file(staging / name) for name in MODEL_FILES},
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf8")
    if dest.exists():
        shutil.rmtree(dest)
    staging.rename(dest)  # atomic on one filesystem: a crash never leaves half a model
    return dest


def ensure_model(dest: Path | None = None, *, quiet: bool = False) -> Path:
    """Idempotent set-up step: make sure the converted mixed model exists at ``dest``."""
    dest = dest or default_model_dir()
    if model_is_ready(dest):
        if not quiet:
            print(f"pkuseg model ready: {dest}")
        return dest
    downloads = cache_root() / "downloads"
    if not quiet:
        print(f"fetching {PKUSEG_REQUIREMENT} from the package registry into {downloads} ...")
    archive = download_sdist(downloads)
    convert_sdist_model(archive, dest)
    if not quiet:
        print(f"pkuseg model converted: {dest}")
    return dest


if __name__ == "__main__":
    ensure_model()
