"""Few-shot banks for a prompt service: read `fewshot/<task>/latest.json` from the sink,
keep the bank in memory with its version, and render chat prompts from it.

The bank file is read again only when the object changed (local files: mtime, size and
inode; S3: ETag), and a re-read bank replaces the cached one only when its `version`
differs. Standard library only; boto3 is needed for s3:// URLs and is imported lazily.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

log = logging.getLogger(__name__)

DEFAULT_SYSTEM = "You are a helpful assistant. Answer in the style of the examples."


class BankNotFound(LookupError):
    """No latest.json for this task (the pipeline has never published a bank for it)."""


class InvalidBank(ValueError):
    """latest.json is not a bank: bad JSON, missing fields, or another task's bank."""


@dataclass(frozen=True)
class Bank:
    task: str
    version: str
    generated_at: str | None
    examples: tuple[dict, ...]
    prompt_version: str | None = None

    @property
    def empty(self) -> bool:
        return not self.examples


# --- storage -------------------------------------------------------------------------


class LocalStore:
    """A sink on a local (or mounted) file system."""

    def __init__(self, root: str):
        self.root = root

    def _path(self, key: str) -> str:
        return os.path.join(self.root, *key.split("/"))

    def signature(self, key: str):
        """Changes whenever the object is rewritten; None when it does not exist."""
        try:
            st = os.stat(self._path(key))
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def read(self, key: str) -> bytes:
        with open(self._path(key), "rb") as f:
            return f.read()


class S3Store:
    """A sink in S3 or an S3-compatible store; honours AWS_ENDPOINT_URL(_S3)."""

    def __init__(self, bucket: str, prefix: str, client=None):
        if client is None:
            import boto3  # optional dependency

            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
            client = boto3.client("s3", endpoint_url=endpoint or None)
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def signature(self, key: str):
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except self.client.exceptions.ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head["ETag"]

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()


