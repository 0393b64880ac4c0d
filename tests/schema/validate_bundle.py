#!/usr/bin/python3
"""Checks an unpacked Amanat evidence bundle independently of Amanat's code.

    validate_bundle.py SCHEMA_DIR BUNDLE_DIR

SCHEMA_DIR holds bundle-manifest.schema.json, bundle-proofs.schema.json and
custody-event.schema.json; BUNDLE_DIR is a bundle unpacked with `unzip`. This checks:

  - manifest.json is strict JSON (no duplicate keys) and valid against its schema;
  - manifest.json.minisig is a valid minisign signature (prehashed: Ed25519 over
    BLAKE2b-512) of manifest.json by the exporter's key, trusted comment included;
  - SHA256SUMS lists every other file with its SHA-256, and nothing else;
  - every identities/ member is listed in manifest.json with its SHA-256 (an .age member,
    from export --include-identities --to, is an age v1 file); an .age record the exporter
    received from another vault is opened by the exporter's signed unseal event of it, which
    names the SHA-256 of the sealed record that the sealing vault's signed witness-add event,
    in a received section, recorded;
  - every proofs.json is valid against its schema;
  - every line of every events.jsonl is an envelope and payload valid against the custody
    event schema, and its SHA-256 is the one the manifest lists, in order;
  - every checkpoint is a C2SP signed note signed by its log key (Ed25519), whose size and
    root are the manifest's;
  - every entry's RFC 9162 inclusion proof leads to that root;
  - for every timestamp token (timestamps/): its checkpoint is signed by the log key with the
    size the manifest gives, custody/proofs.json proves the bundle's checkpoint consistent
    with it (RFC 9162), and the stock `openssl ts -verify -data CHECKPOINT` accepts the token
    with the certificates the bundle carries, at the token's own time (-attime).

Exit status: 0 if all holds ("validate_bundle: OK ..."); 1 with one line per problem on
stderr otherwise; 2 for usage errors. Needs Debian's python3-jsonschema (4.x) and
python3-cryptography.
"""

import base64
import calendar
import hashlib
import json
import os
import subprocess
import sys
import time

import jsonschema
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

problems = []


def problem(text):
    problems.append(text)


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError("duplicate key %r" % key)
        obj[key] = value
    return obj


def strict_loads(text):
    return json.loads(text, object_pairs_hook=_no_duplicates)


def b64(text, n=None):
    raw = base64.b64decode(text, validate=True)
    if n is not None and len(raw) != n:
        raise ValueError("base64 of %d bytes, want %d" % (len(raw), n))
    return raw


def ed25519_ok(pk, msg, sig):
    try:
        Ed25519PublicKey.from_public_bytes(pk).verify(sig, msg)
        return True
    except InvalidSignature:
        return False


def H(data):
    return hashlib.sha256(data).digest()


def validator(schema, store, ref=None):
    if ref is not None:
        schema = {"$schema": schema["$schema"], "$id": schema["$id"], "$defs": schema["$defs"],
                  "$ref": "#/$defs/" + ref}
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))


def schema_errors(v, instance, where):
    for err in sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in err.absolute_path) or "(root)"
        problem("%s: %s: %s" % (where, path, err.message))


