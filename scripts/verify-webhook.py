#!/usr/bin/env python3
"""Verifies one received delivery with the Standard Webhooks library, as a receiver would.

Usage: scripts/verify-webhook.py SIGNING_SECRET < delivery.json, where delivery.json is
{"body": "...", "headers": {"webhook-id": ..., "webhook-timestamp": ..., "webhook-signature": ...}}.
Exit 0 when the signature verifies under SIGNING_SECRET (whsec_…), 1 when it does not, 2 without the library.
"""
import json, sys

try:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError
except ImportError:
    print("verify-webhook: the standardwebhooks package is missing (make setup installs it)", file=sys.stderr)
    sys.exit(2)

delivery = json.load(sys.stdin)
try:
    Webhook(sys.argv[1]).verify(delivery["body"], delivery["headers"])
except WebhookVerificationError as error:
    print(f"verify-webhook: {error}", file=sys.stderr)
    sys.exit(1)
