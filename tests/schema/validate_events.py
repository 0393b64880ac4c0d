#!/usr/bin/python3
"""Validates custody events, as `amanat log --json` prints them, against the event schema.

    validate_events.py SCHEMA LOG_JSON

SCHEMA is schemas/custody-event.schema.json; LOG_JSON is a file holding the JSON array that
`amanat log --json` prints (each element has the decoded fields and `entry`, the raw signed
DSSE envelope). For every event this checks, independently of Amanat's own code:

  - `entry` is strict JSON (no duplicate keys) and valid against `$defs/envelope`;
  - its payload is canonical base64 of UTF-8 JSON (no duplicate keys), valid against the
    whole schema (the in-toto Statement with the custody-event predicate);
  - the decoded fields `log --json` shows agree with the signed payload;
  - when two events with consecutive sequence numbers are both present, the later one's
    `previous` is the SHA-256 of the earlier one's exact entry bytes.

Exit status: 0 when every event is valid (prints "validate_events: N events OK"); 1 when any
is not (one line per problem on stderr, each naming the event); 2 for usage errors or
unreadable input. Needs Debian's python3-jsonschema (Draft 2020-12 support: 4.x).
"""

import base64
import binascii
import hashlib
import json
import sys

try:
    import jsonschema
except ImportError:  # pragma: no cover - environment problem, not a validation result
    print("validate_events: error: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(2)


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError("duplicate key %r" % key)
        obj[key] = value
    return obj


def strict_loads(text):
    return json.loads(text, object_pairs_hook=_no_duplicates)


def strict_b64decode(text):
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("not canonical base64")
    return raw


def validator_for(schema, subschema=None):
    """A Draft 2020-12 validator for `schema` or for a `$ref` into it."""
    if subschema is not None:
        schema = {
            "$schema": schema.get("$schema", "https://json-schema.org/draft/2020-12/schema"),
            "$defs": schema["$defs"],
            "$ref": "#/$defs/" + subschema,
        }
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema)


def errors_of(validator, instance):
    out = []
    for err in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append("%s: %s" % (where, err.message))
    return out


def check_event(index, event, envelope_validator, payload_validator, problems):
    """Validates one element of the log array; returns (sequence, entry bytes) or None."""
    name = "event at index %d" % index

    def problem(text):
        problems.append("%s: %s" % (name, text))

    if not isinstance(event, dict) or not isinstance(event.get("entry"), str):
        problem("no `entry` string")
        return None
    if isinstance(event.get("sequence"), int):
        name = "event %d" % event["sequence"]
    entry_text = event["entry"]
    try:
        envelope = strict_loads(entry_text)
    except ValueError as e:
        problem("entry is not strict JSON: %s" % e)
        return None
    envelope_errors = errors_of(envelope_validator, envelope)
    for e in envelope_errors:
        problem("envelope: " + e)
    if envelope_errors:
        return None
    try:
        payload_bytes = strict_b64decode(envelope["payload"])
        statement = strict_loads(payload_bytes.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError) as e:
        problem("payload does not decode: %s" % e)
        return None
    for e in errors_of(payload_validator, statement):
        problem("payload: " + e)
    predicate = statement.get("predicate") if isinstance(statement, dict) else None
    if not isinstance(predicate, dict):
        return None

    # The decoded view printed by `log --json` must say what the signed bytes say.
    subjects = [s.get("digest", {}).get("sha256") for s in statement.get("subject", [])
                if isinstance(s, dict)]
    actor = predicate.get("actor") if isinstance(predicate.get("actor"), dict) else {}
    tool = predicate.get("tool") if isinstance(predicate.get("tool"), dict) else {}
    expected = {
        "sequence": predicate.get("sequence"),
        "previous": predicate.get("previous"),
        "time": predicate.get("time"),
        "custodian": actor.get("custodian"),
        "key_id": actor.get("key_id"),
        "action": predicate.get("action"),
        "purpose": predicate.get("purpose"),
        "subjects": subjects,
        "parents": predicate.get("parents"),
        "details": predicate.get("details"),
    }
    for field, want in expected.items():
        if field in event and event[field] != want:
            problem("log shows %s = %r but the signed payload says %r"
                    % (field, event[field], want))
    if "tool" in event and event["tool"] != "%s %s" % (tool.get("name"), tool.get("version")):
        problem("log shows tool = %r but the signed payload says %r" % (event["tool"], tool))
    signer_ids = [s["keyid"] for s in envelope["signatures"]]
    if actor.get("key_id") not in signer_ids:
        problem("the actor's key %s did not sign the envelope" % actor.get("key_id"))
    if not isinstance(predicate.get("sequence"), int):
        return None
    return predicate["sequence"], entry_text.encode("utf-8"), predicate.get("previous")


def main(argv):
    if len(argv) != 3:
        print("usage: validate_events.py SCHEMA LOG_JSON", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            schema = strict_loads(f.read())
        with open(argv[2], encoding="utf-8") as f:
            events = strict_loads(f.read())
    except (OSError, ValueError) as e:
        print("validate_events: error: %s" % e, file=sys.stderr)
        return 2
    if not isinstance(events, list):
        print("validate_events: error: %s is not a JSON array" % argv[2], file=sys.stderr)
        return 2
    try:
        envelope_validator = validator_for(schema, "envelope")
        payload_validator = validator_for(schema)
    except jsonschema.exceptions.SchemaError as e:
        print("validate_events: error: the schema itself is invalid: %s" % e.message,
              file=sys.stderr)
        return 2

    problems = []
    by_sequence = {}
    for i, event in enumerate(events):
        checked = check_event(i, event, envelope_validator, payload_validator, problems)
        if checked is None:
            continue
        seq, entry, previous = checked
        if seq in by_sequence:
            problems.append("event %d: sequence number appears twice" % seq)
        by_sequence[seq] = (entry, previous)
    for seq, (entry, previous) in sorted(by_sequence.items()):
        if seq == 0 and previous != "0" * 64:
            problems.append("event 0: previous is not 64 zeros")
        before = by_sequence.get(seq - 1)
        if before is not None and previous != hashlib.sha256(before[0]).hexdigest():
            problems.append("event %d: previous is not the SHA-256 of event %d's entry"
                            % (seq, seq - 1))

    for p in problems:
        print("validate_events: " + p, file=sys.stderr)
    if problems:
        print("validate_events: %d problem(s) in %d events" % (len(problems), len(events)),
              file=sys.stderr)
        return 1
    print("validate_events: %d events OK" % len(events))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