def open_store(url: str):
    """A local path, file:// URL or s3://bucket/prefix URL of the sink root."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise ValueError(f"file:// URL with a remote host: {url}")
        return LocalStore(unquote(parsed.path))
    if len(parsed.scheme) <= 1:  # a plain path (or a Windows drive letter)
        return LocalStore(url)
    if parsed.scheme == "s3":
        return S3Store(parsed.netloc, parsed.path)
    raise ValueError(f"unsupported sink URL scheme {parsed.scheme!r}: {url}")


# --- banks ---------------------------------------------------------------------------


def bank_key(task: str, prompt_version: str | None = None) -> str:
    parts = [task] + ([prompt_version] if prompt_version else [])
    for p in parts:
        if not p or "/" in p or p in (".", ".."):
            raise ValueError(f"not a task or prompt version name: {p!r}")
    return "fewshot/" + "/".join(parts) + "/latest.json"


def parse_bank(data: bytes, task: str, prompt_version: str | None = None) -> Bank:
    try:
        doc = json.loads(data)
    except ValueError as e:
        raise InvalidBank(f"not JSON: {e}") from e
    if not isinstance(doc, dict):
        raise InvalidBank("not a JSON object")
    if doc.get("task") != task:
        raise InvalidBank(f"bank of task {doc.get('task')!r}, expected {task!r}")
    version = doc.get("version")
    if not isinstance(version, str) or not version:
        raise InvalidBank("no version")
    if prompt_version and doc.get("prompt_version") not in (None, prompt_version):
        raise InvalidBank(f"bank of prompt version {doc.get('prompt_version')!r}")
    examples = doc.get("examples")
    if not isinstance(examples, list):
        raise InvalidBank("examples is not a list")
    for i, ex in enumerate(examples):
        if not isinstance(ex, dict) or not isinstance(ex.get("input"), str) \
                or not isinstance(ex.get("output"), str):
            raise InvalidBank(f"example {i} has no input/output strings")
    return Bank(task, version, doc.get("generated_at"), tuple(examples), doc.get("prompt_version"))


@dataclass
class _Entry:
    bank: Bank
    signature: object
    checked_at: float


@dataclass
class FewshotLoader:
    """Cached banks of one sink.

        loader = FewshotLoader("s3://bucket/flywheel")
        messages = loader.prompt("qa", "What does HTTP 503 mean?", token_budget=2000)

    `check_interval_s` > 0 skips even the change check for that long after the last one.
    """

    url: str
    check_interval_s: float = 0.0
    store: object = None
    clock: object = time.monotonic
    reads: int = 0  # bank objects read so far (for metrics and tests)
    _cache: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self):
        if self.store is None:
            self.store = open_store(self.url)

    def get(self, task: str, prompt_version: str | None = None) -> Bank:
        """The current bank of a task. Raises BankNotFound when none was published; keeps
        serving the cached bank when the object cannot be parsed (e.g. read mid-rewrite
        on a store without atomic replace) and tries again on the next call."""
        key = bank_key(task, prompt_version)
        with self._lock:
            entry = self._cache.get(key)
            now = self.clock()
            if entry and now - entry.checked_at < self.check_interval_s:
                return entry.bank
            # Taken before the read: if the object changes in between, the next call
            # sees a new signature and reads again, so an update is never missed.
            sig = self.store.signature(key)
            if sig is None:
                self._cache.pop(key, None)
                raise BankNotFound(f"no bank published at {key}")
            if entry and sig == entry.signature:
                entry.checked_at = now
                return entry.bank
            self.reads += 1
            try:
                bank = parse_bank(self.store.read(key), task, prompt_version)
            except (InvalidBank, FileNotFoundError) as e:
                if entry is None:
                    if isinstance(e, FileNotFoundError):
                        raise BankNotFound(f"no bank published at {key}") from e
                    raise
                log.warning("%s: %s; still serving version %s", key, e, entry.bank.version)
                entry.checked_at = now
                return entry.bank
            if entry and bank.version == entry.bank.version:
                entry.signature, entry.checked_at = sig, now
                return entry.bank
            if entry:
                log.info("%s: version %s -> %s", key, entry.bank.version, bank.version)
            self._cache[key] = _Entry(bank, sig, now)
            return bank

    def prompt(self, task: str, user_message: str, *, system: str = DEFAULT_SYSTEM,
               token_budget: int | None = None, max_examples: int | None = None,
               prompt_version: str | None = None) -> list[dict]:
        """Chat messages for a new user message. A task without a bank gets a zero-shot
        prompt (system + user), like a task whose bank was published empty."""
        try:
            bank = self.get(task, prompt_version)
        except BankNotFound:
            bank = None
        return render_messages(bank, user_message, system=system,
                               token_budget=token_budget, max_examples=max_examples)


# --- rendering -----------------------------------------------------------------------


def estimate_tokens(text: str) -> int:
    """The pipeline's estimate: characters / 4, rounded up."""
    return math.ceil(len(text) / 4)


def render_messages(bank: Bank | None, user_message: str, *, system: str = DEFAULT_SYSTEM,
                    token_budget: int | None = None, max_examples: int | None = None,
                    count_tokens=estimate_tokens) -> list[dict]:
    """[system, (user, assistant) per example in bank order, user]. With a token budget,
    the system and user messages always go in, then, in bank order, every example that
    still fits (the bank is already best first and within the pipeline's own budget)."""
    messages = [{"role": "system", "content": system}] if system else []
    used = count_tokens(system or "") + count_tokens(user_message)
    taken = 0
    for ex in (bank.examples if bank else ()):
        if max_examples is not None and taken >= max_examples:
            break
        cost = count_tokens(ex["input"] + ex["output"])
        if token_budget is not None and used + cost > token_budget:
            continue
        messages.append({"role": "user", "content": ex["input"]})
        messages.append({"role": "assistant", "content": ex["output"]})
        used += cost
        taken += 1
    messages.append({"role": "user", "content": user_message})
    return messages
