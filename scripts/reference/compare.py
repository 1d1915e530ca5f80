#!/usr/bin/env python3
"""Compares FaceStream's `embed` output with the reference's (reference_embed.py).

    compare.py [--tolerance 1e-3] [--min-iou 0.5] --run LABEL REF.jsonl FACESTREAM.jsonl [--run ...]

Each --run is one pass over some images (e.g. one upsample setting); the same photo may appear in
several runs. Within a run, images are matched by path and faces by bounding-box IoU (greedy, best
first), because the two sides need not list faces in the same order or draw box edges the same way.

Prints one line per image, then a summary line, and exits 1 if any reference face has no FaceStream
match ("missed"), FaceStream found a face the reference did not ("extra"), an image is missing from
either side, or any matched embedding component differs by more than --tolerance. The tolerance is
loose on purpose: equal pixels through the same dlib model give ~1e-7 (float noise); a wrong
upsample, crop or landmark model gives ~1e-2 and more.
"""
import argparse
import json
import os
import sys


def load(path):
    """{real path of image: record}; realpath so 'a/b.jpg' and '/abs/a/b.jpg' are the same image."""
    records = {}
    if not os.path.isfile(path):
        sys.exit(f"compare: {path}: no such file")
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"compare: {path}:{n}: not JSON ({e}): {line[:80]!r}")
            records[os.path.realpath(record["file"])] = record
    return records


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def match(ref_faces, fs_faces, min_iou):
    """Greedy one-to-one matching by IoU, highest first. Returns [(ref_index, fs_index)]."""
    candidates = sorted(
        ((iou(r["bbox"], f["bbox"]), i, j) for i, r in enumerate(ref_faces) for j, f in enumerate(fs_faces)),
        reverse=True)
    used_ref, used_fs, pairs = set(), set(), []
    for overlap, i, j in candidates:
        if overlap < min_iou:
            break
        if i not in used_ref and j not in used_fs:
            used_ref.add(i)
            used_fs.add(j)
            pairs.append((i, j))
    return pairs


def max_abs_diff(a, b):
    if len(a) != len(b):
        return float("inf")  # a wrong-length embedding can never pass
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", nargs=3, action="append", required=True,
                        metavar=("LABEL", "REF", "FACESTREAM"))
    parser.add_argument("--tolerance", type=float, default=1e-3)
    parser.add_argument("--min-iou", type=float, default=0.5)
    args = parser.parse_args()

    images = faces = matched = missed = extra = missing_images = 0
    worst = 0.0          # max |Δ| over every component of every matched embedding
    worst_landmark = 0   # informational: explains a large |Δ| when it happens
    for label, ref_path, fs_path in args.run:
        ref, fs = load(ref_path), load(fs_path)
        print(f"== {label}: {ref_path} vs {fs_path}")
        for path in sorted(set(ref) | set(fs)):
            name = os.path.relpath(path)
            if path not in fs or path not in ref:
                side = "FaceStream" if path not in fs else "reference"
                print(f"  {name}: MISSING from {side} output")
                missing_images += 1
                images += 1
                faces += len(ref.get(path, {}).get("faces", []))
                missed += len(ref.get(path, {}).get("faces", []))
                extra += len(fs.get(path, {}).get("faces", []))
                continue
            ref_faces, fs_faces = ref[path]["faces"], fs[path]["faces"]
            pairs = match(ref_faces, fs_faces, args.min_iou)
            image_worst = 0.0
            for i, j in pairs:
                image_worst = max(image_worst, max_abs_diff(ref_faces[i]["embedding"], fs_faces[j]["embedding"]))
                if "landmarks" in ref_faces[i] and "landmarks" in fs_faces[j]:
                    for p, q in zip(ref_faces[i]["landmarks"], fs_faces[j]["landmarks"]):
                        worst_landmark = max(worst_landmark, abs(p[0] - q[0]), abs(p[1] - q[1]))
            image_missed = len(ref_faces) - len(pairs)
            image_extra = len(fs_faces) - len(pairs)
            flag = "  FAIL" if image_missed or image_extra or image_worst > args.tolerance else ""
            print(f"  {name}: reference {len(ref_faces)}, FaceStream {len(fs_faces)}, "
                  f"max |Δ| = {image_worst:.2g}, missed {image_missed}, extra {image_extra}{flag}")
            images += 1
            faces += len(ref_faces)
            matched += len(pairs)
            missed += image_missed
            extra += image_extra
            worst = max(worst, image_worst)

    ok = missed == 0 and extra == 0 and missing_images == 0 and worst <= args.tolerance
    print(f"reference check: {images} images, {faces} faces, max |Δ| = {worst:.2g}, "
          f"missed {missed}, extra {extra}"
          + (f", {missing_images} image(s) missing from one side" if missing_images else "")
          + f", max landmark |Δ| = {worst_landmark:g} px"
          + (" — OK" if ok else f" — FAIL (tolerance {args.tolerance:g})"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
