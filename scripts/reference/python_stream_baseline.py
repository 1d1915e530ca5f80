#!/usr/bin/env python3
"""Frame-by-frame Python baseline for the streaming benchmark.

    python_stream_baseline.py FRAMES_DIR [--known NAME=IMAGE ...] [--labels-out FILE]

What a face_recognition user would write (the classic `facerec_from_webcam.py` loop, run on every
frame at full size): decode, HOG detect at upsample 1, embed every face, label it with the nearest
known face if that is within --tolerance, else "unknown". No tracking and no skipping: the speed
FaceStream has to beat by being clever, and the labels it should agree with.

Run it with the reference venv (scripts/check-reference creates it):
    ffmpeg -v error -i ../shared/media/short_hamilton_clip.mp4 -q:v 4 /tmp/frames/f%04d.jpg
    ~/.cache/facestream/venv-reference/bin/python scripts/reference/python_stream_baseline.py /tmp/frames

Prints frames, wall seconds, fps, faces, faces per label. The clock covers only the frame loop
(decode included, as a server must decode what a client sends); loading models and enrolling the
known faces happen before it starts.
"""
import argparse
import collections
import glob
import json
import os
import sys
import time

import face_recognition
import numpy as np

MEDIA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "media")
DEFAULT_KNOWN = [os.path.join(MEDIA, f) for f in ("lin-manuel-miranda.png", "alex-lacamoire.png")]


def enroll(specs):
    """[NAME=]IMAGE -> (names, encodings); the name defaults to the file's stem, as in the example."""
    names, encodings = [], []
    for spec in specs:
        name, _, path = spec.rpartition("=")
        name = name or os.path.splitext(os.path.basename(path))[0]
        found = face_recognition.face_encodings(face_recognition.load_image_file(path))
        if len(found) != 1:
            sys.exit(f"baseline: {path}: expected one face, found {len(found)}")
        names.append(name)
        encodings.append(found[0])
    return names, np.array(encodings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("frames_dir")
    parser.add_argument("--known", action="append", metavar="[NAME=]IMAGE",
                        help="a person to recognise (repeatable); default: the two portraits in ../shared/media")
    parser.add_argument("--upsample", type=int, default=1)
    parser.add_argument("--tolerance", type=float, default=0.6, help="max distance for a match (FACE_MATCH_THRESHOLD)")
    parser.add_argument("--labels-out", metavar="FILE", help="write one JSON line per frame with its faces")
    args = parser.parse_args()

    frames = sorted(glob.glob(os.path.join(args.frames_dir, "*.jpg")))
    if not frames:
        sys.exit(f"baseline: no *.jpg in {args.frames_dir}")
    names, known = enroll(args.known or DEFAULT_KNOWN)
    labels_out = open(args.labels_out, "w") if args.labels_out else None

    counts = collections.Counter()
    stage = collections.Counter()  # seconds per stage, to see where the time goes
    start, cpu_start = time.perf_counter(), time.process_time()
    for index, path in enumerate(frames):
        t0 = time.perf_counter()
        image = face_recognition.load_image_file(path)
        t1 = time.perf_counter()
        # Public API, like the example: boxes trimmed to the frame, encodings from those boxes.
        locations = face_recognition.face_locations(image, number_of_times_to_upsample=args.upsample, model="hog")
        t2 = time.perf_counter()
        encodings = face_recognition.face_encodings(image, locations)  # 5-point landmarks, 1 jitter
        t3 = time.perf_counter()
        stage["decode"] += t1 - t0
        stage["detect"] += t2 - t1
        stage["landmarks+embed"] += t3 - t2

        faces = []
        for (top, right, bottom, left), encoding in zip(locations, encodings):
            distances = face_recognition.face_distance(known, encoding)
            best = int(np.argmin(distances))
            name = names[best] if distances[best] <= args.tolerance else "unknown"
            counts[name] += 1
            # [x, y, w, h] with dlib's inclusive right/bottom, as reference_embed.py reports boxes.
            faces.append({"bbox": [left, top, right - left + 1, bottom - top + 1],
                          "name": name, "distance": round(float(distances[best]), 4)})
        if labels_out:
            labels_out.write(json.dumps({"frame": index, "file": os.path.basename(path), "faces": faces}) + "\n")
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    if labels_out:
        labels_out.close()

    total = sum(counts.values())
    print(f"frames   {len(frames)}  ({args.frames_dir})")
    print(f"wall     {wall:.1f} s  ("
          + ", ".join(f"{k} {v:.1f} s" for k, v in stage.items()) + ")")
    print(f"fps      {len(frames) / wall:.1f}")
    # CPU seconds too: on a shared machine wall time includes waiting for a core; dlib-bin's HOG
    # and ResNet run on one thread, so CPU seconds are what the loop costs with a core to itself.
    print(f"cpu      {cpu:.1f} s  ({len(frames) / cpu:.1f} frames per CPU second)")
    print(f"faces    {total}")
    for name in names + ["unknown"]:
        print(f"  {name:20s} {counts[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
