"""Whether a literal is a secret, judged by the value rather than by the name it is given.

A value is a secret when it matches a known credential format (an AWS key, a private key, a
GitHub or Slack token, a webhook), or when it has a secret's shape: long enough, several
character classes or high entropy. Names, paths, ARNs, aliases, URLs, identifiers,
placeholders, sentences and short words never are: a variable called ``slack_token`` whose
default is ``/team/slack-token`` points at a secret; it does not hold one.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter

from tcop_lint.load.content import find_secrets

MIN_LENGTH = 8
ENTROPY_LENGTH = 16  # below this, entropy says little; character classes decide
MIN_ENTROPY = 3.5  # bits per character: random hex is ~4, base64 ~6, words ~3

PLACEHOLDER = re.compile(
    r"""^\s*$ | \{\{.*\}\} | \$\{.*\} | ^\$\( | ^<.*>$ | ^\[.*\]$ | ^%.*%$
    | ^(?:change[-_ ]?(?:me|it|this)|replace[-_ ]?(?:me|this)|placeholder|todo|tbd|tbc|fixme|xxx+|\*+|
        dummy|example|sample|none|null|nil|n/?a|secret|password|passwd|token|key|test(?:ing)?|default|
        redacted|unset|empty|unknown|not[-_ ]?set|set[-_ ]?me|override[-_ ]?me)$
    | ^(?:insert|enter|add|put|your)[-_ ] | [-_](?:val|value|here|placeholder)$ | ^to[-_ ]be[-_ ]
    | ^(.)\1{5,}$""",
    re.IGNORECASE | re.VERBOSE,
)
IDENTIFIER = re.compile(
    r"""^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$          # the NAME of an environment variable or CI secret
    | ^arn: | ^(?:alias|aws|projects|secrets?)/   # ARNs, KMS aliases, resource names
    | ^/ | ^~/ | ^\.{1,2}/ | ^[a-z][a-z0-9+.-]*://  # paths and URLs
    | ^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+$        # a CamelCase word: a namespace, a service
    | ^[a-z]+(?:[-_.][a-z0-9]+)*$                # a lower-case word or identifier: my-app, slack_token
    | ^[a-z0-9]+(?:[-_.][a-z0-9]+)*(?:/[a-z0-9]+(?:[-_.][a-z0-9]+)*)+$  # a lower-case path: team/api-key
    | ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$  # a UUID: an id
    | \s                                          # words: a description, a sentence
    """,
    re.VERBOSE,
)
_CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^A-Za-z0-9]"))


def known_format(value: str) -> bool:
    """A credential of a known format (find_secrets' high-confidence patterns)."""
    return any(True for _ in find_secrets(value.encode("utf-8", "replace")))


def entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_like_secret(value: str) -> bool:
    """True for a value that is, by its own shape, a credential."""
    text = value.strip()
    if known_format(text):
        return True
    if len(text) < MIN_LENGTH or "\n" in text or PLACEHOLDER.search(text) or IDENTIFIER.search(text):
        return False
    classes = sum(1 for pattern in _CLASSES if pattern.search(text))
    return classes >= 3 or (len(text) >= ENTROPY_LENGTH and entropy(text) >= MIN_ENTROPY)


def secret_in_slot(value: str) -> bool:
    """True for a literal in a place that only ever holds a secret (a resource's password, a
    provider's access key, a Kubernetes Secret's value): anything but a placeholder or a name."""
    text = value.strip()
    return known_format(text) or not (PLACEHOLDER.search(text) or IDENTIFIER.search(text))


def decoded(value: str) -> str | None:
    """A Kubernetes Secret's ``data`` value as text (base64 is encoding), or None."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None  # binary: a key or certificate, judged by find_secrets on the text if at all
