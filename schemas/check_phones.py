#!/usr/bin/env python3
"""Classify phone strings with Google's libphonenumber (the Python port `phonenumbers`): the reference for the
Swift phone normalizer's Japanese numbering plan (docs/identity.md "Japanese numbers").

Usage: python3 schemas/check_phones.py PHONES.txt

Reads one phone string per line (UTF-8, default region JP) and prints one JSON object per line:
{"line": N, "valid": true|false, "e164": "+81…"|null, "type": "fixed"|"mobile"|…|null}, N counting from 1.
`valid` is libphonenumber's is_valid_number; `type` uses the names of Swift's `JapaneseLineKind`. Exits 0 when
it could check, 2 on a usage error, and 77 when the python package `phonenumbers` is missing (the Swift test is
then reported as skipped).
"""
import json
import sys

try:
    import phonenumbers
    from phonenumbers import PhoneNumberType
except ImportError as error:
    print(f"check_phones.py: python package missing ({error}); install with: pip install phonenumbers", file=sys.stderr)
    sys.exit(77)

TYPES = {
    PhoneNumberType.FIXED_LINE: "fixed",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.VOIP: "ip",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.UAN: "navi_dial",
    PhoneNumberType.PREMIUM_RATE: "premium",
}


def classify(text):
    """libphonenumber's verdict on one string: (valid, E.164 or None, type name or None)."""
    try:
        number = phonenumbers.parse(text, "JP")
    except phonenumbers.NumberParseException:
        return False, None, None
    if not phonenumbers.is_valid_number(number):
        return False, None, None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return True, e164, TYPES.get(phonenumbers.number_type(number), "other")


def main():
    if len(sys.argv) != 2:
        print("usage: python3 schemas/check_phones.py PHONES.txt", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        for n, line in enumerate(f.read().split("\n")[:-1], start=1):
            valid, e164, kind = classify(line)
            print(json.dumps({"line": n, "valid": valid, "e164": e164, "type": kind}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
