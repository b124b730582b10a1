"""A minimal few-shot bank loader for prompt services; see README.md."""

from .fewshot_loader import (  # noqa: F401
    DEFAULT_SYSTEM,
    Bank,
    BankNotFound,
    FewshotLoader,
    InvalidBank,
    LocalStore,
    S3Store,
    estimate_tokens,
    open_store,
    parse_bank,
    render_messages,
)
