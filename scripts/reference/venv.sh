# shellcheck shell=bash
# Sourced by scripts/check-reference and usable alone: `source scripts/reference/venv.sh && reference_venv`.
# Creates (once) the Python venv that runs the *reference* pipeline: ageitgey's face_recognition
# 1.3.0 on top of dlib's own Python bindings. This is the yardstick FaceStream's embeddings are
# compared against.
#
# Why these pins and flags:
# - face_recognition 1.3.0 declares a dependency on `dlib`, which on PyPI is an sdist that needs
#   CMake and a ~20-minute C++ build. `dlib-bin` is a prebuilt wheel that provides the same `dlib`
#   module, so face_recognition is installed with --no-deps and its real needs are listed by hand.
# - dlib-bin 20.0.1 is the version the reference figures in scripts/reference/README.md were measured with.
# - face_recognition_models 0.3.0 is a 100 MB sdist of model files; scripts/setup already caches
#   it (sha256-checked), so it is installed from that file when present instead of downloaded again.
# - face_recognition_models finds its files through pkg_resources, which comes with setuptools;
#   venvs of Python >= 3.12 have no setuptools, and setuptools 81+ drops pkg_resources.
# - face_recognition 1.3.0 reports __version__ "1.2.3", so the check below reads the package metadata.

REFERENCE_REQS="face_recognition==1.3.0 face_recognition_models==0.3.0 dlib-bin==20.0.1 numpy Pillow Click setuptools<81"
REFERENCE_MODELS_SDIST_SHA=b79bd200a88c87c9a9d446c990ae71c5a626d1f3730174e6d570157ff1d896cf

reference_venv() {
    local cache=${FACESTREAM_CACHE:-$HOME/.cache/facestream}
    REFERENCE_VENV=$cache/venv-reference
    REFERENCE_PYTHON=$REFERENCE_VENV/bin/python
    # The marker holds the requirement list, so changing a pin rebuilds the venv.
    if [[ -x $REFERENCE_PYTHON && $(cat "$REFERENCE_VENV/.reqs" 2>/dev/null) == "$REFERENCE_REQS" ]]; then
        return 0
    fi
    echo "check-reference: creating $REFERENCE_VENV" >&2
    rm -rf "$REFERENCE_VENV"
    python3 -m venv "$REFERENCE_VENV"
    local pip=("$REFERENCE_PYTHON" -m pip install -q --disable-pip-version-check)
    local models=face_recognition_models==0.3.0
    local sdist=$cache/pypi/face_recognition_models-0.3.0.tar.gz
    if [[ -f $sdist ]] && echo "$REFERENCE_MODELS_SDIST_SHA  $sdist" | sha256sum --check --status; then
        models=$sdist
    fi
    # Binary-only for dlib-bin, never a compile. 20.0.1 first; if it has no wheel for this Python,
    # the newest dlib-bin that has one (the models and the algorithm have not changed since 19.x).
    if ! "${pip[@]}" --only-binary dlib-bin "dlib-bin==20.0.1" numpy Pillow Click "setuptools<81"; then
        echo "check-reference: no dlib-bin 20.0.1 wheel for this Python; trying the newest dlib-bin" >&2
        "${pip[@]}" --only-binary dlib-bin dlib-bin numpy Pillow Click "setuptools<81"
    fi
    "${pip[@]}" --no-deps face_recognition==1.3.0 "$models"
    # The one check that matters: face_recognition imports and finds dlib and its model files.
    "$REFERENCE_PYTHON" -c 'import importlib.metadata, dlib, face_recognition; print("check-reference: dlib", dlib.__version__, "face_recognition", importlib.metadata.version("face_recognition"))' >&2
    echo "$REFERENCE_REQS" >"$REFERENCE_VENV/.reqs"
}
