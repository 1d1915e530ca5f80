#!/usr/bin/env python3
"""The reference side of scripts/check-reference: ageitgey's face_recognition 1.3.0 (on dlib-bin).

    reference_embed.py [--upsample N] FILE...

Prints one JSON object per image, in the same shape as `facestream embed`:
    {"file": ..., "width": W, "height": H,
     "faces": [{"bbox": [x, y, w, h], "landmarks": [[x, y] x5], "embedding": [128 floats]}]}

What it runs is exactly what a face_recognition user gets, with two deliberate choices:
- Landmarks are the 5-point model (`model="small"`), because that is the shape predictor FaceStream
  uses (the 68-point model in face_recognition_models is not licensed for commercial use).
- Boxes come from `_raw_face_locations`, not `face_locations`: the public function trims boxes to the
  image, and feeding trimmed boxes back into `face_encodings` would change the landmarks and so the
  embedding. Untrimmed boxes are what `face_encodings(img)` uses internally when given no locations,
  and what FaceStream sees from dlib.
bbox is dlib's inclusive rectangle as [left, top, right-left+1, bottom-top+1] and may reach past the
image edge; compare.py matches faces by IoU, so the edge convention does not matter for matching.
"""
import argparse
import json
import sys

import face_recognition
from face_recognition import api  # the underscore helpers below live here


def describe(path, upsample):
    # load_image_file is PIL decode + convert("RGB"): no EXIF rotation (none of the fixtures need one).
    image = face_recognition.load_image_file(path)
    rects = api._raw_face_locations(image, upsample, "hog")
    # (top, right, bottom, left) without trimming; _css_to_rect inside face_encodings inverts this exactly.
    locations = [api._rect_to_css(r) for r in rects]
    encodings = face_recognition.face_encodings(image, known_face_locations=locations,
                                                num_jitters=1, model="small")
    # Landmarks only to help explain a mismatch; the embedding is what the check is about.
    shapes = api._raw_face_landmarks(image, locations, model="small")
    faces = []
    for rect, shape, encoding in zip(rects, shapes, encodings):
        faces.append({
            "bbox": [rect.left(), rect.top(), rect.right() - rect.left() + 1, rect.bottom() - rect.top() + 1],
            "landmarks": [[p.x, p.y] for p in shape.parts()],
            "embedding": [float(v) for v in encoding],
        })
    height, width = image.shape[:2]
    return {"file": path, "width": width, "height": height, "faces": faces}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upsample", type=int, default=1, help="HOG upsample count, as in face_locations")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    for path in args.files:
        print(json.dumps(describe(path, args.upsample)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