def verify_inclusion(index, size, leaf, path, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = H(b"\x01" + p + r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = H(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(m, n, path, old_root, new_root):
    """RFC 9162 section 2.1.4.2."""
    if m == 0 or m > n:
        return False
    if m == n:
        return not path and old_root == new_root
    if not path:
        return False
    if m & (m - 1) == 0:
        path = [old_root] + list(path)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = H(b"\x01" + c + fr)
            sr = H(b"\x01" + c + sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = H(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def check_timestamps(bundle, manifest):
    """The tokens in timestamps/, with the stock openssl ts; returns how many."""
    with open(os.path.join(bundle, "keys/log.vkey")) as f:
        vkey = f.read()
    with open(os.path.join(bundle, "custody/proofs.json"), encoding="utf-8") as f:
        proofs = strict_loads(f.read())
    size, root = manifest["checkpoint"]["size"], b64(manifest["checkpoint"]["root"], 32)
    for t in manifest.get("timestamps", []):
        with open(os.path.join(bundle, t["checkpoint"]), "rb") as f:
            _, cp_size, cp_root = open_checkpoint(f.read(), vkey)
        if cp_size != t["checkpoint_size"]:
            problem("%s: size %d, the manifest says %d" % (t["checkpoint"], cp_size,
                                                           t["checkpoint_size"]))
        found = [p for p in proofs["consistency"] if p["from_size"] == cp_size]
        if not found or not verify_consistency(cp_size, size, [b64(h, 32) for h in found[0]["path"]],
                                               cp_root, root):
            problem("%s: no consistency proof to the bundle's checkpoint" % t["checkpoint"])
        text = subprocess.run(["openssl", "ts", "-reply", "-in", os.path.join(bundle, t["token"]),
                               "-text"], capture_output=True, text=True)
        when = [l[len("Time stamp: "):] for l in text.stdout.splitlines()
                if l.startswith("Time stamp: ")]
        if text.returncode != 0 or not when:
            problem("%s: openssl ts -reply cannot read it" % t["token"])
            continue
        # "Dec  1 04:04:00 2026 GMT", or "Dec  1 04:04:00.615 2026 GMT": whole seconds
        parts = when[0].split()
        parts[2] = parts[2].split(".")[0]
        attime = calendar.timegm(time.strptime(" ".join(parts[:4]), "%b %d %H:%M:%S %Y"))
        chain = os.path.join(bundle, t["chain"])
        check = subprocess.run(["openssl", "ts", "-verify", "-data",
                                os.path.join(bundle, t["checkpoint"]), "-in",
                                os.path.join(bundle, t["token"]), "-CAfile", chain, "-untrusted",
                                chain, "-attime", str(attime)], capture_output=True, text=True)
        if check.returncode != 0:
            problem("%s: openssl ts -verify refuses it: %s" % (t["token"],
                                                               check.stderr.strip()[:200]))
    return len(manifest.get("timestamps", []))


def open_checkpoint(note, vkey):
    """C2SP signed note with one Ed25519 key; returns (origin, size, root)."""
    name, hex8, key = vkey.strip().split("+", 2)
    raw = b64(key)
    if len(raw) != 33 or raw[0] != 1:
        raise ValueError("not an Ed25519 verifier key")
    pk = raw[1:]
    key_id = H(name.encode() + b"\n\x01" + pk)[:4]
    if key_id.hex() != hex8:
        raise ValueError("verifier key ID does not match its key")
    text, sep, sigs = note.partition(b"\n\n")
    if not sep:
        raise ValueError("no blank line before the signatures")
    text += b"\n"
    ok = False
    for line in sigs.decode("utf-8").splitlines():
        if not line.startswith("\u2014 "):
            raise ValueError("bad signature line")
        who, sig = line[2:].split(" ", 1)
        raw = b64(sig)
        if who == name and raw[:4] == key_id:
            if len(raw) != 68 or not ed25519_ok(pk, text, raw[4:]):
                raise ValueError("signature does not verify")
            ok = True
    if not ok:
        raise ValueError("not signed by the log key")
    lines = text.decode("utf-8").split("\n")
    if lines[0] != name:
        raise ValueError("origin is not the key name")
    return lines[0], int(lines[1]), b64(lines[2], 32)


def check_minisign(bundle, manifest_bytes, manifest):
    ex = manifest["exporter"]
    key_path = os.path.join(bundle, "keys", "%s-%s.minisign.pub" % (ex["custodian"], ex["key_id"]))
    with open(key_path) as f:
        key_line = f.read().splitlines()[1]
    raw = b64(key_line, 42)
    if raw[:2] != b"Ed":
        problem("exporter key is not an Ed25519 minisign key")
        return
    key_number, pk = raw[2:10], raw[10:]
    if key_number != hashlib.sha256(pk).digest()[:8] or base64.b64encode(pk).decode() != ex["public_key"]:
        problem("minisign key file does not hold the exporter's key under Amanat's key number")
    with open(os.path.join(bundle, "manifest.json.minisig")) as f:
        lines = f.read().split("\n")
    if len(lines) != 5 or lines[4] != "" or not lines[0].startswith("untrusted comment: ") \
            or not lines[2].startswith("trusted comment: "):
        problem("manifest.json.minisig: not four lines in minisign's layout")
        return
    sig = b64(lines[1], 74)
    if sig[:2] != b"ED" or sig[2:10] != key_number:
        problem("manifest.json.minisig: not a prehashed signature by the exporter's key")
        return
    digest = hashlib.blake2b(manifest_bytes, digest_size=64).digest()
    if not ed25519_ok(pk, digest, sig[10:]):
        problem("manifest.json.minisig: signature does not verify")
    trusted = lines[2][len("trusted comment: "):].encode("utf-8")
    if not ed25519_ok(pk, sig[10:] + trusted, b64(lines[3], 64)):
        problem("manifest.json.minisig: trusted comment signature does not verify")


def check_section(bundle, directory, key_file, section, v_proofs, v_envelope, v_payload,
                  predicates):
    """Checks one custody section; adds each entry's predicate to `predicates` by sequence."""
    with open(os.path.join(bundle, key_file)) as f:
        vkey = f.read()
    if vkey.strip() != section["log_key"]:
        problem("%s: differs from the manifest" % key_file)
    with open(os.path.join(bundle, directory, "checkpoint"), "rb") as f:
        origin, size, root = open_checkpoint(f.read(), vkey)
    if origin != section["origin"] or size != section["checkpoint"]["size"] or \
            base64.b64encode(root).decode() != section["checkpoint"]["root"]:
        problem("%s/checkpoint: differs from the manifest" % directory)
    with open(os.path.join(bundle, directory, "proofs.json"), encoding="utf-8") as f:
        proofs = strict_loads(f.read())
    schema_errors(v_proofs, proofs, directory + "/proofs.json")
    with open(os.path.join(bundle, directory, "events.jsonl"), "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines[-1] != b"":
        problem("%s/events.jsonl: no final newline" % directory)
    lines = lines[:-1]
    listed = section["events"]
    if len(lines) != len(listed) or len(proofs["inclusion"]) != len(lines):
        problem("%s: %d entries, %d listed, %d proofs" % (directory, len(lines), len(listed),
                                                          len(proofs["inclusion"])))
        return 0
    for entry, ref, proof in zip(lines, listed, proofs["inclusion"]):
        where = "%s event %d" % (directory, ref["sequence"])
        if hashlib.sha256(entry).hexdigest() != ref["sha256"]:
            problem("%s: SHA-256 differs from the manifest" % where)
        envelope = strict_loads(entry.decode("utf-8"))
        schema_errors(v_envelope, envelope, where + " envelope")
        statement = strict_loads(b64(envelope["payload"]).decode("utf-8"))
        schema_errors(v_payload, statement, where + " payload")
        predicates[statement["predicate"]["sequence"]] = statement["predicate"]
        if statement["predicate"]["sequence"] != ref["sequence"] or proof["sequence"] != ref["sequence"]:
            problem("%s: sequence numbers disagree" % where)
        path = [b64(h, 32) for h in proof["path"]]
        if not verify_inclusion(ref["sequence"], size, H(b"\x00" + entry), path, root):
            problem("%s: inclusion proof does not lead to the checkpoint's root" % where)
    return len(lines)


def check_received_identity(r, own, received, export_event):
    """A record the exporter received from another vault (received_from): its `event` is the
    exporter's unseal of it, to exactly these recipients, before the export, naming the sealed
    record's SHA-256; the sealing vault's witness-add (`received_event`, in a received section
    of that origin) recorded the same SHA-256 for the same pseudonym."""
    path = "identities/%s.age" % r["pseudonym"]
    unseal = own.get(r["event"], {})
    d = unseal.get("details", {})
    if unseal.get("action") != "unseal" or r["event"] >= export_event or \
            d.get("pseudonym") != r["pseudonym"] or d.get("sealed_to") != r["sealed_to"] or \
            d.get("received_from") != r["received_from"] or "sealed_sha256" not in d:
        problem("%s: custody event %d is not its unseal for these recipients" % (path, r["event"]))
        return
    for origin, predicates in received:
        add = predicates.get(r["received_event"])
        if origin != r["received_from"] or add is None:
            continue
        a = add.get("details", {})
        if add.get("action") != "witness-add" or a.get("pseudonym") != r["pseudonym"] or \
                a.get("sealed_sha256") != d["sealed_sha256"]:
            problem("%s: %s event %d is not the witness-add of the record unsealed" % (
                path, origin, r["received_event"]))
        return
    problem("%s: %s event %d is not in the bundle" % (path, r["received_from"],
                                                      r["received_event"]))


def check_identities(bundle, manifest, files, own, received):
    """Each identities entry names its member (.sealed or .age) with that SHA-256, an .age
    member is an age v1 file, a received record is tied to its signed events
    (check_received_identity), and no identities/ member is unlisted."""
    listed = set()
    for r in manifest.get("identities", []):
        if "received_from" in r:
            check_received_identity(r, own, received, manifest["export_event"])
        age = r.get("format") == "age"
        path = "identities/%s.%s" % (r["pseudonym"], "age" if age else "sealed")
        listed.add(path)
        try:
            with open(os.path.join(bundle, path), "rb") as f:
                data = f.read()
        except OSError:
            problem("%s: listed in manifest.json, not in the bundle" % path)
            continue
        if hashlib.sha256(data).hexdigest() != r["sha256" if age else "sealed_sha256"]:
            problem("%s: SHA-256 differs from manifest.json" % path)
        if age and not data.startswith(b"age-encryption.org/v1\n"):
            problem("%s: not an age v1 file" % path)
    for path in files:
        if path.startswith("identities/") and path not in listed:
            problem("%s: not listed in manifest.json" % path)
    return len(listed)


def check_items(bundle, manifest, files):
    """Each item's member is there with the manifest's SHA-256 and size: items/<id> (the ID is
    its SHA-256), or items/<id>.age for content sealed to HQ (the sealed record's); no other
    member is under items/."""
    want = {}
    for it in manifest["items"]:
        sealed = it.get("sealed")
        if sealed:
            want["items/" + it["id"] + ".age"] = (sealed["sha256"], sealed["size"])
        else:
            want["items/" + it["id"]] = (it["id"], it["size"])
    for path in files:
        if path.startswith("items/") and path not in want:
            problem("%s: not an item the manifest lists in this form" % path)
    for path, (digest, size) in want.items():
        if path not in files:
            problem("%s: missing" % path)
            continue
        with open(os.path.join(bundle, path), "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != digest or len(data) != size:
            problem("%s: SHA-256 or size differs from the manifest" % path)


def main(argv):
    if len(argv) != 3:
        print("usage: validate_bundle.py SCHEMA_DIR BUNDLE_DIR", file=sys.stderr)
        return 2
    schemas, bundle = argv[1], argv[2]
    loaded = {}
    for name in ("bundle-manifest", "bundle-proofs", "custody-event"):
        with open(os.path.join(schemas, name + ".schema.json"), encoding="utf-8") as f:
            loaded[name] = strict_loads(f.read())
    store = {s["$id"]: s for s in loaded.values()}
    v_manifest = validator(loaded["bundle-manifest"], store)
    v_proofs = validator(loaded["bundle-proofs"], store)
    v_envelope = validator(loaded["custody-event"], store, "envelope")
    v_payload = validator(loaded["custody-event"], store)

    with open(os.path.join(bundle, "manifest.json"), "rb") as f:
        manifest_bytes = f.read()
    manifest = strict_loads(manifest_bytes.decode("utf-8"))
    schema_errors(v_manifest, manifest, "manifest.json")
    check_minisign(bundle, manifest_bytes, manifest)

    files = []
    for root, _, names in os.walk(bundle):
        for n in names:
            files.append(os.path.relpath(os.path.join(root, n), bundle))
    with open(os.path.join(bundle, "SHA256SUMS")) as f:
        sums = {line[66:]: line[:64] for line in f.read().splitlines()}
    for path in files:
        if path == "SHA256SUMS":
            continue
        with open(os.path.join(bundle, path), "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        if sums.pop(path, None) != digest:
            problem("SHA256SUMS: no matching line for %s" % path)
    for path in sums:
        problem("SHA256SUMS: lists %s, which is not in the bundle" % path)

    own = {}
    entries = check_section(bundle, "custody", "keys/log.vkey",
                            {"origin": manifest["source"]["origin"],
                             "log_key": manifest["source"]["log_key"],
                             "checkpoint": manifest["checkpoint"], "events": manifest["events"]},
                            v_proofs, v_envelope, v_payload, own)
    received = []
    for r in manifest["received"]:
        received.append((r["origin"], {}))
        entries += check_section(bundle, r["path"], r["path"] + "/log.vkey", r, v_proofs,
                                 v_envelope, v_payload, received[-1][1])

    tokens = check_timestamps(bundle, manifest)
    check_identities(bundle, manifest, files, own, received)
    check_items(bundle, manifest, files)

    for p in problems:
        print("validate_bundle: " + p, file=sys.stderr)
    if problems:
        return 1
    print("validate_bundle: OK (%d items, %d entries in %d log(s), %d files%s)" % (
        len(manifest["items"]), entries, 1 + len(manifest["received"]), len(files),
        ", %d timestamp tokens" % tokens if tokens else ""))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        print("validate_bundle: error: %s" % e, file=sys.stderr)
        sys.exit(1)
