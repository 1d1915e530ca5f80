#!/usr/bin/env python3
"""Compares a stream's labels with the frame-by-frame Python baseline's.

    compare_stream_labels.py BASELINE.jsonl FACESTREAM.jsonl [--name lin-manuel-miranda] [--iou 0.3]

BASELINE.jsonl: python_stream_baseline.py --labels-out (faces with bbox and name, "unknown" or a
person). FACESTREAM.jsonl: facestream bench-stream --labels-out (faces with bbox, user_name,
is_unknown). A baseline face is found when FaceStream reports a face in the same frame with
IoU >= --iou; it has the same label when both say the same person, or both say unknown.
Prints found / same label as counts and percentages, and the frames where they differ.
"""
import argparse
import json


def iou(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = min(ax + aw, bx + bw) - max(ax, bx)
    h = min(ay + ah, by + bh) - max(ay, by)
    inter = max(0, w) * max(0, h)
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("baseline")
    parser.add_argument("facestream")
    parser.add_argument("--iou", type=float, default=0.3)
    args = parser.parse_args()
    baseline = {row["frame"]: row["faces"] for row in map(json.loads, open(args.baseline))}
    streamed = {row["frame"]: row["faces"] for row in map(json.loads, open(args.facestream))}
    total = found = same = 0
    differences = []
    for frame, faces in sorted(baseline.items()):
        candidates = streamed.get(frame, [])
        for face in faces:
            total += 1
            best = max(candidates, key=lambda c: iou(face["bbox"], c["bbox"]), default=None)
            if best is None or iou(face["bbox"], best["bbox"]) < args.iou:
                differences.append((frame, "missed", face["name"], None))
                continue
            found += 1
            label = "unknown" if best.get("is_unknown") else best.get("user_name")
            if label == face["name"]:
                same += 1
            else:
                differences.append((frame, "label", face["name"], label))
    extra = sum(len(faces) for faces in streamed.values()) - found
    print(f"baseline faces {total}; found {found} ({100 * found / max(1, total):.1f} %); "
          f"same label {same} ({100 * same / max(1, total):.1f} % of the baseline's, "
          f"{100 * same / max(1, found):.1f} % of those found); FaceStream's other faces {extra}")
    for frame, kind, expected, got in differences:
        print(f"  frame {frame}: {kind}: baseline {expected}" + (f", FaceStream {got}" if kind == "label" else ""))


if __name__ == "__main__":
    main()
