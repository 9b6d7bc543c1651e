#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the project's fixtures.

    python3 fuzz/scripts/seeds.py [OUT_DIR]      (default: fuzz/corpus)

Nothing here is committed: the seeds are rebuilt from tests/fixtures on every run of
fuzz/run.sh. Each seed is named by the SHA-1 of its bytes, as libFuzzer names its own finds, so
rebuilding is idempotent and seeds never shadow what the fuzzer added to the same directory.

| target | seeds |
|---|---|
| workflow_convert | every golden UI workflow, every 8th golden API prompt, a few crafted workflows (recursive and doubling subgraphs, id counters at the integer limit, a legacy group node), the `POST /prompt` bodies of the captures, the PNG fixtures and small WebP/FLAC/Ogg/MP3 files carrying a workflow |
| object_info | each class of tests/fixtures/object_info.json alone, and the captured `/object_info/{class}` answers |
| validate | the `POST /prompt` bodies of the captures (raw text when captured raw), every golden prompt as `{"prompt": …}` |
| ws_frame | every captured socket session in the target's record format (text and binary frames, the clock between them, then a history and a queue answer), each frame alone too |
| media | the PNG fixtures, and PNG (tEXt, zTXt, iTXt, comf), WebP (EXIF), FLAC, Ogg (Opus, Vorbis) and MP3 (ID3v2.3, v2.4) files written here |
"""

import glob
import hashlib
import json
import os
import struct
import sys
import zlib

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FIX = os.path.join(ROOT, "tests", "fixtures")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fuzz", "corpus")
TARGETS = ["workflow_convert", "object_info", "validate", "ws_frame", "media"]
counts = {t: 0 for t in TARGETS}


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    path = os.path.join(OUT, target, hashlib.sha1(data).hexdigest())
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    counts[target] += 1


def read(path):
    with open(path, "rb") as f:
        return f.read()


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# --- media containers carrying a prompt and a workflow --------------------------------------

PROMPT = compact({"3": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x", "images": ["8", 0]}}})
SMALL_WORKFLOW = read(os.path.join(FIX, "goldens", "templates-old-0.1.0__default.workflow.json")).decode()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(extra_chunks):
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    for chunk in extra_chunks:
        out += chunk
    return out + png_chunk(b"IDAT", zlib.compress(b"\x00\x80")) + png_chunk(b"IEND", b"")


def png_text(key, value):
    return png_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1", "replace"))


def png_ztxt(key, value):
    return png_chunk(b"zTXt", key.encode() + b"\0\0" + zlib.compress(value.encode()))


def png_itxt(key, value, compressed):
    text = zlib.compress(value.encode()) if compressed else value.encode()
    return png_chunk(b"iTXt", key.encode() + b"\0" + bytes([int(compressed), 0]) + b"en\0Prompt\0" + text)


def png_comf(key, value):
    return png_chunk(b"comf", key.encode() + b"\0" + value.encode())


def tiff(entries, little):
    """One IFD of ASCII entries `(tag, text)`, strings stored after it."""
    e = "<" if little else ">"
    out = (b"II" if little else b"MM") + struct.pack(e + "HI", 42, 8) + struct.pack(e + "H", len(entries))
    heap_at = 8 + 2 + 12 * len(entries) + 4
    heap = b""
    for tag, text in entries:
        value = text.encode() + b"\0"
        out += struct.pack(e + "HHI", tag, 2, len(value))
        if len(value) <= 4:
            out += value.ljust(4, b"\0")
        else:
            out += struct.pack(e + "I", heap_at)
            heap_at += len(value)
            heap += value
    return out + struct.pack(e + "I", 0) + heap


def webp(exif):
    body = b"WEBP" + b"VP8L" + struct.pack("<I", 5) + b"\x2f\0\0\0\0\0"
    body += b"EXIF" + struct.pack("<I", len(exif)) + exif + (b"\0" if len(exif) % 2 else b"")
    return b"RIFF" + struct.pack("<I", len(body)) + body


def vorbis_comments(comments):
    vendor = b"Lavf61.7.100"
    out = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(comments))
    for key, value in comments:
        c = (key + "=" + value).encode()
        out += struct.pack("<I", len(c)) + c
    return out


def flac(comments):
    def block(kind, last, data):
        return bytes([kind | (0x80 if last else 0)]) + struct.pack(">I", len(data))[1:] + data

    return (b"fLaC" + block(0, False, b"\x12" * 34) + block(4, False, vorbis_comments(comments))
            + block(1, True, b"\0" * 8) + b"\xff\xf8\x69\x08")


def ogg_pages(serial, packets):
    """One packet per page, split over as many pages as its lacing needs."""
    out = b""
    seq = 0
    for packet in packets:
        rest = packet
        first = True
        while True:
            part, rest = rest[: 255 * 255], rest[255 * 255:]
            lacing = [255] * (len(part) // 255)
            done = not rest
            if done:
                lacing.append(len(part) % 255)
            header_type = (0 if first else 1) | (2 if seq == 0 else 0)
            out += (b"OggS\0" + bytes([header_type]) + b"\0" * 8 + struct.pack("<II", serial, seq) + b"\0" * 4
                    + bytes([len(lacing)]) + bytes(lacing) + part)
            seq += 1
            first = False
            if done:
                break
    return out


def opus(comments):
    head = b"OpusHead\x01\x01\x38\x01\x80\xbb\0\0\0\0\0"
    return ogg_pages(0x1234, [head, b"OpusTags" + vorbis_comments(comments), b"\xfc\xff\xfe"])


def vorbis(comments):
    ident = b"\x01vorbis\0\0\0\0\x02\x44\xac\0\0" + b"\0" * 14
    return ogg_pages(7, [ident, b"\x03vorbis" + vorbis_comments(comments) + b"\x01", b"\x05vorbis"])


def mp3(version, comments):
    def syncsafe(n):
        return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])

    body = b""
    for key, value in comments:
        payload = b"\x03" + key.encode() + b"\0" + value.encode()
        size = syncsafe(len(payload)) if version == 4 else struct.pack(">I", len(payload))
        body += b"TXXX" + size + b"\0\0" + payload
    body += b"\0" * 16
    return b"ID3" + bytes([version, 0, 0]) + syncsafe(len(body)) + body + b"\xff\xfb\x90\x64"


def media_seeds():
    both = [("prompt", PROMPT), ("workflow", SMALL_WORKFLOW)]
    yield png([png_text(k, v) for k, v in both])
    yield png([png_ztxt("prompt", PROMPT), png_itxt("workflow", SMALL_WORKFLOW, True)])
    yield png([png_itxt("prompt", PROMPT, False), png_comf("workflow", SMALL_WORKFLOW)])
    yield webp(tiff([(0x010F, "prompt:" + PROMPT), (0x0110, "workflow:" + SMALL_WORKFLOW)], True))
    yield webp(b"Exif\0\0" + tiff([(0x010F, "prompt:" + PROMPT), (0x010E, "ab")], False))
    yield flac([("PROMPT", PROMPT), ("workflow", SMALL_WORKFLOW), ("encoder", "Lavf61")])
    yield opus(both)
    yield vorbis([("prompt", PROMPT)])
    yield mp3(3, both)
    yield mp3(4, [("prompt", PROMPT)])
    for path in sorted(glob.glob(os.path.join(FIX, "media", "*.png"))):
        yield read(path)


# --- the targets ----------------------------------------------------------------------------

def captures():
    for path in sorted(glob.glob(os.path.join(FIX, "captures", "*.json"))):
        with open(path, encoding="utf-8") as f:
            yield path, json.load(f)


def prompt_bodies():
    """Request bodies of every captured `POST /prompt`, as sent."""
    for _, cap in captures():
        req = cap.get("request") if isinstance(cap, dict) else None
        if not isinstance(req, dict) or not str(req.get("path", "")).endswith("/prompt"):
            continue
        if req.get("method") != "POST":
            continue
        if "raw_body" in req:
            yield req["raw_body"]
        elif "body" in req:
            yield compact(req["body"])


def ws_record(op, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    payload = payload[:0xFFFF]
    return bytes([op]) + struct.pack("<H", len(payload)) + payload


def ws_sessions():
    history = None
    queue = None
    for path, cap in captures():
        name = os.path.basename(path)
        resp = cap.get("response") if isinstance(cap, dict) else None
        if isinstance(resp, dict) and "body_json" in resp:
            if name == "get_history_after_runs.json":
                history = compact(resp["body_json"])
            elif name == "get_queue.json" or (queue is None and name.startswith("get_queue")):
                queue = compact(resp["body_json"])
    for path, cap in captures():
        if not isinstance(cap, dict) or not isinstance(cap.get("frames"), list):
            continue
        # Config: watch every prompt id a frame names, start connected.
        session = bytes([0b110])
        last_t = 0.0
        for frame in cap["frames"]:
            if frame.get("dir", "server->client") != "server->client":
                continue
            t = float(frame.get("t", last_t))
            ms = max(0, int((t - last_t) * 1000))
            last_t = t
            if ms:
                session += ws_record(2, struct.pack("<Q", ms).rstrip(b"\0") or b"\0")
            if "text" in frame:
                text = frame["text"] if isinstance(frame["text"], str) else compact(frame["text"])
                record = ws_record(0, text)
            elif "saved_to" in frame:
                saved = os.path.join(FIX, "captures", os.path.basename(frame["saved_to"]))
                if not os.path.exists(saved):
                    continue
                record = ws_record(1, read(saved))
            else:
                continue
            session += record
            put("ws_frame", bytes([0b110]) + record)
        # Silence: the tracker asks the history, then the queue.
        session += ws_record(2, struct.pack("<Q", 20_000))
        if history:
            session += ws_record(7, history)
        if queue:
            session += ws_record(7, queue)
        put("ws_frame", session)
    # A hosted session: watch, submit, poll, the task answers.
    hosted = bytes([0b001]) + ws_record(3 | (3 << 3) | 0x80, "cft-1") + ws_record(4, "cft-1")
    for status in (1, 2, 3):
        hosted += ws_record(2, struct.pack("<H", 1500))
        hosted += ws_record(7, compact({"code": 0, "msg": "Success", "data": {"comfy_task_info": [
            {"comfy_task_id": "cft-1", "status": status, "queue_size": 1, "current_position": 1,
             "errMsg": "", "files": {"9": ["https://x/a.png"]} if status == 3 else "None"}]}}))
    put("ws_frame", hosted)


def crafted_workflows():
    """Shapes the goldens lack: recursion, doubling nesting, counters at the integer limit."""
    empty_image = {"id": 1, "type": "EmptyImage", "widgets_values": [64, 64, 1, 0]}

    def subgraph(sid, nodes):
        return {"id": sid, "name": sid, "links": [], "nodes": nodes}

    yield {"nodes": [{"id": 1, "type": "loop"}], "links": [],
           "definitions": {"subgraphs": [subgraph("loop", [{"id": 2, "type": "loop"}])]}}
    doubling = [subgraph("s0", [empty_image])]
    for k in range(1, 7):
        doubling.append(subgraph(f"s{k}", [{"id": 1, "type": f"s{k - 1}"}, {"id": 2, "type": f"s{k - 1}"}]))
    yield {"nodes": [{"id": 1, "type": "s6"}], "links": [], "definitions": {"subgraphs": doubling}}
    yield {"last_node_id": 9223372036854775806, "links": [], "nodes": [{"id": 2, "type": "sub"}],
           "definitions": {"subgraphs": [subgraph("sub", [dict(empty_image, id=2)])]}}
    yield {"last_node_id": 20, "links": [],
           "nodes": [{"id": 1, "type": "workflow>G", "inputs": [], "outputs": [], "widgets_values": [64, 64, 1, 0]}],
           "extra": {"groupNodes": {"G": {"links": [], "external": [], "nodes": [
               {"index": 0, "type": "EmptyImage", "inputs": [],
                "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": []}], "widgets_values": [64, 64, 1, 0]}]}}}}


def main():
    for t in TARGETS:
        os.makedirs(os.path.join(OUT, t), exist_ok=True)

    goldens = os.path.join(FIX, "goldens")
    for path in sorted(glob.glob(os.path.join(goldens, "*.workflow.json"))):
        put("workflow_convert", read(path))
    for i, path in enumerate(sorted(glob.glob(os.path.join(goldens, "*.prompt.json")))):
        text = read(path)
        if i % 8 == 0:
            put("workflow_convert", text)
        put("validate", b'{"prompt": ' + text + b"}")
    for wf in crafted_workflows():
        put("workflow_convert", compact(wf))
    for body in prompt_bodies():
        put("validate", body)
        put("workflow_convert", body)
    for data in media_seeds():
        put("media", data)
        put("workflow_convert", data)

    with open(os.path.join(FIX, "object_info.json"), encoding="utf-8") as f:
        info = json.load(f)
    for name, node in info.items():
        put("object_info", compact({name: node}))
    for path, cap in captures():
        resp = cap.get("response") if isinstance(cap, dict) else None
        if os.path.basename(path).startswith("get_object_info_") and isinstance(resp, dict):
            if isinstance(resp.get("body_json"), dict):
                put("object_info", compact(resp["body_json"]))

    ws_sessions()
    print("seeds: " + ", ".join(f"{t} {counts[t]}" for t in TARGETS))


if __name__ == "__main__":
    main()
