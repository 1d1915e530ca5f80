"""FaceStream's CompreFace-compatible API (/api/v1) driven by real clients.

Run by scripts/compreface-test in the venv scripts/setup --fixtures makes ($CACHE/venv-compreface):
  - the official CompreFace Python SDK, compreface-sdk 0.6.0 (Viseron's compreface component is built
    on it, with the options Viseron passes: limit=0, det_prob_threshold=0.8, prediction_count=1,
    status=False), for every service the SDK has;
  - Double Take's requests, byte for byte where it matters (its query strings, `+` for spaces,
    400 code 28 for "no face"), and the one endpoint the SDK lacks (delete several faces).

Environment: FACESTREAM_URL, FACESTREAM_API_KEY (an admin key), FIXTURES_DIR. The test ends by deleting
every subject, so it stops at once on a server that has subjects unless COMPREFACE_TEST_WIPE=1.

Every check prints one line; a failed one prints what was expected, what came back, and the last HTTP
exchange. The last line is "compreface-test: N passed, N failed".
"""

import json
import math
import os
import struct
import sys
import traceback
import uuid
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import requests
import requests.api
from compreface import CompreFace
from compreface.collections import FaceCollection
from compreface.collections.face_collections import Subjects
from compreface.service import DetectionService, RecognitionService, VerificationService

URL = os.environ["FACESTREAM_URL"].rstrip("/")
KEY = os.environ["FACESTREAM_API_KEY"]
FIXTURES = Path(os.environ.get("FIXTURES_DIR") or Path(__file__).resolve().parent.parent / "Fixtures")
WIPE = os.environ.get("COMPREFACE_TEST_WIPE") == "1"

# Thresholds of the clients: Double Take's detect.match.confidence default is 60 (%), Viseron's
# compreface similarity_threshold default is 0.5 (below it a face is "unknown").
MATCH = 0.6
STRANGER = 0.5

# The SDK builds its URLs as domain + ":" + port + path.
_parts = urlsplit(URL)
assert not _parts.path.strip("/"), f"FACESTREAM_URL must not have a path (the SDK can't send one): {URL}"
DOMAIN = f"{_parts.scheme}://{_parts.hostname}"
PORT = str(_parts.port or (443 if _parts.scheme == "https" else 80))

VISERON_OPTIONS = {"limit": 0, "det_prob_threshold": 0.8, "prediction_count": 1, "status": False}


# --- the last HTTP exchange, for failure messages ------------------------------------------------
# The SDK calls requests.get/post/put/delete, which all go through requests.api.request; wrapping it
# records every exchange (and gives each a timeout, which the SDK doesn't).
_last = {}
_request = requests.api.request


def _recording_request(method, url, **kwargs):
    kwargs.setdefault("timeout", 120)
    response = _request(method, url, **kwargs)
    _last.update(method=method.upper(), url=response.request.url, status=response.status_code, body=response.text)
    return response


requests.api.request = _recording_request


def last_exchange():
    if not _last:
        return "no HTTP exchange yet"
    return f"{_last['method']} {_last['url'].removeprefix(URL)} -> {_last['status']} {brief(_last['body'], 600)}"


def brief(value, limit=400):
    """A short printable form of a response: embeddings shortened, long text cut."""
    def shrink(v):
        if isinstance(v, dict):
            return {k: (f"<{len(x)} numbers>" if k == "embedding" and isinstance(x, list) else shrink(x)) for k, x in v.items()}
        if isinstance(v, list):
            return [shrink(x) for x in v]
        return v
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    text = value if isinstance(value, str) else json.dumps(shrink(value), ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


# --- checks ----------------------------------------------------------------------------------
passed = 0
failed = 0


def check(ok, what, expected=None, actual=None):
    global passed, failed
    if ok:
        passed += 1
        print(f"  ok    {what}")
    else:
        failed += 1
        print(f"  FAIL  {what}")
        print(f"          expected: {expected}")
        print(f"          actual:   {brief(actual)}")
        print(f"          last HTTP: {last_exchange()}")
    return bool(ok)


SECTIONS = []


def section(fn):
    SECTIONS.append(fn)
    return fn


class Stop(Exception):
    """Ends the whole run (the server isn't fit to test)."""


# --- fixtures and helpers --------------------------------------------------------------------
def johns():
    """Five people, 11 crops each: {name: sorted paths}."""
    root = FIXTURES / "dlib" / "johns"
    people = {d.name: sorted(str(p) for p in d.glob("*.jpg")) for d in sorted(root.iterdir()) if d.is_dir()}
    assert len(people) == 5 and all(len(v) == 11 for v in people.values()), f"unexpected johns fixture: {root}"
    return people


JOHNS = johns()
ENROLLED = {name: paths[:3] for name, paths in JOHNS.items()}
PROBES = {name: paths[3:] for name, paths in JOHNS.items()}
BALD_GUYS = FIXTURES / "dlib" / "faces" / "bald_guys.jpg"  # 24 faces, 1986×1545
DOGS = FIXTURES / "dlib" / "faces" / "dogs.jpg"  # dogs, no human face
OBAMA = FIXTURES / "face_recognition" / "obama.jpg"
OBAMA2 = FIXTURES / "face_recognition" / "obama2.jpg"
BIDEN = FIXTURES / "face_recognition" / "biden.jpg"


def grey_png(width=200, height=150, level=128):
    """A valid, plain grey RGB PNG (no face), made with the standard library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes([level]) * (3 * width) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def image_size(path):
    """(width, height) of a baseline/progressive JPEG."""
    data = Path(path).read_bytes()
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    raise ValueError(f"no JPEG frame header in {path}")


def label(path):
    path = Path(path)
    return f"{path.parent.name}/{path.name}"


def area(face):
    box = face["box"]
    return (box["x_max"] - box["x_min"]) * (box["y_max"] - box["y_min"])


def biggest(response):
    """The biggest face of a recognize/detect answer, or None."""
    faces = response.get("result") if isinstance(response, dict) else None
    if not faces:
        return None
    return max(faces, key=area)


def top_subject(face):
    subjects = (face or {}).get("subjects") or []
    return subjects[0] if subjects else None


def box_ok(box, width, height):
    try:
        return (all(isinstance(box[k], int) for k in ("x_min", "y_min", "x_max", "y_max"))
                and 0 <= box["x_min"] < box["x_max"] <= width and 0 <= box["y_min"] < box["y_max"] <= height
                and 0 < box["probability"] <= 1)
    except (KeyError, TypeError):
        return False


def sdk(options=None):
    return CompreFace(DOMAIN, PORT, options or {})


def auth_headers():
    return {"x-api-key": KEY}


def body_of(response):
    """The JSON body of a requests response, or None when it isn't JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def code_of(response):
    body = body_of(response)
    return body.get("code") if isinstance(body, dict) else None


recognition: RecognitionService = sdk().init_face_recognition(KEY)
viseron: RecognitionService = sdk(VISERON_OPTIONS).init_face_recognition(KEY)
faces: FaceCollection = recognition.get_face_collection()
subjects: Subjects = recognition.get_subjects()
image_ids = {}  # subject -> image ids, in the order added
stats = {"match_min": None, "stranger_max": None}


def all_faces():
    """GET /api/v1/recognition/faces through the SDK (it sends no page/size: the server's default page)."""
    listing = faces.list()
    return listing.get("faces") if isinstance(listing, dict) else None


def subject_names():
    listing = subjects.list()
    return sorted(listing["subjects"]) if isinstance(listing, dict) and isinstance(listing.get("subjects"), list) else None


# --- the sections, in order ----------------------------------------------------------------------
@section
def api_keys():
    """API keys: CompreFace's x-api-key header"""
    r = requests.get(f"{URL}/api/v1/recognition/subjects")
    body = body_of(r)
    check(r.status_code == 401 and isinstance(body, dict) and body.get("code") == 20 and body.get("message"),
          "no x-api-key: 401 with code 20 and a message", "401 {'message': …, 'code': 20}", f"{r.status_code} {r.text}")
    r = requests.post(f"{URL}/api/v1/recognition/recognize", files={"file": ("a.jpg", OBAMA.read_bytes(), "image/jpeg")})
    check(r.status_code == 401 and code_of(r) == 20, "no x-api-key on recognize: 401 code 20",
          "401 code 20", f"{r.status_code} {r.text}")
    wrong = str(uuid.uuid4())
    r = requests.get(f"{URL}/api/v1/recognition/subjects", headers={"x-api-key": wrong})
    check(r.status_code == 401, f"a wrong key: 401 (code {code_of(r)})",
          "401", f"{r.status_code} {r.text}")
    r = requests.get(f"{URL}/api/v1/recognition/subjects", headers={"X-API-KEY": KEY})
    check(r.status_code == 200, "the header name is case-insensitive (X-API-KEY)", "200", f"{r.status_code} {r.text}")


@section
def clean_start():
    """A server without subjects"""
    names = subject_names()
    if not check(names is not None, "GET /api/v1/recognition/subjects answers {'subjects': [...]}", "a list", subjects.list()):
        raise Stop("the subjects endpoint doesn't work")
    if names and not WIPE:
        raise Stop(f"the server has {len(names)} subjects and this test deletes every subject at the end: "
                   f"set COMPREFACE_TEST_WIPE=1 to allow that")
    if names:
        print(f"  (deleting the {len(names)} subjects already there: COMPREFACE_TEST_WIPE=1)")
        subjects.delete_all()
    check(subject_names() == [], "no subjects to begin with", [], subject_names())


@section
def add_faces():
    """Face collection add(image, subject): three photos of each john"""
    for name, paths in ENROLLED.items():
        for i, path in enumerate(paths):
            if name == "John_Simm":  # as Viseron trains: JPEG bytes, sent as "image.jpg"
                result, how = faces.add(Path(path).read_bytes(), name), "bytes"
            elif name == "John_Schneider":  # ?subject=…&det_prob_threshold=0.8
                result, how = faces.add(path, name, {"det_prob_threshold": 0.8}), "det_prob_threshold=0.8"
            else:
                result, how = faces.add(path, name), "path"
            ok = (isinstance(result, dict) and isinstance(result.get("image_id"), str) and result["image_id"]
                  and result.get("subject") == name)
            check(ok, f"add {label(path)} ({how}) -> image_id, subject {name}",
                  f"{{'image_id': <string>, 'subject': '{name}'}}", result)
            if ok:
                image_ids.setdefault(name, []).append(result["image_id"])
    everything = [i for ids in image_ids.values() for i in ids]
    check(len(set(everything)) == len(everything) == 15, "15 distinct image ids", 15, everything)


@section
def list_collection():
    """Subjects list and face collection list"""
    check(subject_names() == sorted(ENROLLED), "subjects: the five johns", sorted(ENROLLED), subjects.list())
    listed = all_faces()
    if not check(isinstance(listed, list) and len(listed) == 15, "faces: 15", 15, faces.list()):
        return
    check(all(isinstance(f.get("image_id"), str) and f.get("subject") in ENROLLED for f in listed),
          "every face has image_id and subject", "image_id + subject", listed)
    check(sorted(f["image_id"] for f in listed) == sorted(i for ids in image_ids.values() for i in ids),
          "the listed ids are the ids add() returned", sorted(i for ids in image_ids.values() for i in ids),
          sorted(f["image_id"] for f in listed))
    per_subject = {n: sum(1 for f in listed if f["subject"] == n) for n in ENROLLED}
    check(all(c == 3 for c in per_subject.values()), "three faces per subject", 3, per_subject)
    listing = faces.list()
    total = listing.get("total_elements")
    check(total in (None, 15), f"total_elements (CompreFace's paging fields) is 15 if present: {total}", 15, total)


@section
def recognize_johns():
    """recognize(): each john's eight other photos, with Viseron's options"""
    for name, paths in PROBES.items():
        for path in paths:
            result = viseron.recognize(path)  # ?&limit=0&det_prob_threshold=0.8&prediction_count=1&status=False
            face = biggest(result)
            top = top_subject(face)
            ok = bool(top) and top.get("subject") == name and top.get("similarity", 0) >= MATCH
            if top and top.get("subject") == name:
                stats["match_min"] = min(x for x in (stats["match_min"], top.get("similarity", 0)) if x is not None)
            check(ok, f"{label(path)} -> {top.get('subject') if top else None} "
                      f"{top.get('similarity') if top else ''}",
                  f"top subject {name}, similarity >= {MATCH}", result)
            if face is not None:
                count = len(face.get("subjects") or [])
                if count != 1:
                    check(False, f"{label(path)}: prediction_count=1 gives one subject", 1, face)
    # As Viseron sends frames: JPEG bytes named image.jpg.
    path = PROBES["John_Salley"][0]
    top = top_subject(biggest(viseron.recognize(Path(path).read_bytes())))
    check(top and top["subject"] == "John_Salley" and top["similarity"] >= MATCH,
          f"{label(path)} sent as bytes -> John_Salley", "John_Salley", top)
    # prediction_count=5: all five subjects, most similar first.
    result = recognition.recognize(path, {"prediction_count": 5})
    ranked = (biggest(result) or {}).get("subjects") or []
    sims = [s.get("similarity") for s in ranked]
    check(len(ranked) == 5 and len({s.get("subject") for s in ranked}) == 5 and sims == sorted(sims, reverse=True)
          and ranked[0]["subject"] == "John_Salley",
          "prediction_count=5: five distinct subjects, most similar first, John_Salley on top", "5 ranked subjects", ranked)


@section
def recognize_strangers():
    """recognize(): people who aren't enrolled stay below Viseron's 0.5"""
    for path in (OBAMA, BIDEN):
        result = recognition.recognize(str(path), {**VISERON_OPTIONS, "prediction_count": 5})
        found = result.get("result") if isinstance(result, dict) else None
        if not check(found, f"{label(path)}: a face is found", "a face", result):
            continue
        sims = [s.get("similarity", 1) for f in found for s in (f.get("subjects") or [])]
        stats["stranger_max"] = max(x for x in (stats["stranger_max"], *sims) if x is not None)
        check(all(f.get("subjects") for f in found), f"{label(path)}: subjects is never empty (Viseron reads subjects[0])",
              "subjects[0] exists", found)
        check(sims and all(s < STRANGER for s in sims),
              f"{label(path)}: every similarity < {STRANGER} (max {max(sims) if sims else None})",
              f"all < {STRANGER}", found)


@section
def face_plugins():
    """face_plugins=calculator,landmarks and status=true"""
    path = PROBES["John_Savage"][1]
    width, height = image_size(path)
    result = recognition.recognize(path, {"face_plugins": "calculator,landmarks"})
    found = result.get("result") if isinstance(result, dict) else None
    if not check(found, f"{label(path)}: faces found", "faces", result):
        return
    for face in found:
        emb = face.get("embedding")
        check(isinstance(emb, list) and len(emb) == 128 and all(isinstance(x, float) and math.isfinite(x) for x in emb),
              "calculator: an embedding of 128 floats", "128 floats", {"embedding length": len(emb) if isinstance(emb, list) else emb})
        marks = face.get("landmarks")
        check(isinstance(marks, list) and len(marks) == 5
              and all(isinstance(p, list) and len(p) == 2 and 0 <= p[0] <= width and 0 <= p[1] <= height for p in marks),
              "landmarks: five [x, y] points inside the image", "5 points", marks)
        check(top_subject(face) and top_subject(face)["subject"] == "John_Savage", "plugins don't change the match",
              "John_Savage", face.get("subjects"))
    plain = biggest(recognition.recognize(path)) or {}
    check("embedding" not in plain and "landmarks" not in plain, "without face_plugins: no embedding, no landmarks",
          "no plugin fields", plain)
    timed = biggest(recognition.recognize(path, {"status": True})) or {}
    check(isinstance(timed.get("execution_time"), dict), "status=True: execution_time per face", "a dict", timed)


@section
def detect():
    """Detection service detect(): bald_guys.jpg"""
    check(BALD_GUYS.is_file(), f"fixture {BALD_GUYS.name} exists", "a file", str(BALD_GUYS))
    width, height = image_size(BALD_GUYS)
    detection: DetectionService = sdk({"det_prob_threshold": 0.8, "limit": 0, "status": False}).init_face_detection(KEY)
    result = detection.detect(str(BALD_GUYS))  # ?&det_prob_threshold=0.8&limit=0&status=False
    found = result.get("result") if isinstance(result, dict) else None
    check(isinstance(found, list) and len(found) == 24, f"24 faces (got {len(found) if isinstance(found, list) else None})",
          24, result)
    if found:
        bad = [f.get("box") for f in found if not box_ok(f.get("box"), width, height)]
        check(not bad, f"every box is integer, inside {width}x{height}, probability in (0, 1]", "no bad boxes", bad)
        check(all(f["box"]["probability"] >= 0.8 for f in found if "box" in f), "every probability >= det_prob_threshold 0.8",
              ">= 0.8", [f.get("box", {}).get("probability") for f in found])
    limited = sdk().init_face_detection(KEY).detect(str(BALD_GUYS), {"limit": 5})
    some = limited.get("result") if isinstance(limited, dict) else None
    check(isinstance(some, list) and len(some) == 5, "limit=5: five faces", 5, limited)
    if found and some and len(found) >= 6:
        sixth = sorted((area(f) for f in found), reverse=True)[5]
        check(all(area(f) >= sixth for f in some), "limit=5 keeps the biggest faces", f"areas >= {sixth}",
              [area(f) for f in some])
    marked = sdk().init_face_detection(KEY).detect(str(BALD_GUYS), {"face_plugins": "landmarks"})
    check(all(len(f.get("landmarks") or []) == 5 for f in (marked.get("result") or [])) and marked.get("result"),
          "detect with face_plugins=landmarks: five landmarks per face", "5 per face", marked)


@section
def verify():
    """Verification service verify(source, target) and face collection verify(image, image_id)"""
    verification: VerificationService = sdk({"det_prob_threshold": 0.8, "limit": 0, "status": False}).init_face_verification(KEY)

    def match_similarity(response):
        try:
            return response["result"][0]["face_matches"][0]["similarity"]
        except (KeyError, IndexError, TypeError):
            return None

    a, b = PROBES["John_Shimkus"][0], PROBES["John_Shimkus"][1]
    result = verification.verify(a, b)  # POST /api/v1/verification/verify?&det_prob_threshold=0.8&limit=0&status=False
    sim = match_similarity(result)
    check(sim is not None and sim >= MATCH, f"{label(a)} vs {label(b)}: similarity {sim} >= {MATCH}",
          f"result[0].face_matches[0].similarity >= {MATCH}", result)
    check(isinstance(result, dict) and result.get("result") and "box" in (result["result"][0].get("source_image_face") or {}),
          "result[0].source_image_face.box", "a box", result)
    result = sdk().init_face_verification(KEY).verify(a, str(OBAMA))  # no query string at all
    sim = match_similarity(result)
    check(sim is not None and sim < STRANGER, f"{label(a)} vs obama.jpg: similarity {sim} < {STRANGER}",
          f"< {STRANGER}", result)

    target = (image_ids.get("John_Salley") or [None])[0]
    if not check(target, "an image id of John_Salley to verify against", "an id", image_ids):
        return
    probe = PROBES["John_Salley"][2]
    result = faces.verify(probe, target)  # POST /api/v1/recognition/faces/<id>/verify (no query)
    sim = (result.get("result") or [{}])[0].get("similarity") if isinstance(result, dict) else None
    check(sim is not None and sim >= MATCH, f"faces/<id>/verify {label(probe)} vs its own enrolled face: {sim} >= {MATCH}",
          f"result[0].similarity >= {MATCH}", result)
    other = PROBES["John_Simm"][2]
    result = faces.verify(other, target, {"det_prob_threshold": 0.8})  # …/verify?&det_prob_threshold=0.8
    sim = (result.get("result") or [{}])[0].get("similarity") if isinstance(result, dict) else None
    check(sim is not None and sim < STRANGER, f"faces/<id>/verify {label(other)} vs John_Salley: {sim} < {STRANGER}",
          f"< {STRANGER}", result)


@section
def double_take():
    """Double Take's requests (api/src/util/detectors/compreface.js)"""
    path = PROBES["John_Schneider"][4]
    # Double Take puts face_plugins in the URL itself and axios appends its params after it, so the
    # real query is face_plugins=undefined&det_prob_threshold=0.8 (undefined: face_plugins not set).
    for query in ("face_plugins=undefined&det_prob_threshold=0.8", "det_prob_threshold=0.8&face_plugins=undefined",
                  "det_prob_threshold=0.8"):
        with open(path, "rb") as fh:
            r = requests.post(f"{URL}/api/v1/recognition/recognize?{query}", headers=auth_headers(),
                              files={"file": (Path(path).name, fh, "image/jpeg")})
        body = body_of(r)
        top = top_subject(biggest(body)) if isinstance(body, dict) else None
        # Double Take's normalize(): name = subject.toLowerCase(), confidence = similarity * 100 rounded to 2 places.
        name = top["subject"].lower() if top else None
        confidence = round(top["similarity"] * 100, 2) if top else 0
        check(r.status_code == 200 and name == "john_schneider" and confidence >= MATCH * 100,
              f"?{query}: 200, {name} at {confidence}%", f"200, john_schneider >= {MATCH * 100:.0f}%", f"{r.status_code} {r.text}")

    no_face = {"message": "No face is found in the given image", "code": 28}
    for what, name, data in (("dogs.jpg", "dogs.jpg", DOGS.read_bytes()), ("a plain grey PNG", "grey.png", grey_png())):
        r = requests.post(f"{URL}/api/v1/recognition/recognize?face_plugins=undefined&det_prob_threshold=0.8",
                          headers=auth_headers(), files={"file": (name, data, "image/png" if name.endswith("png") else "image/jpeg")})
        body = body_of(r)
        check(r.status_code == 400 and isinstance(body, dict) and {k: body.get(k) for k in no_face} == no_face,
              f"{what}: 400 {no_face}", f"400 {no_face}", f"{r.status_code} {r.text}")

    # Training and removal: axios encodes a space in params as "+".
    with open(OBAMA2, "rb") as fh:
        r = requests.post(f"{URL}/api/v1/recognition/faces?subject=Double+Take+Tester", headers=auth_headers(),
                          files={"file": ("obama2.jpg", fh, "image/jpeg")})
    body = body_of(r)
    check(200 <= r.status_code < 300 and isinstance(body, dict) and body.get("subject") == "Double Take Tester",
          "train: POST /faces?subject=Double+Take+Tester -> 2xx, subject 'Double Take Tester'",
          "2xx {'image_id': …, 'subject': 'Double Take Tester'}", f"{r.status_code} {r.text}")
    r = requests.delete(f"{URL}/api/v1/recognition/faces?subject=Double+Take+Tester", headers=auth_headers())
    check(r.status_code == 200 and (body_of(r) or {}).get("deleted") == 1,
          "remove: DELETE /faces?subject=Double+Take+Tester -> {'deleted': 1}", "200 {'deleted': 1}", f"{r.status_code} {r.text}")
    check(len(all_faces() or []) == 15, "the collection is back to 15 faces", 15, faces.list())


@section
def no_face_through_the_sdk():
    """No face through the SDK: Viseron's checks"""
    result = viseron.recognize(grey_png())  # bytes named image.jpg that are really a PNG
    check(isinstance(result, dict) and "result" not in result and result.get("code") == 28,
          "recognize a grey PNG: no 'result', code 28 (Viseron skips answers without 'result')", "{'code': 28, …}", result)
    result = faces.add(str(DOGS), "Nobody")
    check(isinstance(result, dict) and "message" in result and result.get("code") == 28,
          "add dogs.jpg: 'message' and code 28 (Viseron logs 'not suitable for training')", "{'message': …, 'code': 28}", result)
    check("Nobody" not in (subject_names() or []), "a rejected add creates no subject", "no 'Nobody'", subjects.list())


@section
def deletions_and_renames():
    """Deleting faces and subjects, renaming and merging subjects"""
    count = len(all_faces() or [])

    salley = image_ids.get("John_Salley") or []
    if salley:
        result = faces.delete(salley[0])  # DELETE /faces/<id>
        check(isinstance(result, dict) and result.get("image_id") == salley[0] and result.get("subject") == "John_Salley",
              "delete(image_id) -> that image_id and subject John_Salley", {"image_id": salley[0], "subject": "John_Salley"}, result)
        listed = all_faces() or []
        check(len(listed) == count - 1 and salley[0] not in {f["image_id"] for f in listed},
              f"the list shrinks by one ({count} -> {count - 1})", count - 1, len(listed))
        count = len(listed)

    r = requests.delete(f"{URL}/api/v1/recognition/faces/{uuid.uuid4()}", headers=auth_headers())
    check(r.status_code == 404 and isinstance(body_of(r), dict), f"delete an unknown image id: 404 (code {code_of(r)})",
          "404 with a JSON error", f"{r.status_code} {r.text}")

    schneider = image_ids.get("John_Schneider") or []
    if len(schneider) >= 2:
        # Not in the SDK: POST /faces/delete with a JSON array of ids; unknown ids are ignored.
        r = requests.post(f"{URL}/api/v1/recognition/faces/delete", headers=auth_headers(),
                          json=[schneider[0], schneider[1], str(uuid.uuid4())])
        body = body_of(r)
        check(r.status_code == 200 and isinstance(body, list) and sorted(x.get("image_id") for x in body) == sorted(schneider[:2])
              and all(x.get("subject") == "John_Schneider" for x in body),
              "POST /faces/delete [id, id, unknown] -> the two deleted faces", "[{'image_id', 'subject'} × 2]", f"{r.status_code} {r.text}")
        listed = all_faces() or []
        check(len(listed) == count - 2, f"the list shrinks by two ({count} -> {count - 2})", count - 2, len(listed))
        count = len(listed)

    result = faces.delete_all("John_Shimkus")  # DELETE /faces?subject=John_Shimkus
    check(result == {"deleted": 3}, "delete_all('John_Shimkus') -> {'deleted': 3}", {"deleted": 3}, result)
    listed = all_faces() or []
    check(len(listed) == count - 3 and all(f["subject"] != "John_Shimkus" for f in listed),
          f"no John_Shimkus faces left ({count} -> {count - 3})", count - 3, len(listed))
    count = len(listed)
    result = faces.delete_all("Nobody Here")  # Viseron calls this before training every folder
    check(isinstance(result, dict), f"delete_all of an unknown subject answers JSON: {brief(result, 120)}", "a JSON object", result)

    # Rename: PUT /subjects/John_Savage {"subject": new, "api_endpoint": "John_Savage"} (the SDK adds api_endpoint).
    new = "Jöhn Savage Jr."
    result = subjects.update("John_Savage", new)
    check(result == {"updated": True}, f"rename John_Savage -> {new}: {{'updated': True}}", {"updated": True}, result)
    names = subject_names() or []
    check(new in names and "John_Savage" not in names, "the subjects list has the new name only", f"{new}, no John_Savage", names)
    check(sum(1 for f in all_faces() or [] if f["subject"] == new) == 3, "the three faces moved with it", 3, faces.list())
    probe = PROBES["John_Savage"][5]
    top = top_subject(biggest(recognition.recognize(probe)))
    check(top and top["subject"] == new and top["similarity"] >= MATCH, f"{label(probe)} is now recognised as {new}",
          new, top)

    # Rename onto an existing subject merges them.
    simm_probe = PROBES["John_Simm"][0]
    added = faces.add(simm_probe, "Simm Alias")
    check(isinstance(added, dict) and added.get("subject") == "Simm Alias", "add a face under 'Simm Alias'", "Simm Alias", added)
    result = subjects.update("Simm Alias", "John_Simm")  # PUT /subjects/Simm%20Alias
    check(result == {"updated": True}, "rename 'Simm Alias' onto John_Simm (merge): {'updated': True}", {"updated": True}, result)
    names = subject_names() or []
    simm_faces = sum(1 for f in all_faces() or [] if f["subject"] == "John_Simm")
    check("Simm Alias" not in names and simm_faces == 4, f"merged: no 'Simm Alias', John_Simm has 4 faces ({simm_faces})",
          "4 faces", names)

    # Subjects without faces.
    result = subjects.add("Ada Lovelace")  # POST /subjects {"subject": "Ada Lovelace"}
    check(result == {"subject": "Ada Lovelace"}, "subjects.add('Ada Lovelace')", {"subject": "Ada Lovelace"}, result)
    check("Ada Lovelace" in (subject_names() or []), "listed without any face", "Ada Lovelace", subjects.list())
    result = subjects.add("Ada Lovelace")
    check(isinstance(result, dict) and "subject" not in result and result.get("code") == 43,
          "adding it again: code 43 (subject already exists)", "{'code': 43, …}", result)

    # Delete one subject with a name that needs percent-encoding in the path.
    result = subjects.delete(new)  # DELETE /subjects/J%C3%B6hn%20Savage%20Jr.
    check(result == {"subject": new}, f"subjects.delete('{new}') -> {{'subject': '{new}'}}", {"subject": new}, result)
    check(new not in (subject_names() or []) and all(f["subject"] != new for f in all_faces() or []),
          "gone, with its faces", f"no {new}", subjects.list())

    # And everything.
    remaining = subject_names() or []
    result = subjects.delete_all()  # DELETE /subjects
    check(result == {"deleted": len(remaining)}, f"subjects.delete_all() -> {{'deleted': {len(remaining)}}}",
          {"deleted": len(remaining)}, result)
    check(subject_names() == [], "no subjects left", [], subjects.list())
    check(all_faces() == [], "no faces left", [], faces.list())


def main():
    global failed
    print(f"compreface-test: {URL}, compreface-sdk 0.6.0, fixtures {FIXTURES}")
    for fn in SECTIONS:
        print(f"== {fn.__doc__}")
        try:
            fn()
        except Stop as stop:
            failed += 1
            print(f"  STOP  {stop}")
            break
        except Exception:  # a crash in one section is a failure; the next section still runs
            failed += 1
            print("  FAIL  the section crashed:")
            print("          " + traceback.format_exc().strip().replace("\n", "\n          "))
            print(f"          last HTTP: {last_exchange()}")
    def fmt(x):
        return "n/a" if x is None else f"{x:.3f}"
    print(f"similarity: lowest right match {fmt(stats['match_min'])} (needs >= {MATCH}), "
          f"highest stranger {fmt(stats['stranger_max'])} (needs < {STRANGER})")
    print(f"compreface-test: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
